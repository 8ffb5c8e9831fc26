package arrow

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/contextstore"
)

// An annotator's positional writes go stale when the owner slices the
// frame in place, and land on the right row after RebindAt.
func TestRecordAnnotatorGoesStaleAndRebinds(t *testing.T) {
	ctx := context.Background()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	store := contextstore.NewMemoryStore()
	rec := testRecord(mem, 5, 0)
	defer rec.Release()
	owner, err := NewRecord(ctx, store, "d", rec, &Options{Allocator: mem})
	require.NoError(t, err)
	defer owner.Release()
	annot, err := NewRecord(ctx, store, "d", rec, &Options{Allocator: mem})
	require.NoError(t, err)
	defer annot.Release()
	require.NoError(t, annot.Set(ctx, framectx.RowRef(3), contextstore.Value{"about": "row 3"}))
	if _, err := owner.Apply(ctx, Slice(2, 5)); err != nil {
		t.Fatal(err)
	}
	if err := annot.Set(ctx, framectx.RowRef(4), contextstore.Value{"about": "row 4"}); !errors.Is(err, framectx.ErrStale) {
		t.Fatalf("a positional write after the owner's slice = %v, want ErrStale", err)
	}
	if _, err := annot.Apply(ctx, Rename("name", "label")); !errors.Is(err, framectx.ErrStale) {
		t.Fatalf("an operation on a stale layout = %v, want ErrStale", err)
	}
	if err := annot.RebindAt(ctx, owner.Arrow(), owner.Epoch()-1); !errors.Is(err, framectx.ErrStale) {
		t.Fatalf("RebindAt a wrong epoch = %v, want ErrStale", err)
	}
	require.NoError(t, annot.RebindAt(ctx, owner.Arrow(), owner.Epoch()))
	require.NoError(t, annot.Merge(ctx, framectx.RowRef(1), contextstore.Value{"seen": true}))
	got, err := owner.Get(ctx, framectx.RowRef(1))
	if err != nil || got["about"] != "row 3" || got["seen"] != true {
		t.Fatalf("old row 3 is new row 1: its context must be there with the new note, got %v, %v", got, err)
	}
	if annot.Shape().Rows != 3 {
		t.Fatalf("after RebindAt the annotator holds the owner's data, %d rows", annot.Shape().Rows)
	}
}

// Restoring a frame from IPC replaces its context and relays it out: a
// Record bound to the frame before goes stale rather than writing at
// positions of the data it held.
func TestIPCRestoreMakesOldBindingsStale(t *testing.T) {
	ctx := context.Background()
	src := contextstore.NewMemoryStore()
	want := ipcTestContext(t, src, "d")
	recs := ipcTestRecords(t, memory.DefaultAllocator, 3, 4)
	defer ipcRelease(recs)
	var buf bytes.Buffer
	require.NoError(t, WriteFile(ctx, &buf, src, "d", ipcTestSchema(), recs, nil))
	dst := contextstore.NewMemoryStore()
	old := testRecord(memory.DefaultAllocator, 5, 0)
	defer old.Release()
	bound, err := NewRecord(ctx, dst, "d", old, nil)
	require.NoError(t, err)
	defer bound.Release()
	res, err := ReadFile(ctx, bytes.NewReader(buf.Bytes()), dst, nil)
	require.NoError(t, err)
	res.Release()
	ipcAssertFrame(t, dst, "d", want)
	if err := bound.Set(ctx, framectx.RowRef(1), contextstore.Value{"x": 1}); !errors.Is(err, framectx.ErrStale) {
		t.Fatalf("a binding from before the restore wrote at a position: %v, want ErrStale", err)
	}
	ipcAssertFrame(t, dst, "d", want)
}
