package redisstore

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/ctxframe/ctxframe/keys"
)

// BenchmarkSortFrame10k compares the store's sort of one frame's keys with
// keys.Sort (docs/PERFORMANCE.md).

func BenchmarkSortFrame10k(b *testing.B) {
	ks := make([]keys.Key, 10000)
	for i := range ks {
		ks[i] = keys.Cell("bench-frame", i, fmt.Sprint("col", i%7))
	}
	rand.New(rand.NewPCG(1, 1)).Shuffle(len(ks), func(i, j int) { ks[i], ks[j] = ks[j], ks[i] })
	work := make([]keys.Key, len(ks))
	b.Run("frameOrder", func(b *testing.B) {
		for b.Loop() {
			for i, j := range frameOrder(ks) {
				work[i] = ks[j]
			}
		}
	})
	b.Run("keys.Sort", func(b *testing.B) {
		for b.Loop() {
			copy(work, ks)
			keys.Sort(work)
		}
	})
	if !slices.IsSortedFunc(work, keys.Compare) {
		b.Fatal("not sorted")
	}
}
