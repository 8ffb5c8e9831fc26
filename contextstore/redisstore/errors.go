package redisstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"

	"github.com/redis/go-redis/v9"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// errOpTimeout is the cause of the per-call deadline set from
// Options.OpTimeout, so a call that ran out of the store's time can be told
// from one whose caller gave up.
var errOpTimeout = errors.New("redisstore: no answer within the operation timeout")

// fail turns a driver error into the store's error. ctx is the caller's
// context, not the one bounded by OpTimeout: when the caller cancelled or
// ran out of time, the error wraps the caller's context error as it is.
func (s *Store) fail(ctx context.Context, op string, k keys.Key, err error) error {
	e := contextstore.NewError(op, backend, k, nil, nil)
	return s.fill(ctx, e, err)
}

func (s *Store) fill(ctx context.Context, e *contextstore.Error, err error) error {
	if ctxErr := contextstore.ContextError(ctx); ctxErr != nil {
		if !errors.Is(err, ctxErr) {
			err = fmt.Errorf("%w (%w)", ctxErr, err)
		}
		e.Err = err
		return e
	}
	if s.closed.Load() {
		e.Kind = contextstore.ErrClosed
	} else {
		e.Kind = kindOf(err)
	}
	e.Err = err
	return e
}

// kindOf classifies an error of go-redis. Anything that says the server
// could not be reached or did not answer in time is ErrUnavailable: the
// call may succeed later, as the Store reconnects by itself.
func kindOf(err error) error {
	var (
		netErr     net.Error
		replicaErr *replicaError
	)
	switch {
	case errors.Is(err, redis.ErrClosed):
		return contextstore.ErrClosed
	case errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, errOpTimeout),
		errors.Is(err, redis.ErrPoolTimeout),
		errors.Is(err, redis.ErrPoolExhausted),
		errors.As(err, &netErr),
		errors.As(err, &replicaErr),
		errors.Is(err, io.EOF),
		errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE),
		redis.IsLoadingError(err),
		redis.IsClusterDownError(err),
		redis.IsTryAgainError(err),
		redis.IsMasterDownError(err),
		redis.IsMaxClientsError(err):
		return contextstore.ErrUnavailable
	}
	return contextstore.ErrBackend
}

// errSwapLost is the cause of a remap whose prepared hashes were gone when
// it came to swap them in (they expire after preparedTTL): nothing was
// written, and RemapIf prepares again.
var errSwapLost = errors.New("redisstore: a remap's prepared hashes expired before the swap")

// errLevelsMoved is the cause of a remap whose frame had its row or cell
// entries written between RemapIf's read and its swap: nothing was
// written, and RemapIf reads and prepares again.
var errLevelsMoved = errors.New("redisstore: the frame's row or cell entries changed during a remap")
