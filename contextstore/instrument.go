package contextstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/ctxframe/ctxframe/keys"
)

// InstrumentationName names ctxframe's tracer and meter.
const InstrumentationName = "github.com/ctxframe/ctxframe"

// Telemetry says where an instrumented store reports. A nil provider means
// OpenTelemetry's global one (otel.GetTracerProvider, otel.GetMeterProvider),
// a no-op until the program installs an SDK.
type Telemetry struct {
	TracerProvider trace.TracerProvider
	MeterProvider  metric.MeterProvider
	// Backend is the backend attribute of every span and metric point;
	// "" means the store's Go type ("redisstore.Store"). Open sets the URL
	// scheme.
	Backend string
}

// Attribute keys of the spans and metric points of an instrumented store.
// Values, URLs and credentials are never among them.
const (
	AttrBackend   = attribute.Key("ctxframe.store.backend")
	AttrOperation = attribute.Key("ctxframe.store.operation")
	AttrFrameID   = attribute.Key("ctxframe.frame.id")
	AttrFrames    = attribute.Key("ctxframe.store.frames")
	AttrEntries   = attribute.Key("ctxframe.store.entries")
	AttrErrorType = attribute.Key("error.type")
	AttrAttempt   = attribute.Key("ctxframe.commit.attempt")
	AttrAdapterOp = attribute.Key("ctxframe.operation")
)

// Metric names of an instrumented store.
const (
	MetricDuration       = "ctxframe.store.duration"        // histogram, seconds, by backend, operation (and error.type)
	MetricEntriesRead    = "ctxframe.store.entries.read"    // counter, by backend, operation
	MetricEntriesWritten = "ctxframe.store.entries.written" // counter, by backend, operation
	MetricErrors         = "ctxframe.store.errors"          // counter, by backend, operation, error.type
	MetricConflicts      = "ctxframe.store.conflicts"       // counter, by backend: conditional writes refused
	MetricRetries        = "ctxframe.store.retries"         // counter, by backend: commits read and planned again
)

// Instrument returns s reporting every call as an OpenTelemetry span and
// metric points (see the Metric* and Attr* names), with exactly s's
// optional capabilities. A span carries the backend, the operation, the
// frame ID when the call is about one frame, the number of entries read or
// written and, on failure, the error's kind (ErrorKind) — never a value, a
// URL or a credential. A Get that finds nothing is not a failure: its span
// says error.type=not_found but keeps an unset status, and it counts no
// error. Spans are children of the span in the call's context, such as the
// adapters' operation spans (StartOperation).
func Instrument(s Store, t Telemetry) Store {
	tp, mp := t.TracerProvider, t.MeterProvider
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	backend := t.Backend
	if backend == "" {
		backend = strings.TrimPrefix(fmt.Sprintf("%T", s), "*")
	}
	in := &instrumented{s: s, backend: backend, tracer: tp.Tracer(InstrumentationName)}
	_, noTraces := tp.(tracenoop.TracerProvider)
	_, noMetrics := mp.(metricnoop.MeterProvider)
	in.off = noTraces && noMetrics
	in.metrics(mp.Meter(InstrumentationName))
	// Options built once: a call allocates nothing for them.
	for op := range opCount {
		set := metric.WithAttributeSet(attribute.NewSet(AttrBackend.String(backend), AttrOperation.String(op.String())))
		in.record[op] = []metric.RecordOption{set}
		in.add[op] = []metric.AddOption{set}
		in.spanName[op] = "contextstore." + op.String()
	}
	in.backendAdd = []metric.AddOption{metric.WithAttributeSet(attribute.NewSet(AttrBackend.String(backend)))}
	in.startOpts = []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindClient)}
	return Narrow(in, s)
}

// storeOp is one operation of the Store contract.
type storeOp uint8

const (
	opSet storeOp = iota
	opGet
	opDelete
	opList
	opApply
	opGetMany
	opListFrame
	opReadFrame
	opDropFrame
	opListFrames
	opReadVersioned
	opApplyIf
	opFrameStates
	opReadSubset
	opRemapIf
	opClose
	opCount
)

var opNames = [opCount]string{"set", "get", "delete", "list", "apply", "getmany", "listframe", "readframe",
	"dropframe", "listframes", "readversioned", "applyif", "framestates", "readsubset", "remapif", "close"}

func (o storeOp) String() string { return opNames[o] }

// instrumented is the Decorator Instrument returns (narrowed).
type instrumented struct {
	s          Store
	backend    string
	tracer     trace.Tracer
	duration   metric.Float64Histogram
	read       metric.Int64Counter
	written    metric.Int64Counter
	errs       metric.Int64Counter
	conflicts  metric.Int64Counter
	retries    metric.Int64Counter
	record     [opCount][]metric.RecordOption
	add        [opCount][]metric.AddOption
	spanName   [opCount]string
	backendAdd []metric.AddOption
	startOpts  []trace.SpanStartOption
	// off: both providers are the API's no-op ones, so a call reports
	// nothing and costs nothing beyond the call through.
	off bool
}

var _ Decorator = (*instrumented)(nil)

// metrics creates the instruments; an instrument the provider refuses is
// replaced by a no-op one rather than failing the store.
func (in *instrumented) metrics(m metric.Meter) {
	var err error
	if in.duration, err = m.Float64Histogram(MetricDuration, metric.WithUnit("s"),
		metric.WithDescription("Duration of context store calls."),
		metric.WithExplicitBucketBoundaries(5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2, 5e-2, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)); err != nil {
		otel.Handle(err)
	}
	counter := func(name, unit, desc string) metric.Int64Counter {
		c, err := m.Int64Counter(name, metric.WithUnit(unit), metric.WithDescription(desc))
		if err != nil {
			otel.Handle(err)
		}
		return c
	}
	in.read = counter(MetricEntriesRead, "{entry}", "Context entries read from the store.")
	in.written = counter(MetricEntriesWritten, "{entry}", "Context entries written to the store (sets, deletes, merges).")
	in.errs = counter(MetricErrors, "{error}", "Failed context store calls, by error kind.")
	in.conflicts = counter(MetricConflicts, "{conflict}", "Conditional writes refused because a frame had changed.")
	in.retries = counter(MetricRetries, "{retry}", "Commits read and planned again after a conflict.")
}

// Unwrap returns the instrumented store.
func (in *instrumented) Unwrap() Store { return in.s }

// call is one store call in flight.
type call struct {
	in    *instrumented
	op    storeOp
	ctx   context.Context
	span  trace.Span
	start time.Time // zero when the duration is not recorded
}

func (in *instrumented) begin(ctx context.Context, op storeOp, frameID string) call {
	if in.off {
		return call{ctx: ctx}
	}
	ctx, span := in.tracer.Start(ctx, in.spanName[op], in.startOpts...)
	if span.IsRecording() {
		span.SetAttributes(AttrBackend.String(in.backend), AttrOperation.String(op.String()))
		if frameID != "" {
			span.SetAttributes(AttrFrameID.String(frameID))
		}
	}
	c := call{in: in, op: op, ctx: ctx, span: span}
	if in.duration.Enabled(ctx) {
		c.start = time.Now()
	}
	return c
}

// end records the call's outcome: entries read and written, and the error
// kind when it failed.
func (c call) end(err error, read, written int) {
	in := c.in
	if in == nil {
		return
	}
	kind := ""
	if err != nil {
		kind = ErrorKind(err)
		withKind := metric.WithAttributes(AttrErrorType.String(kind))
		if !c.start.IsZero() {
			in.duration.Record(c.ctx, time.Since(c.start).Seconds(), append(in.record[c.op][:1:1], withKind)...)
		}
		if kind != "not_found" {
			in.errs.Add(c.ctx, 1, append(in.add[c.op][:1:1], withKind)...)
		}
		if kind == "conflict" {
			in.conflicts.Add(c.ctx, 1, in.backendAdd...)
		}
	} else if !c.start.IsZero() {
		in.duration.Record(c.ctx, time.Since(c.start).Seconds(), in.record[c.op]...)
	}
	if read > 0 {
		in.read.Add(c.ctx, int64(read), in.add[c.op]...)
	}
	if written > 0 {
		in.written.Add(c.ctx, int64(written), in.add[c.op]...)
	}
	if c.span.IsRecording() {
		c.span.SetAttributes(AttrEntries.Int(read + written))
		if kind != "" {
			c.span.SetAttributes(AttrErrorType.String(kind))
			if kind != "not_found" {
				// The kind, not err.Error(): a message may quote a value.
				c.span.SetStatus(codes.Error, kind)
			}
		}
	}
	c.span.End()
}

// ErrorKind names err's kind for telemetry and summaries: "not_found",
// "invalid_value", "invalid_key", "closed", "unavailable", "backend",
// "config", "conflict", "unsupported", "canceled", "deadline_exceeded",
// or "other"; "" for nil. It never includes the message, which may quote
// a value.
func ErrorKind(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrConflict):
		return "conflict"
	case errors.Is(err, ErrNotFound):
		return "not_found"
	case errors.Is(err, keys.ErrInvalidKey):
		return "invalid_key"
	case errors.Is(err, ErrInvalidValue):
		return "invalid_value"
	case errors.Is(err, ErrClosed):
		return "closed"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "deadline_exceeded"
	case errors.Is(err, ErrUnavailable):
		return "unavailable"
	case errors.Is(err, ErrConfig):
		return "config"
	case errors.Is(err, ErrUnsupported):
		return "unsupported"
	case errors.Is(err, ErrBackend):
		return "backend"
	}
	return "other"
}

// batchFrame returns the one frame ms write, or "" and how many frames
// they write.
func batchFrame(ms []Mutation) (string, int) {
	if len(ms) == 0 {
		return "", 0
	}
	first, n := ms[0].Key.FrameID(), 1
	seen := map[string]bool(nil)
	for _, m := range ms[1:] {
		if id := m.Key.FrameID(); id != first && !seen[id] {
			if seen == nil {
				seen = map[string]bool{}
			}
			seen[id] = true
			n++
		}
	}
	if n > 1 {
		return "", n
	}
	return first, 1
}

func (in *instrumented) Set(ctx context.Context, k keys.Key, v Value) error {
	c := in.begin(ctx, opSet, k.FrameID())
	err := in.s.Set(c.ctx, k, v)
	c.end(err, 0, ok(err))
	return err
}

func (in *instrumented) Get(ctx context.Context, k keys.Key) (Value, error) {
	c := in.begin(ctx, opGet, k.FrameID())
	v, err := in.s.Get(c.ctx, k)
	c.end(err, ok(err), 0)
	return v, err
}

func (in *instrumented) Delete(ctx context.Context, k keys.Key) error {
	c := in.begin(ctx, opDelete, k.FrameID())
	err := in.s.Delete(c.ctx, k)
	c.end(err, 0, ok(err))
	return err
}

func (in *instrumented) ListKeys(ctx context.Context) ([]keys.Key, error) {
	c := in.begin(ctx, opList, "")
	ks, err := in.s.ListKeys(c.ctx)
	c.end(err, len(ks), 0)
	return ks, err
}

func (in *instrumented) Apply(ctx context.Context, ms []Mutation) error {
	frameID, frames := batchFrame(ms)
	c := in.begin(ctx, opApply, frameID)
	if frames > 1 && c.span.IsRecording() {
		c.span.SetAttributes(AttrFrames.Int(frames))
	}
	err := Apply(c.ctx, in.s, ms)
	c.end(err, 0, len(ms)*ok(err))
	return err
}

func (in *instrumented) GetMany(ctx context.Context, ks []keys.Key) ([]Value, error) {
	c := in.begin(ctx, opGetMany, "")
	vs, err := GetMany(c.ctx, in.s, ks)
	found := 0
	for _, v := range vs {
		if v != nil {
			found++
		}
	}
	c.end(err, found, 0)
	return vs, err
}

func (in *instrumented) ListFrame(ctx context.Context, frameID string) ([]keys.Key, error) {
	c := in.begin(ctx, opListFrame, frameID)
	ks, err := ListFrame(c.ctx, in.s, frameID)
	c.end(err, len(ks), 0)
	return ks, err
}

func (in *instrumented) ReadFrame(ctx context.Context, frameID string) ([]Entry, error) {
	c := in.begin(ctx, opReadFrame, frameID)
	es, err := ReadFrame(c.ctx, in.s, frameID)
	c.end(err, len(es), 0)
	return es, err
}

func (in *instrumented) DropFrame(ctx context.Context, frameID string) error {
	c := in.begin(ctx, opDropFrame, frameID)
	err := DropFrame(c.ctx, in.s, frameID)
	c.end(err, 0, 0)
	return err
}

func (in *instrumented) ListFrames(ctx context.Context) ([]string, error) {
	c := in.begin(ctx, opListFrames, "")
	ids, err := ListFrames(c.ctx, in.s)
	c.end(err, 0, 0)
	return ids, err
}

func (in *instrumented) ReadVersioned(ctx context.Context, frameID string) (Snapshot, error) {
	c := in.begin(ctx, opReadVersioned, frameID)
	snap, err := ReadVersioned(c.ctx, in.s, frameID)
	c.end(err, len(snap.Entries), 0)
	return snap, err
}

func (in *instrumented) readVersionedShared(ctx context.Context, frameID string) (Snapshot, error) {
	c := in.begin(ctx, opReadVersioned, frameID)
	snap, err := ReadVersionedShared(c.ctx, in.s, frameID)
	c.end(err, len(snap.Entries), 0)
	return snap, err
}

// ReadSubset serves ReadSubset through the wrapped store, which may fall
// back to a whole read.
func (in *instrumented) ReadSubset(ctx context.Context, frameID string, sub Subset) (Snapshot, error) {
	c := in.begin(ctx, opReadSubset, frameID)
	snap, err := ReadSubset(c.ctx, in.s, frameID, sub)
	c.end(err, len(snap.Entries), 0)
	return snap, err
}

func (in *instrumented) readSubsetShared(ctx context.Context, frameID string, sub Subset) (Snapshot, error) {
	c := in.begin(ctx, opReadSubset, frameID)
	snap, err := ReadSubsetShared(c.ctx, in.s, frameID, sub)
	c.end(err, len(snap.Entries), 0)
	return snap, err
}

// RemapIf forwards to the wrapped store's Remapper (RemapperOf finds it
// through Instrument only when the store has one).
func (in *instrumented) RemapIf(ctx context.Context, guards []Guard, ms []Mutation, frameID string, r Remap) ([]FrameState, int, error) {
	inner, remaps := RemapperOf(in.s)
	if !remaps {
		return nil, 0, unsupportedRemap()
	}
	c := in.begin(ctx, opRemapIf, frameID)
	states, n, err := inner.RemapIf(c.ctx, guards, ms, frameID, r)
	c.end(err, 0, (len(ms)+n)*ok(err))
	return states, n, err
}

func (in *instrumented) ApplyIf(ctx context.Context, guards []Guard, ms []Mutation) ([]FrameState, error) {
	frameID, frames := batchFrame(ms)
	if len(ms) == 0 && len(guards) == 1 {
		frameID, frames = guards[0].FrameID, 1
	}
	c := in.begin(ctx, opApplyIf, frameID)
	if frames > 1 && c.span.IsRecording() {
		c.span.SetAttributes(AttrFrames.Int(frames))
	}
	states, err := ApplyIf(c.ctx, in.s, guards, ms)
	c.end(err, 0, len(ms)*ok(err))
	return states, err
}

func (in *instrumented) FrameStates(ctx context.Context, frameIDs []string) ([]FrameState, error) {
	frameID := ""
	if len(frameIDs) == 1 {
		frameID = frameIDs[0]
	}
	c := in.begin(ctx, opFrameStates, frameID)
	states, err := FrameStates(c.ctx, in.s, frameIDs)
	c.end(err, 0, 0)
	return states, err
}

// Close closes the wrapped store.
func (in *instrumented) Close() error {
	c := in.begin(context.Background(), opClose, "")
	err := Close(in.s)
	c.end(err, 0, 0)
	return err
}

// noteRetry counts one more attempt of a conditional commit of frameID.
func (in *instrumented) noteRetry(ctx context.Context, frameID string, attempt int) {
	if in.off {
		return
	}
	in.retries.Add(ctx, 1, in.backendAdd...)
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		span.AddEvent("ctxframe.retry", trace.WithAttributes(AttrFrameID.String(frameID), AttrAttempt.Int(attempt)))
	}
}

// ok is 1 when err is nil, else 0: the entries a call moved when it
// succeeded.
func ok(err error) int {
	if err == nil {
		return 1
	}
	return 0
}

// NoteRetry records, on an instrumented store (anywhere on s's decorator
// chain), that a conditional commit of frameID is read and planned again
// after a conflict: it counts MetricRetries and adds an event to the span
// in ctx. Other stores ignore it. Update and the adapters' commit path call
// it.
func NoteRetry(ctx context.Context, s Store, frameID string, attempt int) {
	if in, found := findDecorator[*instrumented](s); found {
		in.noteRetry(ctx, frameID, attempt)
	}
}

// StartOperation starts the span "ctxframe.OP" (spaces in op become
// underscores) of an adapter's operation (a gota or Arrow operation,
// "gota.filter"; an IPC or Parquet read or write) on the tracer of s's
// instrumentation, or the global tracer when s is not instrumented, so that
// the store calls the operation causes are its children. The returned end
// closes the span with err's kind.
func StartOperation(ctx context.Context, s Store, op, frameID string) (context.Context, func(err error)) {
	var tracer trace.Tracer
	if in, found := findDecorator[*instrumented](s); found {
		tracer = in.tracer
	} else {
		tracer = otel.GetTracerProvider().Tracer(InstrumentationName)
	}
	ctx, span := tracer.Start(ctx, "ctxframe."+strings.ReplaceAll(op, " ", "_"), trace.WithSpanKind(trace.SpanKindInternal))
	if !span.IsRecording() {
		return ctx, func(error) { span.End() }
	}
	span.SetAttributes(AttrAdapterOp.String(op))
	if frameID != "" {
		span.SetAttributes(AttrFrameID.String(frameID))
	}
	return ctx, func(err error) {
		if kind := ErrorKind(err); kind != "" {
			span.SetAttributes(AttrErrorType.String(kind))
			span.SetStatus(codes.Error, kind)
		}
		span.End()
	}
}
