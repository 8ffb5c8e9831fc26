package framectx

import (
	"strconv"
	"strings"
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
	prefix := e.Adapter + ": "
	var b strings.Builder
	b.WriteString(prefix)
	b.WriteString(e.Op)
	if e.Frame != "" {
		b.WriteByte(' ')
		b.WriteString(strconv.Quote(e.Frame))
	}
	if e.Kind != nil {
		b.WriteString(": ")
		b.WriteString(strings.TrimPrefix(e.Kind.Error(), prefix))
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the kind and the cause.
func (e *OpError) Unwrap() []error {
	errs := make([]error, 0, 2)
	if e.Kind != nil {
		errs = append(errs, e.Kind)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}
