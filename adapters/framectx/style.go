package framectx

import (
	"slices"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// Propagation styles (after DataFrames.jl's :default and :note): every
// entry, and every field of an entry, is lasting by default: it follows the
// propagation table (a unit, a description, an owner). An entry or some of
// its fields can be marked state-bound instead: they describe the data's
// current state (a row count, a checksum, a validation result, "sorted
// by"), and any operation that changes that data drops them, saying so in
// its Report. The mark is one reserved field of the entry, StateField, so it
// is stored, listed, exported and exchanged (IPC, Parquet) like any context:
//
//	"ctxframe.state": true                    the whole entry is state-bound
//	"ctxframe.state": ["row_count", "sha256"]  these fields are
//
// What "changes the data an entry describes" means, per level:
//
//   - frame: anything but renaming columns: rows moved, removed, added or
//     replaced, columns added, removed, repeated or recomputed, frames
//     combined.
//   - column: its values changing: recomputed, aggregated or merged from
//     several columns, or its rows moved, removed or added.
//   - row: its values changing: a column recomputed, added or removed,
//     frames combined, the row replaced (gota's Set) or grouped. A row that
//     only moves (sort, filter, slice) keeps its state.
//   - cell: as a lasting cell: a cell's context is already dropped when its
//     value changes.
const StateField = ReservedPrefix + "state"

// StateBound returns a copy of v marked state-bound: the whole entry when
// no field is named, else the named fields (added to those already
// marked).
func StateBound(v contextstore.Value, fields ...string) contextstore.Value {
	out := make(contextstore.Value, len(v)+1)
	for f, x := range v {
		out[f] = x
	}
	if len(fields) == 0 {
		out[StateField] = true
		return out
	}
	var marked []any
	if prev, ok := v[StateField].([]any); ok {
		marked = slices.Clone(prev)
	}
	for _, f := range fields {
		if !slices.Contains(marked, any(f)) {
			marked = append(marked, f)
		}
	}
	out[StateField] = marked
	return out
}

// IsStateBound reports whether field of v is state-bound (field "" asks
// about the whole entry).
func IsStateBound(v contextstore.Value, field string) bool {
	switch m := v[StateField].(type) {
	case bool:
		return m
	case []any:
		return field != "" && slices.Contains(m, any(field))
	}
	return false
}

// dropState returns v without its state-bound part (nil when that was all
// of it) and whether anything was dropped. A mark that is neither true nor
// a list of field names marks nothing.
func dropState(v contextstore.Value) (contextstore.Value, bool) {
	mark, ok := v[StateField]
	if !ok {
		return v, false
	}
	switch m := mark.(type) {
	case bool:
		if m {
			return nil, true
		}
	case []any:
		out := make(contextstore.Value, len(v))
		for f, x := range v {
			if f != StateField && !slices.Contains(m, any(f)) {
				out[f] = x
			}
		}
		if len(withoutReserved(out)) == 0 {
			return nil, true
		}
		return out, true
	}
	return v, false
}

// stateFacts is what an operation does to the data, as the styles see it.
type stateFacts struct {
	rowsKept    bool // input 0's rows, in place, the only rows
	columnsKept bool // input 0's columns, every one, carried as they are (renaming allowed), nothing else
}

func (c Change) stateFacts() stateFacts {
	var f stateFacts
	if len(c.Inputs) != 1 {
		return f
	}
	if m, ok := c.Rows.(sliceRows); ok {
		f.rowsKept = m.input == 0 && m.start == 0 && m.n == c.Inputs[0].Shape.Rows
	}
	carried := map[string]bool{}
	f.columnsKept = true
	for _, col := range c.Columns {
		if !identityCarry(col) || carried[col.Carry[0].Column] {
			f.columnsKept = false
			break
		}
		carried[col.Carry[0].Column] = true
	}
	for _, name := range c.Inputs[0].Shape.Columns {
		f.columnsKept = f.columnsKept && carried[name]
	}
	return f
}

// identityCarry reports whether col is one input column's values as they
// were, under any name.
func identityCarry(col OutputColumn) bool {
	return len(col.Carry) == 1 && len(col.Sources) == 0 && col.Transformation.IsIdentity() && len(col.Without) == 0
}

// keepState applies the styles to one planned value: when the data it
// describes changed (kept false), its state-bound part goes and is counted
// for the Report.
func (p *planner) keepState(kind keys.Kind, v contextstore.Value, kept bool) contextstore.Value {
	if kept || v == nil {
		return v
	}
	out, dropped := dropState(v)
	if dropped {
		if p.stateDropped == nil {
			p.stateDropped = map[keys.Kind]int{}
		}
		p.stateDropped[kind]++
	}
	return out
}

// stateNotes reports the state-bound entries dropped, by kind.
func (p *planner) stateNotes() {
	for _, kind := range []keys.Kind{keys.KindFrame, keys.KindColumn, keys.KindRow} {
		if n := p.stateDropped[kind]; n > 0 {
			p.notes = append(p.notes, Note{Input: 0, Kind: kind, Count: n,
				Reason: "state-bound context describes data the operation changed"})
		}
	}
}
