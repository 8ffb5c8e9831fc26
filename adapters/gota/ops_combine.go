package gota

import (
	"slices"

	"github.com/go-gota/gota/dataframe"

	"github.com/ctxframe/ctxframe/adapters/framectx"
)

// CBind appends other's columns to the frame's (gota's CBind; both must
// have the same number of rows). Each column keeps its context and its
// cells'; names both frames use are renamed by gota (x_0 from this frame,
// x_1 from other) and the context follows. Frame context and the context of
// each row (row r of both frames) are merged by the policy.
func CBind(other *Frame) Op {
	return Op{name: "cbind", with: []*Frame{other}, run: func(in []dataframe.DataFrame, _ bool, _ string) (step, error) {
		a, b := in[0], in[1]
		out, err := callGota(func() dataframe.DataFrame { return a.CBind(b) })
		if err != nil {
			return step{}, err
		}
		src := slices.Concat(sourcesOf(0, a.Names(), identityRows(a.Ncol())), sourcesOf(1, b.Names(), identityRows(b.Ncol())))
		cols, err := carried(out.Names(), src)
		return step{df: out, columns: cols, rows: framectx.AlignedRows(out.Nrow(), 2)}, err
	}}
}

// RBind appends other's rows below the frame's (gota's RBind), matching
// columns by name. Columns are the frame's: each column's context is merged
// with other's column of the same name by the policy, as is frame context.
// Row and cell context of other's rows moves down by the frame's row count.
// Columns only other has are left out by gota, with their context; the
// Report's notes count the entries dropped.
func RBind(other *Frame) Op {
	return Op{name: "rbind", with: []*Frame{other}, run: func(in []dataframe.DataFrame, _ bool, _ string) (step, error) {
		a, b := in[0], in[1]
		out, err := callGota(func() dataframe.DataFrame { return a.RBind(b) })
		if err != nil {
			return step{}, err
		}
		cols, err := stacked(out.Names(), a.Names(), a.Names(), b.Names())
		var lost []framectx.Source
		for _, n := range b.Names() {
			if !slices.Contains(a.Names(), n) {
				lost = append(lost, framectx.From(1, n))
			}
		}
		return step{df: out, columns: cols, rows: framectx.ConcatRows(a.Nrow(), b.Nrow()), lost: lost}, err
	}}
}

// Concat appends other's rows below the frame's like RBind, keeping the
// columns only one of them has (gota's Concat; the missing values are
// NaN). Context moves as for RBind; a column only one frame has keeps that
// frame's context.
func Concat(other *Frame) Op {
	return Op{name: "concat", with: []*Frame{other}, run: func(in []dataframe.DataFrame, _ bool, _ string) (step, error) {
		a, b := in[0], in[1]
		out, err := callGota(func() dataframe.DataFrame { return a.Concat(b) })
		if err != nil {
			return step{}, err
		}
		union := slices.Clone(a.Names())
		for _, n := range b.Names() {
			union = appendNew(union, n)
		}
		cols, err := stacked(out.Names(), union, a.Names(), b.Names())
		return step{df: out, columns: cols, rows: framectx.ConcatRows(a.Nrow(), b.Nrow())}, err
	}}
}

// stacked lists the columns of frames stacked vertically: output column p
// is input column names[p] of each input that has it, named out[p].
func stacked(out, names, aNames, bNames []string) ([]framectx.OutputColumn, error) {
	src := make([]framectx.Source, len(names))
	for p, n := range names {
		src[p] = framectx.From(0, n)
	}
	cols, err := carried(out, src) // checks the count
	if err != nil {
		return nil, err
	}
	for p, n := range names {
		var from []framectx.Source
		if slices.Contains(aNames, n) {
			from = append(from, framectx.From(0, n))
		}
		if slices.Contains(bNames, n) {
			from = append(from, framectx.From(1, n))
		}
		cols[p] = framectx.Merged(out[p], from...)
	}
	return cols, nil
}
