package framectx

import (
	"slices"
	"strings"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// planMoves lets a test compare plans made with and without the row-move
// path; it is always true otherwise.
var planMoves = true

// movesOnly reports whether c is an in-place change that only moves, keeps,
// repeats or drops its frame's rows (a filter, a sort, a subset, a slice)
// and carries every column as it is under its own name. Its row and cell
// entries then go where their rows go with their values unchanged (the
// rows' data did not change, so nothing state-bound is dropped), which
// planMovedRows plans by row index: no map keyed by whole keys, and memory
// proportional to the frame's rows rather than to its keys.
func movesOnly(c Change) bool {
	if len(c.Inputs) != 1 || c.Inputs[0].FrameID != c.Output || c.Groups != nil || c.Rows == nil {
		return false
	}
	if _, ok := c.Rows.(cellReplacer); ok {
		return false
	}
	in := c.Inputs[0].Shape.Columns
	if len(c.Columns) != len(in) {
		return false
	}
	seen := make(map[string]bool, len(in))
	for _, col := range c.Columns {
		if !identityCarry(col) || col.Carry[0] != From(0, col.Name) || seen[col.Name] {
			return false
		}
		seen[col.Name] = true
	}
	for _, name := range in {
		if !seen[name] {
			return false
		}
	}
	return true
}

// splitLevels returns the frame and column entries of es (sorted by key,
// so they come first) and the row and cell entries after them.
func splitLevels(es []contextstore.Entry) (head, body []contextstore.Entry) {
	i, _ := slices.BinarySearchFunc(es, keys.KindRow, func(e contextstore.Entry, k keys.Kind) int {
		return int(e.Key.Kind()) - int(k)
	})
	return es[:i], es[i:]
}

// byRow holds one level's values of a frame (its row entries, or one
// column's cells) by row: a slice when most rows have one, else a map.
type byRow struct {
	dense  []contextstore.Value
	sparse map[int]contextstore.Value
	last   int // the greatest row held, -1 when none
}

func newByRow(count, rows int) *byRow {
	r := &byRow{last: -1}
	if count*4 >= rows {
		r.dense = make([]contextstore.Value, rows)
	} else {
		r.sparse = make(map[int]contextstore.Value, count)
	}
	return r
}

func (r *byRow) put(row int, v contextstore.Value) {
	if row < len(r.dense) {
		r.dense[row] = v
	} else {
		if r.sparse == nil {
			r.sparse = make(map[int]contextstore.Value)
		}
		r.sparse[row] = v
	}
	r.last = max(r.last, row)
}

func (r *byRow) get(row int) contextstore.Value {
	if r == nil || row < 0 {
		return nil
	}
	if row < len(r.dense) {
		return r.dense[row]
	}
	return r.sparse[row]
}

// planMovedRows plans the row and cell entries (body, sorted by key) of a
// change for which movesOnly holds: output row i takes the entries of its
// source row, and every existing entry that no source row fills again is
// removed, as is every entry of a column the frame lacks. The mutations
// come in key order. It returns false for a mapping that sends a row
// outside the output, which the general planner refuses.
func planMovedRows(c Change, m RowMapping, body []contextstore.Entry) ([]contextstore.Mutation, bool) {
	shape := c.Inputs[0].Shape
	hasCol := make(map[string]bool, len(shape.Columns))
	for _, name := range shape.Columns {
		hasCol[name] = true
	}
	// Count first, to size each level's index.
	nRows := 0
	nCells := map[string]int{}
	for _, e := range body {
		if e.Key.Kind() == keys.KindRow {
			nRows++
		} else {
			nCells[e.Key.ColumnName()]++
		}
	}
	rows := newByRow(nRows, shape.Rows)
	cells := make(map[string]*byRow, len(nCells))
	var ms []contextstore.Mutation
	for _, e := range body {
		k := e.Key
		if k.Kind() == keys.KindRow {
			rows.put(k.RowIndex(), e.Value)
			continue
		}
		col := k.ColumnName()
		if !hasCol[col] {
			continue // removed below, in key order
		}
		r := cells[col]
		if r == nil {
			r = newByRow(nCells[col], shape.Rows)
			cells[col] = r
		}
		r.put(k.RowIndex(), e.Value)
	}
	n := m.Len()
	// source is the input row output row i takes its entries from, -1 for
	// none; an entry past the frame's end is no source.
	source := func(i int) int {
		if i >= n {
			return -1
		}
		row, ok := m.Source(i, 0)
		if !ok || row >= shape.Rows {
			return -1
		}
		return row
	}
	targets, _ := m.(RowTargets)
	valid := true
	level := func(r *byRow, key func(row int) keys.Key) {
		plan := func(i int) {
			want, have := r.get(source(i)), r.get(i)
			switch {
			case want == nil && have != nil:
				ms = append(ms, contextstore.Remove(key(i)))
			case want != nil && (have == nil || !contextstore.Equal(want, have)):
				ms = append(ms, contextstore.Put(key(i), want))
			}
		}
		if r.dense == nil && targets != nil {
			// Few entries: only the rows that hold one, and the rows their
			// entries go to, can change.
			outs := make([]int, 0, 2*len(r.sparse))
			var dst []int
			for row := range r.sparse {
				outs = append(outs, row)
				if row < shape.Rows {
					dst = targets.Targets(0, row, dst[:0])
					for _, out := range dst {
						valid = valid && out >= 0 && out < n
					}
					outs = append(outs, dst...)
				}
			}
			if !valid {
				return
			}
			slices.Sort(outs)
			for _, i := range slices.Compact(outs) {
				plan(i)
			}
			return
		}
		for i := range max(n, r.last+1) {
			plan(i)
		}
	}
	if nRows > 0 {
		level(rows, func(row int) keys.Key { return keys.Row(c.Output, row) })
	}
	cols := make([]string, 0, len(nCells))
	for col := range nCells {
		cols = append(cols, col)
	}
	slices.SortFunc(cols, strings.Compare)
	for _, col := range cols {
		if !hasCol[col] {
			for _, e := range body {
				if e.Key.Kind() == keys.KindCell && e.Key.ColumnName() == col {
					ms = append(ms, contextstore.Remove(e.Key))
				}
			}
			continue
		}
		level(cells[col], func(row int) keys.Key { return keys.Cell(c.Output, row, col) })
	}
	return ms, valid
}

// planMoved plans a change for which movesOnly holds, over entries that are
// both its input's and its output's: frame and column entries through the
// general planner, row and cell entries by planMovedRows. It returns false
// when the general planner must plan it (a mapping it refuses).
func planMoved(c Change, entries []contextstore.Entry) (*Plan, bool, error) {
	head, body := splitLevels(entries)
	plan, err := planHead(c, head)
	if err != nil {
		return nil, false, err
	}
	if len(body) > 0 {
		m, ok, err := movedMapping(c)
		if err != nil || !ok {
			return nil, false, err
		}
		moved, ok := planMovedRows(c, m, body)
		if !ok {
			return nil, false, nil
		}
		plan.Mutations = append(plan.Mutations, moved...)
	}
	return plan, true, nil
}

// planHead plans the frame and column entries of a change for which
// movesOnly holds, from its frame and column entries (head): the general
// planner, which finds no row context in them.
func planHead(c Change, head []contextstore.Entry) (*Plan, error) {
	return planEntries(c, [][]contextstore.Entry{head}, head)
}

// movedMapping resolves c's row mapping when it is one the row-move path
// plans (it cannot send a row outside the output); the general planner
// checks any other.
func movedMapping(c Change) (RowMapping, bool, error) {
	m, err := resolveRows(c.Rows)
	if err != nil {
		return nil, false, err
	}
	switch m := m.(type) {
	case sliceRows:
		return m, m.input == 0, nil
	case *indexRows:
		return m, len(m.idx) == 0 || len(m.idx[0]) <= m.n, nil
	}
	return nil, false, nil
}

// planRemap plans a change for which movesOnly holds for a store that
// remaps on its side, from the frame's frame and column entries and at
// most one row or cell entry (head, then body: contextstore.Subset's
// AnyRow): the head's plan, and, when the frame has row context, the remap
// that moves its row and cell entries. It returns false when the general
// planner must plan it.
func planRemap(c Change, entries []contextstore.Entry) (*Plan, *contextstore.Remap, bool, error) {
	head, body := splitLevels(entries)
	plan, err := planHead(c, head)
	if err != nil || len(body) == 0 {
		return plan, nil, err == nil, err
	}
	m, ok, err := movedMapping(c)
	if err != nil || !ok {
		return nil, nil, false, err
	}
	shape := c.Inputs[0].Shape
	sources := make([]int, m.Len())
	for i := range sources {
		row, ok := m.Source(i, 0)
		if !ok || row < 0 || row >= shape.Rows {
			row = -1
		}
		sources[i] = row
	}
	return plan, &contextstore.Remap{Sources: sources, Rows: shape.Rows, Columns: shape.Columns}, true, nil
}
