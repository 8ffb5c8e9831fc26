package framectx

import (
	"slices"
	"strconv"

	"github.com/ctxframe/ctxframe/keys"
)

// Shape is what the core needs to know of a frame as it is now: its column
// names, in order, and its number of rows. Adapters compute it from their
// frame for every call, so context is always checked against the data.
type Shape struct {
	Columns []string
	Rows    int
}

// HasColumn reports whether the frame has a column called name.
func (s Shape) HasColumn(name string) bool { return slices.Contains(s.Columns, name) }

// Check returns nil when r is a well-formed reference to something s has. A
// malformed r (unknown kind, negative row, a name that is not UTF-8) is a
// *keys.KeyError of kind keys.ErrInvalidKey; an unknown column or a row out
// of range is one of kind keys.ErrNotInFrame.
func (s Shape) Check(r Ref) error {
	switch r.Kind {
	case keys.KindFrame, keys.KindColumn, keys.KindRow, keys.KindCell:
	default:
		return &keys.KeyError{Input: r.String(), Reason: "unknown reference kind", Kind: keys.ErrInvalidKey}
	}
	// Any frame ID will do: only the frame-relative part is checked here.
	if err := r.Key("frame").Validate(); err != nil {
		return &keys.KeyError{Input: r.String(), Reason: reasonOf(err), Kind: keys.ErrInvalidKey}
	}
	if (r.Kind == keys.KindColumn || r.Kind == keys.KindCell) && !s.HasColumn(r.Column) {
		return &keys.KeyError{Input: r.String(), Reason: "the frame has no such column", Kind: keys.ErrNotInFrame}
	}
	if (r.Kind == keys.KindRow || r.Kind == keys.KindCell) && r.Row >= s.Rows {
		return &keys.KeyError{
			Input:  r.String(),
			Reason: "row out of range: the frame has " + strconv.Itoa(s.Rows) + " rows",
			Kind:   keys.ErrNotInFrame,
		}
	}
	return nil
}

func reasonOf(err error) string {
	if ke, ok := err.(*keys.KeyError); ok {
		return ke.Reason
	}
	return err.Error()
}
