package arrow

import (
	"context"
	"strconv"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/contextstore"
)

// benchRows are the sizes Slice and Rename are measured at: their cost with
// frame and column context (and no row or cell context) must not depend on
// the number of rows.
var benchRows = []int{1_000, 1_000_000}

// benchRecord builds a record of n rows and three numeric columns.
func benchRecord(b *testing.B, n int) arrow.Record {
	b.Helper()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "a", Type: arrow.PrimitiveTypes.Int64},
		{Name: "b", Type: arrow.PrimitiveTypes.Float64},
		{Name: "c", Type: arrow.PrimitiveTypes.Int64},
	}, nil)
	rb := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer rb.Release()
	for i := range n {
		rb.Field(0).(*array.Int64Builder).Append(int64(i))
		rb.Field(1).(*array.Float64Builder).Append(float64(i) / 3)
		rb.Field(2).(*array.Int64Builder).Append(int64(n - i))
	}
	return rb.NewRecord()
}

// benchBound binds rec with frame context and context on every column.
func benchBound(b *testing.B, rec arrow.Record) *Record {
	b.Helper()
	ctx := context.Background()
	store := contextstore.NewMemoryStore()
	r, err := NewRecord(ctx, store, "bench", rec, nil)
	require.NoError(b, err)
	must := func(err error) {
		require.NoError(b, err)
	}
	must(r.Set(ctx, framectx.FrameRef(), contextstore.Value{"title": "bench", "owner": "perf"}))
	for _, c := range []string{"a", "b", "c"} {
		must(r.Set(ctx, framectx.ColumnRef(c), contextstore.Value{"unit": "u", "desc": "column " + c}))
	}
	return r
}

func BenchmarkSlice(b *testing.B) {
	ctx := context.Background()
	for _, n := range benchRows {
		rec := benchRecord(b, n)
		rows := "rows=" + strconv.Itoa(n)
		b.Run("raw/"+rows, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rec.NewSlice(1, int64(n-1)).Release()
			}
		})
		b.Run("context-derive/"+rows, func(b *testing.B) {
			r := benchBound(b, rec)
			defer r.Release()
			b.ReportAllocs()
			for b.Loop() {
				out, _, err := r.Derive(ctx, "bench.slice", Slice(1, int64(n-1)))
				require.NoError(b, err)
				out.Release()
			}
		})
		b.Run("context-inplace/"+rows, func(b *testing.B) {
			r := benchBound(b, rec)
			defer r.Release()
			b.ReportAllocs()
			for b.Loop() {
				// The full range, so the record keeps its size from one
				// iteration to the next; the work is that of any slice.
				if _, err := r.Apply(ctx, Slice(0, int64(n))); err != nil {
					b.Fatal(err)
				}
			}
		})
		rec.Release()
	}
}

func BenchmarkRename(b *testing.B) {
	ctx := context.Background()
	for _, n := range benchRows {
		rec := benchRecord(b, n)
		rows := "rows=" + strconv.Itoa(n)
		b.Run("raw/"+rows, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				fields := rec.Schema().Fields()
				fields[1].Name = "b2"
				md := rec.Schema().Metadata()
				renamed := array.NewRecord(arrow.NewSchema(fields, &md), rec.Columns(), rec.NumRows())
				renamed.Release()
			}
		})
		b.Run("context-derive/"+rows, func(b *testing.B) {
			r := benchBound(b, rec)
			defer r.Release()
			b.ReportAllocs()
			for b.Loop() {
				out, _, err := r.Derive(ctx, "bench.rename", Rename("b", "b2"))
				require.NoError(b, err)
				out.Release()
			}
		})
		b.Run("context-inplace/"+rows, func(b *testing.B) {
			r := benchBound(b, rec)
			defer r.Release()
			names := [2]string{"b", "b2"}
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				// Back and forth, so every iteration moves the column's
				// context (one delete and one set).
				if _, err := r.Apply(ctx, Rename(names[i%2], names[(i+1)%2])); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
		rec.Release()
	}
}
