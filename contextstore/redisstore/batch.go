package redisstore

import (
	"context"

	"github.com/redis/go-redis/v9"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// clusterParallelism bounds how many per-frame transactions a batch runs at
// once on a Cluster.
const clusterParallelism = 8

// Apply implements contextstore.Batcher with writeScript. On a single node
// the whole batch is one script call; on a Cluster (or Ring) each frame's
// part is one call on its slot, so the batch is atomic per frame (frames on
// different slots cannot share a script). Every key and value is checked
// before anything is sent; every frame written gets a new version.
func (s *Store) Apply(ctx context.Context, ms []contextstore.Mutation) error {
	_, err := s.commit(ctx, "apply", keys.Key{}, nil, ms, "")
	return err
}

// perFrameTransactions reports whether one script cannot span frames: on a
// Cluster (or a Ring) frames live on different slots or shards.
func (s *Store) perFrameTransactions() bool {
	if s.cluster != nil {
		return true
	}
	_, ring := s.client.(*redis.Ring)
	return ring
}

// GetMany implements contextstore.Batcher with one HMGET per hash (a
// frame's head, rows, or one column's cells), all in one pipeline.
func (s *Store) GetMany(ctx context.Context, ks []keys.Key) ([]contextstore.Value, error) {
	for _, k := range ks {
		if err := k.Validate(); err != nil {
			return nil, err
		}
	}
	octx, cancel, err := s.begin(ctx, "getmany", keys.Key{})
	if err != nil {
		return nil, err
	}
	defer cancel()
	out := make([]contextstore.Value, len(ks))
	if len(ks) == 0 {
		return out, nil
	}
	type frameRead struct {
		name   string
		fields []string
		at     []int // positions in ks
		cmd    *redis.SliceCmd
	}
	byHash := make(map[string]*frameRead)
	var reads []*frameRead
	for i, k := range ks {
		name := s.hashFor(k)
		r := byHash[name]
		if r == nil {
			r = &frameRead{name: name}
			byHash[name] = r
			reads = append(reads, r)
		}
		r.fields = append(r.fields, k.Local())
		r.at = append(r.at, i)
	}
	_, err = s.client.Pipelined(octx, func(p redis.Pipeliner) error {
		for _, r := range reads {
			r.cmd = p.HMGet(octx, r.name, r.fields...)
		}
		return nil
	})
	if err != nil {
		return nil, s.fail(ctx, "getmany", keys.Key{}, err)
	}
	for _, r := range reads {
		for j, x := range r.cmd.Val() {
			str, ok := x.(string)
			if !ok {
				continue // nil: no value
			}
			v, err := decodeValue(str)
			if err != nil {
				k := ks[r.at[j]]
				return nil, contextstore.NewError("getmany", backend, k, contextstore.ErrBackend, err)
			}
			out[r.at[j]] = v
		}
	}
	return out, nil
}
