package contextstore

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/ctxframe/ctxframe/internal/errfmt"
	"github.com/ctxframe/ctxframe/keys"
)

// Kinds of store failure, matched with errors.Is. Every error a store returns
// is an *Error whose Kind is one of these (or a *keys.KeyError for a bad key).
// Context cancellation and deadlines are also reported as they are:
// errors.Is(err, context.Canceled) works.
var (
	// ErrNotFound: Get found no value under the key.
	ErrNotFound = errors.New("contextstore: not found")
	// ErrInvalidValue: the value cannot be carried as JSON (NaN, ±Inf, a func,
	// a channel, a cycle, a non-string map key, invalid UTF-8, U+0000, an
	// integer beyond int64). Nothing was written.
	ErrInvalidValue = errors.New("contextstore: invalid value")
	// ErrClosed: the store was closed.
	ErrClosed = errors.New("contextstore: store is closed")
	// ErrUnavailable: the backend could not be reached or did not answer in
	// time. The operation changed nothing; it may succeed later.
	ErrUnavailable = errors.New("contextstore: backend unavailable")
	// ErrBackend: the backend failed in another way (a server error, corrupt
	// data, an unexpected schema).
	ErrBackend = errors.New("contextstore: backend error")
	// ErrConfig: a URL or option the store cannot use.
	ErrConfig = errors.New("contextstore: bad configuration")
	// ErrConflict: a conditional write (ApplyIf) found a frame no longer at
	// the version or layout epoch it named. Nothing was written; the cause
	// is a *ConflictError saying where the frame stands now.
	ErrConflict = errors.New("contextstore: conflict")
	// ErrUnsupported: the store lacks a capability the call needs and the
	// call cannot fall back without giving up a guarantee (a conditional
	// write on a store without versioned frames).
	ErrUnsupported = errors.New("contextstore: unsupported")
)

// Error is the error every store operation returns (the reference API's
// ContextStoreError). It carries the operation, the backend, the key when
// there is one, the kind and the driver's error.
type Error struct {
	Op      string // "set", "get", "delete", "list", "apply", "open", ...
	Backend string // "mem", "redis", "sqlite", "postgres", "shard", ...
	Key     string // canonical key or frame ID the operation was about, or ""
	Kind    error  // one of the Err* sentinels
	Err     error  // the underlying cause, or nil
}

// Error returns "contextstore: BACKEND OP "KEY": KIND: CAUSE".
func (e *Error) Error() string {
	subject := ""
	if e.Key != "" {
		subject = strconv.Quote(e.Key)
	}
	return errfmt.Message("contextstore: ", e.Backend+" "+e.Op, subject, e.Kind, e.Err)
}

// Unwrap returns the kind and the cause, so both errors.Is(err, ErrNotFound)
// and errors.As(err, &driverErr) work.
func (e *Error) Unwrap() []error { return errfmt.Unwrap(e.Kind, e.Err) }

// NewError builds an *Error. Backends use it to wrap their driver errors;
// key may be the zero Key.
func NewError(op, backend string, key keys.Key, kind, cause error) *Error {
	e := &Error{Op: op, Backend: backend, Kind: kind, Err: cause}
	if key.Kind() != 0 {
		e.Key = key.String()
	}
	return e
}

// BatchError lists the entries of a batch that were refused, with their
// positions. It is the cause inside an *Error of kind ErrInvalidValue (or
// the key error's kind) when a batch is refused as a whole.
type BatchError struct {
	Failures []BatchFailure
}

// BatchFailure is one refused entry of a batch.
type BatchFailure struct {
	Index int      // position in the batch
	Key   keys.Key // the entry's key
	Err   error    // why it was refused
}

// Error counts the refused entries and names the first few.
func (e *BatchError) Error() string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(len(e.Failures)))
	b.WriteString(" entries refused")
	for i, f := range e.Failures {
		if i == 3 {
			b.WriteString("; ...")
			break
		}
		b.WriteString("; [")
		b.WriteString(strconv.Itoa(f.Index))
		b.WriteString("] ")
		b.WriteString(f.Err.Error())
	}
	return b.String()
}

// Unwrap returns the failures' errors, so errors.Is(err, keys.ErrInvalidKey)
// finds a bad key anywhere in the batch.
func (e *BatchError) Unwrap() []error {
	errs := make([]error, len(e.Failures))
	for i, f := range e.Failures {
		errs[i] = f.Err
	}
	return errs
}

// ConflictError is the cause inside an *Error of kind ErrConflict: the frame
// whose guard failed, what the guard asked for and where the frame stands.
type ConflictError struct {
	FrameID string
	Want    Guard      // the guard that failed
	Got     FrameState // the frame's state when the write was refused
}

// Error says which frame moved and how.
func (e *ConflictError) Error() string {
	frame := "frame " + strconv.Quote(e.FrameID)
	switch {
	case e.Want.CheckEpoch && e.Want.Epoch != e.Got.Epoch:
		return fmt.Sprintf("%s changed its layout (epoch %d -> %d)", frame, e.Want.Epoch, e.Got.Epoch)
	case e.Want.CheckVersion && e.Want.Version != e.Got.Version:
		return fmt.Sprintf("%s was written meanwhile (version %d -> %d)", frame, e.Want.Version, e.Got.Version)
	}
	return frame + " changed under a merge"
}

// Conflict returns the *Error of kind ErrConflict that backends report when
// guard g found frame state got.
func Conflict(op, backend string, g Guard, got FrameState) *Error {
	return &Error{Op: op, Backend: backend, Key: g.FrameID, Kind: ErrConflict,
		Err: &ConflictError{FrameID: g.FrameID, Want: g, Got: got}}
}
