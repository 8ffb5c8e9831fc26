package gota

import (
	"errors"
	"fmt"

	"github.com/go-gota/gota/dataframe"
)

// gota does not say which rows Filter keeps or how Arrange permutes them.
// When a frame has row or cell context the adapter computes those row
// mappings itself, with the very steps gota v0.12.0 takes (the same Compare
// calls, the same stable Order passes), and then asks gota for the Subset:
// the frame is identical to gota's own result and the mapping costs nothing
// beyond the raw call. Without row or cell context the raw gota call runs
// unchanged. Tests check both paths give the same frame.

// filterRows returns the rows FilterAggregation keeps, in order.
func filterRows(df dataframe.DataFrame, agg dataframe.Aggregation, filters []dataframe.F) ([]int, error) {
	nrows, ncols := df.Dims()
	names := df.Names()
	if len(filters) == 0 {
		return identityRows(nrows), nil
	}
	if len(filters) > 1 && agg != dataframe.Or && agg != dataframe.And {
		return nil, fmt.Errorf("filter: unknown aggregation %d", int(agg))
	}
	var keep []bool
	for _, f := range filters {
		idx := f.Colidx
		if f.Colname != "" {
			idx = indexOf(names, f.Colname)
			if idx < 0 {
				return nil, errors.New("filter: can't find column name")
			}
		}
		if idx < 0 || idx >= ncols {
			return nil, fmt.Errorf("filter: column index %d out of range [0, %d)", idx, ncols)
		}
		res := df.Col(names[idx]).Compare(f.Comparator, f.Comparando)
		if res.Err != nil {
			return nil, fmt.Errorf("filter: %w", res.Err)
		}
		b, err := res.Bool()
		if err != nil {
			return nil, fmt.Errorf("filter: %w", err)
		}
		if keep == nil {
			keep = b
			continue
		}
		for j := range keep {
			if agg == dataframe.And {
				keep[j] = keep[j] && b[j]
			} else {
				keep[j] = keep[j] || b[j]
			}
		}
	}
	return trueIndexes(keep), nil
}

// arrangeRows returns the source row of every row of Arrange's result:
// gota's algorithm (stable sorts from the last key to the first, NaN last),
// kept as the permutation instead of being applied and thrown away.
func arrangeRows(df dataframe.DataFrame, order []dataframe.Order) ([]int, error) {
	if len(order) == 0 {
		return nil, errors.New("arrange: no arguments")
	}
	names := df.Names()
	for _, o := range order {
		if indexOf(names, o.Colname) < 0 {
			return nil, fmt.Errorf("colname %s doesn't exist", o.Colname)
		}
	}
	orig := identityRows(df.Nrow())
	suborder := orig
	for i := len(order) - 1; i >= 0; i-- {
		col := df.Col(order[i].Colname).Subset(suborder)
		if col.Err != nil {
			return nil, col.Err
		}
		suborder = col.Order(order[i].Reverse)
		next := make([]int, len(suborder))
		for k, s := range suborder {
			next[k] = orig[s]
		}
		orig = next
	}
	return orig, nil
}

func identityRows(n int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return idx
}
