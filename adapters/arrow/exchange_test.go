package arrow

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore"
)

func TestRecordAndTableTravelThroughIPCWithContext(t *testing.T) {
	ctx := context.Background()
	for _, kind := range kinds {
		for _, format := range []string{"stream", "file"} {
			t.Run(kind.name+"/"+format, func(t *testing.T) {
				mem := checkedAlloc(t)
				store := contextstore.NewMemoryStore()
				src := kind.bind(t, mem, store, "src", 5, srcContext())
				// Slice first so the data does not start at buffer offset 0
				// and row context was re-keyed.
				if _, err := applyOp(ctx, src, Slice(1, 5)); err != nil {
					t.Fatal(err)
				}
				want := allContext(t, store, "src")
				var buf bytes.Buffer
				var err error
				switch x := src.(type) {
				case *Record:
					if format == "stream" {
						err = x.WriteStream(ctx, &buf, &WriteOptions{Allocator: mem})
					} else {
						err = x.WriteFile(ctx, &buf, &WriteOptions{Allocator: mem})
					}
				case *Table:
					if format == "stream" {
						err = x.WriteStream(ctx, &buf, &WriteOptions{Allocator: mem})
					} else {
						err = x.WriteFile(ctx, &buf, &WriteOptions{Allocator: mem})
					}
				}
				require.NoError(t, err)
				dst := contextstore.NewMemoryStore()
				var got *Table
				if format == "stream" {
					got, err = ReadStreamTable(ctx, &buf, dst, &ReadOptions{Allocator: mem}, &Options{Allocator: mem})
				} else {
					got, err = ReadFileTable(ctx, bytes.NewReader(buf.Bytes()), dst, &ReadOptions{Allocator: mem}, &Options{Allocator: mem})
				}
				require.NoError(t, err)
				defer got.Release()
				if got.FrameID() != "src" {
					t.Fatalf("frame ID %q, want src", got.FrameID())
				}
				if ids := int64s(t, got, "id"); !slices.Equal(ids, []int64{1, 2, 3, 4}) {
					t.Fatalf("ids %v", ids)
				}
				wantMetadata(t, got.Arrow().Schema().Field(1).Metadata, "origin", "registry")
				sameContext(t, allContext(t, dst, "src"), want)
			})
		}
	}
}

func TestReadTableNeedsAFrameID(t *testing.T) {
	ctx := context.Background()
	mem := checkedAlloc(t)
	rec := testRecord(mem, 3, 0)
	defer rec.Release()
	// Plain Arrow data, written without ctxframe: no frame ID travels with
	// it.
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, ipc.WithSchema(rec.Schema()), ipc.WithAllocator(mem))
	require.NoError(t, w.Write(rec))
	require.NoError(t, w.Close())
	dst := contextstore.NewMemoryStore()
	_, err := ReadStreamTable(ctx, bytes.NewReader(buf.Bytes()), dst, &ReadOptions{Allocator: mem}, nil)
	require.ErrorIs(t, err, ErrInvalidArgument, "error %v, want ErrInvalidArgument", err)
	if frames, err := contextstore.ListFrames(ctx, dst); err != nil || len(frames) != 0 {
		t.Fatalf("store holds frames %v (%v) after a refused read", frames, err)
	}
	named, err := ReadStreamTable(ctx, bytes.NewReader(buf.Bytes()), dst, &ReadOptions{Allocator: mem, FrameID: "named"}, &Options{Allocator: mem})
	require.NoError(t, err)
	defer named.Release()
	if named.FrameID() != "named" || named.Shape().Rows != 3 {
		t.Fatalf("bound as %q with %d rows, want named with 3", named.FrameID(), named.Shape().Rows)
	}
	if ids := int64s(t, named, "id"); !slices.Equal(ids, []int64{0, 1, 2}) {
		t.Fatalf("ids %v", ids)
	}
}
