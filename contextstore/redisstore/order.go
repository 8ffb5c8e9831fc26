package redisstore

import (
	"cmp"
	"slices"
	"strings"

	"github.com/ctxframe/ctxframe/keys"
)

// frameOrder returns the permutation that sorts ks, keys of one frame, as
// keys.Sort would. A frame's keys share their frame ID, so they sort by
// kind, then column, then row: frameOrder buckets them by kind and column
// and sorts the rows as plain integers, which for a frame of 10k row or
// cell keys is several times faster than a comparison sort with
// keys.Compare.
func frameOrder(ks []keys.Key) []int {
	var frame, columns, rows []int
	cells := make(map[string][]int)
	for i, k := range ks {
		switch k.Kind() {
		case keys.KindFrame:
			frame = append(frame, i)
		case keys.KindColumn:
			columns = append(columns, i)
		case keys.KindRow:
			rows = append(rows, i)
		case keys.KindCell:
			cells[k.ColumnName()] = append(cells[k.ColumnName()], i)
		}
	}
	order := make([]int, 0, len(ks))
	order = append(order, frame...)
	slices.SortFunc(columns, func(a, b int) int { return strings.Compare(ks[a].ColumnName(), ks[b].ColumnName()) })
	order = append(order, columns...)
	order = append(order, sortByRow(ks, rows)...)
	names := make([]string, 0, len(cells))
	for name := range cells {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		order = append(order, sortByRow(ks, cells[name])...)
	}
	return order
}

// Rows and positions packed into one uint64 sort as plain integers.
const (
	packIndexBits = 24
	packMaxIndex  = 1<<packIndexBits - 1
	packMaxRow    = 1<<(64-packIndexBits) - 1
)

// sortByRow sorts the positions idx of ks by their keys' row numbers.
func sortByRow(ks []keys.Key, idx []int) []int {
	packable := len(ks) <= packMaxIndex
	for _, i := range idx {
		if uint64(ks[i].RowIndex()) > packMaxRow {
			packable = false
			break
		}
	}
	if !packable {
		slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(ks[a].RowIndex(), ks[b].RowIndex()) })
		return idx
	}
	packed := make([]uint64, len(idx))
	for j, i := range idx {
		packed[j] = uint64(ks[i].RowIndex())<<packIndexBits | uint64(i)
	}
	slices.Sort(packed)
	for j, p := range packed {
		idx[j] = int(p & packMaxIndex)
	}
	return idx
}
