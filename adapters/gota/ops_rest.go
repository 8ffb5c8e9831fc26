package gota

import (
	"context"
	"fmt"
	"slices"

	"github.com/go-gota/gota/dataframe"
	"github.com/go-gota/gota/series"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/adapters/lineage"
	"github.com/ctxframe/ctxframe/contextstore"
)

// SetNames renames every column, in order (gota's SetNames, which changes
// its DataFrame in place; the adapter works on a copy, so a refusal changes
// nothing). Each column's context and cells move to its new name, as with
// Rename.
func SetNames(names ...string) Op {
	names = slices.Clone(names)
	return Op{name: "set_names", run: func(in []dataframe.DataFrame, _ bool, _ string) (step, error) {
		df := in[0]
		old := df.Names()
		if len(names) != len(old) {
			return step{}, argError(fmt.Sprintf("set_names: %d names for %d columns", len(names), len(old)))
		}
		out := df.Copy()
		if err := out.SetNames(names...); err != nil {
			return step{}, err
		}
		cols := make([]framectx.OutputColumn, len(old))
		for i := range old {
			cols[i] = framectx.Renamed(0, old[i], names[i])
		}
		return step{df: out, columns: cols, rows: framectx.SameRows(df.Nrow())}, nil
	}}
}

// Rapply applies fn to each row (gota's Rapply): the output's columns, named
// X0, X1, ... by gota, are computed from every input column. Each row keeps
// its row context (the rows stay where they were); the new columns get
// lineage naming every input column (a TRANSFORMATION), no column context,
// and no cell context.
func Rapply(fn func(series.Series) series.Series) Op {
	return Op{name: "rapply", run: func(in []dataframe.DataFrame, _ bool, desc string) (step, error) {
		df := in[0]
		if fn == nil {
			return step{}, argError("rapply: nil function")
		}
		out, err := callGota(func() dataframe.DataFrame { return df.Rapply(fn) })
		if err != nil {
			return step{}, err
		}
		var sources []framectx.Source
		for _, name := range df.Names() {
			sources = append(sources, framectx.From(0, name))
		}
		t := lineage.Direct(lineage.SubtypeTransformation, desc)
		cols := make([]framectx.OutputColumn, 0, out.Ncol())
		for _, name := range out.Names() {
			cols = append(cols, framectx.Derived(name, t, sources...))
		}
		var rows framectx.RowMapping
		if out.Nrow() == df.Nrow() {
			rows = framectx.SameRows(out.Nrow())
		}
		return step{df: out, columns: cols, rows: rows}, nil
	}}
}

// Set replaces the rows indexes names with the rows of values, in order
// (gota's Set, which changes its DataFrame in place; the adapter works on a
// copy). The replaced rows keep their row context and lose their cells'
// context, whose values are gone; every other entry stays.
func Set(indexes series.Indexes, values dataframe.DataFrame) Op {
	return Op{name: "set", run: func(in []dataframe.DataFrame, _ bool, _ string) (step, error) {
		df := in[0]
		idx, err := rowIndexes(df.Nrow(), indexes)
		if err != nil {
			return step{}, err
		}
		if values.Err != nil {
			return step{}, values.Err
		}
		if values.Nrow() != len(idx) {
			return step{}, argError(fmt.Sprintf("set: %d rows of values for %d rows", values.Nrow(), len(idx)))
		}
		out, err := callGota(func() dataframe.DataFrame { return df.Copy().Set(idx, values) })
		if err != nil {
			return step{}, err
		}
		return step{df: out, columns: unchangedColumns(df), rows: framectx.ReplacedRows(df.Nrow(), idx)}, nil
	}}
}

// Describe summarizes every column (gota's Describe): a "column" column of
// statistic names (mean, median, stddev, min, 25%, 50%, 75%, max) and one
// column per input column. The frame's context is kept; a described column
// gets lineage naming its input column (an AGGREGATION) but none of its
// context, which described values, not statistics; row and cell context is
// dropped, and the Report says how much. It is most useful with Derive.
func Describe() Op {
	return Op{name: "describe", run: func(in []dataframe.DataFrame, _ bool, desc string) (step, error) {
		df := in[0]
		out, err := callGota(func() dataframe.DataFrame { return df.Describe() })
		if err != nil {
			return step{}, err
		}
		if desc == "" || desc == "describe" {
			desc = "summary statistics"
		}
		t := lineage.Direct(lineage.SubtypeAggregation, desc)
		names := df.Names()
		cols := make([]framectx.OutputColumn, 0, out.Ncol())
		for i, name := range out.Names() {
			if i == 0 {
				cols = append(cols, framectx.Derived(name, lineage.Identity()))
				continue
			}
			if i-1 >= len(names) {
				return step{}, fmt.Errorf("describe: gota returned %d columns for %d", out.Ncol(), len(names))
			}
			cols = append(cols, framectx.Derived(name, t, framectx.From(0, names[i-1])))
		}
		return step{df: out, columns: cols}, nil
	}}
}

// Groups returns one Frame per group of rows with equal values in columns
// by (gota's GroupBy(...).GetGroups()), keyed by gota's group key and bound
// to the frame ID prefix + key, in f's store. Each is a row subset of f, as
// Subset makes it: the frame and column context is kept, row and cell
// context re-keyed to the group's rows, each frame recording its lineage.
// Rows keep f's order and columns f's order (gota's own groups sort columns
// by name). f is unchanged. Each group is one atomic write; if one fails,
// the groups already written are dropped again and the error returned.
func (f *Frame) Groups(ctx context.Context, prefix string, by ...string) (map[string]*Frame, error) {
	if len(by) == 0 {
		return nil, invalidArgument("groups", f.FrameID(), "group by no column")
	}
	for _, c := range by {
		if !slices.Contains(f.df.Names(), c) {
			return nil, gotaError("groups", f.FrameID(), fmt.Errorf("GroupBy: can't find column name: %s", c))
		}
	}
	keysIn, err := groupKeys(f.df, by)
	if err != nil {
		return nil, gotaError("groups", f.FrameID(), err)
	}
	members := map[string][]int{}
	var order []string
	for r, k := range keysIn {
		if _, ok := members[k]; !ok {
			order = append(order, k)
		}
		members[k] = append(members[k], r)
	}
	out := make(map[string]*Frame, len(order))
	for _, k := range order {
		g, _, err := f.Derive(ctx, prefix+k, Subset(members[k]))
		if err != nil {
			for _, done := range out {
				_ = contextstore.DropFrame(ctx, f.Store(), done.FrameID())
			}
			return nil, err
		}
		out[k] = g
	}
	return out, nil
}
