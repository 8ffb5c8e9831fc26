package arrow

import (
	"bytes"
	"context"
	"strconv"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// The IPC benchmarks compare ctxframe's writers and readers with plain
// arrow/go IPC of the same record in the same run; docs/PERFORMANCE.md has the
// figures and the command. Run them with a fixed count, e.g.
//
//	go test ./adapters/arrow -run '^$' -bench BenchmarkIPC -benchmem -benchtime 10x
const (
	ipcBenchRows  = 1_000_000
	ipcBenchCells = 100_000
)

var ipcBenchColumns = []string{"id", "x", "y", "code", "tag"}

// ipcBenchRecord is one record of ipcBenchRows rows and five columns.
func ipcBenchRecord(b *testing.B) arrow.Record {
	b.Helper()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "x", Type: arrow.PrimitiveTypes.Float64},
		{Name: "y", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "code", Type: arrow.PrimitiveTypes.Int32},
		{Name: "tag", Type: arrow.BinaryTypes.String},
	}, nil)
	rb := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer rb.Release()
	for i := range ipcBenchRows {
		rb.Field(0).(*array.Int64Builder).Append(int64(i))
		rb.Field(1).(*array.Float64Builder).Append(float64(i) * 0.5)
		rb.Field(2).(*array.Float64Builder).Append(float64(i%1000) / 7)
		rb.Field(3).(*array.Int32Builder).Append(int32(i % 97))
		rb.Field(4).(*array.StringBuilder).Append("t" + strconv.Itoa(i%5000))
	}
	return rb.NewRecord()
}

// ipcBenchStore holds frame "bench" with frame context and context on every
// column, plus cells cell entries spread over rows and columns.
func ipcBenchStore(b *testing.B, cells int) contextstore.Store {
	b.Helper()
	es := []contextstore.Entry{{Key: keys.Frame("bench"), Value: contextstore.Value{
		"source": "benchmark", "owner": "perf", "rev": 7, "tags": []any{"ipc", "arrow"}}}}
	for _, c := range ipcBenchColumns {
		es = append(es, contextstore.Entry{Key: keys.Column("bench", c), Value: contextstore.Value{
			"desc": "column " + c, "unit": "u", "quality": 0.98}})
	}
	for i := range cells {
		es = append(es, contextstore.Entry{
			Key:   keys.Cell("bench", i*(ipcBenchRows/cells), ipcBenchColumns[i%len(ipcBenchColumns)]),
			Value: contextstore.Value{"note": "checked", "score": i % 10}})
	}
	s := contextstore.NewMemoryStore()
	require.NoError(b, contextstore.SetMany(context.Background(), s, es))
	return s
}

type ipcBenchFormat struct {
	name   string
	plainW func(*bytes.Buffer, arrow.Record) error
	plainR func([]byte) error
	ctxW   func(*bytes.Buffer, contextstore.Store, arrow.Record) error
	ctxR   func([]byte, contextstore.Store) error
}

func ipcBenchFormats() []*ipcBenchFormat {
	ctx := context.Background()
	return []*ipcBenchFormat{
		{
			name: "stream",
			plainW: func(buf *bytes.Buffer, rec arrow.Record) error {
				w := ipc.NewWriter(buf, ipc.WithSchema(rec.Schema()))
				if err := w.Write(rec); err != nil {
					return err
				}
				return w.Close()
			},
			plainR: func(data []byte) error {
				r, err := ipc.NewReader(bytes.NewReader(data))
				if err != nil {
					return err
				}
				defer r.Release()
				var recs []arrow.Record
				for r.Next() {
					rec := r.Record()
					rec.Retain()
					recs = append(recs, rec)
				}
				ipcRelease(recs)
				return r.Err()
			},
			ctxW: func(buf *bytes.Buffer, s contextstore.Store, rec arrow.Record) error {
				return WriteStream(ctx, buf, s, "bench", rec.Schema(), []arrow.Record{rec}, nil)
			},
			ctxR: func(data []byte, s contextstore.Store) error {
				res, err := ReadStream(ctx, bytes.NewReader(data), s, &ReadOptions{FrameID: "copy"})
				if err != nil {
					return err
				}
				res.Release()
				return nil
			},
		},
		{
			name: "file",
			plainW: func(buf *bytes.Buffer, rec arrow.Record) error {
				w, err := ipc.NewFileWriter(&ipcOffsetWriter{w: buf}, ipc.WithSchema(rec.Schema()))
				if err != nil {
					return err
				}
				if err := w.Write(rec); err != nil {
					return err
				}
				return w.Close()
			},
			plainR: func(data []byte) error {
				r, err := ipc.NewFileReader(bytes.NewReader(data))
				if err != nil {
					return err
				}
				defer r.Close()
				var recs []arrow.Record
				for i := range r.NumRecords() {
					rec, err := r.RecordAt(i)
					if err != nil {
						return err
					}
					recs = append(recs, rec)
				}
				ipcRelease(recs)
				return nil
			},
			ctxW: func(buf *bytes.Buffer, s contextstore.Store, rec arrow.Record) error {
				return WriteFile(ctx, buf, s, "bench", rec.Schema(), []arrow.Record{rec}, nil)
			},
			ctxR: func(data []byte, s contextstore.Store) error {
				res, err := ReadFile(ctx, bytes.NewReader(data), s, &ReadOptions{FrameID: "copy"})
				if err != nil {
					return err
				}
				res.Release()
				return nil
			},
		},
	}
}

// BenchmarkIPC measures, per format: plain arrow/go write and read; the
// same with frame and column context ("ctxframe"); and with 100k cell
// entries besides ("ctxframe-100k-cells"). The ratio of each ctxframe
// figure to the plain one of the same run is the overhead. Reported
// metrics: cpu-ns/op (process CPU time, steadier than wall time on a shared
// machine), ipc-bytes (size written) and, for the cell case,
// ctx-bytes/entry.
func BenchmarkIPC(b *testing.B) {
	rec := ipcBenchRecord(b)
	defer rec.Release()
	stores := map[string]contextstore.Store{
		"ctxframe":            ipcBenchStore(b, 0),
		"ctxframe-100k-cells": ipcBenchStore(b, ipcBenchCells),
	}
	for _, f := range ipcBenchFormats() {
		var plain bytes.Buffer
		require.NoError(b, f.plainW(&plain, rec))
		written := map[string][]byte{"plain": plain.Bytes()}
		for name, s := range stores {
			var buf bytes.Buffer
			require.NoError(b, f.ctxW(&buf, s, rec))
			written[name] = buf.Bytes()
		}
		for _, variant := range []string{"plain", "ctxframe", "ctxframe-100k-cells"} {
			data := written[variant]
			report := func(b *testing.B, cpuStart int64, cpuOK bool) {
				if cpuEnd, ok := ipcProcessCPU(); ok && cpuOK {
					b.ReportMetric(float64(cpuEnd-cpuStart)/float64(b.N), "cpu-ns/op")
				}
				b.ReportMetric(float64(len(data)), "ipc-bytes")
				if variant == "ctxframe-100k-cells" {
					extra := len(data) - len(written["ctxframe"])
					b.ReportMetric(float64(extra)/ipcBenchCells, "ctx-bytes/entry")
				}
			}
			b.Run(f.name+"/write/"+variant, func(b *testing.B) {
				buf := bytes.NewBuffer(make([]byte, 0, len(data)+1<<20))
				cpuStart, cpuOK := ipcProcessCPU()
				for b.Loop() {
					buf.Reset()
					var err error
					if variant == "plain" {
						err = f.plainW(buf, rec)
					} else {
						err = f.ctxW(buf, stores[variant], rec)
					}
					require.NoError(b, err)
				}
				report(b, cpuStart, cpuOK)
			})
			b.Run(f.name+"/read/"+variant, func(b *testing.B) {
				dst := contextstore.NewMemoryStore()
				cpuStart, cpuOK := ipcProcessCPU()
				for b.Loop() {
					var err error
					if variant == "plain" {
						err = f.plainR(data)
					} else {
						err = f.ctxR(data, dst)
					}
					require.NoError(b, err)
				}
				report(b, cpuStart, cpuOK)
			})
		}
	}
}

// BenchmarkIPCFixedCost isolates what context adds to one stream or file,
// whatever its size: the benchmark schema with no rows, plain and with frame
// and column context. The difference is the per-stream overhead that
// BenchmarkIPC's 1M-row figures divide by the data's cost.
func BenchmarkIPCFixedCost(b *testing.B) {
	full := ipcBenchRecord(b)
	empty := full.NewSlice(0, 0)
	full.Release()
	defer empty.Release()
	store := ipcBenchStore(b, 0)
	for _, f := range ipcBenchFormats() {
		var plain, withContext bytes.Buffer
		require.NoError(b, f.plainW(&plain, empty))
		require.NoError(b, f.ctxW(&withContext, store, empty))
		b.Run(f.name+"/write/plain", func(b *testing.B) {
			var buf bytes.Buffer
			for b.Loop() {
				buf.Reset()
				require.NoError(b, f.plainW(&buf, empty))
			}
		})
		b.Run(f.name+"/write/ctxframe", func(b *testing.B) {
			var buf bytes.Buffer
			for b.Loop() {
				buf.Reset()
				require.NoError(b, f.ctxW(&buf, store, empty))
			}
		})
		b.Run(f.name+"/read/plain", func(b *testing.B) {
			for b.Loop() {
				require.NoError(b, f.plainR(plain.Bytes()))
			}
		})
		b.Run(f.name+"/read/ctxframe", func(b *testing.B) {
			dst := contextstore.NewMemoryStore()
			for b.Loop() {
				require.NoError(b, f.ctxR(withContext.Bytes(), dst))
			}
		})
	}
}
