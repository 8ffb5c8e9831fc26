package framectx

import (
	"context"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/adapters/lineage"
	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// benchFrame is a frame of n rows and 100 columns with frame context,
// context on every column and, when rowEntries > 0, that many row entries
// and as many cell entries spread over the rows.
func benchFrame(n, rowEntries int) (Input, []contextstore.Entry) {
	cols := make([]string, 100)
	for i := range cols {
		cols[i] = "col" + strconv.Itoa(i)
	}
	in := Input{FrameID: "big", Shape: Shape{Columns: cols, Rows: n}}
	entries := []contextstore.Entry{{Key: keys.Frame("big"), Value: contextstore.Value{"title": "bench"}}}
	for i, c := range cols {
		entries = append(entries, contextstore.Entry{Key: keys.Column("big", c), Value: contextstore.Value{"unit": "u", "i": int64(i)}})
	}
	if rowEntries > 0 {
		stride := n / rowEntries
		for i := 0; i < rowEntries; i++ {
			row := i * stride
			entries = append(entries,
				contextstore.Entry{Key: keys.Row("big", row), Value: contextstore.Value{"flag": int64(i)}},
				contextstore.Entry{Key: keys.Cell("big", row, cols[i%len(cols)]), Value: contextstore.Value{"q": int64(i)}})
		}
	}
	// As contextstore.ReadFrame returns them.
	slices.SortFunc(entries, func(a, b contextstore.Entry) int { return keys.Compare(a.Key, b.Key) })
	return in, entries
}

func reversed(n int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = n - 1 - i
	}
	return idx
}

func benchPlan(b *testing.B, c Change, entries []contextstore.Entry, perEntry int) {
	b.Helper()
	inputs := [][]contextstore.Entry{entries}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := PlanChange(c, inputs, entries); err != nil {
			b.Fatal(err)
		}
	}
	if perEntry > 0 {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(perEntry), "ns/entry")
	}
}

// BenchmarkPlanColumnsOnly plans operations on frames with frame and 100
// column entries and no row or cell entries: the cost must not depend on
// the row count. The filter's mapping is lazy and would allocate n ints if
// it were ever built.
func BenchmarkPlanColumnsOnly(b *testing.B) {
	for _, n := range []int{1_000, 1_000_000} {
		in, entries := benchFrame(n, 0)
		perm := reversed(n)
		b.Run("rename/rows="+strconv.Itoa(n), func(b *testing.B) {
			c, _ := RenameChange(in, "big", map[string]string{"col7": "seven"})
			benchPlan(b, c, entries, 0)
		})
		b.Run("filter/rows="+strconv.Itoa(n), func(b *testing.B) {
			rows := LazyRows(n/2, func() (RowMapping, error) { return IndexRows(make([]int, n/2)), nil })
			c, _ := RowsChange(in, "big", rows, "filter", lineage.SubtypeFilter, "col0")
			benchPlan(b, c, entries, 0)
		})
		b.Run("sort/rows="+strconv.Itoa(n), func(b *testing.B) {
			c, _ := RowsChange(in, "big", IndexRows(perm), "sort", lineage.SubtypeSort, "col0")
			benchPlan(b, c, entries, 0)
		})
		b.Run("select-new-frame/rows="+strconv.Itoa(n), func(b *testing.B) {
			c, _ := SelectChange(in, "small", in.Shape.Columns[:50])
			benchPlan(b, c, entries, 0)
		})
	}
}

// BenchmarkPlanRowEntries plans operations on frames with 10k row and 10k
// cell entries, reporting the cost per entry: slice and rename follow the
// entries; sort and filter by index also read their index slice once.
func BenchmarkPlanRowEntries(b *testing.B) {
	const rowEntries = 10_000
	for _, n := range []int{100_000, 1_000_000} {
		in, entries := benchFrame(n, rowEntries)
		perm := reversed(n)
		entriesTouched := 2 * rowEntries
		b.Run("rename/rows="+strconv.Itoa(n), func(b *testing.B) {
			c, _ := RenameChange(in, "big", map[string]string{"col7": "seven"})
			benchPlan(b, c, entries, entriesTouched)
		})
		b.Run("slice/rows="+strconv.Itoa(n), func(b *testing.B) {
			c, _ := RowsChange(in, "big", SliceRows(0, 1, n-1), "slice", lineage.SubtypeFilter)
			benchPlan(b, c, entries, entriesTouched)
		})
		b.Run("sort/rows="+strconv.Itoa(n), func(b *testing.B) {
			c, _ := RowsChange(in, "big", IndexRows(perm), "sort", lineage.SubtypeSort, "col0")
			benchPlan(b, c, entries, entriesTouched)
		})
	}
}

// BenchmarkCommitColumnsOnly compares Propagate of an in-place rename on
// the in-memory store with the raw store work it cannot avoid: reading the
// frame and applying the same batch by hand.
func BenchmarkCommitColumnsOnly(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{1_000, 1_000_000} {
		in, entries := benchFrame(n, 0)
		setup := func(b *testing.B) *contextstore.MemoryStore {
			s := contextstore.NewMemoryStore()
			require.NoError(b, contextstore.SetMany(ctx, s, entries))
			return s
		}
		b.Run("raw/rows="+strconv.Itoa(n), func(b *testing.B) {
			s := setup(b)
			names := [2]string{"col7", "seven"}
			b.ReportAllocs()
			for b.Loop() {
				es, err := contextstore.ReadFrame(ctx, s, "big")
				require.NoError(b, err)
				var v contextstore.Value
				for _, e := range es {
					if e.Key == keys.Column("big", names[0]) {
						v = e.Value
					}
				}
				ms := []contextstore.Mutation{
					contextstore.Remove(keys.Column("big", names[0])),
					contextstore.Put(keys.Column("big", names[1]), v),
				}
				require.NoError(b, contextstore.Apply(ctx, s, ms))
				names[0], names[1] = names[1], names[0]
			}
		})
		b.Run("propagate/rows="+strconv.Itoa(n), func(b *testing.B) {
			s := setup(b)
			there, _ := RenameChange(in, "big", map[string]string{"col7": "seven"})
			shape := in.Shape
			shape.Columns = append([]string(nil), shape.Columns...)
			shape.Columns[7] = "seven"
			back, _ := RenameChange(Input{FrameID: "big", Shape: shape}, "big", map[string]string{"seven": "col7"})
			changes := [2]Change{there, back}
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Propagate(ctx, s, changes[i%2]); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
