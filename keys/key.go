package keys

import (
	"strconv"
	"unicode/utf8"
)

// Kind says what part of a frame a key names.
type Kind uint8

// The kinds of key, in their canonical order.
const (
	KindFrame  Kind = iota + 1 // the frame as a whole
	KindColumn                 // one column, by name
	KindRow                    // one row, by position
	KindCell                   // one cell: a row position and a column name
)

// String returns "frame", "column", "row" or "cell".
func (k Kind) String() string {
	switch k {
	case KindFrame:
		return "frame"
	case KindColumn:
		return "column"
	case KindRow:
		return "row"
	case KindCell:
		return "cell"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Key names one piece of context of one frame. The zero Key is invalid.
// Keys are comparable: == compares them exactly and they may be map keys.
type Key struct {
	frame  string
	column string
	row    int
	kind   Kind
}

// Frame returns the key of frameID's own context.
func Frame(frameID string) Key { return Key{frame: frameID, kind: KindFrame} }

// Column returns the key of the context of column name in frameID.
func Column(frameID, name string) Key { return Key{frame: frameID, kind: KindColumn, column: name} }

// Row returns the key of the context of the row at position row (from 0).
func Row(frameID string, row int) Key { return Key{frame: frameID, kind: KindRow, row: row} }

// Cell returns the key of the context of the cell at row and column.
func Cell(frameID string, row int, column string) Key {
	return Key{frame: frameID, kind: KindCell, row: row, column: column}
}

// FrameID returns the frame the key belongs to.
func (k Key) FrameID() string { return k.frame }

// Kind returns what the key names.
func (k Key) Kind() Kind { return k.kind }

// ColumnName returns the column of a column or cell key, and "" otherwise.
func (k Key) ColumnName() string { return k.column }

// RowIndex returns the row of a row or cell key, and 0 otherwise.
func (k Key) RowIndex() int { return k.row }

// HasColumn reports whether the key names a column (a column or cell key).
func (k Key) HasColumn() bool { return k.kind == KindColumn || k.kind == KindCell }

// HasRow reports whether the key names a row (a row or cell key).
func (k Key) HasRow() bool { return k.kind == KindRow || k.kind == KindCell }

// InFrame returns the same key in another frame.
func (k Key) InFrame(frameID string) Key { k.frame = frameID; return k }

// WithColumn returns a column or cell key naming another column; other keys
// are returned unchanged.
func (k Key) WithColumn(name string) Key {
	if k.HasColumn() {
		k.column = name
	}
	return k
}

// WithRow returns a row or cell key naming another row; other keys are
// returned unchanged.
func (k Key) WithRow(row int) Key {
	if k.HasRow() {
		k.row = row
	}
	return k
}

// Validate returns a *KeyError (ErrInvalidKey) when the key cannot name
// anything: an empty frame ID, a name that is not valid UTF-8, a negative row,
// or an unknown kind. Stores call it before every operation.
func (k Key) Validate() error {
	switch {
	case k.kind < KindFrame || k.kind > KindCell:
		return invalid(k.debugString(), "unknown key kind")
	case k.frame == "":
		return invalid(k.debugString(), "empty frame ID")
	case !utf8.ValidString(k.frame):
		return invalid(k.debugString(), "frame ID is not valid UTF-8")
	case k.HasColumn() && !utf8.ValidString(k.column):
		return invalid(k.debugString(), "column name is not valid UTF-8")
	case k.HasRow() && k.row < 0:
		return invalid(k.debugString(), "negative row "+strconv.Itoa(k.row))
	}
	return nil
}

// debugString renders even invalid keys, for error messages.
func (k Key) debugString() string {
	if k.kind < KindFrame || k.kind > KindCell {
		return "<invalid key>"
	}
	return k.String()
}
