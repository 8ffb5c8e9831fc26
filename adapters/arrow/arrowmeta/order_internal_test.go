package arrowmeta

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestPositionOrderIsASort checks positionOrder, whose counting pass
// replaces a sort for entries in key order, against a plain sort by
// position: on entries in key order (dense and sparse rows), in position
// order already, and shuffled.
func TestPositionOrderIsASort(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		columns := []string{"a", "b", "é", "z:1"}[:1+rnd.IntN(4)]
		spread := []int{1, 3, 10_000}[round%3] // 10,000: rows far sparser than entries
		var ps []positioned
		for _, col := range columns { // key order: by column, then row
			row := 0
			for range rnd.IntN(30) {
				row += 1 + rnd.IntN(spread)
				ps = append(ps, positioned{row: row, column: col, value: []byte{byte(row)}})
			}
		}
		switch round % 4 {
		case 1:
			rnd.Shuffle(len(ps), func(i, j int) { ps[i], ps[j] = ps[j], ps[i] })
		case 2:
			slices.SortFunc(ps, byPosition)
		}
		want := slices.Clone(ps)
		slices.SortFunc(want, byPosition)
		order := positionOrder(ps)
		for i := range want {
			if got := ps[order(i)]; got.row != want[i].row || got.column != want[i].column {
				t.Fatalf("round %d: entry %d is row %d column %q, want row %d column %q", round, i, got.row, got.column, want[i].row, want[i].column)
			}
		}
	}
}
