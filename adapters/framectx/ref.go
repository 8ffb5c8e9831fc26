package framectx

import (
	"strconv"

	"github.com/ctxframe/ctxframe/keys"
)

// Ref is a frame-relative reference: the frame itself, a column, a row or a
// cell. Kind says which; Column and Row are set as the kind requires. Build
// refs with FrameRef, ColumnRef, RowRef and CellRef; the zero Ref is
// invalid.
type Ref struct {
	Kind   keys.Kind
	Column string
	Row    int
}

// FrameRef refers to the frame's own context.
func FrameRef() Ref { return Ref{Kind: keys.KindFrame} }

// ColumnRef refers to the context of the column called name.
func ColumnRef(name string) Ref { return Ref{Kind: keys.KindColumn, Column: name} }

// RowRef refers to the context of the row at position row (from 0).
func RowRef(row int) Ref { return Ref{Kind: keys.KindRow, Row: row} }

// CellRef refers to the context of the cell at row and column.
func CellRef(row int, column string) Ref {
	return Ref{Kind: keys.KindCell, Row: row, Column: column}
}

// Key returns the canonical key of r in frameID. Fields that r's kind does
// not use are ignored. An invalid r (unknown kind, negative row) gives a key
// whose Validate fails.
func (r Ref) Key(frameID string) keys.Key {
	switch r.Kind {
	case keys.KindFrame:
		return keys.Frame(frameID)
	case keys.KindColumn:
		return keys.Column(frameID, r.Column)
	case keys.KindRow:
		return keys.Row(frameID, r.Row)
	case keys.KindCell:
		return keys.Cell(frameID, r.Row, r.Column)
	}
	return keys.Key{}
}

// RefOf returns the frame-relative part of k.
func RefOf(k keys.Key) Ref {
	switch k.Kind() {
	case keys.KindFrame:
		return FrameRef()
	case keys.KindColumn:
		return ColumnRef(k.ColumnName())
	case keys.KindRow:
		return RowRef(k.RowIndex())
	case keys.KindCell:
		return CellRef(k.RowIndex(), k.ColumnName())
	}
	return Ref{}
}

// String returns a readable form for messages: "frame", "column \"a\"",
// "row 3" or "cell (3, \"a\")".
func (r Ref) String() string {
	switch r.Kind {
	case keys.KindFrame:
		return "frame"
	case keys.KindColumn:
		return "column " + strconv.Quote(r.Column)
	case keys.KindRow:
		return "row " + strconv.Itoa(r.Row)
	case keys.KindCell:
		return "cell (" + strconv.Itoa(r.Row) + ", " + strconv.Quote(r.Column) + ")"
	}
	return "invalid ref"
}
