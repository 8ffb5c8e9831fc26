package framectx

import (
	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// carryRef is an output column that carries cells of an input column: the
// column's position in Change.Columns and the carry's position in its Carry
// list (the order a merge sees it in).
type carryRef struct {
	column int
	order  int
}

// candidate is one input's context for an output row or cell entry.
type candidate struct {
	order int
	value contextstore.Value
}

// rows plans row and cell context. It does nothing, and never touches the
// row mapping, when no input has row or cell context.
func (p *planner) rows(desired map[keys.Key]contextstore.Value) error {
	var withRows []int
	for i := range p.in {
		if len(p.in[i].rows) > 0 {
			withRows = append(withRows, i)
		}
	}
	if len(withRows) == 0 {
		return nil
	}
	if p.c.Rows == nil && p.c.Groups != nil {
		return p.groupRows(desired, withRows)
	}
	if p.c.Rows == nil {
		for _, i := range withRows {
			p.noteDropped(i, "the operation's row mapping is unknown")
		}
		return nil
	}
	m, err := resolveRows(p.c.Rows)
	if err != nil {
		return err
	}
	carries := p.carryIndex()
	rc := p.newRowCandidates(desired, withRows)
	replacer, _ := m.(cellReplacer)
	emit := func(out, input int, b *rowBucket) {
		replaced := replacer != nil && replacer.cellsReplaced(out)
		if b.row != nil {
			if v := p.keepState(keys.KindRow, b.row, p.state.columnsKept && !replaced); v != nil {
				rc.add(keys.Row(p.c.Output, out), candidate{order: input, value: v})
			}
		}
		if replaced {
			return
		}
		for _, cell := range b.cells {
			for _, ref := range carries[input][cell.column] {
				rc.add(keys.Cell(p.c.Output, out, p.c.Columns[ref.column].Name), candidate{order: ref.order, value: cell.value})
			}
		}
	}
	if err := p.walkRows(m, withRows, emit); err != nil {
		return err
	}
	return p.settleRows(rc)
}

// rowCandidates gathers the values proposed for each output row and cell.
// Most output entries have one candidate: those stay in a flat map and
// only the rest in slices. With one input and one carry per column every
// output entry has at most one source, so values go straight to desired.
type rowCandidates struct {
	desired map[keys.Key]contextstore.Value
	direct  bool
	single  map[keys.Key]candidate
	multi   map[keys.Key][]candidate
}

func (p *planner) newRowCandidates(desired map[keys.Key]contextstore.Value, withRows []int) *rowCandidates {
	rc := &rowCandidates{desired: desired, direct: len(p.in) == 1, multi: make(map[keys.Key][]candidate)}
	for _, col := range p.c.Columns {
		rc.direct = rc.direct && len(col.Carry) <= 1
	}
	switch {
	case rc.direct:
	case len(p.in) > 1:
		total := 0
		for _, i := range withRows {
			total += p.in[i].nRows + p.in[i].nCells
		}
		rc.single = make(map[keys.Key]candidate, total)
	default:
		rc.single = make(map[keys.Key]candidate)
	}
	return rc
}

// add proposes c for output entry k.
func (rc *rowCandidates) add(k keys.Key, c candidate) {
	if rc.direct {
		rc.desired[k] = c.value
		return
	}
	if cs, ok := rc.multi[k]; ok {
		rc.multi[k] = append(cs, c)
		return
	}
	if first, ok := rc.single[k]; ok {
		delete(rc.single, k)
		rc.multi[k] = []candidate{first, c}
		return
	}
	rc.single[k] = c
}

// settleRows settles every output entry's candidates into desired.
func (p *planner) settleRows(rc *rowCandidates) error {
	for k, c := range rc.single {
		cs := [1]candidate{c}
		v, err := p.resolveCandidates(k, cs[:])
		if err != nil {
			return err
		}
		if v != nil {
			rc.desired[k] = v
		}
	}
	for k, cs := range rc.multi {
		v, err := p.resolveCandidates(k, cs)
		if err != nil {
			return err
		}
		if v != nil {
			rc.desired[k] = v
		}
	}
	return nil
}

// walkRows calls emit for every output row whose source row (in an input
// of withRows) has row or cell context, by the cheapest walk m allows.
func (p *planner) walkRows(m RowMapping, withRows []int, emit func(out, input int, b *rowBucket)) error {
	n := m.Len()
	if ix, ok := m.(*indexRows); ok {
		// Index slices are scanned directly: one pass over them costs less
		// than building their inverse.
		bits := p.rowBits(withRows)
		for _, i := range withRows {
			if i >= len(ix.idx) {
				continue
			}
			if len(ix.idx[i]) > n {
				return invalidChange("row mapping of input %d has %d rows, want %d", i, len(ix.idx[i]), n)
			}
			bs := bits[i]
			for out, row := range ix.idx[i] {
				if row >= 0 && row/64 < len(bs) && bs[row/64]&(1<<(row%64)) != 0 {
					emit(out, i, p.in[i].rows[row])
				}
			}
		}
		return nil
	}
	if t, ok := m.(RowTargets); ok {
		var outs []int
		for _, i := range withRows {
			for row, b := range p.in[i].rows {
				outs = t.Targets(i, row, outs[:0])
				for _, out := range outs {
					if out < 0 || out >= n {
						return invalidChange("row mapping sends row %d of input %d to row %d of %d", row, i, out, n)
					}
					emit(out, i, b)
				}
			}
		}
		return nil
	}
	// Without an inverse, scan the output rows once; a bitset of the rows
	// that have context keeps each step to a few instructions.
	bits := p.rowBits(withRows)
	for out := 0; out < n; out++ {
		for _, i := range withRows {
			row, ok := m.Source(out, i)
			if !ok || row < 0 || row/64 >= len(bits[i]) || bits[i][row/64]&(1<<(row%64)) == 0 {
				continue
			}
			emit(out, i, p.in[i].rows[row])
		}
	}
	return nil
}

// rowBits returns, per input in withRows, a bitset of the rows that have
// row or cell context.
func (p *planner) rowBits(withRows []int) [][]uint64 {
	bits := make([][]uint64, len(p.in))
	for _, i := range withRows {
		maxRow := 0
		for row := range p.in[i].rows {
			maxRow = max(maxRow, row)
		}
		bs := make([]uint64, maxRow/64+1)
		for row := range p.in[i].rows {
			bs[row/64] |= 1 << (row % 64)
		}
		bits[i] = bs
	}
	return bits
}

// carryIndex lists, per input and input column, the output columns that
// carry its cells: identity columns only, as computed values no longer
// match the context of the cells they replaced.
func (p *planner) carryIndex() []map[string][]carryRef {
	idx := make([]map[string][]carryRef, len(p.in))
	for ci, col := range p.c.Columns {
		if !col.Transformation.IsIdentity() {
			continue
		}
		for order, s := range col.Carry {
			if idx[s.Input] == nil {
				idx[s.Input] = map[string][]carryRef{}
			}
			idx[s.Input][s.Column] = append(idx[s.Input][s.Column], carryRef{column: ci, order: order})
		}
	}
	return idx
}

// resolveCandidates turns the inputs' values for one output row or cell
// into its context: the single value when one input has context for it,
// else the policy's merge of them, in input order. Unlike frame and column
// context, an input without context for the row takes no part, so a left
// join keeps the left rows' context whatever the policy.
func (p *planner) resolveCandidates(k keys.Key, cs []candidate) (contextstore.Value, error) {
	if len(cs) == 1 {
		return cs[0].value, nil
	}
	// Few candidates: insertion sort by order keeps "first wins" faithful.
	for i := 1; i < len(cs); i++ {
		for j := i; j > 0 && cs[j].order < cs[j-1].order; j-- {
			cs[j], cs[j-1] = cs[j-1], cs[j]
		}
	}
	vs := make([]contextstore.Value, len(cs))
	positions := make([]int, len(cs))
	for i, c := range cs {
		vs[i] = c.value
		positions[i] = c.order
	}
	v, err := mergeNormalized(p.policy, vs, positions)
	if err != nil {
		if mc, ok := err.(*MergeConflictError); ok {
			mc.Key = k
		}
		return nil, err
	}
	return v, nil
}

func (p *planner) noteDropped(i int, reason string) {
	if n := p.in[i].nRows; n > 0 {
		p.notes = append(p.notes, Note{Input: i, Kind: keys.KindRow, Count: n, Reason: reason})
	}
	if n := p.in[i].nCells; n > 0 {
		p.notes = append(p.notes, Note{Input: i, Kind: keys.KindCell, Count: n, Reason: reason})
	}
}

// groupRows plans the row context of an output whose rows are groups of
// input 0's rows: a group's row carries the context every one of its rows
// has, when they all have the same; everything else (cells, rows of groups
// that disagree, other inputs) is dropped and noted.
func (p *planner) groupRows(desired map[keys.Key]contextstore.Value, withRows []int) error {
	for _, i := range withRows {
		if i != 0 {
			p.noteDropped(i, "only the grouped input's rows map to groups")
		}
	}
	in := &p.in[0]
	if in.nRows+in.nCells == 0 {
		return nil
	}
	if n := in.nCells; n > 0 {
		p.notes = append(p.notes, Note{Input: 0, Kind: keys.KindCell, Count: n,
			Reason: "cells are aggregated into groups"})
	}
	kept := 0
	if in.nRows > 0 {
		g := p.c.Groups
		for out := range g.Len() {
			members := g.Members(out)
			if len(members) == 0 {
				continue
			}
			first := in.rows[members[0]]
			if first == nil || first.row == nil {
				continue
			}
			same := true
			for _, r := range members[1:] {
				b := in.rows[r]
				if b == nil || b.row == nil || !contextstore.Equal(b.row, first.row) {
					same = false
					break
				}
			}
			if same {
				if v := p.keepState(keys.KindRow, first.row, false); v != nil {
					desired[keys.Row(p.c.Output, out)] = v
				}
				kept += len(members)
			}
		}
		if dropped := in.nRows - kept; dropped > 0 {
			p.notes = append(p.notes, Note{Input: 0, Kind: keys.KindRow, Count: dropped,
				Reason: "rows became groups whose rows do not all carry the same context"})
		}
	}
	return nil
}
