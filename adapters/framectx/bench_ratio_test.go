package framectx

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/adapters/lineage"
	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// The benchmarks below alternate the two things they compare inside one
// loop, so a shared, busy machine slows both alike and the reported ratio
// stays meaningful.

// BenchmarkRatioRowCount plans a filter (lazy mapping) and a sort (index
// mapping) on a 1M-row and a 1k-row frame with frame and 100 column entries
// and no row entries, alternating; "x1M/1k" is the ratio of their costs.
func BenchmarkRatioRowCount(b *testing.B) {
	small, smallEntries := benchFrame(1_000, 0)
	big, bigEntries := benchFrame(1_000_000, 0)
	smallPerm, bigPerm := reversed(1_000), reversed(1_000_000)
	for _, op := range []string{"filter", "sort"} {
		b.Run(op, func(b *testing.B) {
			change := func(in Input, perm []int) Change {
				n := in.Shape.Rows
				rows := RowMapping(IndexRows(perm))
				if op == "filter" {
					rows = LazyRows(n/2, func() (RowMapping, error) { return IndexRows(make([]int, n/2)), nil })
				}
				c, _ := RowsChange(in, in.FrameID, rows, op, lineage.SubtypeFilter, "col0")
				return c
			}
			cs := [2]Change{change(small, smallPerm), change(big, bigPerm)}
			es := [2][]contextstore.Entry{smallEntries, bigEntries}
			var spent [2]time.Duration
			b.ReportAllocs()
			for b.Loop() {
				for i := range cs {
					start := time.Now()
					if _, err := PlanChange(cs[i], [][]contextstore.Entry{es[i]}, es[i]); err != nil {
						b.Fatal(err)
					}
					spent[i] += time.Since(start)
				}
			}
			b.ReportMetric(float64(spent[0].Nanoseconds())/float64(b.N), "ns/plan-1k")
			b.ReportMetric(float64(spent[1].Nanoseconds())/float64(b.N), "ns/plan-1M")
			b.ReportMetric(float64(spent[1])/float64(spent[0]), "x1M/1k")
		})
	}
}

// BenchmarkRatioRowEntries plans a slice and a sort of frames with 10k row
// and 10k cell entries at 100k and 1M rows, alternating: "x1M/100k" compares
// them and ns/entry divides by the 20k entries touched.
func BenchmarkRatioRowEntries(b *testing.B) {
	const rowEntries = 10_000
	for _, op := range []string{"slice", "sort"} {
		b.Run(op, func(b *testing.B) {
			var cs [2]Change
			var es [2][]contextstore.Entry
			for i, n := range []int{100_000, 1_000_000} {
				in, entries := benchFrame(n, rowEntries)
				rows := RowMapping(SliceRows(0, 1, n-1))
				if op == "sort" {
					rows = IndexRows(reversed(n))
				}
				cs[i], _ = RowsChange(in, "big", rows, op, lineage.SubtypeSort)
				es[i] = entries
			}
			var spent [2]time.Duration
			b.ReportAllocs()
			for b.Loop() {
				for i := range cs {
					start := time.Now()
					if _, err := PlanChange(cs[i], [][]contextstore.Entry{es[i]}, es[i]); err != nil {
						b.Fatal(err)
					}
					spent[i] += time.Since(start)
				}
			}
			perEntry := func(d time.Duration) float64 {
				return float64(d.Nanoseconds()) / float64(b.N) / float64(2*rowEntries)
			}
			b.ReportMetric(perEntry(spent[0]), "ns/entry-100k")
			b.ReportMetric(perEntry(spent[1]), "ns/entry-1M")
			b.ReportMetric(float64(spent[1])/float64(spent[0]), "x1M/100k")
		})
	}
}

// BenchmarkRatioPropagateVsRaw renames a column in place on the in-memory
// store two ways, alternating: Propagate (read, plan, apply) and the raw
// store calls that do the same by hand (ReadFrame, then Apply of a delete
// and a put). "xraw" is Propagate's cost over the raw one.
func BenchmarkRatioPropagateVsRaw(b *testing.B) {
	ctx := context.Background()
	in, entries := benchFrame(1_000_000, 0)
	s := contextstore.NewMemoryStore()
	require.NoError(b, contextstore.SetMany(ctx, s, entries))
	renamed := in.Shape
	renamed.Columns = append([]string(nil), in.Shape.Columns...)
	renamed.Columns[7] = "seven"
	there, _ := RenameChange(in, "big", map[string]string{"col7": "seven"})
	back, _ := RenameChange(Input{FrameID: "big", Shape: renamed}, "big", map[string]string{"seven": "col7"})
	raw := func(from, to string) {
		es, err := contextstore.ReadFrame(ctx, s, "big")
		require.NoError(b, err)
		var v contextstore.Value
		for _, e := range es {
			if e.Key == keys.Column("big", from) {
				v = e.Value
			}
		}
		ms := []contextstore.Mutation{contextstore.Remove(keys.Column("big", from)), contextstore.Put(keys.Column("big", to), v)}
		require.NoError(b, contextstore.Apply(ctx, s, ms))
	}
	var spentRaw, spentProp time.Duration
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		raw("col7", "seven")
		raw("seven", "col7")
		spentRaw += time.Since(start)
		start = time.Now()
		if _, err := Propagate(ctx, s, there); err != nil {
			b.Fatal(err)
		}
		if _, err := Propagate(ctx, s, back); err != nil {
			b.Fatal(err)
		}
		spentProp += time.Since(start)
	}
	b.ReportMetric(float64(spentRaw.Nanoseconds())/float64(2*b.N), "ns/raw")
	b.ReportMetric(float64(spentProp.Nanoseconds())/float64(2*b.N), "ns/propagate")
	b.ReportMetric(float64(spentProp)/float64(spentRaw), "xraw")
}
