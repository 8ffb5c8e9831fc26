package redisstore

import (
	"context"
	"errors"

	"github.com/redis/go-redis/v9"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// Set implements contextstore.Store with one writeScript call: the value,
// the frame's new version and the TTL refresh together.
func (s *Store) Set(ctx context.Context, k keys.Key, v contextstore.Value) error {
	if err := k.Validate(); err != nil {
		return err
	}
	_, err := s.commit(ctx, "set", k, nil, []contextstore.Mutation{contextstore.Put(k, v)}, "")
	return err
}

// Get implements contextstore.Store with one HGET.
func (s *Store) Get(ctx context.Context, k keys.Key) (contextstore.Value, error) {
	if err := k.Validate(); err != nil {
		return nil, err
	}
	octx, cancel, err := s.begin(ctx, "get", k)
	if err != nil {
		return nil, err
	}
	defer cancel()
	data, err := s.client.HGet(octx, s.hashFor(k), k.Local()).Result()
	if errors.Is(err, redis.Nil) {
		return nil, contextstore.NewError("get", backend, k, contextstore.ErrNotFound, nil)
	}
	if err != nil {
		return nil, s.fail(ctx, "get", k, err)
	}
	v, err := decodeValue(data)
	if err != nil {
		return nil, contextstore.NewError("get", backend, k, contextstore.ErrBackend, err)
	}
	return v, nil
}

// Delete implements contextstore.Store with one writeScript call. Redis
// removes a hash with its last field, so a frame with no entries leaves only
// its small state hash behind (which keeps its layout epoch).
func (s *Store) Delete(ctx context.Context, k keys.Key) error {
	if err := k.Validate(); err != nil {
		return err
	}
	_, err := s.commit(ctx, "delete", k, nil, []contextstore.Mutation{contextstore.Remove(k)}, "")
	return err
}
