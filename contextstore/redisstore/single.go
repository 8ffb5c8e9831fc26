package redisstore

import (
	"context"
	"errors"

	"github.com/redis/go-redis/v9"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// Set implements contextstore.Store with one HSET (in MULTI/EXEC with the
// PEXPIRE that refreshes the frame's TTL when FrameTTL is set).
func (s *Store) Set(ctx context.Context, k keys.Key, v contextstore.Value) error {
	if err := k.Validate(); err != nil {
		return err
	}
	data, err := contextstore.AppendValue(nil, v)
	if err != nil {
		return contextstore.NewError("set", backend, k, contextstore.ErrInvalidValue, err)
	}
	octx, cancel, err := s.begin(ctx, "set", k)
	if err != nil {
		return err
	}
	defer cancel()
	name := s.frameKey(k.FrameID())
	if s.ttl == 0 {
		err = s.client.HSet(octx, name, k.Local(), data).Err()
	} else {
		_, err = s.client.TxPipelined(octx, func(p redis.Pipeliner) error {
			p.HSet(octx, name, k.Local(), data)
			p.PExpire(octx, name, s.ttl)
			return nil
		})
	}
	if err != nil {
		return s.fail(ctx, "set", k, err)
	}
	return nil
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
	data, err := s.client.HGet(octx, s.frameKey(k.FrameID()), k.Local()).Result()
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

// Delete implements contextstore.Store with one HDEL. Redis removes a hash
// with its last field, so a frame with no entries leaves nothing behind.
func (s *Store) Delete(ctx context.Context, k keys.Key) error {
	if err := k.Validate(); err != nil {
		return err
	}
	octx, cancel, err := s.begin(ctx, "delete", k)
	if err != nil {
		return err
	}
	defer cancel()
	name := s.frameKey(k.FrameID())
	if s.ttl == 0 {
		err = s.client.HDel(octx, name, k.Local()).Err()
	} else {
		_, err = s.client.TxPipelined(octx, func(p redis.Pipeliner) error {
			p.HDel(octx, name, k.Local())
			p.PExpire(octx, name, s.ttl)
			return nil
		})
	}
	if err != nil {
		return s.fail(ctx, "delete", k, err)
	}
	return nil
}
