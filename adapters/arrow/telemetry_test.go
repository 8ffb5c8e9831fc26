package arrow

import (
	"bytes"
	"context"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

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
	for _, f := range ipcFormats {
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
	t.Run("parquet", func(t *testing.T) {
		src := contextstore.Instrument(contextstore.NewMemoryStore(), tel)
		ipcTestContext(t, src, "weather")
		recs := ipcTestRecords(t, memory.DefaultAllocator, 3, 4)
		defer ipcRelease(recs)
		var buf bytes.Buffer
		spans.Reset()
		require.NoError(t, WriteParquet(ctx, &buf, src, "weather", ipcTestSchema(), recs, nil))
		assertOperationParents(t, spans.GetSpans(), "ctxframe.arrow.new_parquet_writer")

		dst := contextstore.Instrument(contextstore.NewMemoryStore(), tel)
		spans.Reset()
		res, err := ReadParquet(ctx, bytes.NewReader(buf.Bytes()), dst, nil)
		require.NoError(t, err)
		res.Release()
		assertOperationParents(t, spans.GetSpans(), "ctxframe.arrow.read_parquet")
	})
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
