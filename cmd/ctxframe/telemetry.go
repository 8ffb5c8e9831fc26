package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/ctxframe/ctxframe/contextstore"
)

// diagnosis is what --trace and --metrics collect while a command runs:
// every store call and operation, in this process only, printed to stderr
// when the command ends. Nothing is exported anywhere.
type diagnosis struct {
	trace, metrics bool
	tp             *sdktrace.TracerProvider
	spans          *spanRecorder
	mp             *sdkmetric.MeterProvider
	reader         *sdkmetric.ManualReader
}

// diagnosisFromEnv turns $CTXFRAME_TRACE and $CTXFRAME_METRICS (1, true)
// into the flags' defaults.
func diagnosisFromEnv(name string) bool {
	on, _ := strconv.ParseBool(os.Getenv(name))
	return on
}

// openOptions returns the options that instrument every store the command
// opens, when --trace or --metrics asks for it.
func (e *env) openOptions() []contextstore.OpenOption {
	d := &e.diag
	if !d.trace && !d.metrics {
		return nil
	}
	if d.tp == nil {
		d.spans = &spanRecorder{}
		d.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(d.spans))
		d.reader = sdkmetric.NewManualReader()
		d.mp = sdkmetric.NewMeterProvider(sdkmetric.WithReader(d.reader))
	}
	return []contextstore.OpenOption{contextstore.WithTelemetry(contextstore.Telemetry{TracerProvider: d.tp, MeterProvider: d.mp})}
}

// report prints what was collected, once the command's stores are closed.
func (d *diagnosis) report(w io.Writer) {
	if d.tp == nil {
		return
	}
	ctx := context.Background()
	if d.trace {
		d.spans.print(w)
	}
	if d.metrics {
		var rm metricdata.ResourceMetrics
		if err := d.reader.Collect(ctx, &rm); err != nil {
			fmt.Fprintf(w, "metrics: %v\n", err)
		} else {
			printMetrics(w, rm)
		}
	}
	_ = d.tp.Shutdown(ctx)
	_ = d.mp.Shutdown(ctx)
}

// spanRecorder keeps every ended span, for the --trace tree.
type spanRecorder struct {
	mu    sync.Mutex
	spans []sdktrace.ReadOnlySpan
}

func (r *spanRecorder) OnStart(context.Context, sdktrace.ReadWriteSpan) {}
func (r *spanRecorder) OnEnd(s sdktrace.ReadOnlySpan) {
	r.mu.Lock()
	r.spans = append(r.spans, s)
	r.mu.Unlock()
}
func (r *spanRecorder) Shutdown(context.Context) error   { return nil }
func (r *spanRecorder) ForceFlush(context.Context) error { return nil }

// print writes the spans as a tree in start order: name, duration, and the
// entries and error kind a call reported.
func (r *spanRecorder) print(w io.Writer) {
	r.mu.Lock()
	spans := slices.Clone(r.spans)
	r.mu.Unlock()
	slices.SortStableFunc(spans, func(a, b sdktrace.ReadOnlySpan) int { return a.StartTime().Compare(b.StartTime()) })
	children := map[string][]sdktrace.ReadOnlySpan{}
	ids := map[string]bool{}
	for _, s := range spans {
		ids[s.SpanContext().SpanID().String()] = true
	}
	var roots []sdktrace.ReadOnlySpan
	for _, s := range spans {
		if p := s.Parent().SpanID().String(); s.Parent().IsValid() && ids[p] {
			children[p] = append(children[p], s)
		} else {
			roots = append(roots, s)
		}
	}
	fmt.Fprintf(w, "trace: %d spans\n", len(spans))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	var walk func(s sdktrace.ReadOnlySpan, depth int)
	walk = func(s sdktrace.ReadOnlySpan, depth int) {
		var notes []string
		for _, kv := range s.Attributes() {
			switch kv.Key {
			case contextstore.AttrBackend:
				notes = append(notes, kv.Value.AsString())
			case contextstore.AttrEntries:
				if n := kv.Value.AsInt64(); n > 0 {
					notes = append(notes, fmt.Sprintf("%d entries", n))
				}
			case contextstore.AttrFrameID:
				notes = append(notes, "frame "+strconv.Quote(kv.Value.AsString()))
			case contextstore.AttrErrorType:
				notes = append(notes, "error "+kv.Value.AsString())
			}
		}
		fmt.Fprintf(tw, "%s%s\t%s\t%s\n", strings.Repeat("  ", depth+1), s.Name(), roundDuration(s.EndTime().Sub(s.StartTime())), strings.Join(notes, ", "))
		for _, c := range children[s.SpanContext().SpanID().String()] {
			walk(c, depth+1)
		}
	}
	for _, s := range roots {
		walk(s, 0)
	}
	_ = tw.Flush()
}

// opStats is one row of the --metrics table.
type opStats struct {
	calls           uint64
	seconds         float64
	read, written   int64
	errors          int64
	backend, opName string
}

// printMetrics writes a table of store time and entries by backend and
// operation, then the conflict and retry counts.
func printMetrics(w io.Writer, rm metricdata.ResourceMetrics) {
	rows := map[[2]string]*opStats{}
	row := func(set attribute.Set) *opStats {
		b, _ := set.Value(contextstore.AttrBackend)
		o, _ := set.Value(contextstore.AttrOperation)
		k := [2]string{b.AsString(), o.AsString()}
		if rows[k] == nil {
			rows[k] = &opStats{backend: k[0], opName: k[1]}
		}
		return rows[k]
	}
	var conflicts, retries int64
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					r := row(p.Attributes)
					r.calls += p.Count
					r.seconds += p.Sum
				}
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					switch m.Name {
					case contextstore.MetricEntriesRead:
						row(p.Attributes).read += p.Value
					case contextstore.MetricEntriesWritten:
						row(p.Attributes).written += p.Value
					case contextstore.MetricErrors:
						row(p.Attributes).errors += p.Value
					case contextstore.MetricConflicts:
						conflicts += p.Value
					case contextstore.MetricRetries:
						retries += p.Value
					}
				}
			}
		}
	}
	sorted := make([]*opStats, 0, len(rows))
	var total float64
	var calls uint64
	for _, r := range rows {
		sorted = append(sorted, r)
		total += r.seconds
		calls += r.calls
	}
	slices.SortFunc(sorted, func(a, b *opStats) int {
		return strings.Compare(a.backend+" "+a.opName, b.backend+" "+b.opName)
	})
	fmt.Fprintf(w, "store: %d calls, %s\n", calls, roundDuration(time.Duration(total*float64(time.Second))))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "  backend\toperation\tcalls\ttime\tentries read\twritten\terrors\t")
	for _, r := range sorted {
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%s\t%d\t%d\t%d\t\n", r.backend, r.opName, r.calls,
			roundDuration(time.Duration(r.seconds*float64(time.Second))), r.read, r.written, r.errors)
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "conflicts %d, retries %d\n", conflicts, retries)
}

// roundDuration keeps three significant figures or so: 1.23ms, 45µs.
func roundDuration(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	case d >= time.Microsecond:
		return d.Round(time.Microsecond)
	}
	return d
}
