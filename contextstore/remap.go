package contextstore

import (
	"context"
	"errors"
	"slices"

	"github.com/ctxframe/ctxframe/keys"
)

// Remap re-keys one frame's row and cell entries by a row mapping, their
// values unchanged: what an operation that moves, keeps, repeats or drops
// rows (a filter, a sort) does to the context of a frame whose columns it
// carries as they are.
type Remap struct {
	// Sources gives, for every row of the frame after the remap, the row
	// whose row and cell entries it takes, or -1 for none. An entry no row
	// takes is removed.
	Sources []int
	// Rows is the frame's row count before the remap: an entry at a row at
	// or past it is no source (it is stale, and removed).
	Rows int
	// Columns are the frame's columns, whose cells move with their rows;
	// the cells of any other column are removed.
	Columns []string
}

// Remapper is the optional capability of remapping a frame on the store's
// side, without moving values through the caller: atomically with a
// conditional batch, as ApplyIf.
type Remapper interface {
	// RemapIf checks every guard as ApplyIf does and, if they hold,
	// applies ms and then re-keys frameID's row and cell entries by r, all
	// or nothing. It returns the state of each guarded frame afterwards and
	// the number of row and cell entries the remap wrote: each that took
	// another row's value, and each removed.
	RemapIf(ctx context.Context, guards []Guard, ms []Mutation, frameID string, r Remap) ([]FrameState, int, error)
}

// RemapperOf returns s's Remapper when s remaps natively, or when s is a
// decorator's (Instrument, Cache) over a store that does. A store without
// one is remapped by reading its entries and writing the moves, as the
// adapters' commit path does.
func RemapperOf(s Store) (Remapper, bool) {
	if n, ok := s.(interface{ decorator() Decorator }); ok {
		d := n.decorator()
		r, ok := d.(Remapper)
		if !ok {
			return nil, false
		}
		if _, inner := RemapperOf(d.Unwrap()); !inner {
			return nil, false
		}
		return r, true
	}
	r, ok := s.(Remapper)
	return r, ok
}

// unsupportedRemap is the error of a remap through a decorator whose store
// cannot (RemapperOf never offers one).
func unsupportedRemap() error {
	return &Error{Op: "remapif", Kind: ErrUnsupported, Err: errors.New("the store does not remap on its side")}
}

var errBadRemap = errors.New("remap: a source row is outside the frame")

// remapRows returns rows re-keyed by r: new row i holds old row
// r.Sources[i]'s value. It also returns how many rows it wrote: each that
// now holds another row's value, or none where it held one.
func remapRows(rows map[int]Value, r Remap) (map[int]Value, int) {
	out := make(map[int]Value, min(len(rows), len(r.Sources)))
	moved := 0
	for i, src := range r.Sources {
		if src < 0 || src >= r.Rows {
			continue
		}
		if v, ok := rows[src]; ok {
			out[i] = v
			if i != src {
				moved++
			}
		}
	}
	return out, moved + vacated(rows, out)
}

// sparseRemap is remapRows for a level with few entries: through the
// inverse of r, visiting only its entries.
func sparseRemap(rows map[int]Value, r Remap, targets map[int][]int) (map[int]Value, int) {
	out := make(map[int]Value, len(rows))
	moved := 0
	for src, v := range rows {
		if src >= r.Rows {
			continue
		}
		for _, i := range targets[src] {
			out[i] = v
			if i != src {
				moved++
			}
		}
	}
	return out, moved + vacated(rows, out)
}

// vacated counts the rows of old that hold nothing in out.
func vacated(old, out map[int]Value) int {
	n := 0
	for row := range old {
		if _, ok := out[row]; !ok {
			n++
		}
	}
	return n
}

// inverse lists, per source row, the rows that take its entries. It is
// sized by the sources there are, never by r.Rows, which a caller states.
func (r Remap) inverse() map[int][]int {
	targets := make(map[int][]int, len(r.Sources))
	for i, src := range r.Sources {
		if src >= 0 && src < r.Rows {
			targets[src] = append(targets[src], i)
		}
	}
	return targets
}

// ValidateRemap refuses a remap whose sources are not rows of the frame,
// with an *Error of op and backend: the check every Remapper makes before
// it touches anything.
func ValidateRemap(op, backend, frameID string, r Remap) error {
	if err := keys.Frame(frameID).Validate(); err != nil {
		return err
	}
	if r.Rows < 0 || slices.ContainsFunc(r.Sources, func(src int) bool { return src < -1 || src >= r.Rows }) {
		return NewError(op, backend, keys.Frame(frameID), ErrInvalidValue, errBadRemap)
	}
	return nil
}
