package decoratortest

import (
	"context"
	"fmt"
	"testing"
	"time"

	metricnoop "go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// block is how many ops of one variant run in a row.
const block = 8

// variant is one way of reaching the same store.
type variant struct {
	name  string
	store contextstore.Store
}

// variants wraps s every way docs/PERFORMANCE.md compares: bare (the
// baseline), instrumented with no-op providers, instrumented with the SDK
// sampling 1% of traces and aggregating metrics in memory, cached checking
// every read, and cached within a one-second bound.
func variants(b *testing.B, s contextstore.Store) []variant {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(0.01))),
		sdktrace.WithBatcher(tracetest.NewNoopExporter()))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	b.Cleanup(func() {
		_ = tp.Shutdown(context.Background())
		_ = mp.Shutdown(context.Background())
	})
	return []variant{
		{"bare", s},
		{"otel-noop", contextstore.Instrument(s, contextstore.Telemetry{TracerProvider: tracenoop.NewTracerProvider(), MeterProvider: metricnoop.NewMeterProvider()})},
		{"otel-sdk-1pct", contextstore.Instrument(s, contextstore.Telemetry{TracerProvider: tp, MeterProvider: mp})},
		{"cache-check", contextstore.Cache(s, contextstore.CacheOptions{})},
		{"cache-1s", contextstore.Cache(s, contextstore.CacheOptions{MaxStale: time.Second})},
	}
}

// paired runs op on every variant in each iteration, one after the other
// in a rotating order, so that a change in the machine's load hits them
// alike, and reports each
// variant's time per op ("NAME-ns/op") and its ratio to the bare store's
// ("NAME-x", 1.05 meaning 5% slower). One iteration is block ops of every
// variant; ns/op is per op.
func paired(b *testing.B, vs []variant, op func(contextstore.Store) error) {
	spent := make([]time.Duration, len(vs))
	for _, v := range vs { // warm caches and connections
		if err := op(v.store); err != nil {
			b.Fatalf("%s: %v", v.name, err)
		}
	}
	for round := 0; b.Loop(); round++ {
		// Each round runs a short block of each variant, starting with the
		// next one each time: load drift still hits them alike, and the
		// garbage a variant makes is mostly collected in its own block,
		// not during a cheaper neighbour's.
		for j := range vs {
			i := (round + j) % len(vs)
			start := time.Now()
			for range block {
				if err := op(vs[i].store); err != nil {
					b.Fatalf("%s: %v", vs[i].name, err)
				}
			}
			spent[i] += time.Since(start)
		}
	}
	n := float64(b.N * block)
	for i, v := range vs {
		b.ReportMetric(float64(spent[i].Nanoseconds())/n, v.name+"-ns/op")
		if i > 0 {
			b.ReportMetric(float64(spent[i])/float64(spent[0]), v.name+"-x")
		}
	}
}

// Bench measures the decorators over the store newStore returns: a hot
// Get, a Set, and reading an unchanged frame of 1,000 entries.
func Bench(b *testing.B, newStore func(b *testing.B) contextstore.Store) {
	ctx := context.Background()
	value := contextstore.Value{"unit": "degC", "description": "air temperature at 2 m", "quality": 0.97}
	b.Run("Get", func(b *testing.B) {
		s := newStore(b)
		k := keys.Column("bench-get", "temp")
		if err := s.Set(ctx, k, value); err != nil {
			b.Fatal(err)
		}
		paired(b, variants(b, s), func(s contextstore.Store) error {
			_, err := s.Get(ctx, k)
			return err
		})
	})
	b.Run("Set", func(b *testing.B) {
		s := newStore(b)
		k := keys.Column("bench-set", "temp")
		paired(b, variants(b, s), func(s contextstore.Store) error { return s.Set(ctx, k, value) })
	})
	// An unchanged frame of 1,000 row entries: read with owned copies
	// (ReadFrame), and as the adapters' commit path reads it, sharing the
	// values (ReadVersionedShared).
	for _, read := range []struct {
		name string
		read func(contextstore.Store) (int, error)
	}{
		{"ReadFrame1000", func(s contextstore.Store) (int, error) {
			es, err := contextstore.ReadFrame(ctx, s, "bench-frame")
			return len(es), err
		}},
		{"ReadVersionedShared1000", func(s contextstore.Store) (int, error) {
			snap, err := contextstore.ReadVersionedShared(ctx, s, "bench-frame")
			return len(snap.Entries), err
		}},
	} {
		b.Run(read.name, func(b *testing.B) {
			s := newStore(b)
			entries := make([]contextstore.Entry, 1000)
			for i := range entries {
				entries[i] = contextstore.Entry{Key: keys.Row("bench-frame", i), Value: contextstore.Value{"qc": fmt.Sprint("ok-", i)}}
			}
			if err := contextstore.SetMany(ctx, s, entries); err != nil {
				b.Fatal(err)
			}
			paired(b, variants(b, s), func(s contextstore.Store) error {
				n, err := read.read(s)
				if err == nil && n != len(entries) {
					err = fmt.Errorf("read %d entries, want %d", n, len(entries))
				}
				return err
			})
		})
	}
}
