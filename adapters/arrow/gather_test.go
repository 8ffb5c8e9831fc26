package arrow

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/compute"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// byteColumns builds one column of each string and binary type with
// nulls, empty values and multi-byte text, rows rows long.
func byteColumns(mem memory.Allocator, rows int) []arrow.Array {
	value := func(i int) string {
		if i%7 == 0 {
			return ""
		}
		return fmt.Sprintf("välue-%d-%s", i, strings.Repeat("x", i%5))
	}
	var cols []arrow.Array
	for _, dt := range []arrow.DataType{arrow.BinaryTypes.String, arrow.BinaryTypes.LargeString, arrow.BinaryTypes.Binary, arrow.BinaryTypes.LargeBinary} {
		b := array.NewBuilder(mem, dt)
		for i := range rows {
			if i%5 == 3 {
				b.AppendNull()
				continue
			}
			switch b := b.(type) {
			case *array.StringBuilder:
				b.Append(value(i))
			case *array.LargeStringBuilder:
				b.Append(value(i))
			case *array.BinaryBuilder:
				b.Append([]byte(value(i)))
			}
		}
		cols = append(cols, b.NewArray())
		b.Release()
	}
	return cols
}

// gather returns what arrow's take kernel returns, for every string and
// binary type, with nulls, repeats, any order, an empty selection and a
// sliced input; the fixed-width types go to the kernel itself.
func TestGatherMatchesTheTakeKernel(t *testing.T) {
	ctx := context.Background()
	mem := checkedAlloc(t)
	cols := byteColumns(mem, 50)
	defer releaseArrays(cols)
	ints := array.NewInt64Builder(mem)
	for i := range 50 {
		ints.Append(int64(i * i))
	}
	intCol := ints.NewArray()
	ints.Release()
	defer intCol.Release()

	selections := [][]int{{}, {0}, {49, 0, 3, 3, 7, 21, 14, 48}, {3, 8, 13}}
	for _, col := range append(cols, intCol) {
		sliced := array.NewSlice(col, 5, 45)
		for _, in := range []arrow.Array{col, sliced} {
			for _, idx := range selections {
				idx = inRange(idx, in.Len())
				got, err := gather(ctx, mem, in, idx)
				require.NoError(t, err)
				ix := indexArray(mem, idx)
				want, err := compute.TakeArray(compute.WithAllocator(ctx, mem), in, ix)
				require.NoError(t, err)
				assert.True(t, array.Equal(want, got), "%s, offset %d, rows %v:\n got %v\nwant %v", in.DataType(), in.Data().Offset(), idx, got, want)
				assert.Equal(t, want.NullN(), got.NullN())
				got.Release()
				want.Release()
				ix.Release()
			}
		}
		sliced.Release()
	}
}

// floorSink keeps the floor's buffers observable, so the copy is not
// optimised away.
var floorSink int

func inRange(idx []int, n int) []int {
	out := make([]int, 0, len(idx))
	for _, i := range idx {
		out = append(out, i%n)
	}
	return out
}

// BenchmarkGather: docs/PERFORMANCE.md, "Arrow Take". Reversing every row
// of a utf8 column: gather against the floor (copying the same bytes into
// buffers sized once, no Arrow at all) and, at 100k rows, arrow/go's take
// kernel, which is quadratic on it.
func BenchmarkGather(b *testing.B) {
	ctx := context.Background()
	for _, rows := range []int{100_000, 1_000_000} {
		mem := memory.NewGoAllocator()
		cols := byteColumns(mem, rows)
		defer releaseArrays(cols)
		col := cols[0].(*array.String)
		idx := make([]int, rows)
		for i := range idx {
			idx[i] = rows - 1 - i
		}
		b.Run(fmt.Sprintf("rows=%d/gather", rows), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				out, err := gather(ctx, mem, col, idx)
				if err != nil {
					b.Fatal(err)
				}
				out.Release()
			}
		})
		b.Run(fmt.Sprintf("rows=%d/floor", rows), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				size := 0
				for _, i := range idx {
					size += col.ValueLen(i)
				}
				data, offsets := make([]byte, 0, size), make([]int32, 1, len(idx)+1)
				for _, i := range idx {
					data = append(data, col.Value(i)...)
					offsets = append(offsets, int32(len(data)))
				}
				floorSink = len(data) + len(offsets)
			}
		})
		if rows <= 100_000 {
			b.Run(fmt.Sprintf("rows=%d/kernel", rows), func(b *testing.B) {
				b.ReportAllocs()
				ix := indexArray(mem, idx)
				defer ix.Release()
				for b.Loop() {
					out, err := compute.TakeArray(ctx, col, ix)
					if err != nil {
						b.Fatal(err)
					}
					out.Release()
				}
			})
		}
	}
}
