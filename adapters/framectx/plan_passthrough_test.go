package framectx

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/adapters/framectx/framectxtest"
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
	in := Input{FrameID: "f", Shape: passthroughShape}
	rng := rand.New(rand.NewPCG(1, 2))
	for seed := range 20 {
		entries := passthroughEntries(rng, seed)
		for name, cols := range passthroughChanges() {
			c := Change{Inputs: []Input{in}, Output: "f", Columns: cols, Rows: SameRows(passthroughShape.Rows), Operation: name}
			want := planWithout(t, c, entries)
			got, err := PlanChange(c, [][]contextstore.Entry{entries}, entries)
			require.NoError(t, err)
			require.Equal(t, want.Mutations, got.Mutations, "%s, seed %d: mutations", name, seed)
			require.Equal(t, want.Notes, got.Notes, "%s, seed %d: notes", name, seed)
		}
	}
	require.NotNil(t, passthroughOf(Change{Inputs: []Input{in}, Output: "f", Rows: SameRows(passthroughShape.Rows)}), "an in-place change keeping its rows passes through")
	require.Nil(t, passthroughOf(Change{Inputs: []Input{in}, Output: "g", Rows: SameRows(passthroughShape.Rows)}), "a new frame does not")
	require.Nil(t, passthroughOf(Change{Inputs: []Input{in}, Output: "f", Rows: IndexRows([]int{1, 0})}), "moving rows does not")
}

// passthroughShape is the shape of the frame the passthrough tests plan
// over; their entries go past its rows and name a column it lacks.
var passthroughShape = Shape{Columns: []string{"a", "b", "c"}, Rows: 40}

// passthroughChanges are in-place changes that keep their rows, by name.
func passthroughChanges() map[string][]OutputColumn {
	return map[string][]OutputColumn{
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
}

// passthroughEntries returns a frame's entries, sorted: frame and column
// context, row entries with and without state marks, cells of every column,
// and stale entries past the rows and of a column the frame lacks.
func passthroughEntries(rng *rand.Rand, seed int) []contextstore.Entry {
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
	return entries
}

// A change known before reading reads only what its plan needs, and
// leaves the store exactly as a change that reads the whole frame: for
// every change above, over the same stale entries, on the memory store
// (which serves subsets natively) and on a store that falls back.
func TestKnownChangeReadsOnlyWhatItPlans(t *testing.T) {
	in := Input{FrameID: "f", Shape: passthroughShape}
	rng := rand.New(rand.NewPCG(3, 4))
	for seed := range 8 {
		entries := passthroughEntries(rng, seed)
		for name, cols := range passthroughChanges() {
			c := Change{Inputs: []Input{in}, Output: "f", Columns: cols, Rows: SameRows(passthroughShape.Rows), Operation: name}
			whole, known := contextstore.NewMemoryStore(), newSubsetRecorder()
			for _, s := range []contextstore.Store{whole, known} {
				require.NoError(t, contextstore.SetMany(context.Background(), s, entries))
			}
			step := func([][]contextstore.Entry) (Change, error) { return c, nil }
			_, _, err := commitChange(context.Background(), whole, readsOf(c), "f", step, false)
			require.NoError(t, err)
			var seen []contextstore.Entry
			_, _, err = commitChange(context.Background(), known, readsOf(c), "f", func(es [][]contextstore.Entry) (Change, error) {
				if es != nil {
					seen = es[0]
				}
				return c, nil
			}, true)
			require.NoError(t, err)

			want, err := contextstore.ReadFrame(context.Background(), whole, "f")
			require.NoError(t, err)
			got, err := contextstore.ReadFrame(context.Background(), known, "f")
			require.NoError(t, err)
			require.Equal(t, want, got, "%s, seed %d: the store after the change", name, seed)

			pt := passthroughOf(c)
			require.Equal(t, 1, known.reads, "%s: one subset read", name)
			require.Equal(t, pt.filter(entries), pt.filter(seen), "%s, seed %d: the subset holds everything the plan needs", name, seed)
			for _, e := range seen {
				if pt.passes(e) && e.Key.Kind() == keys.KindRow && pt.rowsAll {
					t.Fatalf("%s: a subset read returned row entry %s, which the change leaves as it is", name, e.Key)
				}
			}
			require.Less(t, len(seen), len(entries), "%s: fewer entries read than the frame holds", name)
		}
	}
	// Without a native subset read the commit falls back to a whole read,
	// with the same result.
	s := framectxtest.NewFailingStore(contextstore.NewMemoryStore())
	c := Change{Inputs: []Input{in}, Output: "f", Columns: passthroughChanges()["rename"], Rows: SameRows(passthroughShape.Rows), Operation: "rename"}
	require.NoError(t, s.Set(context.Background(), keys.Cell("f", 1, "a"), contextstore.Value{"q": int64(1)}))
	_, err := Propagate(context.Background(), s, c)
	require.NoError(t, err)
	got, err := contextstore.ReadFrame(context.Background(), s, "f")
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.Equal(t, keys.Cell("f", 1, "x"), got[0].Key, "the cell moved with its column")
}

// subsetRecorder is a versioned store that counts the subset reads it
// serves (a memory store behind it, without its shared reads).
type subsetRecorder struct {
	contextstore.Store
	mem   *contextstore.MemoryStore
	reads int
}

func newSubsetRecorder() *subsetRecorder {
	mem := contextstore.NewMemoryStore()
	return &subsetRecorder{Store: mem, mem: mem}
}

func (r *subsetRecorder) ReadVersioned(ctx context.Context, frameID string) (contextstore.Snapshot, error) {
	return r.mem.ReadVersioned(ctx, frameID)
}

func (r *subsetRecorder) ApplyIf(ctx context.Context, guards []contextstore.Guard, ms []contextstore.Mutation) ([]contextstore.FrameState, error) {
	return r.mem.ApplyIf(ctx, guards, ms)
}

func (r *subsetRecorder) ReadSubset(ctx context.Context, frameID string, sub contextstore.Subset) (contextstore.Snapshot, error) {
	r.reads++
	return r.mem.ReadSubset(ctx, frameID, sub)
}
