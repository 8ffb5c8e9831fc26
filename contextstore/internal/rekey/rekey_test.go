package rekey

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/ctxframe/ctxframe/contextstore"
)

func TestRowOf(t *testing.T) {
	for field, want := range map[string]int{"r:0": 0, "r:17": 17, "x:5:a": 5, "x:12:": 12, "x:3:a:b": 3} {
		if got, ok := RowOf(field); !ok || got != want {
			t.Errorf("RowOf(%q) = %d, %v; want %d", field, got, ok, want)
		}
	}
	for _, field := range []string{"", "f", "c:a", "r:", "r:-1", "r:1x", "x:5", "x::a", "q:1"} {
		if _, ok := RowOf(field); ok {
			t.Errorf("RowOf(%q) accepted a field that is no row or cell", field)
		}
	}
}

// TestMoveAsAMap checks Move against re-keying a map by hand, on random
// levels and mappings (repeats, holes, stale rows past Rows, -1 sources):
// the same new entries, the same count of entries written.
func TestMoveAsAMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 300 {
		rows := rng.IntN(40)
		old := map[int]string{}
		for range rng.IntN(50) {
			old[rng.IntN(rows+5)] = "v" + strconv.Itoa(rng.IntN(1000))
		}
		sources := make([]int, rng.IntN(50))
		for i := range sources {
			sources[i] = rng.IntN(rows+1) - 1
		}
		r := contextstore.Remap{Sources: sources, Rows: rows}
		l := NewLevel(r, len(old))
		for row, v := range old {
			l.Set(row, v)
		}
		want := map[string]string{}
		written := 0
		for i, src := range sources {
			if v, ok := old[src]; ok && src >= 0 && src < rows {
				want["r:"+strconv.Itoa(i)] = v
				if i != src {
					written++
				}
			}
		}
		for row := range old {
			if _, ok := want["r:"+strconv.Itoa(row)]; !ok {
				written++
			}
		}
		got := map[string]string{}
		n, bound := Move(l, r, "r:", "", func(field, value string, src int) {
			if old[src] != value {
				t.Fatalf("trial %d: %s came from row %d, which holds %q, not %q", trial, field, src, old[src], value)
			}
			got[field] = value
		})
		if len(got) != len(want) || n != written {
			t.Fatalf("trial %d: %d entries, %d written; want %d, %d", trial, len(got), n, len(want), written)
		}
		wantBound := 0
		for field, v := range want {
			if got[field] != v {
				t.Fatalf("trial %d: %s = %q, want %q", trial, field, got[field], v)
			}
			row, _ := RowOf(field)
			wantBound = max(wantBound, row+1)
		}
		if bound != wantBound {
			t.Fatalf("trial %d: bound %d, want %d", trial, bound, wantBound)
		}
	}
}
