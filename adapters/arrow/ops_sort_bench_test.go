package arrow

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/go-gota/gota/dataframe"
	"github.com/go-gota/gota/series"
	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// BenchmarkSort sorts 1M rows by a float64 key (with ties) and a string
// key, against the floor (slices.SortStableFunc over the same values,
// computing only the permutation) and gota's Arrange of the same data, in
// one run. Per-row figures: ns/op ÷ 1M.
func BenchmarkSort(b *testing.B) {
	const rows = 1_000_000
	rng := rand.New(rand.NewPCG(1, 2))
	xs := make([]float64, rows)
	ss := make([]string, rows)
	for i := range xs {
		xs[i] = float64(rng.IntN(1000)) / 10
		ss[i] = fmt.Sprintf("station-%06d", rng.IntN(100000))
	}
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "x", Type: arrow.PrimitiveTypes.Float64},
		{Name: "s", Type: arrow.BinaryTypes.String},
		{Name: "v", Type: arrow.PrimitiveTypes.Int64},
	}, nil)
	rb := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	rb.Field(0).(*array.Float64Builder).AppendValues(xs, nil)
	rb.Field(1).(*array.StringBuilder).AppendValues(ss, nil)
	for i := range rows {
		rb.Field(2).(*array.Int64Builder).Append(int64(i))
	}
	rec := rb.NewRecord()
	rb.Release()
	defer rec.Release()
	ctx := context.Background()

	b.Run("floor/slices.SortStableFunc", func(b *testing.B) {
		perm := make([]int, rows)
		for b.Loop() {
			for i := range perm {
				perm[i] = i
			}
			slices.SortStableFunc(perm, func(p, q int) int {
				if c := cmp.Compare(xs[p], xs[q]); c != 0 {
					return c
				}
				return cmp.Compare(ss[p], ss[q])
			})
		}
	})
	for _, rowEntries := range []int{0, 10_000} {
		b.Run(fmt.Sprintf("ctxframe/row-entries=%d", rowEntries), func(b *testing.B) {
			store := contextstore.NewMemoryStore()
			es := []contextstore.Entry{{Key: keys.Frame("s"), Value: contextstore.Value{"title": "bench"}}}
			for _, f := range sc.Fields() {
				es = append(es, contextstore.Entry{Key: keys.Column("s", f.Name), Value: contextstore.Value{"unit": "u"}})
			}
			for i := range rowEntries {
				es = append(es, contextstore.Entry{Key: keys.Row("s", i*(rows/rowEntries)), Value: contextstore.Value{"q": "ok"}})
			}
			require.NoError(b, contextstore.SetMany(ctx, store, es))
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				r, err := NewRecord(ctx, store, "s", rec, nil)
				require.NoError(b, err)
				b.StartTimer()
				if _, err := r.Apply(ctx, Sort(Asc("x"), Asc("s"))); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				r.Release()
				// Put the context back where it was for the next round.
				require.NoError(b, contextstore.DropFrame(ctx, store, "s"))
				require.NoError(b, contextstore.SetMany(ctx, store, es))
				b.StartTimer()
			}
		})
	}
	b.Run("raw-gota/Arrange", func(b *testing.B) {
		df := dataframe.New(series.New(xs, series.Float, "x"), series.New(ss, series.String, "s"))
		for b.Loop() {
			if out := df.Arrange(dataframe.Sort("x"), dataframe.Sort("s")); out.Err != nil {
				b.Fatal(out.Err)
			}
		}
	})
}
