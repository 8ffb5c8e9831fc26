package contextstore

import (
	"context"
	"slices"

	"github.com/ctxframe/ctxframe/keys"
)

// Subset names part of one frame's entries: those of the levels it
// selects, cell entries by column, and the entries past a row. An
// operation that changes a few entries of a large frame (renaming a column
// of a frame with a million row entries) reads only what its plan needs.
// The zero Subset selects nothing.
type Subset struct {
	Frame   bool // the frame entry
	Columns bool // every column entry
	Rows    bool // every row entry
	// RowsWith, when not "", also selects every row entry whose value has
	// a field of that name (a mark some rows carry). Stores may index row
	// entries by the fields under ReservedPrefix, so that finding a few
	// marked rows among many costs what it finds (the memory store does).
	RowsWith string

	// Cells selects the cell entries of these columns; when AllCellsExcept
	// is true, those of every other column instead (with no names, every
	// cell entry).
	Cells          []string
	AllCellsExcept bool

	// RowsFrom, when above 0, also selects every row and cell entry at row
	// RowsFrom or past it: context left past the end of a frame of
	// RowsFrom rows.
	RowsFrom int

	// AnyRow also returns one row or cell entry (any one) when the frame
	// has some and the rest of the subset selects none: enough to learn
	// whether the frame has row context without reading it.
	AnyRow bool
}

// ReservedPrefix starts the names of the fields ctxframe reserves for
// itself in context values (the adapters' lineage and state marks).
const ReservedPrefix = "ctxframe."

// Includes reports whether the subset selects e, whatever frame it is in.
func (sub Subset) Includes(e Entry) bool {
	k := e.Key
	switch k.Kind() {
	case keys.KindFrame:
		return sub.Frame
	case keys.KindColumn:
		return sub.Columns
	case keys.KindRow:
		return sub.Rows || sub.pastEnd(k.RowIndex()) || sub.marked(e.Value)
	case keys.KindCell:
		return sub.pastEnd(k.RowIndex()) || sub.CellsOf(k.ColumnName())
	}
	return false
}

// CellsOf reports whether the subset selects every cell entry of column.
func (sub Subset) CellsOf(column string) bool {
	return slices.Contains(sub.Cells, column) != sub.AllCellsExcept
}

func (sub Subset) pastEnd(row int) bool { return sub.RowsFrom > 0 && row >= sub.RowsFrom }

func (sub Subset) marked(v Value) bool {
	if sub.RowsWith == "" {
		return false
	}
	_, ok := v[sub.RowsWith]
	return ok
}

// Filter returns the entries of es (sorted by key) the subset selects, in
// order, in a new slice; AnyRow's entry is the first row or cell entry.
func (sub Subset) Filter(es []Entry) []Entry {
	out := []Entry{}
	anyRow := false
	for _, e := range es {
		if sub.Includes(e) {
			out = append(out, e)
			anyRow = anyRow || e.Key.HasRow()
		}
	}
	if sub.AnyRow && !anyRow {
		for _, e := range es {
			if e.Key.HasRow() {
				out = append(out, e) // rows and cells sort after the rest
				break
			}
		}
	}
	return out
}

// SubsetReader is the optional capability of reading part of a frame's
// entries with the frame's state, in one consistent read, at a cost that
// follows what the subset selects rather than the frame's size. Use the
// package-level ReadSubset, which falls back to a whole read.
type SubsetReader interface {
	// ReadSubset returns the entries of frameID that sub selects, sorted by
	// key, with the state of the whole frame: a write to any entry of the
	// frame changes it, so a conditional write at that state fails if
	// anything in the frame changed since.
	ReadSubset(ctx context.Context, frameID string, sub Subset) (Snapshot, error)
}

// ReadSubset returns the entries of frameID that sub selects, with the
// frame's state, through s's SubsetReader (or the decorator in front of
// it), else by a versioned read of the whole frame that keeps what sub
// selects. Like ReadVersioned it refuses a store without versioned frames
// (ErrUnsupported). The caller owns the returned values.
func ReadSubset(ctx context.Context, s Store, frameID string, sub Subset) (Snapshot, error) {
	if err := keys.Frame(frameID).Validate(); err != nil {
		return Snapshot{}, err
	}
	if r, ok := subsetReaderOf(s); ok {
		return r.ReadSubset(ctx, frameID, sub)
	}
	snap, err := ReadVersioned(ctx, s, frameID)
	if err != nil {
		return snap, err
	}
	snap.Entries = sub.Filter(snap.Entries)
	return snap, nil
}

// ReadSubsetShared is ReadSubset for a reader that never modifies the
// values it gets, as ReadVersionedShared is ReadVersioned: the memory
// store, the read cache and Instrument over them share their values instead
// of copying them; other stores fall back to ReadSubset. The adapters'
// commit path reads with it.
func ReadSubsetShared(ctx context.Context, s Store, frameID string, sub Subset) (Snapshot, error) {
	if r, ok := sharedReaderOf(s); ok {
		if err := keys.Frame(frameID).Validate(); err != nil {
			return Snapshot{}, err
		}
		return r.readSubsetShared(ctx, frameID, sub)
	}
	return ReadSubset(ctx, s, frameID, sub)
}

// subsetReaderOf finds s's SubsetReader: s itself, or the decorator a
// narrowed store stands for (a decorator serves subsets whatever it wraps,
// falling back like ReadSubset, so Narrow need not keep the capability).
func subsetReaderOf(s Store) (SubsetReader, bool) {
	if n, ok := s.(interface{ decorator() Decorator }); ok {
		r, ok := n.decorator().(SubsetReader)
		return r, ok
	}
	r, ok := s.(SubsetReader)
	return r, ok
}
