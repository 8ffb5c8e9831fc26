package gota

import (
	"errors"
	"fmt"

	"github.com/go-gota/gota/dataframe"
	"github.com/go-gota/gota/series"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/adapters/lineage"
)

// unchangedColumns lists every column of input 0 carried unchanged.
func unchangedColumns(df dataframe.DataFrame) []framectx.OutputColumn {
	names := df.Names()
	cols := make([]framectx.OutputColumn, len(names))
	for i, n := range names {
		cols[i] = framectx.Carried(0, n)
	}
	return cols
}

// unmapped is the row mapping handed over when no input has row or cell
// context: planning never consults it, so computing the real one would be
// wasted. Consulting it is an error, not silently wrong context.
func unmapped(n int) framectx.RowMapping {
	return framectx.LazyRows(n, func() (framectx.RowMapping, error) {
		return nil, errors.New("gota: row mapping consulted although no input has row context")
	})
}

// Subset keeps the rows indexes names, in that order (gota's Subset: a row
// position, positions, a bool mask or an Int or Bool Series). Row and cell
// context is re-keyed to the new positions; rows not kept lose theirs; a
// row taken twice carries its context twice. Rows out of range are refused
// with ErrGota (gota itself would panic).
func Subset(indexes series.Indexes) Op {
	return Op{name: "subset", run: func(in []dataframe.DataFrame, _ bool, _ string) (step, error) {
		df := in[0]
		idx, err := rowIndexes(df.Nrow(), indexes)
		if err != nil {
			return step{}, err
		}
		out, err := callGota(func() dataframe.DataFrame { return df.Subset(idx) })
		if err != nil {
			return step{}, err
		}
		return step{df: out, columns: unchangedColumns(df), rows: framectx.IndexRows(idx)}, nil
	}}
}

// Filter keeps the rows that match any of filters (gota's Filter); context
// moves as for FilterAggregation.
func Filter(filters ...dataframe.F) Op {
	op := FilterAggregation(dataframe.Or, filters...)
	op.name = "filter"
	return op
}

// FilterAggregation keeps the rows that match filters combined by agg
// (dataframe.Or or dataframe.And; gota's FilterAggregation). Row and cell
// context follows the kept rows to their new positions; the frame's lineage
// records the filtered columns as FILTER inputs.
//
// gota does not say which rows it kept. When the frame has row or cell
// context the adapter evaluates the filters itself, exactly as gota does,
// and takes the subset; otherwise gota's call runs unchanged.
func FilterAggregation(agg dataframe.Aggregation, filters ...dataframe.F) Op {
	return Op{name: "filter_aggregation", rowsOnDemand: true, run: func(in []dataframe.DataFrame, needRows bool, desc string) (step, error) {
		df := in[0]
		used, err := filterColumns(df, agg, filters)
		if err != nil {
			return step{}, err
		}
		var (
			out  dataframe.DataFrame
			rows framectx.RowMapping
		)
		if needRows {
			idx, err := filterRows(df, agg, filters)
			if err != nil {
				return step{}, err
			}
			if out, err = callGota(func() dataframe.DataFrame { return df.Subset(idx) }); err != nil {
				return step{}, err
			}
			rows = framectx.IndexRows(idx)
		} else {
			if out, err = callGota(func() dataframe.DataFrame { return df.FilterAggregation(agg, filters...) }); err != nil {
				return step{}, err
			}
			rows = unmapped(out.Nrow())
		}
		return step{df: out, columns: unchangedColumns(df), rows: rows,
			indirect: indirectOf(used, lineage.SubtypeFilter, desc)}, nil
	}}
}

// filterColumns checks what gota would panic on (an unknown aggregation, a
// column position out of range) and returns the filtered columns' names.
func filterColumns(df dataframe.DataFrame, agg dataframe.Aggregation, filters []dataframe.F) ([]string, error) {
	if len(filters) > 1 && agg != dataframe.Or && agg != dataframe.And {
		return nil, argError(fmt.Sprintf("filter: unknown aggregation %d", int(agg)))
	}
	names := df.Names()
	var used []string
	for _, f := range filters {
		name := f.Colname
		if name == "" {
			if f.Colidx < 0 || f.Colidx >= len(names) {
				return nil, fmt.Errorf("filter: column index %d out of range [0, %d)", f.Colidx, len(names))
			}
			name = names[f.Colidx]
		}
		if f.Comparator == series.CompFunc {
			if _, ok := f.Comparando.(func(series.Element) bool); !ok {
				return nil, argError("filter: comparando of CompFunc is not a func(series.Element) bool")
			}
		}
		used = appendNew(used, name)
	}
	return used, nil
}

func appendNew(names []string, name string) []string {
	for _, n := range names {
		if n == name {
			return names
		}
	}
	return append(names, name)
}

// indirectOf lists input 0's columns as indirect sources of kind sub.
func indirectOf(names []string, sub lineage.Subtype, desc string) []framectx.IndirectSource {
	out := make([]framectx.IndirectSource, 0, len(names))
	for _, n := range names {
		out = append(out, framectx.IndirectSource{Source: framectx.From(0, n), Transformation: lineage.Indirect(sub, desc)})
	}
	return out
}

// Arrange sorts the rows by order (gota's Arrange). Row and cell context
// follows each row through the permutation; the frame's lineage records the
// sort keys as SORT inputs.
//
// gota does not expose the permutation. When the frame has row or cell
// context the adapter computes it with gota's own algorithm and takes the
// subset; otherwise gota's call runs unchanged.
func Arrange(order ...dataframe.Order) Op {
	return Op{name: "arrange", rowsOnDemand: true, run: func(in []dataframe.DataFrame, needRows bool, desc string) (step, error) {
		df := in[0]
		var (
			out  dataframe.DataFrame
			rows framectx.RowMapping
			err  error
		)
		if needRows {
			idx, err := arrangeRows(df, order)
			if err != nil {
				return step{}, err
			}
			if out, err = callGota(func() dataframe.DataFrame { return df.Subset(idx) }); err != nil {
				return step{}, err
			}
			rows = framectx.IndexRows(idx)
		} else {
			if out, err = callGota(func() dataframe.DataFrame { return df.Arrange(order...) }); err != nil {
				return step{}, err
			}
			rows = unmapped(out.Nrow())
		}
		var keys []string
		for _, o := range order {
			keys = appendNew(keys, o.Colname)
		}
		return step{df: out, columns: unchangedColumns(df), rows: rows,
			indirect: indirectOf(keys, lineage.SubtypeSort, desc)}, nil
	}}
}
