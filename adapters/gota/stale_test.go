package gota

import (
	"context"
	"errors"
	"testing"

	"github.com/go-gota/gota/dataframe"
	"github.com/go-gota/gota/series"
	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

func idFrame() dataframe.DataFrame {
	return dataframe.LoadRecords([][]string{{"id", "v"}, {"a", "3"}, {"b", "1"}, {"c", "2"}})
}

// Two Frames bound to one frame ID stand for two processes: the owner
// changes the layout, the annotator's positional writes go stale.
func TestAnnotatorGoesStaleWhenTheOwnerMovesRows(t *testing.T) {
	ctx := context.Background()
	store := contextstore.NewMemoryStore()
	owner := bind(t, store, "w", idFrame(), ctxMap{"r:0": v("about", "a")})
	annot, err := New(ctx, store, "w", idFrame(), nil)
	require.NoError(t, err)
	if err := annot.Merge(ctx, framectx.RowRef(1), v("about", "b")); err != nil {
		t.Fatalf("a write at the current layout must land: %v", err)
	}
	if _, err := owner.Apply(ctx, Arrange(dataframe.Sort("v"))); err != nil {
		t.Fatal(err)
	}
	if owner.Epoch() == annot.Epoch() {
		t.Fatalf("an arrange must advance the layout epoch (still %d)", owner.Epoch())
	}
	before := allContext(t, store, "w")
	for name, write := range map[string]func() error{
		"Set row":     func() error { return annot.Set(ctx, framectx.RowRef(0), v("about", "a?")) },
		"Merge cell":  func() error { return annot.Merge(ctx, framectx.CellRef(2, "v"), v("q", 1)) },
		"Delete row":  func() error { return annot.Delete(ctx, framectx.RowRef(1)) },
		"Set column":  func() error { return annot.Set(ctx, framectx.ColumnRef("v"), v("unit", "m")) },
		"Apply owner": func() error { _, err := annot.Apply(ctx, Rename("v", "w2")); return err },
	} {
		err := write()
		var se *framectx.StaleError
		if !errors.Is(err, framectx.ErrStale) || !errors.As(err, &se) || se.FrameID != "w" || se.Now != owner.Epoch() {
			t.Errorf("%s on a stale layout = %v, want a *framectx.StaleError at epoch %d", name, err, owner.Epoch())
		}
	}
	sameContext(t, allContext(t, store, "w"), before) // stale writes change nothing
	if names := annot.DataFrame().Names(); names[1] != "v" {
		t.Fatalf("a refused Apply changed the data: %v", names)
	}
	// Frame context does not depend on the layout.
	if err := annot.Merge(ctx, framectx.FrameRef(), v("checked", true)); err != nil {
		t.Fatalf("frame context must stay writable: %v", err)
	}
	// Re-bound to the owner's data at the owner's epoch, positions mean
	// the owner's rows again.
	if err := annot.RebindAt(ctx, idFrame(), owner.Epoch()-1); !errors.Is(err, framectx.ErrStale) {
		t.Errorf("RebindAt a wrong epoch = %v, want ErrStale", err)
	}
	require.NoError(t, annot.RebindAt(ctx, owner.DataFrame(), owner.Epoch()))
	require.NoError(t, annot.Merge(ctx, framectx.RowRef(0), v("seen", true)))
	got, err := owner.Get(ctx, framectx.RowRef(0))
	require.NoError(t, err)
	ids := owner.DataFrame().Col("id").Records()
	if ids[0] != "b" || got["about"] != "b" || got["seen"] != true {
		t.Fatalf("row 0 is %q with context %v: the annotation must land on the row the annotator meant", ids[0], got)
	}
	// Adding a column moves nothing: the annotator stays current.
	epoch := owner.Epoch()
	if _, err := owner.Apply(ctx, Mutate(series.New([]int{1, 2, 3}, series.Int, "n"))); err != nil {
		t.Fatal(err)
	}
	if owner.Epoch() != epoch {
		t.Errorf("adding a column must not change the layout epoch (%d -> %d)", epoch, owner.Epoch())
	}
	if err := annot.Set(ctx, framectx.RowRef(2), v("still", "current")); err != nil {
		t.Errorf("after a column was added, positional writes stay valid: %v", err)
	}
}

// racingStore runs race once, just before the first conditional batch: a
// writer that slips in between an operation's read and its commit.
type racingStore struct {
	contextstore.Store
	race func()
}

func (r *racingStore) ReadVersioned(ctx context.Context, id string) (contextstore.Snapshot, error) {
	return contextstore.ReadVersioned(ctx, r.Store, id)
}

func (r *racingStore) ApplyIf(ctx context.Context, gs []contextstore.Guard, ms []contextstore.Mutation) ([]contextstore.FrameState, error) {
	if r.race != nil {
		race := r.race
		r.race = nil
		race()
	}
	return contextstore.ApplyIf(ctx, r.Store, gs, ms)
}

// An operation whose frame was annotated between its read and its commit
// re-reads, re-plans and carries the new annotation along.
func TestOperationReplansOverAConcurrentAnnotation(t *testing.T) {
	ctx := context.Background()
	mem := contextstore.NewMemoryStore()
	rs := &racingStore{Store: mem}
	owner := bind(t, rs, "w", idFrame(), ctxMap{"r:0": v("about", "a")})
	rs.race = func() {
		require.NoError(t, mem.Set(ctx, keys.Row("w", 2), v("about", "c")))
	}
	if _, err := owner.Apply(ctx, Arrange(dataframe.Sort("v"))); err != nil {
		t.Fatal(err)
	}
	// Sorted by v: b(1), c(2), a(3).
	want := ctxMap{"r:1": v("about", "c"), "r:2": v("about", "a")}
	// The racing annotation is neither lost nor misplaced.
	sameContext(t, userContext(t, mem, "w"), want)
}

// Two owners of one frame: the second one's data is stale after the first
// one's layout change, and its operation is refused with data unchanged.
func TestSecondOwnerIsRefused(t *testing.T) {
	ctx := context.Background()
	store := contextstore.NewMemoryStore()
	a := bind(t, store, "w", idFrame(), ctxMap{"r:2": v("about", "c")})
	b, err := New(ctx, store, "w", idFrame(), nil)
	require.NoError(t, err)
	if _, err := a.Apply(ctx, Subset([]int{2, 0})); err != nil {
		t.Fatal(err)
	}
	before := allContext(t, store, "w")
	if _, err := b.Apply(ctx, Filter(dataframe.F{Colname: "id", Comparator: series.Eq, Comparando: "c"})); !errors.Is(err, framectx.ErrStale) {
		t.Fatalf("an operation on a stale layout = %v, want ErrStale", err)
	}
	if b.DataFrame().Nrow() != 3 {
		t.Fatalf("a refused operation changed the data")
	}
	sameContext(t, allContext(t, store, "w"), before)
	// Derive reads its input too: a stale input is refused.
	if _, _, err := b.Derive(ctx, "copy", Select([]string{"id"})); !errors.Is(err, framectx.ErrStale) {
		t.Fatalf("Derive from a stale layout = %v, want ErrStale", err)
	}
	// A derived frame starts at its own epoch and takes positional writes.
	d, _, err := a.Derive(ctx, "copy", Select([]string{"id"}))
	require.NoError(t, err)
	if err := d.Set(ctx, framectx.RowRef(0), v("q", "ok")); err != nil {
		t.Fatalf("a derived frame must take positional writes: %v", err)
	}
	require.NoError(t, b.Rebind(ctx, a.DataFrame()))
	if _, err := b.Apply(ctx, Rename("id", "ident")); err != nil {
		t.Fatalf("after Rebind the second owner can operate: %v", err)
	}
}
