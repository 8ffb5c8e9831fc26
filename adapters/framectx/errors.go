package framectx

import (
	"errors"
	"strconv"
)

// ErrStale is matched by the error of a write or an operation refused
// because the frame's layout changed in the store since this binding last
// saw it (another process renamed, filtered, sorted... the frame): the
// positions and names the writer holds may now mean other rows and columns.
// Nothing was written. Re-bind to data that matches the store's context
// (Binding.Adopt, or the adapters' Rebind) and try again.
var ErrStale = errors.New("framectx: stale frame layout")

// StaleError is the error of a refused stale write: the frame, the layout
// epoch the binding held and the one the store has now. It matches ErrStale,
// and contextstore.ErrConflict when a conditional write found the change.
type StaleError struct {
	FrameID string
	Held    uint64 // the layout epoch the binding had seen
	Now     uint64 // the layout epoch in the store
	Err     error  // the store's conflict error, or nil
}

// Error names the frame and both epochs.
func (e *StaleError) Error() string {
	return "framectx: frame " + strconv.Quote(e.FrameID) + ": stale frame layout: the store is at layout epoch " +
		strconv.FormatUint(e.Now, 10) + ", this binding saw " + strconv.FormatUint(e.Held, 10) +
		" (another writer moved or removed rows or columns); re-bind to the current data"
}

// Unwrap returns ErrStale and the store's error.
func (e *StaleError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrStale}
	}
	return []error{ErrStale, e.Err}
}
