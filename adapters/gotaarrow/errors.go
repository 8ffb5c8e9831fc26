package gotaarrow

import (
	"errors"

	ctxarrow "github.com/ctxframe/ctxframe/adapters/arrow"
	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/adapters/internal/gotaconv"
)

// The kinds of a conversion's *OpError are the Arrow adapter's:
// ctxarrow.ErrUnsupportedType (a type with no counterpart),
// ctxarrow.ErrInvalidArgument, ctxarrow.ErrReleased and ctxarrow.ErrArrow
// (anything else the conversion refused). Match them with errors.Is.
var (
	// ErrUnsupportedType is ctxarrow.ErrUnsupportedType, under this
	// package's name for readers of conversion code.
	ErrUnsupportedType = ctxarrow.ErrUnsupportedType

	errNilData = errors.New("nil data")
)

// OpError is the error type of every conversion: the operation
// ("from_gota" or "to_gota"), the frame, the kind and the cause.
type OpError = framectx.OpError

// opError is the one constructor of the package's *OpError.
func opError(op, frameID string, kind, cause error) *OpError {
	return &OpError{Adapter: "gotaarrow", Op: op, Frame: frameID, Kind: kind, Err: cause}
}

// kindOf classifies a conversion failure.
func kindOf(err error) error {
	if errors.Is(err, gotaconv.ErrUnsupportedType) {
		return ctxarrow.ErrUnsupportedType
	}
	return ctxarrow.ErrArrow
}
