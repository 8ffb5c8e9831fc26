package framectx

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/adapters/framectx/framectxtest"
	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

func TestBindValidates(t *testing.T) {
	s := contextstore.NewMemoryStore()
	if _, err := Bind(s, "", nil); !errors.Is(err, keys.ErrInvalidKey) {
		t.Errorf("Bind empty ID = %v, want ErrInvalidKey", err)
	}
	if _, err := Bind(s, "\xff", nil); !errors.Is(err, keys.ErrInvalidKey) {
		t.Errorf("Bind non-UTF-8 ID = %v, want ErrInvalidKey", err)
	}
	if _, err := Bind(nil, "f", nil); err == nil {
		t.Error("Bind nil store succeeded")
	}
	if _, err := Bind(s, "f", &Options{Policy: 99}); err == nil {
		t.Error("Bind with an unknown policy succeeded")
	}
	b, err := Bind(s, "f", nil)
	require.NoError(t, err)
	if b.Policy() != Override || b.Namespace() != DefaultNamespace || b.FrameID() != "f" || b.Store() != s {
		t.Errorf("defaults: policy %v, namespace %q, frame %q", b.Policy(), b.Namespace(), b.FrameID())
	}
	b2, err := b.Rebind("g")
	if err != nil || b2.FrameID() != "g" || b2.Store() != s {
		t.Errorf("Rebind = %v, %v", b2, err)
	}
}

func TestBindingReadWrite(t *testing.T) {
	shape := Shape{Columns: []string{"a", "b"}, Rows: 3}
	for _, sk := range storeKinds {
		t.Run(sk.name, func(t *testing.T) {
			ctx := context.Background()
			s := sk.make(t)
			b, err := Bind(s, "f", &Options{Policy: NoConflicts, Namespace: "ns"})
			require.NoError(t, err)
			refs := []Ref{FrameRef(), ColumnRef("a"), RowRef(2), CellRef(1, "b")}
			for i, r := range refs {
				if err := b.Set(ctx, shape, r, v("i", i, "tags", []any{"x"})); err != nil {
					t.Fatalf("Set %v: %v", r, err)
				}
			}
			for i, r := range refs {
				got, err := b.Get(ctx, shape, r)
				if err != nil || !contextstore.Equal(got, v("i", i, "tags", []any{"x"})) {
					t.Fatalf("Get %v = %v, %v", r, got, err)
				}
			}
			require.NoError(t, b.Merge(ctx, shape, ColumnRef("a"), contextstore.Value{"unit": "m", "tags": nil}))
			if got, _ := b.Get(ctx, shape, ColumnRef("a")); !contextstore.Equal(got, v("i", 1, "unit", "m")) {
				t.Errorf("after Merge: %v", got)
			}
			require.NoError(t, b.Merge(ctx, shape, ColumnRef("b"), contextstore.Value{"unit": "s", "gone": nil}))
			if got, _ := b.Get(ctx, shape, ColumnRef("b")); !contextstore.Equal(got, v("unit", "s")) {
				t.Errorf("Merge into nothing: %v", got)
			}
			es, err := b.Entries(ctx)
			if err != nil || len(es) != 5 {
				t.Fatalf("Entries = %d entries, %v", len(es), err)
			}
			require.NoError(t, b.Delete(ctx, shape, RowRef(2)))
			if err := b.Delete(ctx, shape, RowRef(2)); err != nil {
				t.Fatalf("second Delete: %v", err)
			}
			if _, err := b.Get(ctx, shape, RowRef(2)); !errors.Is(err, contextstore.ErrNotFound) {
				t.Errorf("Get deleted = %v, want ErrNotFound", err)
			}
			// Another frame in the same store is not touched by Drop.
			other, _ := b.Rebind("g")
			require.NoError(t, other.Set(ctx, shape, FrameRef(), v("k", 1)))
			require.NoError(t, b.Drop(ctx))
			if es, _ := b.Entries(ctx); len(es) != 0 {
				t.Errorf("after Drop: %v", es)
			}
			if es, _ := other.Entries(ctx); len(es) != 1 {
				t.Errorf("Drop touched another frame: %v", es)
			}
		})
	}
}

func TestBindingRefusesBadRefsAndWritesNothing(t *testing.T) {
	shape := Shape{Columns: []string{"a"}, Rows: 2}
	ctx := context.Background()
	s := framectxtest.NewFailingStore(contextstore.NewMemoryStore())
	b, _ := Bind(s, "f", nil)
	bad := []struct {
		ref  Ref
		kind error
	}{
		{ColumnRef("zz"), keys.ErrNotInFrame},
		{RowRef(2), keys.ErrNotInFrame},
		{CellRef(0, "zz"), keys.ErrNotInFrame},
		{RowRef(-1), keys.ErrInvalidKey},
		{Ref{}, keys.ErrInvalidKey},
	}
	for _, tc := range bad {
		calls := []struct {
			name string
			err  error
		}{
			{"Set", b.Set(ctx, shape, tc.ref, v("x", 1))},
			{"Merge", b.Merge(ctx, shape, tc.ref, v("x", 1))},
			{"Delete", b.Delete(ctx, shape, tc.ref)},
		}
		_, getErr := b.Get(ctx, shape, tc.ref)
		calls = append(calls, struct {
			name string
			err  error
		}{"Get", getErr})
		for _, c := range calls {
			var ke *keys.KeyError
			if !errors.As(c.err, &ke) || !errors.Is(c.err, tc.kind) {
				t.Errorf("%s(%v) = %v, want a key error of kind %v", c.name, tc.ref, c.err, tc.kind)
			}
		}
	}
	for _, op := range []framectxtest.Op{framectxtest.OpSet, framectxtest.OpGet, framectxtest.OpDelete, framectxtest.OpApply} {
		if n := s.Calls(op); n != 0 {
			t.Errorf("bad refs reached the store: %d %s calls", n, op)
		}
	}
	// A value JSON cannot carry is refused and nothing is written.
	if err := b.Set(ctx, shape, FrameRef(), contextstore.Value{"f": func() {}}); !errors.Is(err, contextstore.ErrInvalidValue) {
		t.Errorf("Set of a func = %v, want ErrInvalidValue", err)
	}
	if err := b.Merge(ctx, shape, FrameRef(), contextstore.Value{"f": make(chan int)}); !errors.Is(err, contextstore.ErrInvalidValue) {
		t.Errorf("Merge of a chan = %v, want ErrInvalidValue", err)
	}
	if es, _ := b.Entries(ctx); len(es) != 0 {
		t.Errorf("refused writes left %v", es)
	}
}

func TestBindingStoreFailures(t *testing.T) {
	shape := Shape{Columns: []string{"a"}, Rows: 2}
	ctx := context.Background()
	s := framectxtest.NewFailingStore(contextstore.NewMemoryStore())
	b, _ := Bind(s, "f", nil)
	require.NoError(t, b.Set(ctx, shape, ColumnRef("a"), v("unit", "m")))
	// A merge is one conditional batch in the store: fail it.
	s.FailApply(1)
	if err := b.Merge(ctx, shape, ColumnRef("a"), v("unit", "km")); !errors.Is(err, framectxtest.ErrInjected) {
		t.Fatalf("Merge with a failing batch = %v", err)
	}
	s.FailApply(1)
	if err := b.Set(ctx, shape, CellRef(0, "a"), v("q", "bad")); !errors.Is(err, framectxtest.ErrInjected) {
		t.Fatalf("Set with a failing batch = %v", err)
	}
	if got, _ := b.Get(ctx, shape, ColumnRef("a")); !contextstore.Equal(got, v("unit", "m")) {
		t.Errorf("failed Merges changed the value to %v", got)
	}
	s.FailApply(1)
	if err := b.Drop(ctx); !errors.Is(err, contextstore.ErrUnavailable) {
		t.Fatalf("Drop with failing Apply = %v", err)
	}
	if es, _ := b.Entries(ctx); len(es) != 1 {
		t.Errorf("failed Drop left %v", es)
	}
}

func TestBindingPropagateUsesDefaults(t *testing.T) {
	ctx := context.Background()
	s := newFixtureStore(t, storeKinds[0].make)
	b, _ := Bind(s, "src", &Options{Policy: NoConflicts, Namespace: "warehouse"})
	c, _ := ConcatRowsChange([]Input{srcIn, othIn}, "src", DefaultPolicy)
	if _, err := b.Propagate(ctx, c); !errors.Is(err, ErrMergeConflict) {
		t.Fatalf("Propagate under the binding's no_conflicts = %v, want a conflict", err)
	}
	c, _ = SelectChange(srcIn, "copy", []string{"a"})
	if _, err := b.Propagate(ctx, c); err != nil {
		t.Fatal(err)
	}
	copyB, _ := b.Rebind("copy")
	facet, err := copyB.Lineage(ctx, "")
	require.NoError(t, err)
	if got := facet.Fields["a"].InputFields[0].Namespace; got != "warehouse" {
		t.Errorf("lineage namespace = %q, want the binding's", got)
	}
}
