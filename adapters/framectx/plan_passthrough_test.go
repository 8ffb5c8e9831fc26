package framectx

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/adapters/lineage"
	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// planWithout plans c without leaving anything out.
func planWithout(t *testing.T, c Change, entries []contextstore.Entry) *Plan {
	t.Helper()
	planPassthrough = false
	defer func() { planPassthrough = true }()
	p, err := PlanChange(c, [][]contextstore.Entry{entries}, entries)
	require.NoError(t, err)
	return p
}

// Leaving out what passes through gives exactly the plan made without:
// the same mutations and notes, for every kind of in-place change that
// keeps its rows (renames, selections, copies, replacements), over row
// entries with and without state marks, cells of every column, and stale
// entries past the rows or of columns the frame lacks.
func TestPassthroughPlansTheSame(t *testing.T) {
	shape := Shape{Columns: []string{"a", "b", "c"}, Rows: 40}
	in := Input{FrameID: "f", Shape: shape}
	changes := map[string][]OutputColumn{
		"rename":           {Renamed(0, "a", "x"), Carried(0, "b"), Carried(0, "c")},
		"select":           {Carried(0, "c"), Carried(0, "a")},
		"drop":             {Carried(0, "a"), Carried(0, "b")},
		"copy":             {Carried(0, "a"), Carried(0, "b"), Carried(0, "c"), Renamed(0, "a", "a2")},
		"replace":          {Carried(0, "a"), Replaced(0, "b", lineage.Direct(lineage.SubtypeTransformation, "b*2"), From(0, "b")), Carried(0, "c")},
		"swap names":       {Renamed(0, "a", "b"), Renamed(0, "b", "a"), Carried(0, "c")},
		"merge into one":   {Merged("a", From(0, "a"), From(0, "b")), Carried(0, "c")},
		"identity":         {Carried(0, "a"), Carried(0, "b"), Carried(0, "c")},
		"keep and derived": {Carried(0, "a"), Carried(0, "b"), Carried(0, "c"), Derived("d", lineage.Direct(lineage.SubtypeTransformation, "a+1"), From(0, "a"))},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for seed := range 20 {
		var entries []contextstore.Entry
		entries = append(entries, contextstore.Entry{Key: keys.Frame("f"), Value: contextstore.Value{"title": "t"}})
		for _, col := range []string{"a", "b", "c", "gone"} {
			entries = append(entries, contextstore.Entry{Key: keys.Column("f", col), Value: contextstore.Value{"unit": col}})
		}
		for r := range 50 { // rows 40..49 are past the frame's end
			switch rng.IntN(4) {
			case 0:
				entries = append(entries, contextstore.Entry{Key: keys.Row("f", r), Value: contextstore.Value{"qc": "ok"}})
			case 1:
				entries = append(entries, contextstore.Entry{Key: keys.Row("f", r), Value: contextstore.Value{"qc": "bad", StateField: true}})
			case 2:
				entries = append(entries, contextstore.Entry{Key: keys.Row("f", r), Value: contextstore.Value{"qc": "x", "n": int64(r), StateField: []any{"n"}}})
			}
			for _, col := range []string{"a", "b", "c", "gone"} {
				if rng.IntN(3) == 0 {
					entries = append(entries, contextstore.Entry{Key: keys.Cell("f", r, col), Value: contextstore.Value{"q": int64(seed)}})
				}
			}
		}
		slices.SortFunc(entries, func(x, y contextstore.Entry) int { return keys.Compare(x.Key, y.Key) })
		for name, cols := range changes {
			c := Change{Inputs: []Input{in}, Output: "f", Columns: cols, Rows: SameRows(shape.Rows), Operation: name}
			want := planWithout(t, c, entries)
			got, err := PlanChange(c, [][]contextstore.Entry{entries}, entries)
			require.NoError(t, err)
			require.Equal(t, want.Mutations, got.Mutations, "%s, seed %d: mutations", name, seed)
			require.Equal(t, want.Notes, got.Notes, "%s, seed %d: notes", name, seed)
		}
	}
	require.NotNil(t, passthroughOf(Change{Inputs: []Input{in}, Output: "f", Rows: SameRows(shape.Rows)}), "an in-place change keeping its rows passes through")
	require.Nil(t, passthroughOf(Change{Inputs: []Input{in}, Output: "g", Rows: SameRows(shape.Rows)}), "a new frame does not")
	require.Nil(t, passthroughOf(Change{Inputs: []Input{in}, Output: "f", Rows: IndexRows([]int{1, 0})}), "moving rows does not")
}
