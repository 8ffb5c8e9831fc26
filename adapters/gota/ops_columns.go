package gota

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/go-gota/gota/dataframe"
	"github.com/go-gota/gota/series"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/adapters/lineage"
)

// carried lists output columns whose values are input columns unchanged:
// output column p is src[p], named out[p] (gota may have renamed it, e.g.
// a duplicate "x" to "x_0"). Column and cell context follow the name.
func carried(out []string, src []framectx.Source) ([]framectx.OutputColumn, error) {
	if len(out) != len(src) {
		return nil, fmt.Errorf("gota returned %d columns, expected %d", len(out), len(src))
	}
	cols := make([]framectx.OutputColumn, len(out))
	for p, s := range src {
		cols[p] = framectx.Renamed(s.Input, s.Column, out[p])
	}
	return cols, nil
}

// sourcesOf returns the sources of input's columns at positions idx.
func sourcesOf(input int, names []string, idx []int) []framectx.Source {
	src := make([]framectx.Source, len(idx))
	for p, i := range idx {
		src[p] = framectx.From(input, names[i])
	}
	return src
}

// Rename renames column from to to, in the same order as the Arrow
// adapter's Rename (gota's own DataFrame.Rename takes them the other way
// round, new name first; only this function calls it). The column's context
// and its cells' context move to the new name; frame and row context stay.
// Renaming onto the name of another column is refused with
// ErrInvalidArgument: gota would leave two columns of one name, and context
// is kept by name.
func Rename(from, to string) Op {
	return Op{name: "rename", run: func(in []dataframe.DataFrame, _ bool, _ string) (step, error) {
		df := in[0]
		names := df.Names()
		if to != from && slices.Contains(names, to) && slices.Contains(names, from) {
			return step{}, argError("column " + strconv.Quote(to) + " already exists")
		}
		out, err := callGota(func() dataframe.DataFrame { return df.Rename(to, from) })
		if err != nil {
			return step{}, err
		}
		src := sourcesOf(0, names, identityRows(len(names)))
		cols, err := carried(out.Names(), src)
		return step{df: out, columns: cols, rows: framectx.SameRows(out.Nrow())}, err
	}}
}

// Select keeps the columns indexes names (gota's Select: a column name,
// names, positions, a bool mask or a Series of those), in that order. Kept
// columns keep their context; the others' column and cell context is
// removed. A column selected twice is renamed by gota (x_0, x_1) and each
// copy carries the column's context.
func Select(indexes dataframe.SelectIndexes) Op {
	return Op{name: "select", run: func(in []dataframe.DataFrame, _ bool, _ string) (step, error) {
		df := in[0]
		out, err := callGota(func() dataframe.DataFrame { return df.Select(indexes) })
		if err != nil {
			return step{}, err
		}
		names := df.Names()
		idx, err := columnIndexes(names, indexes, true)
		if err != nil {
			return step{}, err
		}
		cols, err := carried(out.Names(), sourcesOf(0, names, idx))
		return step{df: out, columns: cols, rows: framectx.SameRows(out.Nrow())}, err
	}}
}

// Drop removes the columns indexes names (gota's Drop), with their column
// and cell context.
func Drop(indexes dataframe.SelectIndexes) Op {
	return Op{name: "drop", run: func(in []dataframe.DataFrame, _ bool, _ string) (step, error) {
		df := in[0]
		out, err := callGota(func() dataframe.DataFrame { return df.Drop(indexes) })
		if err != nil {
			return step{}, err
		}
		names := df.Names()
		// gota ignores positions out of range when dropping.
		dropped, err := columnIndexes(names, indexes, false)
		if err != nil {
			return step{}, err
		}
		var kept []int
		for i := range names {
			if !slices.Contains(dropped, i) {
				kept = append(kept, i)
			}
		}
		cols, err := carried(out.Names(), sourcesOf(0, names, kept))
		return step{df: out, columns: cols, rows: framectx.SameRows(out.Nrow())}, err
	}}
}

// Mutate sets column s.Name to s's values (gota's Mutate), recording that
// they are computed from the columns named in from (none: from nothing the
// frame holds).
//
// If the column exists its values are replaced: it keeps its column
// context, its lineage notes the transformation, and its cells' context is
// removed (it described the old values). Otherwise the column is added
// (named by gota, e.g. X0 for an unnamed Series) with lineage to from and no
// other context. Row and frame context stay.
func Mutate(s series.Series, from ...string) Op {
	return Op{name: "mutate", run: func(in []dataframe.DataFrame, _ bool, desc string) (step, error) {
		df := in[0]
		if err := checkSeries(s); err != nil {
			return step{}, argError(err.Error())
		}
		names := df.Names()
		sources := make([]framectx.Source, len(from))
		for i, name := range from {
			if !slices.Contains(names, name) {
				return step{}, argError("mutate: no column " + strconv.Quote(name) + " to derive from")
			}
			sources[i] = framectx.From(0, name)
		}
		out, err := callGota(func() dataframe.DataFrame { return df.Mutate(s) })
		if err != nil {
			return step{}, err
		}
		outNames := out.Names()
		t := lineage.Direct(lineage.SubtypeTransformation, desc)
		replaced := slices.Index(names, s.Name)
		cols, err := carried(outNames[:len(names)], sourcesOf(0, names, identityRows(len(names))))
		if err != nil {
			return step{}, err
		}
		if replaced >= 0 {
			cols[replaced] = framectx.Replaced(0, names[replaced], t, sources...)
			cols[replaced].Name = outNames[replaced]
		} else if len(outNames) == len(names)+1 {
			cols = append(cols, framectx.Derived(outNames[len(names)], t, sources...))
		} else {
			return step{}, fmt.Errorf("mutate: gota returned %d columns, expected %d", len(outNames), len(names)+1)
		}
		return step{df: out, columns: cols, rows: framectx.SameRows(out.Nrow())}, nil
	}}
}

// Capply replaces every column by fn applied to it (gota's Capply). Each
// column keeps its column context with lineage noting the transformation;
// all cell context is removed. Row context stays when fn keeps the number
// of rows (it is assumed to work element by element); otherwise row context
// is dropped and the Report's notes say so.
func Capply(fn func(series.Series) series.Series) Op {
	return Op{name: "capply", run: func(in []dataframe.DataFrame, _ bool, desc string) (step, error) {
		df := in[0]
		if fn == nil {
			return step{}, argError("capply: nil function")
		}
		out, err := callGota(func() dataframe.DataFrame { return df.Capply(fn) })
		if err != nil {
			return step{}, err
		}
		names, outNames := df.Names(), out.Names()
		if len(outNames) != len(names) {
			return step{}, fmt.Errorf("capply: gota returned %d columns, expected %d", len(outNames), len(names))
		}
		t := lineage.Direct(lineage.SubtypeTransformation, desc)
		cols := make([]framectx.OutputColumn, len(names))
		for i, name := range names {
			cols[i] = framectx.Replaced(0, name, t)
			cols[i].Name = outNames[i]
		}
		var rows framectx.RowMapping
		if out.Nrow() == df.Nrow() {
			rows = framectx.SameRows(out.Nrow())
		}
		return step{df: out, columns: cols, rows: rows}, nil
	}}
}
