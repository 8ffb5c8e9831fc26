package arrow

import (
	"bytes"
	"context"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/contextstore"
)

// Writing and reading IPC and Parquet over an instrumented store gives one
// span per read or write, parent of the store calls it causes.
func TestExchangeSpansAreParentsOfStoreSpans(t *testing.T) {
	ctx := context.Background()
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	t.Cleanup(func() { _ = tp.Shutdown(ctx) })
	tel := contextstore.Telemetry{TracerProvider: tp, Backend: "mem"}
	formats := append(ipcFormats[:len(ipcFormats):len(ipcFormats)], parquetFormat)
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			src := contextstore.Instrument(contextstore.NewMemoryStore(), tel)
			ipcTestContext(t, src, "weather")
			recs := ipcTestRecords(t, memory.DefaultAllocator, 3, 4)
			defer ipcRelease(recs)
			var buf bytes.Buffer
			spans.Reset()
			require.NoError(t, f.write(ctx, &buf, src, "weather", ipcTestSchema(), recs, nil))
			assertOperationParents(t, spans.GetSpans(), "ctxframe.arrow.new_")

			dst := contextstore.Instrument(contextstore.NewMemoryStore(), tel)
			spans.Reset()
			res, err := f.read(ctx, buf.Bytes(), dst, nil)
			require.NoError(t, err)
			res.Release()
			assertOperationParents(t, spans.GetSpans(), "ctxframe.arrow.read_")
		})
	}
}

// parquetFormat runs an ipcFormats test on Parquet, with default options.
var parquetFormat = exchangeFormat{
	name: "parquet",
	write: func(ctx context.Context, w *bytes.Buffer, s contextstore.Store, f string, sc *arrow.Schema, recs []arrow.Record, _ *WriteOptions) error {
		return WriteParquet(ctx, w, s, f, sc, recs, nil)
	},
	read: func(ctx context.Context, b []byte, s contextstore.Store, _ *ReadOptions) (*ReadResult, error) {
		return ReadParquet(ctx, bytes.NewReader(b), s, nil)
	},
}

// assertOperationParents finds the one operation span whose name starts
// with prefix and checks that every store span is its child.
func assertOperationParents(t *testing.T, got tracetest.SpanStubs, prefix string) {
	t.Helper()
	var op *tracetest.SpanStub
	for i := range got {
		if len(got[i].Name) >= len(prefix) && got[i].Name[:len(prefix)] == prefix {
			require.Nil(t, op, "one operation span")
			op = &got[i]
		}
	}
	require.NotNil(t, op, "an operation span %s*", prefix)
	stores := 0
	for _, s := range got {
		if s.Name != op.Name {
			assert.Equal(t, op.SpanContext.SpanID(), s.Parent.SpanID(), "store span %s under %s", s.Name, op.Name)
			stores++
		}
	}
	assert.Positive(t, stores, "%s called the store", op.Name)
}

// Reading a Table from IPC restores the context and binds the Table at the
// restore's layout epoch: one versioned read (the restore's), no read back;
// the Table's positional writes then work, and become stale once another
// writer relays the frame out.
func TestReadTableBindsWhatItRestored(t *testing.T) {
	ctx := context.Background()
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	t.Cleanup(func() { _ = tp.Shutdown(ctx) })
	src := contextstore.NewMemoryStore()
	ipcTestContext(t, src, "weather")
	recs := ipcTestRecords(t, memory.DefaultAllocator, 3, 4)
	defer ipcRelease(recs)
	var buf bytes.Buffer
	require.NoError(t, WriteStream(ctx, &buf, src, "weather", ipcTestSchema(), recs, nil))

	inner := contextstore.NewMemoryStore()
	dst := contextstore.Instrument(inner, contextstore.Telemetry{TracerProvider: tp})
	tbl, err := ReadStreamTable(ctx, bytes.NewReader(buf.Bytes()), dst, nil, nil)
	require.NoError(t, err)
	defer tbl.Release()
	reads := 0
	for _, s := range spans.GetSpans() {
		if s.Name == "contextstore.readversioned" {
			reads++
		}
	}
	assert.Equal(t, 1, reads, "the restore reads the frame once; binding the table reads nothing back")
	snap, err := contextstore.ReadVersioned(ctx, inner, "weather")
	require.NoError(t, err)
	assert.Equal(t, snap.State.Epoch, tbl.Epoch(), "the table holds the restore's epoch")

	require.NoError(t, tbl.Set(ctx, framectx.RowRef(6), contextstore.Value{"checked": true}))
	g := contextstore.AtEpoch("weather", snap.State.Epoch)
	g.Relayout = true
	_, err = contextstore.ApplyIf(ctx, inner, []contextstore.Guard{g}, nil)
	require.NoError(t, err, "another writer relays the frame out")
	require.ErrorIs(t, tbl.Set(ctx, framectx.RowRef(6), contextstore.Value{"checked": false}), framectx.ErrStale)
}
