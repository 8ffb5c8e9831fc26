package arrow

import (
	"context"
	"runtime"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// BenchmarkRowContextAtScale is issue #14's Arrow case: a 1M-row record
// carrying one row entry per row, in place on the memory store, each run
// on a record bound afresh: Slice (every row moves up one), Filter (every
// other row) and Take (every row, reversed). "raw" is the same call on the
// bare record; the floor of the re-keying is gota's BenchmarkRekeyFloor
// (a Go map of 1M values moved by row: 0.17–0.40 s).
func BenchmarkRowContextAtScale(b *testing.B) {
	const n = 1_000_000
	ctx := context.Background()
	rec := benchRecord(b, n)
	defer rec.Release()
	mb := array.NewBooleanBuilder(memory.DefaultAllocator)
	for i := range n {
		mb.Append(i%2 == 0)
	}
	mask := mb.NewBooleanArray()
	defer mask.Release()
	reversed := make([]int, n)
	for i := range reversed {
		reversed[i] = n - 1 - i
	}
	es := make([]contextstore.Entry, n)
	for i := range es {
		es[i] = contextstore.Entry{Key: keys.Row("bench", i), Value: contextstore.Value{"flag": "checked", "row": int64(i)}}
	}
	for _, op := range []struct {
		name string
		op   Op
	}{
		{"Slice", Slice(1, n)},
		{"Filter", Filter(mask)},
		{"Take", Take(reversed...)},
	} {
		b.Run(op.name, func(b *testing.B) {
			b.ReportAllocs()
			written := 0
			for b.Loop() {
				b.StopTimer()
				store := contextstore.NewMemoryStore()
				require.NoError(b, contextstore.SetMany(ctx, store, es))
				r, err := NewRecord(ctx, store, "bench", rec, nil)
				require.NoError(b, err)
				runtime.GC()
				b.StartTimer()
				rep, err := r.Apply(ctx, op.op)
				b.StopTimer()
				require.NoError(b, err)
				written += rep.Written
				r.Release()
				b.StartTimer()
			}
			b.ReportMetric(float64(written)/float64(b.N), "entries-written/op")
		})
	}
}
