package redisstore

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/redis/go-redis/v9"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// ListFrame implements contextstore.FrameLister with one MULTI/EXEC of
// HKEYS on each of the frame's hashes (see readHashes).
func (s *Store) ListFrame(ctx context.Context, frameID string) ([]keys.Key, error) {
	fk := keys.Frame(frameID)
	if err := fk.Validate(); err != nil {
		return nil, err
	}
	octx, cancel, err := s.begin(ctx, "listframe", fk)
	if err != nil {
		return nil, err
	}
	defer cancel()
	read, err := s.readHashes(octx, frameID, readFields)
	if err != nil {
		return nil, s.fail(ctx, "listframe", fk, err)
	}
	var fields []string
	for _, c := range read.fields {
		fields = append(fields, c.Val()...)
	}
	return sortedFields(frameID, fields), nil
}

// sortedFields returns the keys of frameID's hash fields, sorted, skipping
// fields that are not frame-relative key strings (see the package doc).
func sortedFields(frameID string, fields []string) []keys.Key {
	ks := make([]keys.Key, 0, len(fields))
	for _, f := range fields {
		if k, err := keys.ParseLocal(frameID, f); err == nil {
			ks = append(ks, k)
		}
	}
	out := make([]keys.Key, len(ks))
	for i, j := range frameOrder(ks) {
		out[i] = ks[j]
	}
	return out
}

// ReadFrame implements contextstore.FrameReader with one MULTI/EXEC of
// HRANDFIELD past its size (the whole hash) on each of the frame's hashes
// (see readHashes).
func (s *Store) ReadFrame(ctx context.Context, frameID string) ([]contextstore.Entry, error) {
	snap, err := s.readWhole(ctx, "readframe", frameID)
	return snap.Entries, err
}

// hashReads is one consistent read of a frame's hashes, head, rows, then
// the cells of each of columns in order: their fields (fields), their
// fields and values (pairs); and the frame's state.
type hashReads struct {
	fields  []*redis.StringSliceCmd
	pairs   []*redis.KeyValueSliceCmd
	columns []string
	state   *redis.SliceCmd
	levels  *redis.SliceCmd // the levels version, lv (see writeScript)
}

// readHashesAttempts bounds how often readHashes reads again because the
// frame's cell columns changed between its two round trips.
const readHashesAttempts = 32

// hashRead is what readHashes reads of each hash.
type hashRead int

const (
	readFields hashRead = iota // HKEYS
	// readPairs reads fields and values into a slice, not a map: HRANDFIELD
	// with a count past any hash's size returns the whole hash, each field
	// once, as HGETALL does, and costs the client a third less than
	// HGETALL's map on a million fields.
	readPairs
)

// wholeHash is an HRANDFIELD count no hash reaches (a hash holds fewer
// than 2^32 fields), so the whole hash is returned.
const wholeHash = 1 << 32

// readHashes reads every hash of frameID (head, rows, each cell column's)
// and its state in one MULTI/EXEC, each hash read as what says.
// Which cell hashes there are is learnt from the set of cell columns just
// before; the transaction reads that set again, and the read is tried
// again if it changed in between, so what is returned is the frame as it
// was at one instant.
func (s *Store) readHashes(ctx context.Context, frameID string, what hashRead) (hashReads, error) {
	colsKey := s.cellColumnsKey(frameID)
	cols, err := s.client.SMembers(ctx, colsKey).Result()
	if err != nil {
		return hashReads{}, err
	}
	for attempt := 0; ; attempt++ {
		slices.Sort(cols)
		names := []string{s.frameKey(frameID), s.rowsKey(frameID)}
		for _, col := range cols {
			names = append(names, s.cellsKey(frameID, col))
		}
		var (
			read  hashReads
			again *redis.StringSliceCmd
		)
		_, err = s.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
			for _, name := range names {
				switch what {
				case readFields:
					read.fields = append(read.fields, p.HKeys(ctx, name))
				case readPairs:
					read.pairs = append(read.pairs, p.HRandFieldWithValues(ctx, name, wholeHash))
				}
			}
			read.state = p.HMGet(ctx, s.stateKey(frameID), "v", "e")
			read.levels = p.HMGet(ctx, s.stateKey(frameID), "lv") // nil, not an error, when unset
			again = p.SMembers(ctx, colsKey)
			return nil
		})
		if err != nil {
			return hashReads{}, err
		}
		now := again.Val()
		slices.Sort(now)
		if slices.Equal(now, cols) {
			read.columns = cols
			return read, nil
		}
		if attempt+1 >= readHashesAttempts {
			return hashReads{}, errors.New("redisstore: the frame's cell columns kept changing during a read")
		}
		cols = now
	}
}

// readWhole reads all of frameID's entries and its state at one instant.
func (s *Store) readWhole(ctx context.Context, op, frameID string) (contextstore.Snapshot, error) {
	fk := keys.Frame(frameID)
	if err := fk.Validate(); err != nil {
		return contextstore.Snapshot{}, err
	}
	octx, cancel, err := s.begin(ctx, op, fk)
	if err != nil {
		return contextstore.Snapshot{}, err
	}
	defer cancel()
	read, err := s.readHashes(octx, frameID, readPairs)
	if err != nil {
		return contextstore.Snapshot{}, s.fail(ctx, op, fk, err)
	}
	parts := make([][]redis.KeyValue, len(read.pairs))
	for i, c := range read.pairs {
		parts[i] = c.Val()
	}
	entries, err := decodeFrame(frameID, parts...)
	if err != nil {
		return contextstore.Snapshot{}, contextstore.NewError(op, backend, fk, contextstore.ErrBackend, err)
	}
	st, err := parseState(read.state.Val())
	if err != nil {
		return contextstore.Snapshot{}, contextstore.NewError(op, backend, fk, contextstore.ErrBackend, err)
	}
	return contextstore.Snapshot{FrameID: frameID, State: st, Entries: entries}, nil
}

// decodeFrame turns a frame's hashes into its entries, sorted, skipping
// fields that are not frame-relative key strings.
func decodeFrame(frameID string, parts ...[]redis.KeyValue) ([]contextstore.Entry, error) {
	n := 0
	for _, all := range parts {
		n += len(all)
	}
	ks := make([]keys.Key, 0, n)
	vs := make([]string, 0, n)
	for _, all := range parts {
		for _, kv := range all {
			if k, err := keys.ParseLocal(frameID, kv.Key); err == nil {
				ks = append(ks, k)
				vs = append(vs, kv.Value)
			}
		}
	}
	out := make([]contextstore.Entry, len(ks))
	for i, j := range frameOrder(ks) {
		v, err := decodeValue(vs[j])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ks[j], err)
		}
		out[i] = contextstore.Entry{Key: ks[j], Value: v}
	}
	return out, nil
}

// DropFrame implements contextstore.FrameDropper with one writeScript call
// that deletes the frame's hashes, sets and state: the frame is back at
// the zero state.
func (s *Store) DropFrame(ctx context.Context, frameID string) error {
	fk := keys.Frame(frameID)
	if err := fk.Validate(); err != nil {
		return err
	}
	_, err := s.commit(ctx, "dropframe", fk, nil, nil, frameID)
	return err
}

// decodeValue reads a stored value back into normal form.
func decodeValue(data string) (contextstore.Value, error) {
	v, err := contextstore.UnmarshalValue(data)
	if err != nil {
		return nil, fmt.Errorf("redisstore: stored value is not a JSON object: %w", err)
	}
	return v, nil
}
