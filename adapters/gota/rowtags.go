package gota

import (
	"strconv"

	"github.com/go-gota/gota/dataframe"
	"github.com/go-gota/gota/series"
)

// Joins build their rows in loops gota keeps to itself. When the key
// columns' types differ between the frames (keyedJoinRows covers the usual
// case), the adapter tags each input's rows: it appends a hidden Int column
// holding every row's position (under a reserved name that collides with no
// column of either input), runs the raw join, reads the tags back as the
// exact row mapping (NaN where a side has no row) and removes them. It does
// this only when an input has row or cell context; otherwise the raw join
// runs alone.

// rowTagPrefix starts the hidden columns' names; a suffix is added until
// the name is free.
const rowTagPrefix = "ctxframe.rowtag."

// rowTagName returns a name for input k's tag column used by no column of
// frames.
func rowTagName(k int, frames ...dataframe.DataFrame) string {
	base := rowTagPrefix + strconv.Itoa(k)
	name := base
	for n := 0; ; n++ {
		taken := false
		for _, df := range frames {
			if indexOf(df.Names(), name) >= 0 {
				taken = true
				break
			}
		}
		if !taken {
			return name
		}
		name = base + "~" + strconv.Itoa(n)
	}
}

// withRowTag returns df with a last column, name, holding 0..nrows-1.
func withRowTag(df dataframe.DataFrame, name string) (dataframe.DataFrame, error) {
	tag := series.New(identityRows(df.Nrow()), series.Int, name)
	return callGota(func() dataframe.DataFrame { return df.Mutate(tag) })
}

// takeRowTags reads the tag columns of df back as row mappings (-1 where the
// tag is NaN) and returns df without them.
func takeRowTags(df dataframe.DataFrame, names ...string) (dataframe.DataFrame, [][]int, error) {
	maps := make([][]int, len(names))
	drop := make([]int, len(names))
	all := df.Names()
	for k, name := range names {
		drop[k] = indexOf(all, name)
		col := df.Col(name)
		if col.Err != nil {
			return dataframe.DataFrame{}, nil, col.Err
		}
		rows := make([]int, col.Len())
		for i := range rows {
			e := col.Elem(i)
			if e.IsNA() {
				rows[i] = -1
				continue
			}
			r, err := e.Int()
			if err != nil {
				return dataframe.DataFrame{}, nil, err
			}
			rows[i] = r
		}
		maps[k] = rows
	}
	out, err := callGota(func() dataframe.DataFrame { return df.Drop(drop) })
	if err != nil {
		return dataframe.DataFrame{}, nil, err
	}
	return out, maps, nil
}
