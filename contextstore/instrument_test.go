package contextstore_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// telemetry is the real OpenTelemetry SDK recording into memory.
type telemetry struct {
	spans  *tracetest.InMemoryExporter
	tp     *sdktrace.TracerProvider
	reader *sdkmetric.ManualReader
	mp     *sdkmetric.MeterProvider
}

func newTelemetry(t *testing.T) *telemetry {
	tel := &telemetry{spans: tracetest.NewInMemoryExporter(), reader: sdkmetric.NewManualReader()}
	tel.tp = sdktrace.NewTracerProvider(sdktrace.WithSyncer(tel.spans))
	tel.mp = sdkmetric.NewMeterProvider(sdkmetric.WithReader(tel.reader))
	t.Cleanup(func() {
		_ = tel.tp.Shutdown(context.Background())
		_ = tel.mp.Shutdown(context.Background())
	})
	return tel
}

func (tel *telemetry) config(backend string) contextstore.Telemetry {
	return contextstore.Telemetry{TracerProvider: tel.tp, MeterProvider: tel.mp, Backend: backend}
}

// metrics returns the collected metrics by name.
func (tel *telemetry) metrics(t *testing.T) map[string]metricdata.Aggregation {
	var rm metricdata.ResourceMetrics
	require.NoError(t, tel.reader.Collect(context.Background(), &rm))
	out := map[string]metricdata.Aggregation{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			out[m.Name] = m.Data
		}
	}
	return out
}

// total adds up, over data's points whose attributes include want, each
// point's value (a counter) or count of measurements (a histogram).
func total(t *testing.T, data metricdata.Aggregation, want ...attribute.KeyValue) int64 {
	t.Helper()
	var n int64
	switch d := data.(type) {
	case metricdata.Sum[int64]:
		for _, p := range d.DataPoints {
			if hasAll(p.Attributes, want) {
				n += p.Value
			}
		}
	case metricdata.Histogram[float64]:
		for _, p := range d.DataPoints {
			if hasAll(p.Attributes, want) {
				n += int64(p.Count)
			}
		}
	default:
		t.Fatalf("want an int64 counter or a float64 histogram, got %T", data)
	}
	return n
}

func hasAll(set attribute.Set, want []attribute.KeyValue) bool {
	for _, kv := range want {
		if v, ok := set.Value(kv.Key); !ok || v != kv.Value {
			return false
		}
	}
	return true
}

func attrs(s tracetest.SpanStub) map[attribute.Key]attribute.Value {
	out := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes {
		out[kv.Key] = kv.Value
	}
	return out
}

// Every call of the Store contract gives one span naming the backend, the
// operation, the frame and the entries moved, and metric points by
// backend and operation.
func TestInstrumentSpansAndMetrics(t *testing.T) {
	ctx := context.Background()
	tel := newTelemetry(t)
	s := contextstore.Instrument(contextstore.NewMemoryStore(), tel.config("mem"))
	op := func(name string) attribute.KeyValue { return contextstore.AttrOperation.String(name) }

	require.NoError(t, s.Set(ctx, keys.Column("sales", "price"), contextstore.Value{"unit": "EUR"}))
	_, err := s.Get(ctx, keys.Column("sales", "price"))
	require.NoError(t, err)
	require.NoError(t, contextstore.Apply(ctx, s, []contextstore.Mutation{
		contextstore.Put(keys.Row("sales", 0), contextstore.Value{"qc": "ok"}),
		contextstore.Put(keys.Row("sales", 1), contextstore.Value{"qc": "bad"}),
	}))
	es, err := contextstore.ReadFrame(ctx, s, "sales")
	require.NoError(t, err)
	require.Len(t, es, 3)
	snap, err := contextstore.ReadVersioned(ctx, s, "sales")
	require.NoError(t, err)
	_, err = contextstore.ApplyIf(ctx, s, []contextstore.Guard{contextstore.AtVersion("sales", snap.State)},
		[]contextstore.Mutation{contextstore.Remove(keys.Row("sales", 1))})
	require.NoError(t, err)

	spans := tel.spans.GetSpans()
	var names []string
	for _, sp := range spans {
		names = append(names, sp.Name)
		a := attrs(sp)
		assert.Equal(t, "mem", a[contextstore.AttrBackend].AsString(), "span %s: backend", sp.Name)
		assert.Equal(t, "sales", a[contextstore.AttrFrameID].AsString(), "span %s: frame", sp.Name)
		assert.Equal(t, codes.Unset, sp.Status.Code, "span %s: status", sp.Name)
	}
	assert.Equal(t, []string{"contextstore.set", "contextstore.get", "contextstore.apply", "contextstore.readframe",
		"contextstore.readversioned", "contextstore.applyif"}, names)
	assert.Equal(t, int64(2), attrs(spans[2])[contextstore.AttrEntries].AsInt64(), "apply wrote two entries")
	assert.Equal(t, int64(3), attrs(spans[3])[contextstore.AttrEntries].AsInt64(), "readframe read three")

	m := tel.metrics(t)
	assert.Equal(t, int64(1), total(t, m[contextstore.MetricDuration], op("set"), contextstore.AttrBackend.String("mem")))
	assert.Equal(t, int64(1), total(t, m[contextstore.MetricDuration], op("readversioned")))
	assert.Equal(t, int64(1+2+1), total(t, m[contextstore.MetricEntriesWritten]), "set, apply of two, applyif of one")
	assert.Equal(t, int64(2), total(t, m[contextstore.MetricEntriesWritten], op("apply")))
	assert.Equal(t, int64(1+3+3), total(t, m[contextstore.MetricEntriesRead]), "get, readframe, readversioned")
}

// A failed call carries its kind on the span and in the error counter; a
// Get of a missing key is no failure; a conflict is counted as such.
func TestInstrumentErrorKinds(t *testing.T) {
	ctx := context.Background()
	tel := newTelemetry(t)
	s := contextstore.Instrument(contextstore.NewMemoryStore(), tel.config("mem"))

	_, err := s.Get(ctx, keys.Column("f", "missing"))
	require.ErrorIs(t, err, contextstore.ErrNotFound)
	err = s.Set(ctx, keys.Column("f", "a"), contextstore.Value{"bad": func() {}})
	require.ErrorIs(t, err, contextstore.ErrInvalidValue)
	_, err = contextstore.ApplyIf(ctx, s, []contextstore.Guard{contextstore.AtVersion("f", contextstore.FrameState{Version: 42})}, nil)
	require.ErrorIs(t, err, contextstore.ErrConflict)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = s.Get(cancelled, keys.Column("f", "a"))
	require.ErrorIs(t, err, context.Canceled)

	kinds := map[string]codes.Code{}
	for _, sp := range tel.spans.GetSpans() {
		kinds[attrs(sp)[contextstore.AttrErrorType].AsString()] = sp.Status.Code
		if sp.Status.Code == codes.Error {
			assert.NotContains(t, sp.Status.Description, "func", "the status names the kind, not the message")
		}
	}
	assert.Equal(t, map[string]codes.Code{"not_found": codes.Unset, "invalid_value": codes.Error,
		"conflict": codes.Error, "canceled": codes.Error}, kinds)

	m := tel.metrics(t)
	errs := m[contextstore.MetricErrors]
	assert.Equal(t, int64(0), total(t, errs, contextstore.AttrErrorType.String("not_found")), "a miss is no error")
	assert.Equal(t, int64(1), total(t, errs, contextstore.AttrErrorType.String("invalid_value")))
	assert.Equal(t, int64(1), total(t, errs, contextstore.AttrErrorType.String("conflict")))
	assert.Equal(t, int64(1), total(t, m[contextstore.MetricConflicts]))
}

// Update's retries after a conflict are counted and marked on the caller's
// span.
func TestInstrumentCountsRetries(t *testing.T) {
	ctx := context.Background()
	tel := newTelemetry(t)
	inner := contextstore.NewMemoryStore()
	s := contextstore.Instrument(inner, tel.config("mem"))
	interfered := false
	_, err := contextstore.Update(ctx, s, []string{"f"}, false, func([]contextstore.Snapshot) ([]contextstore.Mutation, error) {
		if !interfered {
			interfered = true
			// Another writer, behind the instrumented store's back.
			require.NoError(t, inner.Set(ctx, keys.Column("f", "other"), contextstore.Value{}))
		}
		return []contextstore.Mutation{contextstore.Put(keys.Column("f", "a"), contextstore.Value{"n": 1})}, nil
	})
	require.NoError(t, err)
	m := tel.metrics(t)
	assert.Equal(t, int64(1), total(t, m[contextstore.MetricConflicts]))
	assert.Equal(t, int64(1), total(t, m[contextstore.MetricRetries]))
}

// No attribute of any span or metric point carries a value, a URL or a
// password, whatever the call.
func TestInstrumentLeaksNothing(t *testing.T) {
	ctx := context.Background()
	tel := newTelemetry(t)
	const secret = "s3cr3t-value"
	s := contextstore.Instrument(contextstore.NewMemoryStore(), tel.config("mem"))
	require.NoError(t, s.Set(ctx, keys.Column("f", "a"), contextstore.Value{"password": secret}))
	_, _ = s.Get(ctx, keys.Column("f", "a"))
	_ = s.Set(ctx, keys.Column("f", "b"), contextstore.Value{"x": secret + "\x00"})
	_, _ = contextstore.ReadFrame(ctx, s, "f")
	require.NotEmpty(t, tel.spans.GetSpans())
	for _, sp := range tel.spans.GetSpans() {
		for _, kv := range sp.Attributes {
			assert.NotContains(t, kv.Value.String(), secret, "span %s attribute %s", sp.Name, kv.Key)
		}
		assert.NotContains(t, sp.Status.Description, secret)
		for _, ev := range sp.Events {
			assert.NotContains(t, ev.Name, secret)
		}
	}
	var rm metricdata.ResourceMetrics
	require.NoError(t, tel.reader.Collect(ctx, &rm))
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			var sets []attribute.Set
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					sets = append(sets, p.Attributes)
				}
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					sets = append(sets, p.Attributes)
				}
			}
			require.NotEmpty(t, sets, "metric %s has points", m.Name)
			for _, set := range sets {
				assert.NotContains(t, set.Encoded(attribute.DefaultEncoder()), secret, "metric %s", m.Name)
			}
		}
	}
}
