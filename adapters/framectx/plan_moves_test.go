package framectx

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore"
)

// Planning moved rows by row gives exactly the plan of the general
// planner: the same mutations and notes, for filters, sorts, subsets with
// repeats and gaps, slices and heads, over row entries with and without
// state marks, dense and sparse cells, and stale entries past the rows or
// of columns the frame lacks.
func TestMovedRowsPlanTheSame(t *testing.T) {
	shape := passthroughShape
	in := Input{FrameID: "f", Shape: shape}
	rng := rand.New(rand.NewPCG(5, 6))
	mappings := func() map[string]RowMapping {
		perm := rng.Perm(shape.Rows)
		var kept []int
		for r := range shape.Rows {
			if rng.IntN(2) == 0 {
				kept = append(kept, r)
			}
		}
		repeats := make([]int, shape.Rows+7)
		for i := range repeats {
			repeats[i] = rng.IntN(shape.Rows)
		}
		gaps := slices.Clone(perm)
		for i := range gaps {
			if rng.IntN(4) == 0 {
				gaps[i] = -1
			}
		}
		return map[string]RowMapping{
			"sort":            IndexRows(perm),
			"filter":          IndexRows(kept),
			"subset repeats":  IndexRows(repeats),
			"with gaps":       IndexRows(gaps),
			"slice":           SliceRows(0, 5, 20),
			"head":            SameRows(30),
			"nothing kept":    IndexRows([]int{}),
			"lazy sort":       LazyRows(shape.Rows, func() (RowMapping, error) { return IndexRows(perm), nil }),
			"identity by idx": IndexRows(identityIndex(shape.Rows)),
		}
	}
	for seed := range 30 {
		entries := movedEntries(rng, seed, []int{1, 3, 20}[seed%3])
		for name, m := range mappings() {
			c := Change{Inputs: []Input{in}, Output: "f", Columns: columnsCarried(shape.Columns), Rows: m, Operation: name}
			require.True(t, movesOnly(c), name)
			_, ok, err := planMoved(c, entries)
			require.NoError(t, err)
			require.True(t, ok, "%s is planned by row", name)

			planMoves = false
			want, err := PlanChange(c, [][]contextstore.Entry{entries}, entries)
			planMoves = true
			require.NoError(t, err)
			got, err := PlanChange(c, [][]contextstore.Entry{entries}, entries)
			require.NoError(t, err)
			require.Equal(t, want.Mutations, got.Mutations, "%s, seed %d: mutations", name, seed)
			require.Equal(t, want.Notes, got.Notes, "%s, seed %d: notes", name, seed)
		}
	}
	for name, c := range map[string]Change{
		"a new frame":      {Inputs: []Input{in}, Output: "g", Columns: columnsCarried(shape.Columns), Rows: SameRows(10)},
		"a renamed column": {Inputs: []Input{in}, Output: "f", Columns: []OutputColumn{Renamed(0, "a", "x"), Carried(0, "b"), Carried(0, "c")}, Rows: SameRows(10)},
		"a dropped column": {Inputs: []Input{in}, Output: "f", Columns: columnsCarried([]string{"a", "b"}), Rows: SameRows(10)},
		"groups":           {Inputs: []Input{in}, Output: "f", Columns: columnsCarried(shape.Columns), Groups: oneGroup{}},
	} {
		require.False(t, movesOnly(c), name)
	}
}

func identityIndex(n int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return idx
}

// movedEntries is passthroughEntries keeping one row or cell entry in
// density, on average: dense or sparse levels.
func movedEntries(rng *rand.Rand, seed, density int) []contextstore.Entry {
	var entries []contextstore.Entry
	for _, e := range passthroughEntries(rng, seed) {
		if !e.Key.HasRow() || rng.IntN(density) == 0 {
			entries = append(entries, e)
		}
	}
	return entries
}

// oneGroup is the grouping of rows 0 and 1 into one.
type oneGroup struct{}

func (oneGroup) Len() int              { return 1 }
func (oneGroup) Members(out int) []int { return []int{0, 1} }

// On a store that remaps on its side, an in-place change that only moves
// rows leaves the store exactly as planning every moved row does, for a
// change known before reading and for one the step makes from what it
// reads; the rows move on the store's side, not through the plan.
func TestRemapLeavesTheStoreAsPlanning(t *testing.T) {
	ctx := context.Background()
	shape := passthroughShape
	in := Input{FrameID: "f", Shape: shape}
	rng := rand.New(rand.NewPCG(7, 8))
	load := func(entries []contextstore.Entry) *contextstore.MemoryStore {
		s := contextstore.NewMemoryStore()
		require.NoError(t, contextstore.SetMany(ctx, s, entries))
		return s
	}
	for seed := range 12 {
		entries := movedEntries(rng, seed, []int{1, 2, 20}[seed%3])
		perm := rng.Perm(shape.Rows)
		var kept []int
		for r := range shape.Rows {
			if rng.IntN(3) > 0 {
				kept = append(kept, r)
			}
		}
		for name, m := range map[string]RowMapping{
			"sort": IndexRows(perm), "filter": IndexRows(kept), "slice": SliceRows(0, 3, 30),
			"repeats": IndexRows(append(slices.Clone(kept), kept...)), "nothing kept": IndexRows([]int{}),
		} {
			c := Change{Inputs: []Input{in}, Output: "f", Columns: columnsCarried(shape.Columns), Rows: m, Operation: name}
			step := func([][]contextstore.Entry) (Change, error) { return c, nil }

			planned := load(entries)
			planRemaps = false
			want, _, err := commitChange(ctx, planned, readsOf(c), "f", step, true)
			planRemaps = true
			require.NoError(t, err)
			wantEntries, err := contextstore.ReadFrame(ctx, planned, "f")
			require.NoError(t, err)

			for _, known := range []bool{true, false} {
				remapped := load(entries)
				got, _, err := commitChange(ctx, remapped, readsOf(c), "f", step, known)
				require.NoError(t, err)
				gotEntries, err := contextstore.ReadFrame(ctx, remapped, "f")
				require.NoError(t, err)
				require.Equal(t, wantEntries, gotEntries, "%s, seed %d, known %v: the store after the change", name, seed, known)
				require.Equal(t, want.Notes, got.Notes, "%s, seed %d: notes", name, seed)
				for _, m := range got.Mutations {
					require.False(t, m.Key.HasRow(), "%s: the plan writes %s, which the store remaps", name, m.Key)
				}
				if len(want.Mutations) > 0 {
					require.Positive(t, got.Written(), "%s: the remap wrote something", name)
				}
				// The reserved rows moved with their rows.
				marked, err := contextstore.ReadSubset(ctx, remapped, "f", contextstore.Subset{RowsWith: StateField})
				require.NoError(t, err)
				require.Equal(t, contextstore.Subset{RowsWith: StateField}.Filter(gotEntries), marked.Entries, "%s: marked rows after the remap", name)
			}
		}
	}
}
