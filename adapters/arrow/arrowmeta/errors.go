package arrowmeta

import (
	"errors"

	"github.com/ctxframe/ctxframe/internal/errfmt"
)

// Kinds of failure, matched with errors.Is. Every error of this package is an
// *Error whose Kind is one of these.
var (
	// ErrMalformed: the metadata does not follow the encoding: bad JSON, a
	// missing or repeated key, an unknown key in the namespace, a negative or
	// non-integer row, a column the schema lacks, conflicting copies.
	ErrMalformed = errors.New("arrowmeta: malformed context")
	// ErrUnsupportedVersion: the metadata names an encoding version this
	// package does not read.
	ErrUnsupportedVersion = errors.New("arrowmeta: unsupported context version")
	// ErrTooLarge: the context exceeds a Limits bound (bytes, entries or
	// nesting depth).
	ErrTooLarge = errors.New("arrowmeta: context too large")
	// ErrMismatch: Encode was given context that does not fit the schema or
	// the frame: an entry of another frame, a column the schema lacks, a
	// repeated key, an invalid frame ID or value. Writers built on Encode
	// also use it for context naming rows beyond the data written.
	ErrMismatch = errors.New("arrowmeta: context does not fit the data")
)

// Error is the error Encode and Decode return. It names the operation, the
// metadata key concerned (with its field when there is one), the kind and
// the cause.
type Error struct {
	Op   string // "encode", "decode" or "check rows"
	Key  string // metadata key, e.g. "ctxframe.cells" or `field "price" ctxframe.column`; may be ""
	Kind error  // one of the Err* sentinels
	Err  error  // the cause, or nil
}

// Error returns "arrowmeta: OP KEY: KIND: CAUSE", the kind without its
// package prefix.
func (e *Error) Error() string { return errfmt.Message("arrowmeta: ", e.Op, e.Key, e.Kind, e.Err) }

// Unwrap returns the kind and the cause, so errors.Is matches the kind and
// errors.As finds a cause such as a *contextstore.ValueError or
// *keys.KeyError.
func (e *Error) Unwrap() []error { return errfmt.Unwrap(e.Kind, e.Err) }

func newError(op, key string, kind, cause error) *Error {
	return &Error{Op: op, Key: key, Kind: kind, Err: cause}
}

// reason is a plain cause message.
type reason string

// Error returns the reason.
func (r reason) Error() string { return string(r) }
