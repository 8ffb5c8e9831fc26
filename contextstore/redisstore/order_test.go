package redisstore

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/ctxframe/ctxframe/keys"
)

func TestFrameOrderSortsAsKeysSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	names := []string{"", "a", "b", "B", "é", "a:b", "🙂", "zz"}
	rows := func() int {
		switch rng.IntN(4) {
		case 0:
			return math.MaxInt - rng.IntN(3) // beyond what packs into 40 bits
		default:
			return rng.IntN(50)
		}
	}
	for round := range 200 {
		n := rng.IntN(200)
		ks := make([]keys.Key, 0, n)
		seen := map[keys.Key]bool{}
		for range n {
			var k keys.Key
			switch rng.IntN(4) {
			case 0:
				k = keys.Frame("f")
			case 1:
				k = keys.Column("f", names[rng.IntN(len(names))])
			case 2:
				k = keys.Row("f", rows())
			default:
				k = keys.Cell("f", rows(), names[rng.IntN(len(names))])
			}
			if round%2 == 0 && k.RowIndex() > 1<<39 {
				k = k.WithRow(rng.IntN(1000)) // half the rounds take the packed path only
			}
			if !seen[k] { // a hash has each field once
				seen[k] = true
				ks = append(ks, k)
			}
		}
		want := slices.Clone(ks)
		keys.Sort(want)
		got := make([]keys.Key, 0, len(ks))
		for _, i := range frameOrder(ks) {
			got = append(got, ks[i])
		}
		if !slices.Equal(got, want) {
			t.Fatalf("round %d: frameOrder sorts\n%v\nas\n%v\nwant\n%v", round, ks, got, want)
		}
	}
}
