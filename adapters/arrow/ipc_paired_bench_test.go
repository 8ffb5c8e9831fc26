package arrow

import (
	"bytes"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore"
)

// BenchmarkIPCPaired is BenchmarkIPC's 1M-row plain-versus-ctxframe
// comparison made robust to a shared machine: every iteration times the
// plain call and the ctxframe call back to back, on a freshly collected heap,
// alternating which goes first, and reports the median of the per-iteration
// ratios (ctxframe / plain). A 36 MB copy dominates both calls, so unpaired
// runs of a few milliseconds swing more than the overhead being measured.
func BenchmarkIPCPaired(b *testing.B) {
	rec := ipcBenchRecord(b)
	defer rec.Release()
	store := ipcBenchStore(b, 0)
	for _, f := range ipcBenchFormats() {
		var plainData, ctxData bytes.Buffer
		require.NoError(b, f.plainW(&plainData, rec))
		require.NoError(b, f.ctxW(&ctxData, store, rec))
		dst := contextstore.NewMemoryStore()
		buf := bytes.NewBuffer(make([]byte, 0, ctxData.Len()+1<<20))
		ops := map[string][2]func() error{
			"write": {
				func() error { buf.Reset(); return f.plainW(buf, rec) },
				func() error { buf.Reset(); return f.ctxW(buf, store, rec) },
			},
			"read": {
				func() error { return f.plainR(plainData.Bytes()) },
				func() error { return f.ctxR(ctxData.Bytes(), dst) },
			},
		}
		for _, op := range []string{"write", "read"} {
			b.Run(f.name+"/"+op, func(b *testing.B) {
				var ratios []float64
				var plainTotal, ctxTotal time.Duration
				timed := func(fn func() error) time.Duration {
					runtime.GC()
					start := time.Now()
					require.NoError(b, fn())
					return time.Since(start)
				}
				i := 0
				for b.Loop() {
					var p, c time.Duration
					if i%2 == 0 {
						p, c = timed(ops[op][0]), timed(ops[op][1])
					} else {
						c, p = timed(ops[op][1]), timed(ops[op][0])
					}
					i++
					plainTotal += p
					ctxTotal += c
					ratios = append(ratios, float64(c)/float64(p))
				}
				slices.Sort(ratios)
				b.ReportMetric(ratios[len(ratios)/2], "median-ratio")
				b.ReportMetric(float64(plainTotal.Nanoseconds())/float64(len(ratios)), "plain-ns/op")
				b.ReportMetric(float64(ctxTotal.Nanoseconds())/float64(len(ratios)), "ctxframe-ns/op")
			})
		}
	}
}
