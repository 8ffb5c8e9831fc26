package gota

import (
	"errors"
	"strconv"
	"strings"

	"github.com/ctxframe/ctxframe/keys"
)

// Kinds of adapter failure, matched with errors.Is. Context store failures
// come back as they are (a *contextstore.Error) and bad references as a
// *keys.KeyError; these two cover the frame side.
var (
	// ErrGota reports that gota refused an operation: the DataFrame came
	// back with Err set, or gota panicked on the input. Frame and context
	// are left as they were.
	ErrGota = errors.New("gota: dataframe operation failed")

	// ErrInvalidArgument reports an operation the adapter refuses before
	// calling gota because the result could not carry context correctly:
	// renaming a column onto another column's name, a frame with duplicate
	// column names, a nil frame to combine with.
	ErrInvalidArgument = errors.New("gota: invalid argument")
)

// OpError is the error of a failed operation: which operation, on which
// frame, of which kind (ErrGota or ErrInvalidArgument) and why.
type OpError struct {
	Op    string // "rename", "filter", "inner_join", ...
	Frame string // the frame ID the operation was applied to
	Kind  error  // ErrGota or ErrInvalidArgument
	Err   error  // gota's error or the reason, may be nil
}

// Error returns "gota: OP \"FRAME\": KIND: CAUSE".
func (e *OpError) Error() string {
	var b strings.Builder
	b.WriteString("gota: ")
	b.WriteString(e.Op)
	if e.Frame != "" {
		b.WriteByte(' ')
		b.WriteString(strconv.Quote(e.Frame))
	}
	if e.Kind != nil {
		b.WriteString(": ")
		b.WriteString(strings.TrimPrefix(e.Kind.Error(), "gota: "))
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the kind and the cause, so errors.Is(err, ErrGota) and
// errors.As on gota's own error both work.
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

func gotaError(op, frame string, cause error) error {
	return &OpError{Op: op, Frame: frame, Kind: ErrGota, Err: cause}
}

func invalidArgument(op, frame, reason string) error {
	return &OpError{Op: op, Frame: frame, Kind: ErrInvalidArgument, Err: errors.New(reason)}
}

// argError is an ErrInvalidArgument for an Op's run; the operation and
// frame are filled in by Apply.
func argError(reason string) error {
	return &OpError{Kind: ErrInvalidArgument, Err: errors.New(reason)}
}

func isKeyError(err error) bool {
	return errors.Is(err, keys.ErrInvalidKey) || errors.Is(err, keys.ErrNotInFrame)
}
