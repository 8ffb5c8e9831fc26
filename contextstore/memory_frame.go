package contextstore

import (
	"slices"
	"strings"

	"github.com/ctxframe/ctxframe/keys"
)

// memFrame is one frame's entries in a MemoryStore, indexed by level and
// column, so that reading a subset (the column entries and the cells of one
// column, say) costs what it returns, and a whole frame comes out in key
// order without comparing keys: rows sort as integers, cells by column and
// then row.
type memFrame struct {
	id    string
	head  map[keys.Key]Value       // the frame entry and column entries
	rows  map[int]Value            // row entries by row
	cells map[string]map[int]Value // cell entries by column, then row
	n     int                      // entries in all
	// reserved holds the rows whose row entry has a field under
	// ReservedPrefix (a state mark): usually few, found without a scan.
	reserved map[int]struct{}
	// rowBound is above every row of a row or cell entry ever put since the
	// frame was empty: a read of what lies past a frame's end looks only
	// when it is above that end.
	rowBound int
}

func newMemFrame(id string) *memFrame {
	return &memFrame{id: id, head: make(map[keys.Key]Value), rows: make(map[int]Value)}
}

func (f *memFrame) get(k keys.Key) (Value, bool) {
	var v Value
	var ok bool
	switch k.Kind() {
	case keys.KindRow:
		v, ok = f.rows[k.RowIndex()]
	case keys.KindCell:
		v, ok = f.cells[k.ColumnName()][k.RowIndex()]
	default:
		v, ok = f.head[k]
	}
	return v, ok
}

func (f *memFrame) put(k keys.Key, v Value) {
	var had bool
	switch k.Kind() {
	case keys.KindRow:
		_, had = f.rows[k.RowIndex()]
		f.rows[k.RowIndex()] = v
		f.markReserved(k.RowIndex(), v)
	case keys.KindCell:
		col := f.cells[k.ColumnName()]
		if col == nil {
			if f.cells == nil {
				f.cells = make(map[string]map[int]Value)
			}
			col = make(map[int]Value)
			f.cells[k.ColumnName()] = col
		}
		_, had = col[k.RowIndex()]
		col[k.RowIndex()] = v
	default:
		_, had = f.head[k]
		f.head[k] = v
	}
	if !had {
		f.n++
	}
	if k.HasRow() && k.RowIndex() >= f.rowBound {
		f.rowBound = k.RowIndex() + 1
	}
}

func (f *memFrame) remove(k keys.Key) {
	var had bool
	switch k.Kind() {
	case keys.KindRow:
		_, had = f.rows[k.RowIndex()]
		delete(f.rows, k.RowIndex())
		delete(f.reserved, k.RowIndex())
	case keys.KindCell:
		col := f.cells[k.ColumnName()]
		_, had = col[k.RowIndex()]
		delete(col, k.RowIndex())
		if had && len(col) == 0 {
			delete(f.cells, k.ColumnName())
		}
	default:
		_, had = f.head[k]
		delete(f.head, k)
	}
	if had {
		f.n--
	}
}

// markReserved keeps row's place in the reserved index current for its
// new value v.
func (f *memFrame) markReserved(row int, v Value) {
	for name := range v {
		if strings.HasPrefix(name, ReservedPrefix) {
			if f.reserved == nil {
				f.reserved = make(map[int]struct{})
			}
			f.reserved[row] = struct{}{}
			return
		}
	}
	delete(f.reserved, row)
}

// keys appends every key of the frame to out, unsorted.
func (f *memFrame) keys(out []keys.Key) []keys.Key {
	for k := range f.head {
		out = append(out, k)
	}
	for r := range f.rows {
		out = append(out, keys.Row(f.id, r))
	}
	for col, rows := range f.cells {
		for r := range rows {
			out = append(out, keys.Cell(f.id, r, col))
		}
	}
	return out
}

// entries returns the entries sub selects (nil: every entry), sorted by key,
// their values cloned or shared.
func (f *memFrame) entries(sub *Subset, clone bool) []Entry {
	take := func(v Value) Value {
		if clone {
			return Clone(v)
		}
		return v
	}
	size := f.n
	if sub != nil {
		size = len(f.head)
		if sub.Rows {
			size += len(f.rows)
		}
	}
	out := make([]Entry, 0, size)
	head := len(out)
	for k, v := range f.head {
		if sub == nil || sub.Includes(Entry{Key: k, Value: v}) {
			out = append(out, Entry{Key: k, Value: take(v)})
		}
	}
	slices.SortFunc(out[head:], func(a, b Entry) int { return keys.Compare(a.Key, b.Key) })

	past := 0 // rows at or past it are selected anyway; 0: none
	if sub != nil && sub.RowsFrom > 0 {
		past = sub.RowsFrom
		if past >= f.rowBound {
			past = 0
		}
	}
	rows := f.rows
	if sub != nil && !sub.Rows && sub.RowsWith != "" {
		// Marked rows: among the reserved ones when the mark is reserved,
		// else by a scan.
		rows = make(map[int]Value)
		if strings.HasPrefix(sub.RowsWith, ReservedPrefix) {
			for r := range f.reserved {
				if v := f.rows[r]; sub.marked(v) {
					rows[r] = v
				}
			}
			if past > 0 {
				for r, v := range f.rows {
					if r >= past {
						rows[r] = v
					}
				}
			}
		} else {
			for r, v := range f.rows {
				if sub.marked(v) || (past > 0 && r >= past) {
					rows[r] = v
				}
			}
		}
		out = appendRows(out, f.id, keys.KindRow, "", rows, true, 0, take)
	} else {
		out = appendRows(out, f.id, keys.KindRow, "", rows, sub == nil || sub.Rows, past, take)
	}
	cols := make([]string, 0, len(f.cells))
	for col := range f.cells {
		cols = append(cols, col)
	}
	slices.SortFunc(cols, strings.Compare)
	for _, col := range cols {
		all := sub == nil || sub.CellsOf(col)
		out = appendRows(out, f.id, keys.KindCell, col, f.cells[col], all, past, take)
	}
	if sub != nil && sub.AnyRow && (len(out) == 0 || !out[len(out)-1].Key.HasRow()) {
		for r, v := range f.rows {
			return append(out, Entry{Key: keys.Row(f.id, r), Value: take(v)})
		}
		for _, col := range cols {
			for r, v := range f.cells[col] {
				return append(out, Entry{Key: keys.Cell(f.id, r, col), Value: take(v)})
			}
		}
	}
	return out
}

// appendRows appends the row entries (kind KindRow) or the cell entries of
// column (KindCell) in rows to out in row order: all of them, or only those at or past past
// when that is above 0.
func appendRows(out []Entry, frameID string, kind keys.Kind, column string, rows map[int]Value, all bool, past int, take func(Value) Value) []Entry {
	if !all && past == 0 {
		return out
	}
	idx := make([]int, 0, len(rows))
	for r := range rows {
		if all || r >= past {
			idx = append(idx, r)
		}
	}
	slices.Sort(idx)
	for _, r := range idx {
		k := keys.Row(frameID, r)
		if kind == keys.KindCell {
			k = keys.Cell(frameID, r, column)
		}
		out = append(out, Entry{Key: k, Value: take(rows[r])})
	}
	return out
}

// remap re-keys the frame's row and cell entries by r (see Remap) and
// returns how many it wrote. Dense levels are rebuilt by walking r's
// sources, sparse ones (and the reserved rows) through its inverse.
func (f *memFrame) remap(r Remap) int {
	var targets map[int][]int
	inverse := func() map[int][]int {
		if targets == nil {
			targets = r.inverse()
		}
		return targets
	}
	level := func(rows map[int]Value) (map[int]Value, int) {
		if len(rows)*4 >= len(r.Sources) {
			return remapRows(rows, r)
		}
		return sparseRemap(rows, r, inverse())
	}
	written := 0
	before := len(f.rows)
	rows, w := level(f.rows)
	written += w
	f.rows = rows
	f.n += len(rows) - before
	if len(f.reserved) > 0 {
		reserved := make(map[int]struct{}, len(f.reserved))
		// The reserved set is small: a look-up per new row finds its
		// members' new places without the inverse.
		for i, src := range r.Sources {
			if _, ok := f.reserved[src]; ok && src < r.Rows {
				if _, kept := f.rows[i]; kept {
					reserved[i] = struct{}{}
				}
			}
		}
		f.reserved = reserved
	}
	keep := make(map[string]bool, len(r.Columns))
	for _, c := range r.Columns {
		keep[c] = true
	}
	for col, cells := range f.cells {
		before := len(cells)
		if !keep[col] {
			delete(f.cells, col)
			f.n -= before
			written += before
			continue
		}
		moved, w := level(cells)
		written += w
		f.n += len(moved) - before
		if len(moved) == 0 {
			delete(f.cells, col)
		} else {
			f.cells[col] = moved
		}
	}
	f.rowBound = len(r.Sources)
	return written
}
