package arrow

import (
	"context"
	"runtime"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/contextstore"
)

// costRecord is an n-row record of one int64 column, built in one go.
func costRecord(n int) arrow.Record {
	b := array.NewInt64Builder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(make([]int64, n), nil)
	col := b.NewArray()
	defer col.Release()
	schema := arrow.NewSchema([]arrow.Field{{Name: "v", Type: arrow.PrimitiveTypes.Int64}}, nil)
	return array.NewRecord(schema, []arrow.Array{col}, int64(n))
}

// cost is what one run of an operation allocates: how many times and how
// many bytes.
type cost struct {
	allocs float64
	bytes  uint64
}

// costOf measures one run of op on an n-row record with frame and column
// context and no row or cell context.
func costOf(t *testing.T, n int, op func(ctx context.Context, r *Record, i int) error) cost {
	t.Helper()
	ctx := context.Background()
	rec := costRecord(n)
	defer rec.Release()
	r, err := NewRecord(ctx, contextstore.NewMemoryStore(), "cost", rec, nil)
	require.NoError(t, err)
	defer r.Release()
	require.NoError(t, r.Set(ctx, framectx.FrameRef(), v("title", "cost")))
	require.NoError(t, r.Set(ctx, framectx.ColumnRef("v"), v("unit", "m")))
	i := 0
	run := func() {
		require.NoError(t, op(ctx, r, i))
		i++
	}
	allocs := testing.AllocsPerRun(20, run)
	const runs = 20
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range runs {
		run()
	}
	runtime.ReadMemStats(&after)
	return cost{allocs: allocs, bytes: (after.TotalAlloc - before.TotalAlloc) / runs}
}

// Slice and Rename must not do work per row when there is no row or cell
// context: they allocate as often at 1M rows as at 1k, and no more bytes
// give or take a page (work per row would be megabytes). Time is measured
// by BenchmarkSlice and BenchmarkRename, never asserted.
func TestSliceAndRenameCostDoesNotGrowWithRows(t *testing.T) {
	ops := map[string]func(ctx context.Context, r *Record, i int) error{
		"slice in place": func(ctx context.Context, r *Record, _ int) error {
			_, err := r.Apply(ctx, Slice(0, int64(r.Shape().Rows)))
			return err
		},
		"slice new frame": func(ctx context.Context, r *Record, _ int) error {
			out, _, err := r.Derive(ctx, "cost.out", Slice(1, int64(r.Shape().Rows)))
			if err == nil {
				out.Release()
			}
			return err
		},
		"rename in place": func(ctx context.Context, r *Record, i int) error {
			names := [2]string{"v", "w"}
			_, err := r.Apply(ctx, Rename(names[i%2], names[(i+1)%2]))
			return err
		},
		"rename new frame": func(ctx context.Context, r *Record, _ int) error {
			out, _, err := r.Derive(ctx, "cost.out", Rename("v", "w"))
			if err == nil {
				out.Release()
			}
			return err
		},
	}
	for name, op := range ops {
		small, large := costOf(t, 1_000, op), costOf(t, 1_000_000, op)
		if small.allocs != large.allocs || large.bytes > small.bytes+4096 {
			t.Errorf("%s: %+v at 1k rows, %+v at 1M", name, small, large)
		}
	}
}
