package arrow

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/adapters/arrow/arrowmeta"
	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// ipcTestSchema has user metadata on the schema, a field and a nested child.
func ipcTestSchema() *arrow.Schema {
	schemaMD := arrow.NewMetadata([]string{"owner"}, []string{"etl team"})
	child := arrow.Field{Name: "lat", Type: arrow.PrimitiveTypes.Float64,
		Metadata: arrow.NewMetadata([]string{"unit"}, []string{"deg"})}
	return arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64,
			Metadata: arrow.NewMetadata([]string{"pk"}, []string{"true"})},
		{Name: "price", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "pos", Type: arrow.StructOf(child)},
	}, &schemaMD)
}

// ipcTestRecords returns batches of the given sizes; row i (counted over all
// batches) has id i, price i/2 and lat i+0.25.
func ipcTestRecords(t *testing.T, mem memory.Allocator, sizes ...int) []arrow.Record {
	t.Helper()
	schema := ipcTestSchema()
	var recs []arrow.Record
	row := 0
	for _, n := range sizes {
		b := array.NewRecordBuilder(mem, schema)
		for range n {
			b.Field(0).(*array.Int64Builder).Append(int64(row))
			if row%3 == 2 {
				b.Field(1).(*array.Float64Builder).AppendNull()
			} else {
				b.Field(1).(*array.Float64Builder).Append(float64(row) / 2)
			}
			sb := b.Field(2).(*array.StructBuilder)
			sb.Append(true)
			sb.FieldBuilder(0).(*array.Float64Builder).Append(float64(row) + 0.25)
			row++
		}
		recs = append(recs, b.NewRecord())
		b.Release()
	}
	return recs
}

func ipcRelease(recs []arrow.Record) {
	for _, r := range recs {
		r.Release()
	}
}

// ipcTestContext stores context for frame in s: frame, every column, rows
// and cells in the first and the last batch of sizes 3, 4 (rows 0..6).
func ipcTestContext(t *testing.T, s contextstore.Store, frame string) []contextstore.Entry {
	t.Helper()
	es := []contextstore.Entry{
		{Key: keys.Frame(frame), Value: contextstore.Value{"source": "sensor-7", "version": 2}},
		{Key: keys.Column(frame, "id"), Value: contextstore.Value{"desc": "station id"}},
		{Key: keys.Column(frame, "price"), Value: contextstore.Value{"unit": "EUR", "scale": 0.01}},
		{Key: keys.Column(frame, "pos"), Value: contextstore.Value{"crs": "WGS84"}},
		{Key: keys.Row(frame, 0), Value: contextstore.Value{"checked": true}},
		{Key: keys.Row(frame, 6), Value: contextstore.Value{"flag": "outlier"}},
		{Key: keys.Cell(frame, 5, "price"), Value: contextstore.Value{"note": "estimated", "by": []any{"ann", "bo"}}},
		{Key: keys.Cell(frame, 1, "id"), Value: contextstore.Value{"n": int64(1) << 60}},
	}
	require.NoError(t, contextstore.SetMany(context.Background(), s, es))
	got, err := contextstore.ReadFrame(context.Background(), s, frame)
	require.NoError(t, err)
	return got
}

func ipcAssertFrame(t *testing.T, s contextstore.Store, frame string, want []contextstore.Entry) {
	t.Helper()
	got, err := contextstore.ReadFrame(context.Background(), s, frame)
	require.NoError(t, err)
	if len(got) != len(want) {
		t.Fatalf("frame %q has %d entries %v, want %d %v", frame, len(got), got, len(want), want)
	}
	for i := range want {
		if got[i].Key != want[i].Key.InFrame(frame) || !contextstore.Equal(got[i].Value, want[i].Value) {
			t.Errorf("entry %d: got %s=%v, want %s=%v", i, got[i].Key, got[i].Value, want[i].Key.InFrame(frame), want[i].Value)
		}
	}
}

// exchangeFormat writes records with a frame's context and reads them
// back, restoring it: IPC stream, IPC file or Parquet.
type exchangeFormat struct {
	name  string
	write func(context.Context, *bytes.Buffer, contextstore.Store, string, *arrow.Schema, []arrow.Record, *WriteOptions) error
	read  func(context.Context, []byte, contextstore.Store, *ReadOptions) (*ReadResult, error)
}

// ipcFormats runs a test for both IPC formats.
var ipcFormats = []exchangeFormat{
	{
		name: "stream",
		write: func(ctx context.Context, w *bytes.Buffer, s contextstore.Store, f string, sc *arrow.Schema, recs []arrow.Record, o *WriteOptions) error {
			return WriteStream(ctx, w, s, f, sc, recs, o)
		},
		read: func(ctx context.Context, b []byte, s contextstore.Store, o *ReadOptions) (*ReadResult, error) {
			return ReadStream(ctx, bytes.NewReader(b), s, o)
		},
	},
	{
		name: "file",
		write: func(ctx context.Context, w *bytes.Buffer, s contextstore.Store, f string, sc *arrow.Schema, recs []arrow.Record, o *WriteOptions) error {
			return WriteFile(ctx, w, s, f, sc, recs, o)
		},
		read: func(ctx context.Context, b []byte, s contextstore.Store, o *ReadOptions) (*ReadResult, error) {
			return ReadFile(ctx, bytes.NewReader(b), s, o)
		},
	},
}

func TestIPCRoundTripKeepsContextAcrossBatches(t *testing.T) {
	for _, f := range ipcFormats {
		t.Run(f.name, func(t *testing.T) {
			ctx := context.Background()
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			src := contextstore.NewMemoryStore()
			want := ipcTestContext(t, src, "weather/2024")
			recs := ipcTestRecords(t, mem, 3, 0, 4)
			defer ipcRelease(recs)

			var buf bytes.Buffer
			require.NoError(t, f.write(ctx, &buf, src, "weather/2024", ipcTestSchema(), recs, &WriteOptions{Allocator: mem}))
			dst := contextstore.NewMemoryStore()
			res, err := f.read(ctx, buf.Bytes(), dst, &ReadOptions{Allocator: mem})
			require.NoError(t, err)
			defer res.Release()

			if res.FrameID != "weather/2024" || res.NumRows != 7 || res.Entries != len(want) {
				t.Errorf("result frame %q rows %d entries %d", res.FrameID, res.NumRows, res.Entries)
			}
			ipcAssertFrame(t, dst, "weather/2024", want)
			if !res.Schema.Equal(ipcTestSchema()) || !res.Schema.Metadata().Equal(ipcTestSchema().Metadata()) {
				t.Errorf("schema came back as\n%v", res.Schema)
			}
			if len(res.Records) != len(recs) {
				t.Fatalf("%d records, want %d", len(res.Records), len(recs))
			}
			for i, rec := range res.Records {
				if rec.Schema() != res.Schema {
					t.Errorf("record %d does not carry the clean schema", i)
				}
				if !array.RecordEqual(rec, recs[i]) {
					t.Errorf("record %d differs:\n%v\nwant\n%v", i, rec, recs[i])
				}
			}
		})
	}
}

func TestIPCReadRestoresUnderNamedFrameAndReplacesOldContext(t *testing.T) {
	for _, f := range ipcFormats {
		t.Run(f.name, func(t *testing.T) {
			ctx := context.Background()
			src := contextstore.NewMemoryStore()
			want := ipcTestContext(t, src, "orig")
			recs := ipcTestRecords(t, memory.DefaultAllocator, 7)
			defer ipcRelease(recs)
			var buf bytes.Buffer
			require.NoError(t, f.write(ctx, &buf, src, "orig", ipcTestSchema(), recs, nil))

			dst := contextstore.NewMemoryStore()
			stale := []contextstore.Entry{
				{Key: keys.Row("copy", 3), Value: contextstore.Value{"stale": true}},
				{Key: keys.Column("copy", "gone"), Value: contextstore.Value{"stale": true}},
				{Key: keys.Frame("other"), Value: contextstore.Value{"untouched": true}},
			}
			require.NoError(t, contextstore.SetMany(ctx, dst, stale))
			res, err := f.read(ctx, buf.Bytes(), dst, &ReadOptions{FrameID: "copy"})
			require.NoError(t, err)
			res.Release()
			if res.FrameID != "copy" {
				t.Errorf("frame %q", res.FrameID)
			}
			ipcAssertFrame(t, dst, "copy", want)
			ipcAssertFrame(t, dst, "other", stale[2:])

			// Merge keeps what the data does not carry.
			require.NoError(t, dst.Set(ctx, keys.Row("copy", 3), contextstore.Value{"kept": true}))
			res, err = f.read(ctx, buf.Bytes(), dst, &ReadOptions{FrameID: "copy", Merge: true})
			require.NoError(t, err)
			res.Release()
			merged := append([]contextstore.Entry{}, want...)
			merged = append(merged, contextstore.Entry{Key: keys.Row("orig", 3), Value: contextstore.Value{"kept": true}})
			contextstoreSort(merged)
			ipcAssertFrame(t, dst, "copy", merged)
		})
	}
}

func contextstoreSort(es []contextstore.Entry) {
	ks := make([]keys.Key, len(es))
	byKey := make(map[keys.Key]contextstore.Value, len(es))
	for i, e := range es {
		ks[i] = e.Key
		byKey[e.Key] = e.Value
	}
	keys.Sort(ks)
	for i, k := range ks {
		es[i] = contextstore.Entry{Key: k, Value: byKey[k]}
	}
}

func TestIPCPlainArrowDataHasNoContext(t *testing.T) {
	ctx := context.Background()
	recs := ipcTestRecords(t, memory.DefaultAllocator, 2)
	defer ipcRelease(recs)
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, ipc.WithSchema(recs[0].Schema()))
	require.NoError(t, w.Write(recs[0]))
	require.NoError(t, w.Close())
	dst := contextstore.NewMemoryStore()
	require.NoError(t, dst.Set(ctx, keys.Frame("named"), contextstore.Value{"old": 1}))
	res, err := ReadStream(ctx, bytes.NewReader(buf.Bytes()), dst, nil)
	require.NoError(t, err)
	res.Release()
	if res.FrameID != "" || res.Entries != 0 || res.NumRows != 2 {
		t.Errorf("got %+v", res)
	}
	ipcAssertFrame(t, dst, "named", []contextstore.Entry{{Key: keys.Frame("named"), Value: contextstore.Value{"old": int64(1)}}})

	// Naming a frame restores "no context" into it.
	res, err = ReadStream(ctx, bytes.NewReader(buf.Bytes()), dst, &ReadOptions{FrameID: "named"})
	require.NoError(t, err)
	res.Release()
	ipcAssertFrame(t, dst, "named", nil)
}

func TestIPCStreamingWriter(t *testing.T) {
	ctx := context.Background()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	src := contextstore.NewMemoryStore()
	want := ipcTestContext(t, src, "live")
	recs := ipcTestRecords(t, mem, 2, 5)
	defer ipcRelease(recs)

	var buf bytes.Buffer
	w, err := NewStreamWriter(ctx, &buf, src, "live", ipcTestSchema(), &WriteOptions{Allocator: mem})
	require.NoError(t, err)
	// Changes after the writer was made do not reach the stream.
	require.NoError(t, src.Set(ctx, keys.Frame("live"), contextstore.Value{"later": true}))
	if v, _ := w.Schema().Metadata().GetValue(arrowmeta.FrameIDKey); v != `"live"` {
		t.Errorf("written schema frame ID %q", v)
	}
	for _, rec := range recs {
		require.NoError(t, w.Write(rec))
	}
	require.NoError(t, w.Close())
	if err := w.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := w.Write(recs[0]); err == nil {
		t.Error("Write after Close succeeded")
	}
	dst := contextstore.NewMemoryStore()
	res, err := ReadStream(ctx, &buf, dst, &ReadOptions{Allocator: mem})
	require.NoError(t, err)
	defer res.Release()
	ipcAssertFrame(t, dst, "live", want)
}

func TestIPCWriterRefusesContextBeyondTheRows(t *testing.T) {
	ctx := context.Background()
	src := contextstore.NewMemoryStore()
	ipcTestContext(t, src, "f") // names row 6
	recs := ipcTestRecords(t, memory.DefaultAllocator, 3, 3)
	defer ipcRelease(recs)
	for _, f := range ipcFormats {
		var buf bytes.Buffer
		err := f.write(ctx, &buf, src, "f", ipcTestSchema(), recs, nil)
		assert.ErrorIs(t, err, arrowmeta.ErrMismatch, "%s: got %v, want ErrMismatch", f.name, err)
		if buf.Len() != 0 {
			t.Errorf("%s: %d bytes written before the check", f.name, buf.Len())
		}
	}
	// The streaming writer finds out at Close.
	var buf bytes.Buffer
	w, err := NewFileWriter(ctx, &buf, src, "f", ipcTestSchema(), nil)
	require.NoError(t, err)
	require.NoError(t, w.Write(recs[0]))
	if err := w.Close(); !errors.Is(err, arrowmeta.ErrMismatch) {
		t.Errorf("Close: %v", err)
	}
}

func TestIPCWriterRefusesBadInput(t *testing.T) {
	ctx := context.Background()
	s := contextstore.NewMemoryStore()
	recs := ipcTestRecords(t, memory.DefaultAllocator, 1)
	defer ipcRelease(recs)
	other := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int32}}, nil)
	var buf bytes.Buffer
	if err := WriteStream(ctx, &buf, s, "f", other, recs, nil); err == nil {
		t.Error("record of another schema accepted")
	}
	if err := WriteStream(ctx, &buf, s, "f", ipcTestSchema(), []arrow.Record{nil}, nil); err == nil {
		t.Error("nil record accepted")
	}
	if err := WriteStream(ctx, &buf, s, "", ipcTestSchema(), recs, nil); !errors.Is(err, keys.ErrInvalidKey) {
		t.Errorf("empty frame ID: %v", err)
	}
	if err := WriteStream(ctx, &buf, nil, "f", ipcTestSchema(), recs, nil); err == nil {
		t.Error("nil store accepted")
	}
	require.NoError(t, s.Set(ctx, keys.Column("f", "missing"), contextstore.Value{}))
	if err := WriteFile(ctx, &buf, s, "f", ipcTestSchema(), recs, nil); !errors.Is(err, arrowmeta.ErrMismatch) {
		t.Errorf("context for a column the schema lacks: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := WriteStream(cancelled, &buf, contextstore.NewMemoryStore(), "g", ipcTestSchema(), recs, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
}

// ipcHostileStream writes recs with schema's metadata exactly as given, as
// a foreign or malicious writer would.
func ipcHostileStream(t *testing.T, schema *arrow.Schema, recs []arrow.Record) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, ipc.WithSchema(schema))
	for _, rec := range recs {
		labelled := array.NewRecord(schema, rec.Columns(), rec.NumRows())
		require.NoError(t, w.Write(labelled))
		labelled.Release()
	}
	require.NoError(t, w.Close())
	return buf.Bytes()
}

func TestIPCReadRefusesBadContextAndLeavesStoreAlone(t *testing.T) {
	ctx := context.Background()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	recs := ipcTestRecords(t, mem, 2, 2)
	defer ipcRelease(recs)
	withMD := func(kv ...string) *arrow.Schema {
		var ks, vs []string
		for i := 0; i < len(kv); i += 2 {
			ks, vs = append(ks, kv[i]), append(vs, kv[i+1])
		}
		md := arrow.NewMetadata(ks, vs)
		return arrow.NewSchema(ipcTestSchema().Fields(), &md)
	}
	cases := []struct {
		name   string
		schema *arrow.Schema
		limits arrowmeta.Limits
		kind   error
	}{
		{"malformed rows", withMD(arrowmeta.VersionKey, "1", arrowmeta.FrameIDKey, `"f"`, arrowmeta.RowsKey, `[[0,{]`), arrowmeta.Limits{}, arrowmeta.ErrMalformed},
		{"row beyond the data", withMD(arrowmeta.VersionKey, "1", arrowmeta.FrameIDKey, `"f"`, arrowmeta.RowsKey, `[[4,{}]]`), arrowmeta.Limits{}, arrowmeta.ErrMalformed},
		{"version 7", withMD(arrowmeta.VersionKey, "7", arrowmeta.FrameIDKey, `"f"`), arrowmeta.Limits{}, arrowmeta.ErrUnsupportedVersion},
		{"over the entry limit", withMD(arrowmeta.VersionKey, "1", arrowmeta.FrameIDKey, `"f"`, arrowmeta.RowsKey, `[[0,{}],[1,{}]]`), arrowmeta.Limits{MaxEntries: 1}, arrowmeta.ErrTooLarge},
		{"over the byte limit", withMD(arrowmeta.VersionKey, "1", arrowmeta.FrameIDKey, `"f"`, arrowmeta.FrameKey, `{"a":"0123456789"}`), arrowmeta.Limits{MaxBytes: 30}, arrowmeta.ErrTooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := ipcHostileStream(t, c.schema, recs)
			s := contextstore.NewMemoryStore()
			require.NoError(t, s.Set(ctx, keys.Row("f", 0), contextstore.Value{"before": true}))
			res, err := ReadStream(ctx, bytes.NewReader(data), s, &ReadOptions{Allocator: mem, Limits: c.limits})
			if !errors.Is(err, c.kind) || res != nil {
				t.Fatalf("got %v, %v; want %v", res, err, c.kind)
			}
			ipcAssertFrame(t, s, "f", []contextstore.Entry{{Key: keys.Row("f", 0), Value: contextstore.Value{"before": true}}})
		})
	}
}

func TestIPCReadRefusesDamagedBytes(t *testing.T) {
	ctx := context.Background()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	src := contextstore.NewMemoryStore()
	ipcTestContext(t, src, "f")
	recs := ipcTestRecords(t, mem, 3, 4)
	defer ipcRelease(recs)
	for _, f := range ipcFormats {
		var buf bytes.Buffer
		require.NoError(t, f.write(ctx, &buf, src, "f", ipcTestSchema(), recs, nil))
		data := buf.Bytes()
		// Every truncation, and bytes flipped inside the context's JSON as
		// the reader sees it: an error or a consistent result, never a
		// panic or a leak. (Flips elsewhere in the schema can make arrow/go
		// v17 itself attempt huge allocations; see ReadStream's doc.)
		for cut := 0; cut < len(data); cut += 3 {
			if res, err := f.read(ctx, data[:cut], contextstore.NewMemoryStore(), &ReadOptions{Allocator: mem}); err == nil {
				res.Release()
			}
		}
		start := bytes.LastIndex(data, []byte(`[[0,{"checked"`)) // a file repeats its schema in the footer, which readers use
		if start < 0 {
			t.Fatalf("%s: row context not found in the bytes", f.name)
		}
		refused := 0
		for at := start; at < start+60; at++ {
			for _, b := range []byte{'"', '-', '}', 0xff, '9'} {
				damaged := bytes.Clone(data)
				damaged[at] = b
				res, err := f.read(ctx, damaged, contextstore.NewMemoryStore(), &ReadOptions{Allocator: mem})
				if err == nil {
					res.Release()
				} else if errors.Is(err, arrowmeta.ErrMalformed) {
					refused++
				}
			}
		}
		if refused < 60 {
			t.Errorf("%s: only %d of 300 damaged copies refused as malformed context", f.name, refused)
		}
		if _, err := f.read(ctx, []byte("not arrow at all"), contextstore.NewMemoryStore(), nil); err == nil {
			t.Errorf("%s: garbage accepted", f.name)
		}
	}
}

func TestIPCReadReportsStoreFailures(t *testing.T) {
	ctx := context.Background()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	src := contextstore.NewMemoryStore()
	ipcTestContext(t, src, "f")
	recs := ipcTestRecords(t, mem, 7)
	defer ipcRelease(recs)
	var buf bytes.Buffer
	require.NoError(t, WriteStream(ctx, &buf, src, "f", ipcTestSchema(), recs, nil))
	closed := contextstore.NewMemoryStore()
	require.NoError(t, closed.Close())
	if _, err := ReadStream(ctx, bytes.NewReader(buf.Bytes()), closed, &ReadOptions{Allocator: mem}); !errors.Is(err, contextstore.ErrClosed) {
		t.Errorf("closed store: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := ReadStream(cancelled, bytes.NewReader(buf.Bytes()), src, &ReadOptions{Allocator: mem}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	if _, err := ReadStream(ctx, bytes.NewReader(buf.Bytes()), src, &ReadOptions{FrameID: "bad\xff"}); !errors.Is(err, keys.ErrInvalidKey) {
		t.Errorf("invalid frame ID option: %v", err)
	}
}

func TestIPCDictionaryColumnsAndCompression(t *testing.T) {
	ctx := context.Background()
	dictType := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}
	schema := arrow.NewSchema([]arrow.Field{{Name: "city", Type: dictType}}, nil)
	records := func(mem memory.Allocator) []arrow.Record {
		var recs []arrow.Record
		// Both batches have the dictionary [Oslo, Lima]: the file format
		// allows no dictionary replacement.
		for _, batch := range [][]string{{"Oslo", "Lima", "Oslo"}, {"Oslo", "Lima"}} {
			b := array.NewRecordBuilder(mem, schema)
			db := b.Field(0).(*array.BinaryDictionaryBuilder)
			for _, c := range batch {
				require.NoError(t, db.AppendString(c))
			}
			recs = append(recs, b.NewRecord())
			b.Release()
		}
		return recs
	}
	src := contextstore.NewMemoryStore()
	es := []contextstore.Entry{
		{Key: keys.Column("d", "city"), Value: contextstore.Value{"enc": "dictionary"}},
		{Key: keys.Cell("d", 4, "city"), Value: contextstore.Value{"last": true}},
	}
	require.NoError(t, contextstore.SetMany(ctx, src, es))
	want, err := contextstore.ReadFrame(ctx, src, "d")
	require.NoError(t, err)
	for _, f := range ipcFormats {
		t.Run(f.name, func(t *testing.T) {
			// arrow/go v17's FileWriter.Close and FileReader.Close never
			// release the dictionaries they hold (apache/arrow#36981 fixed
			// only the stream reader), so the file case runs on an
			// unchecked allocator.
			var mem memory.Allocator = memory.DefaultAllocator
			if f.name == "stream" {
				checked := memory.NewCheckedAllocator(memory.NewGoAllocator())
				defer checked.AssertSize(t, 0)
				mem = checked
			}
			recs := records(mem)
			defer ipcRelease(recs)
			var buf bytes.Buffer
			opts := &WriteOptions{Allocator: mem, IPCOptions: []ipc.Option{ipc.WithZstd()}}
			require.NoError(t, f.write(ctx, &buf, src, "d", schema, recs, opts))
			dst := contextstore.NewMemoryStore()
			res, err := f.read(ctx, buf.Bytes(), dst, &ReadOptions{Allocator: mem})
			require.NoError(t, err)
			defer res.Release()
			ipcAssertFrame(t, dst, "d", want)
			if res.NumRows != 5 || len(res.Records) != 2 {
				t.Fatalf("%d rows in %d records", res.NumRows, len(res.Records))
			}
			for i := range recs {
				if !array.RecordEqual(res.Records[i], recs[i]) {
					t.Errorf("record %d: %v, want %v", i, res.Records[i], recs[i])
				}
			}
		})
	}
}

// ipcBasicStore hides every optional capability of the store it wraps, so
// the IPC functions run on the four required calls alone.
type ipcBasicStore struct{ contextstore.Store }

func TestIPCWorksOnAStoreWithoutCapabilities(t *testing.T) {
	ctx := context.Background()
	src := ipcBasicStore{contextstore.NewMemoryStore()}
	want := ipcTestContext(t, src, "basic")
	recs := ipcTestRecords(t, memory.DefaultAllocator, 3, 4)
	defer ipcRelease(recs)
	var buf bytes.Buffer
	require.NoError(t, WriteFile(ctx, &buf, src, "basic", ipcTestSchema(), recs, nil))
	// Restoring commits conditionally: a store without versioned frames is
	// refused and left as it was, and works once given local versions.
	plain := ipcBasicStore{contextstore.NewMemoryStore()}
	if _, err := ReadFile(ctx, bytes.NewReader(buf.Bytes()), plain, nil); !errors.Is(err, contextstore.ErrUnsupported) {
		t.Fatalf("restoring into a store without versioned frames = %v, want ErrUnsupported", err)
	}
	if ks, _ := plain.ListKeys(ctx); len(ks) != 0 {
		t.Fatalf("a refused restore wrote %v", ks)
	}
	dst := contextstore.WithLocalVersions(ipcBasicStore{contextstore.NewMemoryStore()})
	require.NoError(t, dst.Set(ctx, keys.Row("basic", 2), contextstore.Value{"stale": true}))
	res, err := ReadFile(ctx, bytes.NewReader(buf.Bytes()), dst, nil)
	require.NoError(t, err)
	res.Release()
	ipcAssertFrame(t, dst, "basic", want)
}
