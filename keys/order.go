package keys

import (
	"cmp"
	"slices"
	"strings"
)

// Compare orders keys by frame ID, then kind (frame, column, row, cell), then
// column name, then row number. It returns -1, 0 or +1.
func Compare(a, b Key) int {
	if c := strings.Compare(a.frame, b.frame); c != 0 {
		return c
	}
	if c := cmp.Compare(a.kind, b.kind); c != 0 {
		return c
	}
	if c := strings.Compare(a.column, b.column); c != 0 {
		return c
	}
	return cmp.Compare(a.row, b.row)
}

// Sort sorts ks in place by Compare.
func Sort(ks []Key) { slices.SortFunc(ks, Compare) }
