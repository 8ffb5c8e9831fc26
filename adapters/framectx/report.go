package framectx

import (
	"strconv"

	"github.com/ctxframe/ctxframe/internal/errfmt"
)

// Report says what an adapter's operation did to the context.
type Report struct {
	// Op is the operation's name.
	Op string
	// Written counts the context entries set or deleted, in one atomic
	// batch.
	Written int
	// Notes lists context the operation had to drop, and why.
	Notes []Note
}

// OpError is the error of an adapter operation refused before any data or
// context changed: which adapter, which operation, on which frame, of which
// kind, and why. Each adapter defines its kinds as sentinels (ErrGota,
// ErrArrow, ErrInvalidArgument, ...) and exports this type under its own
// name, so errors.As(err, &gota.OpError{}) and errors.Is(err, gota.ErrGota)
// both work. Store failures, key errors and merge conflicts are not wrapped
// in it: they come back as they are.
type OpError struct {
	Adapter string // "gota", "arrow": the prefix of the message
	Op      string // "rename", "filter", "slice", ...
	Frame   string // the frame ID the operation was applied to, or ""
	Kind    error  // the adapter's sentinel
	Err     error  // the cause, may be nil
}

// Error returns "ADAPTER: OP "FRAME": KIND: CAUSE".
func (e *OpError) Error() string {
	subject := ""
	if e.Frame != "" {
		subject = strconv.Quote(e.Frame)
	}
	return errfmt.Message(e.Adapter+": ", e.Op, subject, e.Kind, e.Err)
}

// Unwrap returns the kind and the cause.
func (e *OpError) Unwrap() []error { return errfmt.Unwrap(e.Kind, e.Err) }
