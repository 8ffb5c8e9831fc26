package contextstore

import (
	"context"
	"fmt"

	"github.com/ctxframe/ctxframe/keys"
)

// CheckCall is the check every backend runs before it starts a call, so
// that all of them refuse the same way: after Close the call fails with
// ErrClosed, with a done context with ContextError's error, each as an
// *Error naming op, backend and key (which may be the zero Key).
func CheckCall(ctx context.Context, closed bool, op, backend string, k keys.Key) error {
	if closed {
		return NewError(op, backend, k, ErrClosed, nil)
	}
	if err := ContextError(ctx); err != nil {
		return NewError(op, backend, k, nil, err)
	}
	return nil
}

// ContextError returns ctx's error with its cause when one was given
// (context.WithCancelCause, WithTimeoutCause), so that both match with
// errors.Is; nil while ctx is live.
func ContextError(ctx context.Context) error {
	err := ctx.Err()
	if err == nil {
		return nil
	}
	if cause := context.Cause(ctx); cause != nil && cause != err {
		return fmt.Errorf("%w: %w", err, cause)
	}
	return err
}
