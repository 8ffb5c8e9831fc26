package arrow

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/adapters/internal/gotaconv"
	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// hostileDir holds the committed corpus of crafted IPC inputs: each one must
// be refused with ErrCorruptIPC, restoring nothing. Files ending in .arrows
// are read as streams, .arrow as files. Regenerate it with
//
//	CTXFRAME_UPDATE_CORPUS=1 go test -run TestHostileCorpus ./adapters/arrow/
const hostileDir = "../../testdata/ipc/hostile"

// stringStream writes a small stream and file with a utf8 column, whose
// offsets the corpus damages.
func stringStream(t testing.TB) (stream, file []byte) {
	t.Helper()
	ctx := context.Background()
	schema := arrow.NewSchema([]arrow.Field{{Name: "station", Type: arrow.BinaryTypes.String, Nullable: true}}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for _, s := range []string{"Valentia", "Malin Head", "", "Mace Head"} {
		b.Field(0).(*array.StringBuilder).Append(s)
	}
	rec := b.NewRecord()
	defer rec.Release()
	src := contextstore.NewMemoryStore()
	require.NoError(t, src.Set(ctx, keys.Column("s", "station"), contextstore.Value{"description": "station name"}))
	var s, f bytes.Buffer
	require.NoError(t, WriteStream(ctx, &s, src, "s", schema, []arrow.Record{rec}, nil))
	require.NoError(t, WriteFile(ctx, &f, src, "s", schema, []arrow.Record{rec}, nil))
	return s.Bytes(), f.Bytes()
}

// batchBuffer returns where buffer i of the record batch message at prefix
// m lies in b: its offset and length fields in the flatbuffer, and the
// start of its bytes.
func batchBuffer(b []byte, m, i int) (offsetField, lengthField, data int) {
	meta := b[m+8:]
	metaLen := int(binary.LittleEndian.Uint32(b[m+4:]))
	v := fbVerifier{b: meta}
	msg := int(binary.LittleEndian.Uint32(meta))
	batch := v.deref(v.field(msg, 2))
	vec := v.deref(v.field(batch, 2))
	offsetField = m + 8 + vec + 4 + 16*i
	lengthField = offsetField + 8
	data = m + 8 + metaLen + int(binary.LittleEndian.Uint64(b[offsetField:]))
	return offsetField, lengthField, data
}

// hostileCorpus makes the crafted inputs, by name.
func hostileCorpus(t *testing.T) map[string][]byte {
	t.Helper()
	stream, file := guardGolden(t)
	msgs := streamMessages(t, stream)
	sStream, sFile := stringStream(t)
	sMsgs := streamMessages(t, sStream)
	patch := func(src []byte, f func(b []byte)) []byte {
		b := bytes.Clone(src)
		f(b)
		return b
	}
	put32 := func(b []byte, at int, v int32) { binary.LittleEndian.PutUint32(b[at:], uint32(v)) }
	_, _, offsets := batchBuffer(sStream, sMsgs[1], 1) // the utf8 column's offsets
	out := map[string][]byte{
		"metadata-length-2GiB.arrows":     patch(stream, func(b []byte) { binary.LittleEndian.PutUint32(b[msgs[1]+4:], 0x7fffffff) }),
		"metadata-length-negative.arrows": patch(stream, func(b []byte) { binary.LittleEndian.PutUint32(b[msgs[0]+4:], 0xfffffff0) }),
		"body-length-64GiB.arrows":        patch(stream, func(b []byte) { setBodyLength(t, b, msgs[1], 64<<30) }),
		"body-length-negative.arrows":     patch(stream, func(b []byte) { setBodyLength(t, b, msgs[1], -8) }),
		"body-beyond-input.arrows":        patch(stream, func(b []byte) { setBodyLength(t, b, msgs[1], 1<<20) })[:len(stream)],
		"root-offset-beyond-metadata.arrows": patch(stream, func(b []byte) {
			binary.LittleEndian.PutUint32(b[msgs[0]+8:], 0x00ffffff)
		}),
		"buffer-beyond-body.arrows": patch(stream, func(b []byte) {
			_, length, _ := batchBuffer(b, msgs[1], 0)
			binary.LittleEndian.PutUint64(b[length:], 96<<30)
		}),
		"buffer-offset-negative.arrows": patch(stream, func(b []byte) {
			off, _, _ := batchBuffer(b, msgs[1], 1)
			binary.LittleEndian.PutUint64(b[off:], uint64(1<<63))
		}),
		"offsets-negative.arrows":        patch(sStream, func(b []byte) { put32(b, offsets+8, -5) }),
		"offsets-decreasing.arrows":      patch(sStream, func(b []byte) { put32(b, offsets+8, 1) }),
		"offsets-beyond-data.arrows":     patch(sStream, func(b []byte) { put32(b, offsets+16, 1<<20) }),
		"offsets-overlapping-end.arrows": patch(sStream, func(b []byte) { put32(b, offsets+4, 40) }),
		"cut-in-schema.arrows":           stream[:msgs[0]+20],
		"cut-after-schema.arrows":        stream[:msgs[1]],
		"cut-in-batch-metadata.arrows":   stream[:msgs[1]+24],
		"cut-in-batch-body.arrows":       stream[:msgs[2]-7],
		"no-continuation-marker.arrows":  patch(stream, func(b []byte) { binary.LittleEndian.PutUint32(b[msgs[1]:], 0x12345678) }),
	}
	// Files: the footer and its blocks.
	footerLen := int(binary.LittleEndian.Uint32(file[len(file)-10:]))
	footerAt := len(file) - 10 - footerLen
	blocks, err := footerBlocks(file[footerAt : len(file)-10])
	if err != nil || len(blocks) == 0 {
		t.Fatalf("golden file blocks: %v, %v", blocks, err)
	}
	var block int
	for i := footerAt; i+24 <= len(file)-10; i++ {
		last := blocks[len(blocks)-1]
		if int64(binary.LittleEndian.Uint64(file[i:])) == last.offset && int64(binary.LittleEndian.Uint64(file[i+16:])) == last.body {
			block = i
		}
	}
	if block == 0 {
		t.Fatal("block struct not found in the footer")
	}
	out["block-body-64GiB.arrow"] = patch(file, func(b []byte) { binary.LittleEndian.PutUint64(b[block+16:], 64<<30) })
	out["block-metadata-2GiB.arrow"] = patch(file, func(b []byte) { binary.LittleEndian.PutUint32(b[block+8:], 0x7fffffff) })
	out["block-offset-negative.arrow"] = patch(file, func(b []byte) { binary.LittleEndian.PutUint64(b[block:], uint64(1<<63)) })
	out["block-offset-beyond-file.arrow"] = patch(file, func(b []byte) { binary.LittleEndian.PutUint64(b[block:], uint64(len(file)+64)) })
	out["footer-length-2GiB.arrow"] = patch(file, func(b []byte) { binary.LittleEndian.PutUint32(b[len(b)-10:], 0x7fffff00) })
	out["footer-length-negative.arrow"] = patch(file, func(b []byte) { binary.LittleEndian.PutUint32(b[len(b)-10:], 0xfffffff0) })
	out["no-trailing-magic.arrow"] = file[:len(file)-3]
	out["cut-in-footer.arrow"] = file[:footerAt+footerLen/2]
	out["offsets-negative.arrow"] = patch(sFile, func(b []byte) {
		i := bytes.Index(b, sStream[offsets:offsets+20]) // the same batch, at another place
		if i < 0 {
			t.Fatal("offsets not found in the file")
		}
		put32(b, i+8, -5)
	})
	// Bit flips: the first few seeded flips of the golden stream that are
	// refused (an accepted flip is not hostile, only different).
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 6; {
		b := bytes.Clone(stream)
		for range 1 + rng.IntN(4) {
			b[rng.IntN(len(b))] ^= byte(1 << rng.IntN(8))
		}
		if _, err := ReadStream(context.Background(), bytes.NewReader(b), contextstore.NewMemoryStore(), nil); err != nil {
			out[fmt.Sprintf("bitflip-%d.arrows", n)] = b
			n++
		}
	}
	return out
}

func TestHostileCorpus(t *testing.T) {
	if os.Getenv("CTXFRAME_UPDATE_CORPUS") != "" {
		require.NoError(t, os.MkdirAll(hostileDir, 0o755))
		old, _ := filepath.Glob(filepath.Join(hostileDir, "*.arrow*"))
		for _, p := range old {
			_ = os.Remove(p)
		}
		for name, b := range hostileCorpus(t) {
			require.NoError(t, os.WriteFile(filepath.Join(hostileDir, name), b, 0o644))
		}
	}
	paths, err := filepath.Glob(filepath.Join(hostileDir, "*.arrow*"))
	if err != nil || len(paths) < 20 {
		t.Fatalf("the hostile corpus has %d files (%v): regenerate it", len(paths), err)
	}
	ctx := context.Background()
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			b, err := os.ReadFile(p)
			require.NoError(t, err)
			dst := contextstore.NewMemoryStore()
			var res *ReadResult
			if strings.HasSuffix(p, ".arrows") {
				// Once with a reader of unknown size (only the limits
				// protect), once with one that tells it.
				res, err = ReadStream(ctx, struct{ *bytes.Reader }{bytes.NewReader(b)}, dst, nil)
				if err == nil {
					res.Release()
					t.Fatal("read without an error")
				}
				res, err = ReadStream(ctx, bytes.NewReader(b), dst, nil)
			} else {
				res, err = ReadFile(ctx, bytes.NewReader(b), dst, nil)
			}
			if res != nil {
				res.Release()
			}
			require.ErrorIs(t, err, ErrCorruptIPC, "error %v, want ErrCorruptIPC", err)
			if ks, _ := dst.ListKeys(ctx); len(ks) != 0 {
				t.Errorf("a refused read restored %d entries", len(ks))
			}
		})
	}
}

// Every prefix of the golden stream and file is refused, except a stream
// cut at a message boundary after a whole batch (the end marker is
// optional in a stream) whose context names no row beyond the cut: the
// golden context names a row of the last batch, so only the stream cut
// just before its end marker reads, whole.
func TestTruncatedEverywhere(t *testing.T) {
	ctx := context.Background()
	stream, file := guardGolden(t)
	boundaries := streamMessages(t, stream)
	for cut := 0; cut < len(stream); cut++ {
		dst := contextstore.NewMemoryStore()
		res, err := ReadStream(ctx, bytes.NewReader(stream[:cut]), dst, nil)
		if err == nil {
			messages := slices.Index(boundaries, cut) // whole messages before the cut
			if messages < 0 {
				messages = len(boundaries) // the cut removes the end marker only
			}
			if cut < len(stream)-8 || len(res.Records) != messages-1 {
				t.Fatalf("stream cut at %d of %d read %d batches", cut, len(stream), len(res.Records))
			}
			res.Release()
			continue
		}
		require.ErrorIs(t, err, ErrCorruptIPC, "stream cut at %d of %d: %v, want ErrCorruptIPC", cut, len(stream), err)
		if ks, _ := dst.ListKeys(ctx); len(ks) != 0 {
			t.Fatalf("stream cut at %d restored %d entries", cut, len(ks))
		}
	}
	for cut := 0; cut < len(file); cut++ {
		dst := contextstore.NewMemoryStore()
		res, err := ReadFile(ctx, bytes.NewReader(file[:cut]), dst, nil)
		if res != nil {
			res.Release()
		}
		require.ErrorIs(t, err, ErrCorruptIPC, "file cut at %d of %d: %v, want ErrCorruptIPC", cut, len(file), err)
		if ks, _ := dst.ListKeys(ctx); len(ks) != 0 {
			t.Fatalf("file cut at %d restored %d entries", cut, len(ks))
		}
	}
}

// FuzzReadIPC drives the whole read path: bytes → framing and flatbuffer
// checks → arrow → record validation → context decoding → gota
// conversion. Nothing may panic or allocate beyond the limits; an input is
// either read whole (and converts) or refused with a typed error, restoring
// nothing. Run it with
//
//	go test -run '^$' -fuzz FuzzReadIPC -fuzztime 60s ./adapters/arrow/
func FuzzReadIPC(f *testing.F) {
	t := &testing.T{}
	stream, file := guardGolden(t)
	sStream, sFile := stringStream(t)
	for _, b := range [][]byte{stream, file, sStream, sFile} {
		f.Add(b)
	}
	paths, _ := filepath.Glob(filepath.Join(hostileDir, "*.arrow*"))
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	opts := &ReadOptions{MaxMessageBytes: 1 << 20, MaxDataBytes: 8 << 20}
	f.Fuzz(func(t *testing.T, b []byte) {
		ctx := context.Background()
		for _, asFile := range []bool{false, true} {
			dst := contextstore.NewMemoryStore()
			var (
				res *ReadResult
				err error
			)
			if asFile {
				res, err = ReadFile(ctx, bytes.NewReader(b), dst, opts)
			} else {
				res, err = ReadStream(ctx, struct{ *bytes.Reader }{bytes.NewReader(b)}, dst, opts)
			}
			if err != nil {
				var opErr *OpError
				if !errors.Is(err, ErrCorruptIPC) && !errors.As(err, &opErr) {
					t.Fatalf("untyped error: %v", err)
				}
				if ks, _ := dst.ListKeys(ctx); len(ks) != 0 {
					t.Fatalf("refused (%v) but restored %d entries", err, len(ks))
				}
				continue
			}
			if len(res.Records) > 0 {
				tbl, terr := NewTableFromRecords(ctx, contextstore.NewMemoryStore(), "fuzz", res.Records, nil)
				if terr == nil {
					_, _ = gotaconv.TableDataFrame(tbl.Arrow()) // must not panic
					tbl.Release()
				}
			}
			res.Release()
		}
	})
}
