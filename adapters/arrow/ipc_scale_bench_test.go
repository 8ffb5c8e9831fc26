package arrow

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore"
)

// BenchmarkIPCCellsAtScale is issue #14's IPC case: the 1M-row benchmark
// record written as a stream with 1M cell entries from the memory store,
// and read back into an empty one. BenchmarkIPC's "plain" figures are the
// raw baseline (6–40 ms).
func BenchmarkIPCCellsAtScale(b *testing.B) {
	rec := ipcBenchRecord(b)
	defer rec.Release()
	s := ipcBenchStore(b, 1_000_000)
	stream := ipcBenchFormats()[0]
	var buf bytes.Buffer
	require.NoError(b, stream.ctxW(&buf, s, rec))
	data := bytes.Clone(buf.Bytes())
	b.Run("write", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			buf.Reset()
			require.NoError(b, stream.ctxW(&buf, s, rec))
		}
	})
	b.Run("read", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			require.NoError(b, stream.ctxR(data, contextstore.NewMemoryStore()))
		}
	})
}
