package arrow

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet/metadata"
	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/adapters/arrow/arrowmeta"
	"github.com/ctxframe/ctxframe/adapters/internal/gotaconv"
	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// parquetGolden writes a small Parquet file with context, two row groups,
// a string column and a nested one.
func parquetGolden(t testing.TB) []byte {
	t.Helper()
	ctx := context.Background()
	src := contextstore.NewMemoryStore()
	es := []contextstore.Entry{
		{Key: keys.Frame("p"), Value: contextstore.Value{"source": "met.no"}},
		{Key: keys.Column("p", "station"), Value: contextstore.Value{"description": "station name"}},
		{Key: keys.Row("p", 4), Value: contextstore.Value{"flag": "late"}},
		{Key: keys.Cell("p", 1, "temp"), Value: contextstore.Value{"quality": "suspect"}},
	}
	require.NoError(t, contextstore.SetMany(ctx, src, es))
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "station", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "temp", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "tags", Type: arrow.ListOf(arrow.PrimitiveTypes.Int32), Nullable: true},
	}, nil)
	var recs []arrow.Record
	for g := range 2 {
		b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
		for i := range 3 {
			b.Field(0).(*array.StringBuilder).Append(fmt.Sprint("station-", g, i))
			b.Field(1).(*array.Float64Builder).Append(float64(i) - 9.7)
			lb := b.Field(2).(*array.ListBuilder)
			lb.Append(true)
			lb.ValueBuilder().(*array.Int32Builder).AppendValues([]int32{int32(i), 7}, nil)
		}
		recs = append(recs, b.NewRecord())
		b.Release()
	}
	defer ipcRelease(recs)
	var buf bytes.Buffer
	require.NoError(t, WriteParquet(ctx, &buf, src, "p", sc, recs, nil))
	return buf.Bytes()
}

func TestParquetHostileFramingAndMetadata(t *testing.T) {
	ctx := context.Background()
	golden := parquetGolden(t)
	patch := func(f func(b []byte)) []byte {
		b := bytes.Clone(golden)
		f(b)
		return b
	}
	footer := func(b []byte) int { return int(binary.LittleEndian.Uint32(b[len(b)-8:])) }
	cases := map[string]struct {
		data     []byte
		opts     *ParquetReadOptions
		tooLarge bool
	}{
		"footer length 2 GiB":          {patch(func(b []byte) { binary.LittleEndian.PutUint32(b[len(b)-8:], 0x7fffffff) }), nil, true},
		"footer length beyond file":    {patch(func(b []byte) { binary.LittleEndian.PutUint32(b[len(b)-8:], uint32(len(b))) }), nil, false},
		"no magic at the end":          {patch(func(b []byte) { copy(b[len(b)-4:], "PARE") }), nil, false},
		"no magic at the start":        {patch(func(b []byte) { copy(b, "JUNK") }), nil, false},
		"empty":                        {nil, nil, false},
		"cut in the footer":            {golden[:len(golden)-footer(golden)/2], nil, false},
		"footer over a caller's limit": {golden, &ParquetReadOptions{MaxFooterBytes: 64}, true},
		"data over a caller's limit":   {golden, &ParquetReadOptions{MaxDataBytes: 16}, true},
		"garbage footer": {patch(func(b []byte) {
			n := footer(b)
			for i := len(b) - 8 - n; i < len(b)-8; i++ {
				b[i] = 0xff
			}
		}), nil, false},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dst := contextstore.NewMemoryStore()
			_, err := ReadParquet(ctx, bytes.NewReader(c.data), dst, c.opts)
			require.ErrorIs(t, err, ErrCorruptParquet)
			require.Equal(t, c.tooLarge, errors.Is(err, arrowmeta.ErrTooLarge), "ErrTooLarge: %v", err)
			ks, _ := dst.ListKeys(ctx)
			require.Empty(t, ks, "a refused read restored context")
		})
	}
}

// Bad context in the key-value metadata is refused with its arrowmeta kind.
func TestParquetBadContextIsRefused(t *testing.T) {
	ctx := context.Background()
	recs := ipcTestRecords(t, memory.DefaultAllocator, 3)
	defer ipcRelease(recs)
	for name, kv := range map[string][2]string{
		"version 2":             {"ctxframe.version", "2"},
		"columns not an object": {ParquetColumnsKey, `[1]`},
		"column context a list": {ParquetColumnsKey, `{"id":[1]}`},
		"column the file lacks": {ParquetColumnsKey, `{"nope":{}}`},
		"columns bad JSON":      {ParquetColumnsKey, `{"id":`},
		"row beyond the data":   {arrowmeta.RowsKey, `[[99,{}]]`},
		"unknown namespace key": {"ctxframe.bogus", `{}`},
	} {
		t.Run(name, func(t *testing.T) {
			keysMD := []string{arrowmeta.VersionKey, arrowmeta.FrameIDKey}
			vals := []string{"1", `"f"`}
			if kv[0] == arrowmeta.VersionKey {
				vals[0] = kv[1]
			} else {
				keysMD, vals = append(keysMD, kv[0]), append(vals, kv[1])
			}
			md := arrow.NewMetadata(keysMD, vals)
			b := plainParquet(t, arrow.NewSchema(recs[0].Schema().Fields(), &md), recs)
			dst := contextstore.NewMemoryStore()
			_, err := ReadParquet(ctx, bytes.NewReader(b), dst, nil)
			require.ErrorIs(t, err, ErrCorruptParquet)
			var me *arrowmeta.Error
			require.ErrorAs(t, err, &me, "bad context is an *arrowmeta.Error too")
			ks, _ := dst.ListKeys(ctx)
			require.Empty(t, ks)
		})
	}
}

// TestParquetMutants reads random mutants of a golden Parquet file in a
// child process under the same memory ceiling as the IPC mutants: each is
// read (and converts to gota) or refused with ErrCorruptParquet, restoring
// nothing; no crash, no panic.
func TestParquetMutants(t *testing.T) {
	if !inMutantChild(t, "TestParquetMutants", "CTXFRAME_PARQUET_MUTANTS") {
		return
	}
	n, _ := strconv.Atoi(os.Getenv("CTXFRAME_PARQUET_MUTANTS"))
	seed, _ := strconv.ParseUint(os.Getenv("CTXFRAME_PARQUET_SEED"), 10, 64)
	golden := parquetGolden(t)
	rng := rand.New(rand.NewPCG(13+seed, 17))
	ctx := context.Background()
	var accepted, refused int
	for i := range n {
		b := mutate(rng, golden)
		dst := contextstore.NewMemoryStore()
		err := readAndConvertParquet(ctx, b, dst)
		if err != nil {
			if !errors.Is(err, ErrCorruptParquet) || bytes.Contains([]byte(err.Error()), []byte("panic outside")) {
				t.Fatalf("mutant %d: %v (every refusal must be ErrCorruptParquet, without a panic)", i, err)
			}
			if ks, _ := dst.ListKeys(ctx); len(ks) != 0 {
				t.Fatalf("mutant %d was refused (%v) but restored %d entries", i, err, len(ks))
			}
			refused++
			continue
		}
		accepted++
	}
	t.Logf("%d mutants: %d read, %d refused with an error, no crash", n, accepted, refused)
}

// readAndConvertParquet reads b and converts what it accepts to gota,
// turning a panic that escapes the reader into an error saying so.
func readAndConvertParquet(ctx context.Context, b []byte, dst contextstore.Store) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic outside the reader's recovery: %v", p)
		}
	}()
	res, err := ReadParquet(ctx, bytes.NewReader(b), dst, &ParquetReadOptions{MaxDataBytes: 32 << 20})
	if err != nil {
		return err
	}
	defer res.Release()
	if len(res.Records) > 0 {
		tbl, terr := NewTableFromRecords(ctx, contextstore.NewMemoryStore(), "m", res.Records, nil)
		if terr == nil {
			defer tbl.Release()
			_, _ = gotaconv.TableDataFrame(tbl.Arrow())
		}
	}
	return nil
}

// FuzzReadParquet drives the whole Parquet read path: bytes → framing →
// footer → column chunk checks → pages → records → context → gota.
//
//	go test -run '^$' -fuzz FuzzReadParquet -fuzztime 60s ./adapters/arrow/
func FuzzReadParquet(f *testing.F) {
	f.Add(parquetGolden(f))
	f.Fuzz(func(t *testing.T, b []byte) {
		ctx := context.Background()
		dst := contextstore.NewMemoryStore()
		err := readAndConvertParquet(ctx, b, dst)
		if err != nil {
			if !errors.Is(err, ErrCorruptParquet) || bytes.Contains([]byte(err.Error()), []byte("panic outside")) {
				t.Fatalf("untyped error or panic: %v", err)
			}
			if ks, _ := dst.ListKeys(ctx); len(ks) != 0 {
				t.Fatalf("refused (%v) but restored %d entries", err, len(ks))
			}
		}
	})
}

// FuzzParquetContext drives the decoder of the Parquet key-value context
// (SPEC §5): any values under the ctxframe keys decode or fail with an
// *arrowmeta.Error, never a panic.
func FuzzParquetContext(f *testing.F) {
	f.Add("1", `"f"`, `{"a":1}`, `{"x":{"unit":"K"}}`, `[[0,{}]]`, `[[0,"x",{}]]`, `{"k":"v"}`)
	f.Add("1", `"f"`, ``, `{"y":{}}`, `[[1,{}]]`, `[]`, `[`)
	f.Add("2", `""`, `[]`, `[]`, `{}`, `{}`, `null`)
	schema := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Int64}}, nil)
	f.Fuzz(func(t *testing.T, version, frameID, frame, columns, rows, cells, pandas string) {
		kv := metadata.NewKeyValueMetadata()
		for _, p := range [][2]string{
			{arrowmeta.VersionKey, version}, {arrowmeta.FrameIDKey, frameID}, {arrowmeta.FrameKey, frame},
			{ParquetColumnsKey, columns}, {arrowmeta.RowsKey, rows}, {arrowmeta.CellsKey, cells}, {PandasAttrsKey, pandas},
		} {
			if p[1] != "" {
				_ = kv.Append(p[0], p[1])
			}
		}
		dec, err := decodeParquetContext(schema, kv, ReadOptions{FrameID: "named"})
		if err != nil {
			var me *arrowmeta.Error
			require.ErrorAs(t, err, &me, "error of type %T: %v", err, err)
			return
		}
		for _, e := range dec.Entries {
			if e.Key.FrameID() != dec.FrameID {
				t.Fatalf("entry %v outside frame %q", e.Key, dec.FrameID)
			}
		}
	})
}
