package arrow

import (
	"context"
	"errors"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

func TestContextByReference(t *testing.T) {
	ctx := context.Background()
	for _, kind := range kinds {
		t.Run(kind.name, func(t *testing.T) {
			mem := checkedAlloc(t)
			store := contextstore.NewMemoryStore()
			f := kind.bind(t, mem, store, "k", 5, nil)
			type contextual interface {
				Set(context.Context, framectx.Ref, contextstore.Value) error
				Merge(context.Context, framectx.Ref, contextstore.Value) error
				Get(context.Context, framectx.Ref) (contextstore.Value, error)
				Delete(context.Context, framectx.Ref) error
				List(context.Context) ([]contextstore.Entry, error)
				DropContext(context.Context) error
			}
			c := f.(contextual)
			refs := []framectx.Ref{framectx.FrameRef(), framectx.ColumnRef("temp"), framectx.RowRef(4), framectx.CellRef(3, "name")}
			for i, ref := range refs {
				if err := c.Set(ctx, ref, v("n", int64(i), "keep", true)); err != nil {
					t.Fatalf("set %s: %v", ref, err)
				}
			}
			require.NoError(t, c.Merge(ctx, framectx.CellRef(3, "name"), v("n", nil, "added", "yes")))
			got, err := c.Get(ctx, framectx.CellRef(3, "name"))
			if err != nil || !contextstore.Equal(got, v("keep", true, "added", "yes")) {
				t.Fatalf("merged cell %v (%v)", got, err)
			}
			require.NoError(t, c.Delete(ctx, framectx.RowRef(4)))
			if _, err := c.Get(ctx, framectx.RowRef(4)); !errors.Is(err, contextstore.ErrNotFound) {
				t.Fatalf("deleted row: %v, want ErrNotFound", err)
			}
			entries, err := c.List(ctx)
			if err != nil || len(entries) != 3 {
				t.Fatalf("list %v (%v), want 3 entries", entries, err)
			}
			sameContext(t, allContext(t, store, "k"), ctxMap{
				"f": v("n", int64(0), "keep", true), "c:temp": v("n", int64(1), "keep", true),
				"x:3:name": v("keep", true, "added", "yes"),
			})
			require.NoError(t, c.DropContext(ctx))
			sameContext(t, allContext(t, store, "k"), ctxMap{})
		})
	}
}

func TestBadReferencesAreTypedAndWriteNothing(t *testing.T) {
	ctx := context.Background()
	mem := checkedAlloc(t)
	store := contextstore.NewMemoryStore()
	r := bindRecord(t, mem, store, "k", 5, nil)
	cases := []struct {
		ref  framectx.Ref
		kind error
	}{
		{framectx.ColumnRef("nope"), keys.ErrNotInFrame},
		{framectx.RowRef(5), keys.ErrNotInFrame},
		{framectx.CellRef(0, "nope"), keys.ErrNotInFrame},
		{framectx.CellRef(9, "id"), keys.ErrNotInFrame},
		{framectx.RowRef(-1), keys.ErrInvalidKey},
		{framectx.ColumnRef("\xff"), keys.ErrInvalidKey},
		{framectx.Ref{}, keys.ErrInvalidKey},
	}
	for _, tc := range cases {
		var ke *keys.KeyError
		if err := r.Set(ctx, tc.ref, v("a", int64(1))); !errors.Is(err, tc.kind) || !errors.As(err, &ke) {
			t.Errorf("set %s: %v, want a *keys.KeyError of %v", tc.ref, err, tc.kind)
		}
		if err := r.Merge(ctx, tc.ref, v("a", int64(1))); !errors.Is(err, tc.kind) {
			t.Errorf("merge %s: %v, want %v", tc.ref, err, tc.kind)
		}
		if _, err := r.Get(ctx, tc.ref); !errors.Is(err, tc.kind) {
			t.Errorf("get %s: %v, want %v", tc.ref, err, tc.kind)
		}
		if err := r.Delete(ctx, tc.ref); !errors.Is(err, tc.kind) {
			t.Errorf("delete %s: %v, want %v", tc.ref, err, tc.kind)
		}
	}
	sameContext(t, allContext(t, store, "k"), ctxMap{})
}

func TestNewRecordRefusals(t *testing.T) {
	ctx := context.Background()
	mem := checkedAlloc(t)
	store := contextstore.NewMemoryStore()
	mk := func(names ...string) arrow.Record {
		fields := make([]arrow.Field, len(names))
		cols := make([]arrow.Array, len(names))
		for i, n := range names {
			fields[i] = arrow.Field{Name: n, Type: arrow.PrimitiveTypes.Int64}
			b := array.NewInt64Builder(mem)
			b.AppendValues([]int64{1, 2}, nil)
			cols[i] = b.NewArray()
			b.Release()
		}
		rec := array.NewRecord(arrow.NewSchema(fields, nil), cols, 2)
		releaseArrays(cols)
		return rec
	}
	dup := mk("a", "a")
	defer dup.Release()
	if _, err := NewRecord(ctx, store, "d", dup, nil); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("duplicate names: %v, want ErrInvalidArgument", err)
	}
	bad := mk("\xff")
	defer bad.Release()
	if _, err := NewRecord(ctx, store, "d", bad, nil); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("non-UTF-8 name: %v, want ErrInvalidArgument", err)
	}
	ok := mk("a")
	defer ok.Release()
	if _, err := NewRecord(ctx, store, "", ok, nil); !errors.Is(err, keys.ErrInvalidKey) {
		t.Errorf("empty frame ID: %v, want ErrInvalidKey", err)
	}
	if _, err := NewRecord(ctx, nil, "d", ok, nil); err == nil {
		t.Error("nil store accepted")
	}
	if _, err := NewRecord(ctx, store, "d", nil, nil); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("nil record: %v, want ErrInvalidArgument", err)
	}
	// Context stored under the frame ID that does not fit the data means
	// the ID is stale: refuse rather than mislabel.
	seed(t, store, "stale", ctxMap{"x:7:a": v("flag", "old")})
	if _, err := NewRecord(ctx, store, "stale", ok, nil); !errors.Is(err, keys.ErrNotInFrame) {
		t.Errorf("stale context: %v, want ErrNotInFrame", err)
	}
	seed(t, store, "fits", ctxMap{"x:1:a": v("flag", "ok")})
	r, err := NewRecord(ctx, store, "fits", ok, nil)
	require.NoError(t, err, "fitting context refused")
	r.Release()
}

func TestInvalidOperationsChangeNothing(t *testing.T) {
	ctx := context.Background()
	for _, kind := range kinds {
		t.Run(kind.name, func(t *testing.T) {
			mem := checkedAlloc(t)
			store := contextstore.NewMemoryStore()
			src := kind.bind(t, mem, store, "src", 5, srcContext())
			other := kind.bind(t, mem, store, "other", 3, otherContext())
			otherStore := kind.bind(t, mem, contextstore.NewMemoryStore(), "far", 3, nil)
			mismatched := bindRecordWithSchema(t, mem, store, "mismatch")
			var wrongKind Frame = bindTable(t, mem, store, "tbl", []int{1, 2}, nil)
			if _, ok := src.(*Table); ok {
				wrongKind = bindRecord(t, mem, store, "rec", 3, nil)
			}
			short := float64Array(t, mem, 1, 2)
			mb := array.NewBooleanBuilder(mem)
			mb.AppendValues([]bool{true, false}, nil)
			shortMask := mb.NewBooleanArray()
			mb.Release()
			t.Cleanup(shortMask.Release)
			cases := []struct {
				name string
				op   Op
				kind error
			}{
				{"slice past the end", Slice(2, 6), ErrInvalidArgument},
				{"slice backwards", Slice(3, 2), ErrInvalidArgument},
				{"slice negative", Slice(-1, 2), ErrInvalidArgument},
				{"select unknown", Select("id", "nope"), ErrInvalidArgument},
				{"select twice", Select("id", "id"), ErrInvalidArgument},
				{"drop unknown", Drop("nope"), ErrInvalidArgument},
				{"rename unknown", Rename("nope", "x"), ErrInvalidArgument},
				{"rename onto another column", Rename("id", "name"), ErrInvalidArgument},
				{"rename to non-UTF-8", Rename("id", "\xff"), ErrInvalidArgument},
				{"set column of the wrong length", SetColumn("temp", short, Derivation{}), ErrInvalidArgument},
				{"set nil column", SetColumn("temp", nil, Derivation{}), ErrInvalidArgument},
				{"set typed nil column", SetColumn("temp", (*array.Float64)(nil), Derivation{}), ErrInvalidArgument},
				{"set nil chunked column", SetChunkedColumn("temp", nil, Derivation{}), ErrInvalidArgument},
				{"set column from unknown source", SetColumn("x", float64Array(t, mem, 1, 2, 3, 4, 5), Derivation{From: []string{"nope"}}), ErrInvalidArgument},
				{"cast unknown column", CastColumn("nope", arrow.PrimitiveTypes.Int32), ErrInvalidArgument},
				{"cast to nil type", CastColumn("id", nil), ErrInvalidArgument},
				{"cast that loses data", CastColumn("temp", arrow.PrimitiveTypes.Int64), ErrArrow},
				{"cast without a kernel", CastColumn("id", arrow.FixedWidthTypes.Date32), ErrArrow},
				{"field metadata of unknown column", WithFieldMetadata("nope", arrow.Metadata{}), ErrInvalidArgument},
				{"concat mismatched columns", Concat(mismatched), ErrInvalidArgument},
				{"concat a record and a table", Concat(wrongKind), ErrInvalidArgument},
				{"concat across stores", Concat(otherStore), ErrInvalidArgument},
				{"concat nil", Concat(nil), ErrInvalidArgument},
				{"concat identical conflicts", Concat(other).WithPolicy(framectx.Identical), framectx.ErrMergeConflict},
				{"zero op", Op{}, ErrInvalidArgument},
				{"take out of range", Take(0, 5), ErrInvalidArgument},
				{"take negative", Take(-1), ErrInvalidArgument},
				{"filter without a mask", Filter(nil), ErrInvalidArgument},
				{"filter with a short mask", Filter(shortMask), ErrInvalidArgument},
			}
			for _, tc := range cases {
				_, err := applyOp(ctx, src, tc.op)
				assert.ErrorIs(t, err, tc.kind, "%s in place: %v, want %v", tc.name, err, tc.kind)
				_, err = deriveOp(t, ctx, src, "out", tc.op)
				assert.ErrorIs(t, err, tc.kind, "%s as new frame: %v, want %v", tc.name, err, tc.kind)
			}
			if got := int64s(t, src, "id"); len(got) != 5 || got[4] != 4 {
				t.Fatalf("data changed: ids %v", got)
			}
			wantMetadata(t, src.core().data.schema().Metadata(), "source", "test")
			sameContext(t, allContext(t, store, "src"), srcContext())
			sameContext(t, allContext(t, store, "out"), ctxMap{})
		})
	}
}

// bindRecordWithSchema binds a 2-row record whose columns differ from the
// test schema's.
func bindRecordWithSchema(t *testing.T, mem memory.Allocator, store contextstore.Store, frameID string) *Record {
	t.Helper()
	schema := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int32}}, nil)
	b := array.NewRecordBuilder(mem, schema)
	b.Field(0).(*array.Int32Builder).AppendValues([]int32{1, 2}, nil)
	rec := b.NewRecord()
	b.Release()
	defer rec.Release()
	r, err := NewRecord(context.Background(), store, frameID, rec, nil)
	require.NoError(t, err)
	t.Cleanup(r.Release)
	return r
}

func TestDeriveNeedsAnotherValidFrameID(t *testing.T) {
	ctx := context.Background()
	mem := checkedAlloc(t)
	store := contextstore.NewMemoryStore()
	r := bindRecord(t, mem, store, "src", 5, srcContext())
	if _, _, err := r.Derive(ctx, "src", Slice(0, 1)); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("derive into own ID: %v, want ErrInvalidArgument", err)
	}
	if _, _, err := r.Derive(ctx, "", Slice(0, 1)); !errors.Is(err, keys.ErrInvalidKey) {
		t.Errorf("derive into empty ID: %v, want ErrInvalidKey", err)
	}
	if got := r.Shape().Rows; got != 5 {
		t.Fatalf("rows %d after refused derives, want 5", got)
	}
}

func TestReleasedFramesRefuseEverything(t *testing.T) {
	ctx := context.Background()
	for _, kind := range kinds {
		t.Run(kind.name, func(t *testing.T) {
			mem := checkedAlloc(t)
			store := contextstore.NewMemoryStore()
			f := kind.bind(t, mem, store, "gone", 5, nil)
			switch x := f.(type) {
			case *Record:
				x.Release()
				x.Release()
				if x.Arrow() != nil {
					t.Error("Arrow() after Release is not nil")
				}
				if err := x.Set(ctx, framectx.FrameRef(), v("a", int64(1))); !errors.Is(err, ErrReleased) {
					t.Errorf("set: %v, want ErrReleased", err)
				}
			case *Table:
				x.Release()
				x.Release()
				if x.Arrow() != nil {
					t.Error("Arrow() after Release is not nil")
				}
				if _, err := x.Get(ctx, framectx.FrameRef()); !errors.Is(err, ErrReleased) {
					t.Errorf("get: %v, want ErrReleased", err)
				}
			}
			if _, err := applyOp(ctx, f, Slice(0, 1)); !errors.Is(err, ErrReleased) {
				t.Errorf("apply: %v, want ErrReleased", err)
			}
			live := kind.bind(t, mem, store, "live", 5, nil)
			if _, err := applyOp(ctx, live, Concat(f)); !errors.Is(err, ErrReleased) {
				t.Errorf("concat with released: %v, want ErrReleased", err)
			}
			sameContext(t, allContext(t, store, "gone"), ctxMap{})
		})
	}
}

func TestReportCountsWrites(t *testing.T) {
	ctx := context.Background()
	mem := checkedAlloc(t)
	store := contextstore.NewMemoryStore()
	r := bindRecord(t, mem, store, "src", 5, ctxMap{"c:temp": v("unit", "C"), "x:1:temp": v("f", "a")})
	rep, err := r.Apply(ctx, Rename("temp", "t"))
	require.NoError(t, err)
	// Two entries move: each is one delete and one set.
	if rep.Op != "rename" || rep.Written != 4 || len(rep.Notes) != 0 {
		t.Fatalf("report %+v, want rename with 4 writes", rep)
	}
	rep, err = r.Apply(ctx, Rename("id", "key"))
	require.NoError(t, err)
	if rep.Written != 0 {
		t.Fatalf("renaming a column without context wrote %d entries", rep.Written)
	}
}

func TestConcatMergesArrowMetadataByPolicy(t *testing.T) {
	ctx := context.Background()
	mem := checkedAlloc(t)
	store := contextstore.NewMemoryStore()
	a := bindRecord(t, mem, store, "a", 2, nil)
	b := bindRecord(t, mem, store, "b", 2, nil)
	md := arrow.NewMetadata([]string{"source", "batch"}, []string{"other", "2"})
	if _, err := b.Apply(ctx, WithSchemaMetadata(md)); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Apply(ctx, WithFieldMetadata("name", arrow.NewMetadata([]string{"origin", "lang"}, []string{"registry", "en"}))); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Apply(ctx, Concat(b).WithPolicy(framectx.NoConflicts)); !errors.Is(err, framectx.ErrMergeConflict) {
		t.Fatalf("no_conflicts over differing schema metadata: %v, want ErrMergeConflict", err)
	}
	if a.Shape().Rows != 2 {
		t.Fatalf("refused concat changed the rows to %d", a.Shape().Rows)
	}
	if _, err := a.Apply(ctx, Concat(b).WithPolicy(framectx.DropConflicts)); err != nil {
		t.Fatal(err)
	}
	s := a.Arrow().Schema()
	wantMetadata(t, s.Metadata(), "batch", "2")
	name := s.Field(1).Metadata
	if v1, _ := name.GetValue("origin"); v1 != "registry" || name.Len() != 2 {
		t.Fatalf("field metadata %v, want origin and lang", name)
	}
}
