package arrow

import (
	"bytes"
	"context"
	"encoding/base64"
	"math"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/decimal128"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/adapters/arrow/arrowmeta"
	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// parquetKV returns a Parquet file's key-value metadata as a map.
func parquetKV(t *testing.T, b []byte) map[string]string {
	t.Helper()
	pf, err := file.NewParquetReader(bytes.NewReader(b))
	require.NoError(t, err)
	defer pf.Close()
	kv := pf.MetaData().KeyValueMetadata()
	out := map[string]string{}
	for i, k := range kv.Keys() {
		out[k] = kv.Values()[i]
	}
	return out
}

// storedArrowSchema decodes the ARROW:schema a Parquet file carries.
func storedArrowSchema(t *testing.T, kv map[string]string) *arrow.Schema {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(kv["ARROW:schema"])
	require.NoError(t, err, "ARROW:schema is base64")
	r, err := ipc.NewReader(bytes.NewReader(raw))
	require.NoError(t, err, "ARROW:schema is an IPC schema message")
	defer r.Release()
	return r.Schema()
}

func TestParquetRoundTripKeepsContextAcrossRowGroups(t *testing.T) {
	ctx := context.Background()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	src := contextstore.NewMemoryStore()
	want := ipcTestContext(t, src, "weather/2024")
	recs := ipcTestRecords(t, mem, 3, 0, 4)
	defer ipcRelease(recs)

	var buf bytes.Buffer
	require.NoError(t, WriteParquet(ctx, &buf, src, "weather/2024", ipcTestSchema(), recs, &ParquetWriteOptions{Allocator: mem}))

	dst := contextstore.NewMemoryStore()
	res, err := ReadParquet(ctx, bytes.NewReader(buf.Bytes()), dst, &ParquetReadOptions{Allocator: mem})
	require.NoError(t, err)
	defer res.Release()
	assert.Equal(t, "weather/2024", res.FrameID)
	assert.EqualValues(t, 7, res.NumRows)
	assert.Equal(t, len(want), res.Entries)
	ipcAssertFrame(t, dst, "weather/2024", want)
	assert.True(t, res.Schema.Equal(ipcTestSchema()), "schema came back as\n%v", res.Schema)
	assert.True(t, res.Schema.Metadata().Equal(ipcTestSchema().Metadata()), "user metadata came back as %v", res.Schema.Metadata())
	for i, f := range res.Schema.Fields() {
		assert.True(t, f.Metadata.Equal(ipcTestSchema().Field(i).Metadata), "field %s metadata %v", f.Name, f.Metadata)
	}
	assertSameRows(t, recs, res.Records)
}

func TestParquetMetadataLayout(t *testing.T) {
	ctx := context.Background()
	src := contextstore.NewMemoryStore()
	ipcTestContext(t, src, "g")
	recs := ipcTestRecords(t, memory.DefaultAllocator, 4, 3)
	defer ipcRelease(recs)
	var buf bytes.Buffer
	require.NoError(t, WriteParquet(ctx, &buf, src, "g", ipcTestSchema(), recs, nil))

	kv := parquetKV(t, buf.Bytes())
	assert.Equal(t, "1", kv[arrowmeta.VersionKey])
	assert.Equal(t, `"g"`, kv[arrowmeta.FrameIDKey])
	assert.Equal(t, `{"source":"sensor-7","version":2}`, kv[arrowmeta.FrameKey])
	assert.Equal(t, `[[0,{"checked":true}],[6,{"flag":"outlier"}]]`, kv[arrowmeta.RowsKey])
	assert.Contains(t, kv[arrowmeta.CellsKey], `[5,"price",{"by":["ann","bo"],"note":"estimated"}]`)
	assert.Equal(t, `{"id":{"desc":"station id"},"pos":{"crs":"WGS84"},"price":{"scale":0.01,"unit":"EUR"}}`, kv[ParquetColumnsKey])
	assert.Equal(t, `{"source":"sensor-7","version":2}`, kv[PandasAttrsKey], "pandas reads this into df.attrs")
	assert.Equal(t, "etl team", kv["owner"], "the user's schema metadata is kept")

	// The Arrow schema in the footer is a SPEC §3 encoding of the frame and
	// column context; row and cell context, the bulk, is only in the
	// key-value metadata.
	stored := storedArrowSchema(t, kv)
	price, _ := stored.FieldsByName("price")
	require.Len(t, price, 1)
	col, ok := price[0].Metadata.GetValue(arrowmeta.ColumnKey)
	assert.True(t, ok)
	assert.Equal(t, `{"scale":0.01,"unit":"EUR"}`, col)
	_, hasRows := stored.Metadata().GetValue(arrowmeta.RowsKey)
	assert.False(t, hasRows, "row context is in the key-value metadata only")
	dec, err := arrowmeta.Decode(stored, arrowmeta.Limits{})
	require.NoError(t, err, "the stored Arrow schema is a valid SPEC §3 encoding on its own")
	assert.Equal(t, "g", dec.FrameID)

	// Without the key-value copy, the Arrow schema alone still gives the
	// frame and column context.
	assert.Len(t, dec.Entries, 4)

	var noPandas bytes.Buffer
	require.NoError(t, WriteParquet(ctx, &noPandas, src, "g", ipcTestSchema(), recs, &ParquetWriteOptions{NoPandasAttrs: true}))
	assert.NotContains(t, parquetKV(t, noPandas.Bytes()), PandasAttrsKey)
}

func TestParquetProjectionReadsOnlyThoseColumnsContext(t *testing.T) {
	ctx := context.Background()
	src := contextstore.NewMemoryStore()
	ipcTestContext(t, src, "g")
	recs := ipcTestRecords(t, memory.DefaultAllocator, 4, 3)
	defer ipcRelease(recs)
	var buf bytes.Buffer
	require.NoError(t, WriteParquet(ctx, &buf, src, "g", ipcTestSchema(), recs, nil))

	dst := contextstore.NewMemoryStore()
	res, err := ReadParquet(ctx, bytes.NewReader(buf.Bytes()), dst, &ParquetReadOptions{Columns: []string{"pos", "price"}})
	require.NoError(t, err)
	defer res.Release()
	require.Equal(t, 2, res.Schema.NumFields())
	assert.Equal(t, "pos", res.Schema.Field(0).Name)
	assert.Equal(t, "price", res.Schema.Field(1).Name)
	for _, rec := range res.Records {
		assert.EqualValues(t, 2, rec.NumCols())
	}
	got, err := contextstore.ReadFrame(ctx, dst, "g")
	require.NoError(t, err)
	var names []string
	for _, e := range got {
		names = append(names, e.Key.String())
	}
	assert.ElementsMatch(t, []string{
		keys.Frame("g").String(), keys.Column("g", "pos").String(), keys.Column("g", "price").String(),
		keys.Row("g", 0).String(), keys.Row("g", 6).String(), keys.Cell("g", 5, "price").String(),
	}, names, "the column and cell context of id is left out")

	_, err = ReadParquet(ctx, bytes.NewReader(buf.Bytes()), contextstore.NewMemoryStore(), &ParquetReadOptions{Columns: []string{"nope"}})
	require.ErrorIs(t, err, ErrInvalidArgument)
}

func TestParquetStreamingWriterNumbersRowsAcrossRowGroups(t *testing.T) {
	ctx := context.Background()
	src := contextstore.NewMemoryStore()
	require.NoError(t, src.Set(ctx, keys.Row("s", 5), contextstore.Value{"flag": "late"}))
	require.NoError(t, src.Set(ctx, keys.Cell("s", 6, "price"), contextstore.Value{"note": "x"}))
	recs := ipcTestRecords(t, memory.DefaultAllocator, 4, 3)
	defer ipcRelease(recs)
	var buf bytes.Buffer
	w, err := NewParquetWriter(ctx, &buf, src, "s", ipcTestSchema(), nil)
	require.NoError(t, err)
	// The footer's schema: the caller's fields, the context's version, and
	// no row or cell context (that bulk lives in the key-value metadata).
	stored := w.Schema()
	assert.Equal(t, ipcTestSchema().NumFields(), stored.NumFields())
	md := stored.Metadata()
	assert.GreaterOrEqual(t, md.FindKey(arrowmeta.VersionKey), 0, "footer schema carries the context version")
	assert.Less(t, md.FindKey(arrowmeta.RowsKey), 0, "row context stays out of the footer schema")
	assert.Less(t, md.FindKey(arrowmeta.CellsKey), 0, "cell context stays out of the footer schema")
	for _, r := range recs {
		require.NoError(t, w.Write(r))
	}
	require.NoError(t, w.Close())
	pf, err := file.NewParquetReader(bytes.NewReader(buf.Bytes()))
	require.NoError(t, err)
	assert.Equal(t, 2, pf.NumRowGroups(), "one row group per Write")
	pf.Close()

	dst := contextstore.NewMemoryStore()
	res, err := ReadParquet(ctx, bytes.NewReader(buf.Bytes()), dst, nil)
	require.NoError(t, err)
	res.Release()
	v, err := dst.Get(ctx, keys.Row("s", 5))
	require.NoError(t, err)
	assert.Equal(t, contextstore.Value{"flag": "late"}, v, "row 5 is row 1 of the second row group")

	// A writer whose context names a row beyond those written says so.
	var short bytes.Buffer
	w, err = NewParquetWriter(ctx, &short, src, "s", ipcTestSchema(), nil)
	require.NoError(t, err)
	require.NoError(t, w.Write(recs[0]))
	require.ErrorIs(t, w.Close(), arrowmeta.ErrMismatch)
	// And the one-call form refuses before writing anything.
	short.Reset()
	require.ErrorIs(t, WriteParquet(ctx, &short, src, "s", ipcTestSchema(), recs[:1], nil), arrowmeta.ErrMismatch)
	assert.Zero(t, short.Len())
}

func TestParquetReadReplacesOrMergesAndNamesTheFrame(t *testing.T) {
	ctx := context.Background()
	src := contextstore.NewMemoryStore()
	want := ipcTestContext(t, src, "g")
	recs := ipcTestRecords(t, memory.DefaultAllocator, 7)
	defer ipcRelease(recs)
	var buf bytes.Buffer
	require.NoError(t, WriteParquet(ctx, &buf, src, "g", ipcTestSchema(), recs, nil))

	dst := contextstore.NewMemoryStore()
	old := keys.Column("copy", "gone")
	require.NoError(t, dst.Set(ctx, old, contextstore.Value{"old": true}))
	res, err := ReadParquet(ctx, bytes.NewReader(buf.Bytes()), dst, &ParquetReadOptions{FrameID: "copy"})
	require.NoError(t, err)
	res.Release()
	ipcAssertFrame(t, dst, "copy", want)

	require.NoError(t, dst.Set(ctx, old, contextstore.Value{"old": true}))
	res, err = ReadParquet(ctx, bytes.NewReader(buf.Bytes()), dst, &ParquetReadOptions{FrameID: "copy", Merge: true})
	require.NoError(t, err)
	res.Release()
	_, err = dst.Get(ctx, old)
	assert.NoError(t, err, "Merge keeps the frame's other entries")
}

// A Parquet file with no ctxframe keys but PANDAS_ATTRS (as pandas writes
// df.attrs) gives its frame context, under the frame named.
func TestParquetPandasAttrsOnly(t *testing.T) {
	ctx := context.Background()
	recs := ipcTestRecords(t, memory.DefaultAllocator, 3)
	defer ipcRelease(recs)
	sc := recs[0].Schema()
	md := arrow.NewMetadata([]string{PandasAttrsKey}, []string{`{"source": "met.no", "n": 3, "tags": ["a"]}`})
	withAttrs := arrow.NewSchema(sc.Fields(), &md)
	b := plainParquet(t, withAttrs, recs)

	dst := contextstore.NewMemoryStore()
	res, err := ReadParquet(ctx, bytes.NewReader(b), dst, &ParquetReadOptions{FrameID: "from-pandas"})
	require.NoError(t, err)
	defer res.Release()
	assert.Equal(t, "from-pandas", res.FrameID)
	v, err := dst.Get(ctx, keys.Frame("from-pandas"))
	require.NoError(t, err)
	assert.Equal(t, contextstore.Value{"source": "met.no", "n": int64(3), "tags": []any{"a"}}, v)
	_, has := res.Schema.Metadata().GetValue(PandasAttrsKey)
	assert.False(t, has, "PANDAS_ATTRS became context, not user metadata")

	// Without a frame to put it under, nothing is restored.
	res2, err := ReadParquet(ctx, bytes.NewReader(b), contextstore.NewMemoryStore(), nil)
	require.NoError(t, err)
	assert.Equal(t, "", res2.FrameID)
	res2.Release()
}

// plainParquet writes recs with pqarrow alone, as another tool would.
func plainParquet(t *testing.T, sc *arrow.Schema, recs []arrow.Record) []byte {
	t.Helper()
	var buf bytes.Buffer
	fw, err := pqarrow.NewFileWriter(sc, &buf, parquet.NewWriterProperties(), pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	require.NoError(t, err)
	for _, r := range recs {
		require.NoError(t, fw.Write(array.NewRecord(sc, r.Columns(), r.NumRows())))
	}
	require.NoError(t, fw.Close())
	return buf.Bytes()
}

// assertSameRows checks that got holds the same rows as want, whatever the
// batching.
func assertSameRows(t *testing.T, want, got []arrow.Record) {
	t.Helper()
	require.NotEmpty(t, want)
	require.NotEmpty(t, got)
	a := array.NewTableFromRecords(want[0].Schema(), want)
	defer a.Release()
	b := array.NewTableFromRecords(got[0].Schema(), got)
	defer b.Release()
	require.Equal(t, a.NumRows(), b.NumRows())
	require.Equal(t, a.NumCols(), b.NumCols())
	for i := range int(a.NumCols()) {
		assert.True(t, array.ChunkedEqual(a.Column(i).Data(), b.Column(i).Data()), "column %s differs", a.Schema().Field(i).Name)
	}
}

// Values of every type come back exactly: numbers at their extremes, NaN
// and -0, nulls, unicode and empty strings, nested and dictionary types.
func TestParquetValuesRoundTripExactly(t *testing.T) {
	ctx := context.Background()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	build := func(name string, typ arrow.DataType, fill func(b array.Builder)) (arrow.Field, arrow.Array) {
		b := array.NewBuilder(mem, typ)
		defer b.Release()
		fill(b)
		return arrow.Field{Name: name, Type: typ, Nullable: true}, b.NewArray()
	}
	type col struct {
		f arrow.Field
		a arrow.Array
	}
	var cols []col
	add := func(f arrow.Field, a arrow.Array) { cols = append(cols, col{f, a}) }
	add(build("i8", arrow.PrimitiveTypes.Int8, func(b array.Builder) {
		b.(*array.Int8Builder).AppendValues([]int8{-128, 127, 0, 0}, []bool{true, true, true, false})
	}))
	add(build("i64", arrow.PrimitiveTypes.Int64, func(b array.Builder) {
		b.(*array.Int64Builder).AppendValues([]int64{math.MinInt64, math.MaxInt64, 0, 0}, []bool{true, true, true, false})
	}))
	add(build("u64", arrow.PrimitiveTypes.Uint64, func(b array.Builder) {
		b.(*array.Uint64Builder).AppendValues([]uint64{math.MaxUint64, 1, 0, 0}, []bool{true, true, true, false})
	}))
	add(build("u16", arrow.PrimitiveTypes.Uint16, func(b array.Builder) {
		b.(*array.Uint16Builder).AppendValues([]uint16{math.MaxUint16, 1, 0, 0}, nil)
	}))
	add(build("f32", arrow.PrimitiveTypes.Float32, func(b array.Builder) {
		b.(*array.Float32Builder).AppendValues([]float32{math.MaxFloat32, math.SmallestNonzeroFloat32, -1.5, 0}, []bool{true, true, true, false})
	}))
	add(build("f64", arrow.PrimitiveTypes.Float64, func(b array.Builder) {
		b.(*array.Float64Builder).AppendValues([]float64{-9.7, math.Copysign(0, -1), math.Inf(-1), 0.1 + 0.2}, nil)
	}))
	add(build("bool", arrow.FixedWidthTypes.Boolean, func(b array.Builder) {
		b.(*array.BooleanBuilder).AppendValues([]bool{true, false, true, false}, []bool{true, true, false, true})
	}))
	add(build("str", arrow.BinaryTypes.String, func(b array.Builder) {
		b.(*array.StringBuilder).AppendValues([]string{"Zürich 🌦", "", "NA", ""}, []bool{true, true, true, false})
	}))
	add(build("large_str", arrow.BinaryTypes.LargeString, func(b array.Builder) {
		b.(*array.LargeStringBuilder).AppendValues([]string{"a", "b\x00c", "", "d"}, nil)
	}))
	add(build("bin", arrow.BinaryTypes.Binary, func(b array.Builder) {
		b.(*array.BinaryBuilder).AppendValues([][]byte{{0, 255}, {}, nil, {1}}, []bool{true, true, false, true})
	}))
	add(build("date", arrow.FixedWidthTypes.Date32, func(b array.Builder) {
		b.(*array.Date32Builder).AppendValues([]arrow.Date32{-719162, 0, 20000, 2932896}, nil)
	}))
	add(build("ts", &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, func(b array.Builder) {
		b.(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{-1, 0, 1_700_000_000_123_456, 0}, []bool{true, true, true, false})
	}))
	add(build("dec", &arrow.Decimal128Type{Precision: 38, Scale: 4}, func(b array.Builder) {
		b.(*array.Decimal128Builder).AppendValues([]decimal128.Num{decimal128.FromI64(-12345678), decimal128.FromI64(1), decimal128.FromI64(0), decimal128.FromI64(99)}, nil)
	}))
	add(build("list", arrow.ListOf(arrow.PrimitiveTypes.Int64), func(b array.Builder) {
		lb := b.(*array.ListBuilder)
		vb := lb.ValueBuilder().(*array.Int64Builder)
		lb.Append(true)
		vb.AppendValues([]int64{1, 2}, nil)
		lb.Append(true)
		lb.AppendNull()
		lb.Append(true)
		vb.Append(-3)
	}))
	add(build("dict", &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}, func(b array.Builder) {
		db := b.(*array.BinaryDictionaryBuilder)
		for _, s := range []string{"OSL", "BER", "OSL", ""} {
			require.NoError(t, db.AppendString(s))
		}
	}))
	fields := make([]arrow.Field, len(cols))
	arrs := make([]arrow.Array, len(cols))
	for i, c := range cols {
		fields[i], arrs[i] = c.f, c.a
		defer c.a.Release()
	}
	sc := arrow.NewSchema(fields, nil)
	rec := array.NewRecord(sc, arrs, 4)
	defer rec.Release()

	src := contextstore.NewMemoryStore()
	require.NoError(t, src.Set(ctx, keys.Column("types", "f64"), contextstore.Value{"unit": "K", "n": math.MaxInt64, "x": 0.1}))
	var buf bytes.Buffer
	require.NoError(t, WriteParquet(ctx, &buf, src, "types", sc, []arrow.Record{rec}, &ParquetWriteOptions{Allocator: mem}))
	dst := contextstore.NewMemoryStore()
	res, err := ReadParquet(ctx, bytes.NewReader(buf.Bytes()), dst, &ParquetReadOptions{Allocator: mem})
	require.NoError(t, err)
	defer res.Release()
	for i, f := range res.Schema.Fields() {
		assert.True(t, arrow.TypeEqual(f.Type, sc.Field(i).Type), "column %s came back as %s, want %s", f.Name, f.Type, sc.Field(i).Type)
	}
	assertSameRows(t, []arrow.Record{rec}, res.Records)
	v, err := dst.Get(ctx, keys.Column("types", "f64"))
	require.NoError(t, err)
	assert.Equal(t, contextstore.Value{"unit": "K", "n": int64(math.MaxInt64), "x": 0.1}, v)
}
