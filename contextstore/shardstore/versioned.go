package shardstore

import (
	"context"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// ReadVersioned implements contextstore.Versioner on the frame's shard,
// which must offer it (else ErrUnsupported).
func (s *Store) ReadVersioned(ctx context.Context, frameID string) (contextstore.Snapshot, error) {
	sh, err := s.frameShard("readversioned", frameID)
	if err != nil {
		return contextstore.Snapshot{}, err
	}
	return contextstore.ReadVersioned(ctx, sh, frameID)
}

// ReadSubset implements contextstore.SubsetReader on the frame's shard,
// natively where the shard serves subsets.
func (s *Store) ReadSubset(ctx context.Context, frameID string, sub contextstore.Subset) (contextstore.Snapshot, error) {
	sh, err := s.frameShard("readsubset", frameID)
	if err != nil {
		return contextstore.Snapshot{}, err
	}
	return contextstore.ReadSubset(ctx, sh, frameID, sub)
}

// FrameStates implements contextstore.StateReader: each frame's state from
// its shard, one call per shard.
func (s *Store) FrameStates(ctx context.Context, frameIDs []string) ([]contextstore.FrameState, error) {
	for _, id := range frameIDs {
		if err := keys.Frame(id).Validate(); err != nil {
			return nil, err
		}
	}
	if err := s.checkOpen("framestates", keys.Key{}); err != nil {
		return nil, err
	}
	ids := make([][]string, len(s.shards))
	at := make([][]int, len(s.shards))
	for i, id := range frameIDs {
		sh := s.index(id)
		ids[sh], at[sh] = append(ids[sh], id), append(at[sh], i)
	}
	out := make([]contextstore.FrameState, len(frameIDs))
	for sh := range s.shards {
		if len(ids[sh]) == 0 {
			continue
		}
		states, err := contextstore.FrameStates(ctx, s.shards[sh].Store, ids[sh])
		if err != nil {
			return nil, err
		}
		for j, pos := range at[sh] {
			out[pos] = states[j]
		}
	}
	return out, nil
}

// ApplyIf implements contextstore.Versioner: each shard checks its frames'
// guards atomically with their writes. Shards with guards but no writes are
// checked first, so a stale frame elsewhere refuses the batch before any
// shard writes; a batch writing frames on several shards is atomic per
// shard, as the contract allows for sharded stores.
func (s *Store) ApplyIf(ctx context.Context, guards []contextstore.Guard, ms []contextstore.Mutation) ([]contextstore.FrameState, error) {
	if err := contextstore.ValidateGuards(guards); err != nil {
		return nil, err
	}
	if _, err := contextstore.ValidateBatch(ms); err != nil {
		return nil, contextstore.NewError("applyif", backend, keys.Key{}, contextstore.BatchErrorKind(err), err)
	}
	if err := s.checkOpen("applyif", keys.Key{}); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, contextstore.NewError("applyif", backend, keys.Key{}, nil, err)
	}
	type part struct {
		guards []contextstore.Guard
		at     []int // positions of guards in the caller's list
		ms     []contextstore.Mutation
	}
	parts := make([]part, len(s.shards))
	for i, g := range guards {
		p := &parts[s.index(g.FrameID)]
		p.guards = append(p.guards, g)
		p.at = append(p.at, i)
	}
	for _, m := range ms {
		p := &parts[s.index(m.Key.FrameID())]
		p.ms = append(p.ms, m)
	}
	out := make([]contextstore.FrameState, len(guards))
	run := func(i int) error {
		p := parts[i]
		states, err := contextstore.ApplyIf(ctx, s.shards[i].Store, p.guards, p.ms)
		if err != nil {
			return err
		}
		for j, pos := range p.at {
			out[pos] = states[j]
		}
		return nil
	}
	// Guard-only shards first, then the shards that write.
	for _, writes := range []bool{false, true} {
		for i, p := range parts {
			if len(p.guards) == 0 && len(p.ms) == 0 {
				continue
			}
			if w := len(p.ms) > 0 || relayouts(p.guards); w != writes {
				continue
			}
			if err := run(i); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func relayouts(guards []contextstore.Guard) bool {
	for _, g := range guards {
		if g.Relayout {
			return true
		}
	}
	return false
}
