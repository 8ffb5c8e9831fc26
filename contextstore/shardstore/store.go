package shardstore

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"sync"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

const backend = "shard"

// Shard is one store of a sharded Store and its name. The name, not the
// position, decides which frames the shard holds: keep names stable.
type Shard struct {
	Name  string
	Store contextstore.Store
}

// Store routes each frame to one of its shards.
type Store struct {
	shards []Shard
	seeds  []uint64 // hash of each shard's name, the rendezvous seed

	mu     sync.RWMutex
	closed bool
}

// Compile-time checks of the capabilities Store offers.
var (
	_ contextstore.Store           = (*Store)(nil)
	_ contextstore.Batcher         = (*Store)(nil)
	_ contextstore.FrameLister     = (*Store)(nil)
	_ contextstore.FrameReader     = (*Store)(nil)
	_ contextstore.FrameDropper    = (*Store)(nil)
	_ contextstore.FrameEnumerator = (*Store)(nil)
	_ contextstore.Versioner       = (*Store)(nil)
	_ contextstore.SubsetReader    = (*Store)(nil)
)

// New returns a Store over shards. Names must be unique and non-empty; there
// must be at least one shard.
func New(shards ...Shard) (*Store, error) {
	if len(shards) == 0 {
		return nil, contextstore.NewError("new", backend, keys.Key{}, contextstore.ErrConfig, errors.New("shardstore: no shards"))
	}
	s := &Store{shards: slices.Clone(shards), seeds: make([]uint64, len(shards))}
	seen := map[string]bool{}
	for i, sh := range shards {
		if sh.Name == "" || sh.Store == nil || seen[sh.Name] {
			return nil, contextstore.NewError("new", backend, keys.Key{}, contextstore.ErrConfig,
				fmt.Errorf("shardstore: shard %d needs a unique, non-empty name and a store", i))
		}
		seen[sh.Name] = true
		s.seeds[i] = hashString(0, sh.Name)
	}
	return s, nil
}

// Shards returns the shards, in the order given to New.
func (s *Store) Shards() []Shard { return slices.Clone(s.shards) }

// ShardFor returns the name of the shard that holds frameID's context.
func (s *Store) ShardFor(frameID string) string { return s.shards[s.index(frameID)].Name }

// index picks the shard with the highest weight for frameID.
func (s *Store) index(frameID string) int {
	best, bestWeight := 0, uint64(0)
	for i, seed := range s.seeds {
		if w := mix(hashString(seed, frameID)); i == 0 || w > bestWeight {
			best, bestWeight = i, w
		}
	}
	return best
}

func hashString(seed uint64, s string) uint64 {
	h := fnv.New64a()
	var b [8]byte
	for i := range b {
		b[i] = byte(seed >> (8 * i))
	}
	h.Write(b[:])
	h.Write([]byte(s))
	return h.Sum64()
}

// mix is splitmix64's finalizer: FNV alone spreads similar frame IDs poorly.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func (s *Store) checkOpen(op string, k keys.Key) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return contextstore.NewError(op, backend, k, contextstore.ErrClosed, nil)
	}
	return nil
}

func (s *Store) route(op string, k keys.Key) (contextstore.Store, error) {
	if err := k.Validate(); err != nil {
		return nil, err
	}
	if err := s.checkOpen(op, k); err != nil {
		return nil, err
	}
	return s.shards[s.index(k.FrameID())].Store, nil
}

// Set implements contextstore.Store.
func (s *Store) Set(ctx context.Context, k keys.Key, v contextstore.Value) error {
	sh, err := s.route("set", k)
	if err != nil {
		return err
	}
	return sh.Set(ctx, k, v)
}

// Get implements contextstore.Store.
func (s *Store) Get(ctx context.Context, k keys.Key) (contextstore.Value, error) {
	sh, err := s.route("get", k)
	if err != nil {
		return nil, err
	}
	return sh.Get(ctx, k)
}

// Delete implements contextstore.Store.
func (s *Store) Delete(ctx context.Context, k keys.Key) error {
	sh, err := s.route("delete", k)
	if err != nil {
		return err
	}
	return sh.Delete(ctx, k)
}

// ListKeys implements contextstore.Store: every shard's keys, merged and
// sorted.
func (s *Store) ListKeys(ctx context.Context) ([]keys.Key, error) {
	if err := s.checkOpen("list", keys.Key{}); err != nil {
		return nil, err
	}
	var all []keys.Key
	for _, sh := range s.shards {
		ks, err := sh.Store.ListKeys(ctx)
		if err != nil {
			return nil, err
		}
		all = append(all, ks...)
	}
	keys.Sort(all)
	return all, nil
}

// Apply implements contextstore.Batcher. The batch is validated whole first;
// then each shard applies its frames' mutations, so each frame's part is
// atomic (the Batcher contract), but a batch spanning shards is not atomic
// as a whole.
func (s *Store) Apply(ctx context.Context, ms []contextstore.Mutation) error {
	if _, err := contextstore.ValidateBatch(ms); err != nil {
		return contextstore.NewError("apply", backend, keys.Key{}, contextstore.BatchErrorKind(err), err)
	}
	if err := s.checkOpen("apply", keys.Key{}); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return contextstore.NewError("apply", backend, keys.Key{}, nil, err)
	}
	parts := make([][]contextstore.Mutation, len(s.shards))
	for _, m := range ms {
		i := s.index(m.Key.FrameID())
		parts[i] = append(parts[i], m)
	}
	for i, part := range parts {
		if len(part) == 0 {
			continue
		}
		if err := contextstore.Apply(ctx, s.shards[i].Store, part); err != nil {
			return err
		}
	}
	return nil
}

// GetMany implements contextstore.Batcher: one GetMany per shard involved.
func (s *Store) GetMany(ctx context.Context, ks []keys.Key) ([]contextstore.Value, error) {
	for _, k := range ks {
		if err := k.Validate(); err != nil {
			return nil, err
		}
	}
	if err := s.checkOpen("getmany", keys.Key{}); err != nil {
		return nil, err
	}
	byShard := make([][]int, len(s.shards)) // positions in ks per shard
	for pos, k := range ks {
		i := s.index(k.FrameID())
		byShard[i] = append(byShard[i], pos)
	}
	out := make([]contextstore.Value, len(ks))
	for i, positions := range byShard {
		if len(positions) == 0 {
			continue
		}
		part := make([]keys.Key, len(positions))
		for j, pos := range positions {
			part[j] = ks[pos]
		}
		vs, err := contextstore.GetMany(ctx, s.shards[i].Store, part)
		if err != nil {
			return nil, err
		}
		for j, pos := range positions {
			out[pos] = vs[j]
		}
	}
	return out, nil
}

func (s *Store) frameShard(op, frameID string) (contextstore.Store, error) {
	return s.route(op, keys.Frame(frameID))
}

// ListFrame implements contextstore.FrameLister on the frame's shard.
func (s *Store) ListFrame(ctx context.Context, frameID string) ([]keys.Key, error) {
	sh, err := s.frameShard("listframe", frameID)
	if err != nil {
		return nil, err
	}
	return contextstore.ListFrame(ctx, sh, frameID)
}

// ReadFrame implements contextstore.FrameReader on the frame's shard.
func (s *Store) ReadFrame(ctx context.Context, frameID string) ([]contextstore.Entry, error) {
	sh, err := s.frameShard("readframe", frameID)
	if err != nil {
		return nil, err
	}
	return contextstore.ReadFrame(ctx, sh, frameID)
}

// DropFrame implements contextstore.FrameDropper on the frame's shard.
func (s *Store) DropFrame(ctx context.Context, frameID string) error {
	sh, err := s.frameShard("dropframe", frameID)
	if err != nil {
		return err
	}
	return contextstore.DropFrame(ctx, sh, frameID)
}

// ListFrames implements contextstore.FrameEnumerator: the union over shards.
func (s *Store) ListFrames(ctx context.Context) ([]string, error) {
	if err := s.checkOpen("listframes", keys.Key{}); err != nil {
		return nil, err
	}
	var ids []string
	for _, sh := range s.shards {
		part, err := contextstore.ListFrames(ctx, sh.Store)
		if err != nil {
			return nil, err
		}
		ids = append(ids, part...)
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}

// Close closes every shard that can be closed and returns their errors
// joined. Later calls fail with ErrClosed.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	var errs []error
	for _, sh := range s.shards {
		if err := contextstore.Close(sh.Store); err != nil {
			errs = append(errs, fmt.Errorf("shard %s: %w", sh.Name, err))
		}
	}
	return errors.Join(errs...)
}
