package gota_test

import (
	"context"
	"testing"

	"github.com/go-gota/gota/dataframe"
	"github.com/go-gota/gota/series"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/adapters/gota"
	"github.com/ctxframe/ctxframe/contextstore"
)

// An operation on a frame over an instrumented store is one span, parent
// of every store call it causes.
func TestOperationSpanIsParentOfStoreSpans(t *testing.T) {
	ctx := context.Background()
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	t.Cleanup(func() { _ = tp.Shutdown(ctx) })
	store := contextstore.Instrument(contextstore.NewMemoryStore(), contextstore.Telemetry{TracerProvider: tp, Backend: "mem"})
	df := dataframe.New(series.New([]int{3, 1, 2}, series.Int, "n"))
	f, err := gota.New(ctx, store, "nums", df, nil)
	require.NoError(t, err)
	require.NoError(t, f.Set(ctx, framectx.ColumnRef("n"), contextstore.Value{"unit": "m"}))
	spans.Reset()

	_, err = f.Apply(ctx, gota.Rename("n", "count"))
	require.NoError(t, err)
	got := spans.GetSpans()
	var op tracetest.SpanStub
	for _, s := range got {
		if s.Name == "ctxframe.gota.rename" {
			op = s
		}
	}
	require.Equal(t, "ctxframe.gota.rename", op.Name, "the operation has a span, among %d", len(got))
	children := 0
	for _, s := range got {
		if s.Name != op.Name {
			assert.Equal(t, op.SpanContext.SpanID(), s.Parent.SpanID(), "store span %s is the operation's child", s.Name)
			children++
		}
	}
	assert.GreaterOrEqual(t, children, 2, "the operation read and wrote the store")

	spans.Reset()
	_, err = f.Apply(ctx, gota.Rename("missing", "x"))
	require.Error(t, err)
	failed := spans.GetSpans()
	require.NotEmpty(t, failed)
	last := failed[len(failed)-1]
	assert.Equal(t, "ctxframe.gota.rename", last.Name, "the operation's span ends last")
	assert.Equal(t, "Error", last.Status.Code.String(), "a failed operation's span says so")
}
