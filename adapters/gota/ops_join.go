package gota

import (
	"slices"

	"github.com/go-gota/gota/dataframe"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/adapters/lineage"
)

// InnerJoin joins other on the key columns, keeping matched rows (gota's
// InnerJoin). See LeftJoin for how context moves.
func InnerJoin(other *Frame, keys ...string) Op { return join(innerJoin, other, keys) }

// LeftJoin joins other on the key columns, keeping every row of the frame
// (gota's LeftJoin). Output columns are the keys, then the frame's other
// columns, then other's (names both use are renamed by gota, x_0 and x_1).
// A key column's context is the merge, by the policy, of both frames' key
// columns; every other column keeps its own. Each output row carries the
// row context of the rows it joins (merged by the policy when both sides
// have some) and the cell context of the cells it copies. Only when a frame
// has row or cell context does the adapter learn the row mapping: from a
// hash of the keys when both frames' key columns have the same types, else
// by tagging the rows. The frame's lineage records the keys as JOIN inputs.
func LeftJoin(other *Frame, keys ...string) Op { return join(leftJoin, other, keys) }

// RightJoin joins other on the key columns, keeping every row of other
// (gota's RightJoin). See LeftJoin for how context moves.
func RightJoin(other *Frame, keys ...string) Op { return join(rightJoin, other, keys) }

// OuterJoin joins other on the key columns, keeping every row of both
// (gota's OuterJoin). See LeftJoin for how context moves.
func OuterJoin(other *Frame, keys ...string) Op { return join(outerJoin, other, keys) }

// CrossJoin pairs every row of the frame with every row of other (gota's
// CrossJoin): columns are the frame's then other's, renamed by gota where
// both use a name. Each output row carries the context of both rows it
// pairs, merged by the policy.
func CrossJoin(other *Frame) Op { return join(crossJoin, other, nil) }

func join(kind joinKind, other *Frame, on []string) Op {
	return Op{name: kind.String(), with: []*Frame{other}, rowsOnDemand: true, run: func(in []dataframe.DataFrame, needRows bool, desc string) (step, error) {
		a, b := in[0], in[1]
		var (
			out  dataframe.DataFrame
			rows framectx.RowMapping
			err  error
		)
		switch {
		case kind == crossJoin:
			if out, err = rawJoin(kind, a, b, on); err != nil {
				return step{}, err
			}
			rows = crossRows{na: a.Nrow(), nb: b.Nrow()}
		case needRows:
			if out, rows, err = mappedJoin(kind, a, b, on); err != nil {
				return step{}, err
			}
		default:
			if out, err = rawJoin(kind, a, b, on); err != nil {
				return step{}, err
			}
			rows = unmapped(out.Nrow())
		}
		cols, err := joinedColumns(out.Names(), a.Names(), b.Names(), on)
		if err != nil {
			return step{}, err
		}
		var indirect []framectx.IndirectSource
		for _, k := range on {
			t := lineage.Indirect(lineage.SubtypeJoin, desc)
			indirect = append(indirect,
				framectx.IndirectSource{Source: framectx.From(0, k), Transformation: t},
				framectx.IndirectSource{Source: framectx.From(1, k), Transformation: t})
		}
		return step{df: out, columns: cols, rows: rows, indirect: indirect}, nil
	}}
}

// mappedJoin runs the join and returns its row mapping: computed from the
// keys when their types allow (the raw join then runs alone), else learnt
// by tagging the rows. A keyed mapping whose length is not the join's falls
// back to the tags rather than risk misplaced context.
func mappedJoin(kind joinKind, a, b dataframe.DataFrame, on []string) (dataframe.DataFrame, framectx.RowMapping, error) {
	if idx, ok := keyedJoinRows(kind, a, b, on); ok {
		out, err := rawJoin(kind, a, b, on)
		if err != nil {
			return out, nil, err
		}
		if len(idx[0]) == out.Nrow() {
			return out, framectx.IndexRows(idx[0], idx[1]), nil
		}
	}
	out, idx, err := taggedJoin(kind, a, b, on)
	if err != nil {
		return out, nil, err
	}
	return out, framectx.IndexRows(idx[0], idx[1]), nil
}

// joinedColumns lists a join's output columns as gota builds them: the keys
// (found in both frames), the left frame's other columns, the right frame's
// other columns; a cross join has no keys.
func joinedColumns(out, aNames, bNames, on []string) ([]framectx.OutputColumn, error) {
	var src []framectx.Source
	var keyCols []int
	var aKeys, bKeys []int
	for _, k := range on {
		keyCols = append(keyCols, len(src))
		aKeys = append(aKeys, slices.Index(aNames, k))
		bKeys = append(bKeys, slices.Index(bNames, k))
		src = append(src, framectx.From(0, k))
	}
	for i, n := range aNames {
		if !slices.Contains(aKeys, i) {
			src = append(src, framectx.From(0, n))
		}
	}
	for i, n := range bNames {
		if !slices.Contains(bKeys, i) {
			src = append(src, framectx.From(1, n))
		}
	}
	cols, err := carried(out, src)
	if err != nil {
		return nil, err
	}
	for p, k := range on {
		cols[keyCols[p]] = framectx.Merged(out[keyCols[p]], framectx.From(0, k), framectx.From(1, k))
	}
	return cols, nil
}

// crossRows is a cross join's row mapping: output row i*nb+j pairs row i
// of the left frame with row j of the right one.
type crossRows struct{ na, nb int }

// Len implements framectx.RowMapping.
func (m crossRows) Len() int { return m.na * m.nb }

// Source implements framectx.RowMapping.
func (m crossRows) Source(out, input int) (int, bool) {
	if out < 0 || out >= m.na*m.nb {
		return 0, false
	}
	switch input {
	case 0:
		return out / m.nb, true
	case 1:
		return out % m.nb, true
	}
	return 0, false
}

// Targets implements framectx.RowTargets.
func (m crossRows) Targets(input, row int, dst []int) []int {
	switch {
	case input == 0 && row >= 0 && row < m.na:
		for j := 0; j < m.nb; j++ {
			dst = append(dst, row*m.nb+j)
		}
	case input == 1 && row >= 0 && row < m.nb:
		for i := 0; i < m.na; i++ {
			dst = append(dst, i*m.nb+row)
		}
	}
	return dst
}
