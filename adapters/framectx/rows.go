package framectx

import (
	"fmt"
	"sync"
)

// RowMapping says where each row of an output frame comes from. Planning
// consults it only when an input has row or cell context, so an adapter can
// hand over a mapping whose work is deferred (see LazyRows) and pay nothing
// for frames without row context.
type RowMapping interface {
	// Len returns the number of output rows.
	Len() int
	// Source returns the row of input (an index into Change.Inputs) that
	// output row out comes from; ok is false when that input contributes
	// nothing to the row (the other side of a concat, an unmatched row of an
	// outer join, a row the operation created).
	Source(out, input int) (row int, ok bool)
}

// GroupMapping says which rows of input 0 each output row aggregates
// (Change.Groups). Planning consults it only when input 0 has row or cell
// context.
type GroupMapping interface {
	// Len returns the number of output rows (groups).
	Len() int
	// Members returns the input rows of output row out, in ascending order.
	Members(out int) []int
}

// RowTargets is an optional capability of a RowMapping: listing the output
// rows that come from one input row without scanning every output row.
// Planning uses it, when present, to stay O(entries) instead of O(rows).
type RowTargets interface {
	// Targets appends to dst, in ascending order, the output rows that come
	// from row of input (several when the row is repeated, none when it was
	// dropped), and returns the extended slice.
	Targets(input, row int, dst []int) []int
}

// SameRows is the mapping of an operation that keeps input 0's n rows where
// they are (a rename, a column selection, a column replacement).
func SameRows(n int) RowMapping { return sliceRows{input: 0, start: 0, n: n} }

// SliceRows is the mapping of rows [start, start+n) of input: output row i
// is input row start+i.
func SliceRows(input, start, n int) RowMapping { return sliceRows{input: input, start: start, n: n} }

type sliceRows struct{ input, start, n int }

// Len implements RowMapping.
func (m sliceRows) Len() int { return m.n }

// Source implements RowMapping.
func (m sliceRows) Source(out, input int) (int, bool) {
	if input != m.input || out < 0 || out >= m.n {
		return 0, false
	}
	return m.start + out, true
}

// Targets implements RowTargets.
func (m sliceRows) Targets(input, row int, dst []int) []int {
	if input == m.input && row >= m.start && row-m.start < m.n {
		dst = append(dst, row-m.start)
	}
	return dst
}

// ConcatRows is the mapping of inputs stacked vertically: the rows of input
// 0 (lens[0] of them), then those of input 1, and so on.
func ConcatRows(lens ...int) RowMapping {
	offsets := make([]int, len(lens)+1)
	for i, n := range lens {
		offsets[i+1] = offsets[i] + n
	}
	return concatRows{offsets: offsets}
}

type concatRows struct{ offsets []int }

// Len implements RowMapping.
func (m concatRows) Len() int { return m.offsets[len(m.offsets)-1] }

// Source implements RowMapping.
func (m concatRows) Source(out, input int) (int, bool) {
	if input < 0 || input >= len(m.offsets)-1 {
		return 0, false
	}
	lo, hi := m.offsets[input], m.offsets[input+1]
	if out < lo || out >= hi {
		return 0, false
	}
	return out - lo, true
}

// Targets implements RowTargets.
func (m concatRows) Targets(input, row int, dst []int) []int {
	if input < 0 || input >= len(m.offsets)-1 || row < 0 {
		return dst
	}
	if out := m.offsets[input] + row; out < m.offsets[input+1] {
		dst = append(dst, out)
	}
	return dst
}

// IndexRows is the mapping given by one index slice per input, all of the
// same length (the number of output rows): output row i comes from row
// idx[k][i] of input k, or from nothing in input k when that is negative.
// One slice describes a subset, filter or sort of input 0 (repeats allowed:
// a repeated row repeats its context); two describe a join. The slices are
// used as they are, not copied. Targets builds the inverse on first use.
func IndexRows(idx ...[]int) RowMapping {
	n := 0
	if len(idx) > 0 {
		n = len(idx[0])
	}
	return &indexRows{idx: idx, n: n}
}

type indexRows struct {
	idx [][]int
	n   int

	once sync.Once
	inv  []inverse // per input
}

// inverse lists, for each input row, its output rows, as compressed rows:
// outs[start[r]:start[r+1]].
type inverse struct {
	start []int
	outs  []int
}

// Len implements RowMapping.
func (m *indexRows) Len() int { return m.n }

// Source implements RowMapping.
func (m *indexRows) Source(out, input int) (int, bool) {
	if input < 0 || input >= len(m.idx) || out < 0 || out >= len(m.idx[input]) {
		return 0, false
	}
	r := m.idx[input][out]
	return r, r >= 0
}

// Targets implements RowTargets.
func (m *indexRows) Targets(input, row int, dst []int) []int {
	m.once.Do(m.invert)
	if input < 0 || input >= len(m.inv) || row < 0 {
		return dst
	}
	inv := m.inv[input]
	if row+1 >= len(inv.start) {
		return dst
	}
	return append(dst, inv.outs[inv.start[row]:inv.start[row+1]]...)
}

// invert builds every input's inverse with a counting sort: O(rows).
func (m *indexRows) invert() {
	m.inv = make([]inverse, len(m.idx))
	for k, idx := range m.idx {
		maxRow := -1
		for _, r := range idx {
			maxRow = max(maxRow, r)
		}
		start := make([]int, maxRow+2)
		for _, r := range idx {
			if r >= 0 {
				start[r+1]++
			}
		}
		for i := 1; i < len(start); i++ {
			start[i] += start[i-1]
		}
		outs := make([]int, start[len(start)-1])
		fill := make([]int, maxRow+1)
		for out, r := range idx {
			if r >= 0 {
				outs[start[r]+fill[r]] = out
				fill[r]++
			}
		}
		m.inv[k] = inverse{start: start, outs: outs}
	}
}

// LazyRows is a mapping of n output rows that is built only when planning
// needs it: build runs at most once, the first time an input turns out to
// have row or cell context. An error from build fails the planning.
func LazyRows(n int, build func() (RowMapping, error)) RowMapping {
	return &lazyRows{n: n, build: build}
}

type lazyRows struct {
	n     int
	build func() (RowMapping, error)

	once sync.Once
	m    RowMapping
	err  error
}

// Len implements RowMapping.
func (l *lazyRows) Len() int { return l.n }

func (l *lazyRows) resolve() (RowMapping, error) {
	l.once.Do(func() {
		if l.build == nil {
			l.err = fmt.Errorf("framectx: lazy row mapping without a build function")
			return
		}
		m, err := l.build()
		switch {
		case err != nil:
			l.err = fmt.Errorf("framectx: building the row mapping: %w", err)
		case m == nil:
			l.err = fmt.Errorf("framectx: the row mapping's build function returned nil")
		case m.Len() != l.n:
			l.err = fmt.Errorf("framectx: the row mapping has %d rows, want %d", m.Len(), l.n)
		default:
			l.m = m
		}
	})
	return l.m, l.err
}

// Source implements RowMapping; it reports no source when building failed
// (planning reports the error itself).
func (l *lazyRows) Source(out, input int) (int, bool) {
	m, err := l.resolve()
	if err != nil {
		return 0, false
	}
	return m.Source(out, input)
}

// resolveRows returns the concrete mapping behind m, building a lazy one.
func resolveRows(m RowMapping) (RowMapping, error) {
	if l, ok := m.(*lazyRows); ok {
		return l.resolve()
	}
	return m, nil
}

// AlignedRows is the mapping of inputs placed side by side: output row i is
// row i of each of the first inputs inputs, all n rows long (bind columns).
func AlignedRows(n, inputs int) RowMapping { return alignedRows{n: n, inputs: inputs} }

type alignedRows struct{ n, inputs int }

// Len implements RowMapping.
func (m alignedRows) Len() int { return m.n }

// Source implements RowMapping.
func (m alignedRows) Source(out, input int) (int, bool) {
	if input < 0 || input >= m.inputs || out < 0 || out >= m.n {
		return 0, false
	}
	return out, true
}

// Targets implements RowTargets.
func (m alignedRows) Targets(input, row int, dst []int) []int {
	if input >= 0 && input < m.inputs && row >= 0 && row < m.n {
		dst = append(dst, row)
	}
	return dst
}

// ReplacedRows is the mapping of an operation that keeps input 0's n rows
// where they are but replaces the values of rows replaced (gota's Set): those
// rows keep their row context and lose their cells' context, whose values
// are gone.
func ReplacedRows(n int, replaced []int) RowMapping {
	set := make(map[int]bool, len(replaced))
	for _, r := range replaced {
		set[r] = true
	}
	return replacedRows{n: n, replaced: set}
}

type replacedRows struct {
	n        int
	replaced map[int]bool
}

// Len implements RowMapping.
func (m replacedRows) Len() int { return m.n }

// Source implements RowMapping.
func (m replacedRows) Source(out, input int) (int, bool) {
	if input != 0 || out < 0 || out >= m.n {
		return 0, false
	}
	return out, true
}

// Targets implements RowTargets.
func (m replacedRows) Targets(input, row int, dst []int) []int {
	if input == 0 && row >= 0 && row < m.n {
		dst = append(dst, row)
	}
	return dst
}

// cellsReplaced reports whether output row out's cells hold new values.
func (m replacedRows) cellsReplaced(out int) bool { return m.replaced[out] }

// cellReplacer is what replacedRows offers planning: rows whose cells lose
// their context.
type cellReplacer interface{ cellsReplaced(out int) bool }
