package framectx

import (
	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// passthrough is what an in-place change that keeps every row where it is
// (SameRows: a rename, a column selection or drop) leaves exactly as it is:
// every row entry (unless the change drops its state-bound part), and every
// cell of a column carried, as it was, under its own name and nowhere else.
// Planning them would only find each one equal to itself; leaving them out
// of both the input and the output's entries gives the same plan, at a
// cost that follows the entries that change instead of the frame's rows.
type passthrough struct {
	rows    int             // the frame's rows; entries past them are stale and must be planned (deleted)
	rowsAll bool            // every row entry passes (columns kept); else only those without a state mark
	cells   map[string]bool // columns whose cells pass
}

// planPassthrough lets a test compare plans made with and without the
// passthrough; it is always true otherwise.
var planPassthrough = true

// passthroughOf returns c's passthrough, or nil when c is not such a
// change.
func passthroughOf(c Change) *passthrough {
	if len(c.Inputs) != 1 || c.Inputs[0].FrameID != c.Output || c.Groups != nil {
		return nil
	}
	in := c.Inputs[0]
	if m, ok := c.Rows.(sliceRows); !ok || m.input != 0 || m.start != 0 || m.n != in.Shape.Rows {
		return nil
	}
	carriedBy := make(map[string]int, len(c.Columns)) // input column -> output columns carrying its cells
	for _, col := range c.Columns {
		if !col.Transformation.IsIdentity() {
			continue
		}
		for _, s := range col.Carry {
			carriedBy[s.Column]++
		}
	}
	pt := &passthrough{rows: in.Shape.Rows, rowsAll: c.stateFacts().columnsKept, cells: make(map[string]bool, len(c.Columns))}
	for _, col := range c.Columns {
		if identityCarry(col) && col.Carry[0].Input == 0 && col.Carry[0].Column == col.Name && carriedBy[col.Name] == 1 {
			pt.cells[col.Name] = true
		}
	}
	return pt
}

// passes reports whether planning would leave e exactly as it is.
func (pt *passthrough) passes(e contextstore.Entry) bool {
	k := e.Key
	switch k.Kind() {
	case keys.KindRow:
		if k.RowIndex() >= pt.rows {
			return false
		}
		if pt.rowsAll {
			return true
		}
		_, marked := e.Value[StateField]
		return !marked
	case keys.KindCell:
		return k.RowIndex() < pt.rows && pt.cells[k.ColumnName()]
	}
	return false
}

// filter returns the entries of es that do not pass, in order: usually
// few, so one pass collects them.
func (pt *passthrough) filter(es []contextstore.Entry) []contextstore.Entry {
	var out []contextstore.Entry
	for _, e := range es {
		if !pt.passes(e) {
			out = append(out, e)
		}
	}
	return out
}

// sameEntries reports whether a and b are the same slice, as an in-place
// change's input and output entries are when read once.
func sameEntries(a, b []contextstore.Entry) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}
