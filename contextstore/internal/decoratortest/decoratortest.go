// Package decoratortest runs a backend's conformance suite through
// contextstore's decorators: instrumented with the real OpenTelemetry SDK
// (recording every span, reading metrics), cached (checking every read, and
// serving within a staleness bound), and both stacked.
package decoratortest

import (
	"context"
	"testing"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/contextstore/storetest"
)

// Run runs storetest.RunDecorated on newStore with each decorator, as a
// subtest named for it.
func Run(t *testing.T, newStore storetest.NewStore) {
	t.Helper()
	for _, w := range wrappers(t) {
		t.Run(w.name, func(t *testing.T) { storetest.RunDecorated(t, newStore, w.wrap) })
	}
}

type wrapper struct {
	name string
	wrap func(contextstore.Store) contextstore.Store
}

func wrappers(t *testing.T) []wrapper {
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t.Cleanup(func() {
		ctx := context.Background()
		_ = tp.Shutdown(ctx)
		_ = mp.Shutdown(ctx)
	})
	tel := contextstore.Telemetry{TracerProvider: tp, MeterProvider: mp, Backend: "test"}
	return []wrapper{
		{"Instrumented", func(s contextstore.Store) contextstore.Store { return contextstore.Instrument(s, tel) }},
		{"Cached", func(s contextstore.Store) contextstore.Store {
			return contextstore.Cache(s, contextstore.CacheOptions{MaxEntries: 10_000})
		}},
		{"CachedWithinOneMinute", func(s contextstore.Store) contextstore.Store {
			return contextstore.Cache(s, contextstore.CacheOptions{MaxEntries: 10_000, MaxStale: time.Minute})
		}},
		{"InstrumentedCache", func(s contextstore.Store) contextstore.Store {
			return contextstore.Instrument(contextstore.Cache(s, contextstore.CacheOptions{MaxEntries: 64}), tel)
		}},
	}
}
