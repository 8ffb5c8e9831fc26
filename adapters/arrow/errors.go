package arrow

import (
	"errors"

	"github.com/ctxframe/ctxframe/adapters/framectx"
)

// The adapter's errors, in one place.

// Kinds of adapter failure, matched with errors.Is. Store failures come back
// as they are (a *contextstore.Error), bad references as a *keys.KeyError
// and merge conflicts as a *framectx.MergeConflictError; these cover the
// data side.
var (
	// ErrInvalidArgument reports an operation refused before any data or
	// context changed: a slice out of range, an unknown column, a rename
	// onto an existing name, a column of the wrong length, records whose
	// schemas do not line up.
	ErrInvalidArgument = errors.New("arrow: invalid argument")

	// ErrArrow reports that arrow-go refused an operation (a cast it cannot
	// perform, a concatenation that failed). Data and context are left as
	// they were.
	ErrArrow = errors.New("arrow: operation failed")

	// ErrReleased reports a Record or Table used after Release.
	ErrReleased = errors.New("arrow: used after Release")
)

// OpError is the error of a failed operation: which operation, on which
// frame, of which kind (ErrInvalidArgument, ErrArrow, ErrUnsupportedType or
// ErrReleased) and why. Its message reads "arrow: OP \"FRAME\": KIND: CAUSE".
// The IPC and Parquet functions fail with it too (op "read ipc stream",
// "write parquet", ...), their kinds (ErrCorruptIPC, ErrCorruptParquet,
// arrowmeta's, the store's) matched through the cause with errors.Is.
type OpError = framectx.OpError

// opError is the one constructor of the adapter's *OpError.
func opError(op, frameID string, kind, cause error) *OpError {
	return &OpError{Adapter: "arrow", Op: op, Frame: frameID, Kind: kind, Err: cause}
}

// ErrUnsupportedType reports an Arrow data type that has no gota series type
// (or the reverse). Match it with errors.Is.
var ErrUnsupportedType = errors.New("arrow: unsupported type")

// ErrCorruptIPC reports an input the IPC readers refuse: framing, a
// flatbuffer or a record that breaks the format or a limit, input cut
// short, context that breaks docs/SPEC.md (then also matching its
// arrowmeta kind), or a message arrow/go would have panicked on. The
// reader's own I/O errors, the caller's cancellation and the store's
// errors are not ErrCorruptIPC.
var ErrCorruptIPC = errors.New("arrow: corrupt IPC data")

// ErrCorruptParquet reports a Parquet input the reader refuses: a footer,
// metadata, page or record that breaks the format or a limit, input cut
// short, or context that breaks docs/SPEC.md (then also matching its
// arrowmeta kind). The reader's own I/O errors, the caller's cancellation
// and the store's errors are not ErrCorruptParquet.
var ErrCorruptParquet = errors.New("arrow: corrupt Parquet data")
