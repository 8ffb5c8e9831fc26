package arrow

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"testing"

	flatbuffers "github.com/google/flatbuffers/go"
	"github.com/stretchr/testify/require"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/ctxframe/ctxframe/adapters/arrow/arrowmeta"
	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// guardGolden writes a small stream and file with context.
func guardGolden(t *testing.T) (stream, file []byte) {
	t.Helper()
	ctx := context.Background()
	src := contextstore.NewMemoryStore()
	ipcTestContext(t, src, "g")
	recs := ipcTestRecords(t, memory.DefaultAllocator, 4, 3)
	defer ipcRelease(recs)
	var s, f bytes.Buffer
	require.NoError(t, WriteStream(ctx, &s, src, "g", ipcTestSchema(), recs, nil))
	require.NoError(t, WriteFile(ctx, &f, src, "g", ipcTestSchema(), recs, nil))
	return s.Bytes(), f.Bytes()
}

// streamMessages returns the offset of each message's prefix in a stream.
func streamMessages(t testing.TB, b []byte) []int {
	var out []int
	for at := 0; at+8 <= len(b); {
		if binary.LittleEndian.Uint32(b[at:]) != continuationToken {
			t.Fatalf("no continuation token at %d", at)
		}
		n := int(binary.LittleEndian.Uint32(b[at+4:]))
		if n == 0 {
			break
		}
		out = append(out, at)
		body, err := messageBodyLength(b[at+8 : at+8+n])
		require.NoError(t, err)
		at += 8 + n + int(body)
	}
	return out
}

// setBodyLength overwrites the body length of the message at prefix at.
func setBodyLength(t testing.TB, b []byte, at int, n int64) {
	meta := b[at+8:]
	root := flatbuffers.GetUOffsetT(meta)
	tb := flatbuffers.Table{Bytes: meta, Pos: root}
	o := tb.Offset(10)
	if o == 0 {
		t.Fatal("message has no body length field")
	}
	binary.LittleEndian.PutUint64(meta[int(root)+int(o):], uint64(n))
}

func TestHostileFramingIsRefusedBeforeAllocating(t *testing.T) {
	ctx := context.Background()
	stream, file := guardGolden(t)
	msgs := streamMessages(t, stream)
	if len(msgs) < 2 {
		t.Fatalf("golden stream has %d messages", len(msgs))
	}
	patch := func(f func(b []byte)) []byte {
		b := bytes.Clone(stream)
		f(b)
		return b
	}
	cases := map[string]struct {
		data     []byte
		opts     *ReadOptions
		tooLarge bool
	}{
		"body length 64 GiB":           {patch(func(b []byte) { setBodyLength(t, b, msgs[1], 64<<30) }), nil, true},
		"body length beyond the input": {patch(func(b []byte) { setBodyLength(t, b, msgs[1], 1<<20) }), nil, true},
		"negative body length":         {patch(func(b []byte) { setBodyLength(t, b, msgs[1], -8) }), nil, false},
		"metadata length 0x7fffffff": {patch(func(b []byte) {
			binary.LittleEndian.PutUint32(b[msgs[1]+4:], 0x7fffffff)
		}), nil, true},
		"negative metadata length": {patch(func(b []byte) {
			binary.LittleEndian.PutUint32(b[msgs[0]+4:], 0xfffffff0)
		}), nil, false},
		"over a caller's data limit":    {stream, &ReadOptions{MaxDataBytes: 64}, true},
		"over a caller's message limit": {stream, &ReadOptions{MaxMessageBytes: 16}, true},
	}
	for name, c := range cases {
		t.Run("stream/"+name, func(t *testing.T) {
			dst := contextstore.NewMemoryStore()
			// A reader that cannot tell its size: only the limits protect.
			_, err := ReadStream(ctx, struct{ *bytes.Reader }{bytes.NewReader(c.data)}, dst, c.opts)
			if name == "body length beyond the input" {
				// Unknown size and within the limits: arrow reads and
				// finds the input short; the bytes.Reader form is refused
				// up front.
				_, err = ReadStream(ctx, bytes.NewReader(c.data), dst, c.opts)
			}
			require.ErrorIs(t, err, ErrCorruptIPC, "ReadStream = %v, want ErrCorruptIPC", err)
			if c.tooLarge != errors.Is(err, arrowmeta.ErrTooLarge) {
				t.Errorf("ReadStream = %v: ErrTooLarge expected %v", err, c.tooLarge)
			}
			if ks, _ := dst.ListKeys(ctx); len(ks) != 0 {
				t.Errorf("a refused read restored %d entries", len(ks))
			}
		})
	}

	// Files: the footer's blocks are checked against the file's size.
	footerLen := int(binary.LittleEndian.Uint32(file[len(file)-10:]))
	footerAt := len(file) - 10 - footerLen
	blocks, err := footerBlocks(file[footerAt : len(file)-10])
	if err != nil || len(blocks) == 0 {
		t.Fatalf("golden file blocks: %v, %v", blocks, err)
	}
	// Find the first record block's struct in the footer by its offset.
	var at int
	for i := footerAt; i+24 <= len(file)-10; i++ {
		if int64(binary.LittleEndian.Uint64(file[i:])) == blocks[len(blocks)-1].offset &&
			int64(binary.LittleEndian.Uint64(file[i+16:])) == blocks[len(blocks)-1].body {
			at = i
		}
	}
	if at == 0 {
		t.Fatal("block struct not found in the footer")
	}
	fileCases := map[string]func(b []byte){
		"block body 64 GiB":       func(b []byte) { binary.LittleEndian.PutUint64(b[at+16:], 64<<30) },
		"block metadata 2 GiB":    func(b []byte) { binary.LittleEndian.PutUint32(b[at+8:], 0x7fffffff) },
		"negative block offset":   func(b []byte) { binary.LittleEndian.PutUint64(b[at:], uint64(1<<63)) },
		"footer length too large": func(b []byte) { binary.LittleEndian.PutUint32(b[len(b)-10:], 0x7fffff00) },
	}
	for name, f := range fileCases {
		t.Run("file/"+name, func(t *testing.T) {
			b := bytes.Clone(file)
			f(b)
			dst := contextstore.NewMemoryStore()
			if _, err := ReadFile(ctx, bytes.NewReader(b), dst, nil); !errors.Is(err, ErrCorruptIPC) {
				t.Fatalf("ReadFile = %v, want ErrCorruptIPC", err)
			}
			if ks, _ := dst.ListKeys(ctx); len(ks) != 0 {
				t.Errorf("a refused read restored %d entries", len(ks))
			}
		})
	}
}

// Lengths inside a message's flatbuffer are checked too: a schema claiming
// two billion fields, a batch buffer beyond the body.
func TestHostileFlatbufferLengthsAreRefused(t *testing.T) {
	ctx := context.Background()
	stream, _ := guardGolden(t)
	msgs := streamMessages(t, stream)
	at := func(b []byte, m int) (meta []byte, v fbVerifier, header int) {
		meta = b[m+8:]
		v = fbVerifier{b: meta}
		msg := int(binary.LittleEndian.Uint32(meta))
		return meta, v, v.deref(v.field(msg, 2))
	}
	cases := map[string]func(b []byte){
		"schema with 2^31-1 fields": func(b []byte) {
			meta, v, schema := at(b, msgs[0])
			vec := v.deref(v.field(schema, 1))
			binary.LittleEndian.PutUint32(meta[vec:], 0x7fffffff)
		},
		"batch buffer beyond the body": func(b []byte) {
			meta, v, batch := at(b, msgs[1])
			vec := v.deref(v.field(batch, 2))
			binary.LittleEndian.PutUint64(meta[vec+4+8:], 96<<30) // buffer 0's length
		},
		"root offset beyond the metadata": func(b []byte) {
			binary.LittleEndian.PutUint32(b[msgs[0]+8:], 0x00ffffff)
		},
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			b := bytes.Clone(stream)
			f(b)
			dst := contextstore.NewMemoryStore()
			if _, err := ReadStream(ctx, struct{ *bytes.Reader }{bytes.NewReader(b)}, dst, nil); !errors.Is(err, ErrCorruptIPC) {
				t.Fatalf("ReadStream = %v, want ErrCorruptIPC", err)
			}
		})
	}
}

// A stream cut right after its schema is not an empty frame.
func TestStreamCutAfterSchemaIsAnError(t *testing.T) {
	ctx := context.Background()
	src := contextstore.NewMemoryStore()
	require.NoError(t, src.Set(ctx, keys.Column("e", "id"), contextstore.Value{"unit": "1"}))
	recs := ipcTestRecords(t, memory.DefaultAllocator, 2)
	defer ipcRelease(recs)
	var buf bytes.Buffer
	require.NoError(t, WriteStream(ctx, &buf, src, "e", ipcTestSchema(), recs, nil))
	stream := buf.Bytes()
	msgs := streamMessages(t, stream)
	cut := stream[:msgs[1]] // the schema message only
	if _, err := ReadStream(ctx, bytes.NewReader(cut), contextstore.NewMemoryStore(), nil); !errors.Is(err, ErrCorruptIPC) {
		t.Fatalf("a stream cut after its schema = %v, want ErrCorruptIPC", err)
	}
	res, err := ReadStream(ctx, bytes.NewReader(cut), contextstore.NewMemoryStore(), &ReadOptions{SchemaOnly: true, FrameID: "s"})
	require.NoError(t, err, "SchemaOnly read")
	res.Release()
	// With its end-of-stream marker, a stream without batches is fine.
	eos := append(bytes.Clone(cut), 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0)
	res, err = ReadStream(ctx, bytes.NewReader(eos), contextstore.NewMemoryStore(), &ReadOptions{FrameID: "s"})
	require.NoError(t, err, "an empty stream with its end marker")
	res.Release()
}
