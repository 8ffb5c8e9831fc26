package gota

import (
	"errors"

	"github.com/ctxframe/ctxframe/adapters/framectx"
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
// frame, of which kind (ErrGota or ErrInvalidArgument) and why. Its message
// reads "gota: OP \"FRAME\": KIND: CAUSE".
type OpError = framectx.OpError

func gotaError(op, frame string, cause error) error {
	return &OpError{Adapter: "gota", Op: op, Frame: frame, Kind: ErrGota, Err: cause}
}

func invalidArgument(op, frame, reason string) error {
	return &OpError{Adapter: "gota", Op: op, Frame: frame, Kind: ErrInvalidArgument, Err: errors.New(reason)}
}

// argError is an ErrInvalidArgument for an Op's run; the operation and
// frame are filled in by Apply.
func argError(reason string) error {
	return &OpError{Adapter: "gota", Kind: ErrInvalidArgument, Err: errors.New(reason)}
}

func isKeyError(err error) bool {
	return errors.Is(err, keys.ErrInvalidKey) || errors.Is(err, keys.ErrNotInFrame)
}
