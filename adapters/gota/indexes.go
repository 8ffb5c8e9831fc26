package gota

import (
	"errors"
	"fmt"

	"github.com/go-gota/gota/dataframe"
	"github.com/go-gota/gota/series"
)

// rowIndexes resolves gota's series.Indexes (int, []int, []bool, an Int or
// Bool Series) to the source row of every output row, as Subset reads them.
// Unlike gota it refuses out-of-range rows with an error instead of
// panicking.
func rowIndexes(nrows int, indexes series.Indexes) ([]int, error) {
	var idx []int
	switch x := indexes.(type) {
	case int:
		idx = []int{x}
	case []int:
		idx = x
	case []bool:
		if len(x) != nrows {
			return nil, errors.New("indexing error: index dimensions mismatch")
		}
		idx = trueIndexes(x)
	case series.Series:
		plain, err := seriesIndexes(x)
		if err != nil {
			return nil, err
		}
		if _, names := plain.([]string); names {
			return nil, errUnknownIndexing // rows are not selected by name
		}
		return rowIndexes(nrows, plain)
	default:
		return nil, errUnknownIndexing
	}
	for _, r := range idx {
		if r < 0 || r >= nrows {
			return nil, fmt.Errorf("indexing error: row %d out of range [0, %d)", r, nrows)
		}
	}
	return idx, nil
}

// errUnknownIndexing is gota's message for an index of a type it cannot use.
var errUnknownIndexing = errors.New("indexing error: unknown indexing mode")

// seriesIndexes turns an index Series into the plain value it stands for, as
// gota reads it: []int (Int), []bool (Bool) or []string (String, names).
func seriesIndexes(x series.Series) (any, error) {
	if x.Err != nil {
		return nil, fmt.Errorf("indexing error: new values has errors: %w", x.Err)
	}
	if x.HasNaN() {
		return nil, errors.New("indexing error: indexes contain NaN")
	}
	switch x.Type() {
	case series.Int:
		ints, err := x.Int()
		if err != nil {
			return nil, err
		}
		return ints, nil
	case series.Bool:
		bools, err := x.Bool()
		if err != nil {
			return nil, fmt.Errorf("indexing error: %w", err)
		}
		return bools, nil
	case series.String:
		return x.Records(), nil
	}
	return nil, errUnknownIndexing
}

func trueIndexes(mask []bool) []int {
	n := 0
	for _, b := range mask {
		if b {
			n++
		}
	}
	idx := make([]int, 0, n)
	for i, b := range mask {
		if b {
			idx = append(idx, i)
		}
	}
	return idx
}

// columnIndexes resolves gota's dataframe.SelectIndexes to column positions
// as Select and Drop read them. With checkRange, positions out of range are
// refused, as Select does; Drop ignores them.
func columnIndexes(names []string, indexes dataframe.SelectIndexes, checkRange bool) ([]int, error) {
	var idx []int
	switch x := indexes.(type) {
	case int:
		idx = []int{x}
	case []int:
		idx = x
	case []bool:
		if len(x) != len(names) {
			return nil, errors.New("indexing error: index dimensions mismatch")
		}
		idx = trueIndexes(x)
	case string:
		i := indexOf(names, x)
		if i < 0 {
			return nil, fmt.Errorf("can't select columns: column name %q not found", x)
		}
		idx = []int{i}
	case []string:
		idx = make([]int, len(x))
		for k, name := range x {
			i := indexOf(names, name)
			if i < 0 {
				return nil, fmt.Errorf("can't select columns: column name %q not found", name)
			}
			idx[k] = i
		}
	case series.Series:
		plain, err := seriesIndexes(x)
		if err != nil {
			return nil, err
		}
		return columnIndexes(names, plain, checkRange)
	default:
		return nil, errUnknownIndexing
	}
	for _, c := range idx {
		if checkRange && (c < 0 || c >= len(names)) {
			return nil, fmt.Errorf("can't select columns: index %d out of range [0, %d)", c, len(names))
		}
	}
	return idx, nil
}

func indexOf(names []string, name string) int {
	for i, n := range names {
		if n == name {
			return i
		}
	}
	return -1
}
