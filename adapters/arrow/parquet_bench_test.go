package arrow

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// parquetBenchRecord returns rows × 5 columns: int64, float64, a string, a
// bool and a nullable float64.
func parquetBenchRecord(rows int) arrow.Record {
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "temp_c", Type: arrow.PrimitiveTypes.Float64},
		{Name: "station", Type: arrow.BinaryTypes.String},
		{Name: "ok", Type: arrow.FixedWidthTypes.Boolean},
		{Name: "precip_mm", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer b.Release()
	for i := range rows {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		b.Field(1).(*array.Float64Builder).Append(float64(i%400)/10 - 9.7)
		b.Field(2).(*array.StringBuilder).Append(fmt.Sprintf("station-%04d", i%1000))
		b.Field(3).(*array.BooleanBuilder).Append(i%7 != 0)
		if i%5 == 0 {
			b.Field(4).(*array.Float64Builder).AppendNull()
		} else {
			b.Field(4).(*array.Float64Builder).Append(float64(i % 13))
		}
	}
	return b.NewRecord()
}

func parquetBenchProps() *parquet.WriterProperties {
	return parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Snappy))
}

// plainParquetWrite is the raw baseline: pqarrow alone, same properties.
func plainParquetWrite(b *testing.B, w *bytes.Buffer, rec arrow.Record) {
	fw, err := pqarrow.NewFileWriter(rec.Schema(), w, parquetBenchProps(), pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	require.NoError(b, err)
	require.NoError(b, fw.Write(rec))
	require.NoError(b, fw.Close())
}

// plainParquetRead is the raw baseline of reading: pqarrow alone, keeping
// every record as ReadParquet does (and as pqarrow's ReadTable would).
func plainParquetRead(b *testing.B, data []byte) int64 {
	pf, err := file.NewParquetReader(bytes.NewReader(data))
	require.NoError(b, err)
	defer pf.Close()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: 64 << 10}, memory.DefaultAllocator)
	require.NoError(b, err)
	rr, err := fr.GetRecordReader(context.Background(), nil, nil)
	require.NoError(b, err)
	defer rr.Release()
	var n int64
	var kept []arrow.Record
	for rr.Next() {
		rec := rr.Record()
		rec.Retain()
		kept = append(kept, rec)
		n += rec.NumRows()
	}
	ipcRelease(kept)
	return n
}

// BenchmarkParquet compares writing and reading 1M rows × 5 columns with
// frame and column context against pqarrow alone, in the same run:
// ctxframe ÷ raw is the ratio docs/PERFORMANCE.md reports.
func BenchmarkParquet(b *testing.B) {
	const rows = 1_000_000
	ctx := context.Background()
	rec := parquetBenchRecord(rows)
	defer rec.Release()
	src := contextstore.NewMemoryStore()
	es := []contextstore.Entry{{Key: keys.Frame("bench"), Value: contextstore.Value{"source": "met.no", "licence": "CC BY 4.0"}}}
	for _, f := range rec.Schema().Fields() {
		es = append(es, contextstore.Entry{Key: keys.Column("bench", f.Name), Value: contextstore.Value{"description": "the " + f.Name, "owner": "etl"}})
	}
	require.NoError(b, contextstore.SetMany(ctx, src, es))
	var buf bytes.Buffer
	b.Run("write/raw", func(b *testing.B) {
		for b.Loop() {
			buf.Reset()
			plainParquetWrite(b, &buf, rec)
		}
		b.ReportMetric(float64(buf.Len()), "bytes/file")
	})
	b.Run("write/ctxframe", func(b *testing.B) {
		opts := &ParquetWriteOptions{Properties: parquetBenchProps()}
		for b.Loop() {
			buf.Reset()
			require.NoError(b, WriteParquet(ctx, &buf, src, "bench", rec.Schema(), []arrow.Record{rec}, opts))
		}
		b.ReportMetric(float64(buf.Len()), "bytes/file")
	})
	data := bytes.Clone(buf.Bytes())
	b.Run("read/raw", func(b *testing.B) {
		for b.Loop() {
			if n := plainParquetRead(b, data); n != rows {
				b.Fatalf("%d rows", n)
			}
		}
	})
	b.Run("read/ctxframe", func(b *testing.B) {
		for b.Loop() {
			res, err := ReadParquet(ctx, bytes.NewReader(data), contextstore.NewMemoryStore(), nil)
			require.NoError(b, err)
			if res.NumRows != rows {
				b.Fatalf("%d rows", res.NumRows)
			}
			res.Release()
		}
	})
}

// BenchmarkParquetCells measures what 100k cell entries cost a 100k-row
// file: time and bytes with them against the same file without.
func BenchmarkParquetCells(b *testing.B) {
	const rows = 100_000
	ctx := context.Background()
	rec := parquetBenchRecord(rows)
	defer rec.Release()
	none := contextstore.NewMemoryStore()
	cells := contextstore.NewMemoryStore()
	es := make([]contextstore.Entry, 0, rows)
	for i := range rows {
		es = append(es, contextstore.Entry{Key: keys.Cell("bench", i, "temp_c"), Value: contextstore.Value{"quality": "checked", "by": "qc-7"}})
	}
	require.NoError(b, contextstore.SetMany(ctx, cells, es))
	sizes := map[string]int{}
	for _, c := range []struct {
		name  string
		store contextstore.Store
	}{{"none", none}, {"100k-cells", cells}} {
		var buf bytes.Buffer
		b.Run("write/"+c.name, func(b *testing.B) {
			for b.Loop() {
				buf.Reset()
				require.NoError(b, WriteParquet(ctx, &buf, c.store, "bench", rec.Schema(), []arrow.Record{rec}, nil))
			}
			sizes[c.name] = buf.Len()
			b.ReportMetric(float64(buf.Len()), "bytes/file")
		})
		data := bytes.Clone(buf.Bytes())
		b.Run("read/"+c.name, func(b *testing.B) {
			for b.Loop() {
				res, err := ReadParquet(ctx, bytes.NewReader(data), contextstore.NewMemoryStore(), nil)
				require.NoError(b, err)
				res.Release()
			}
		})
	}
	if sizes["100k-cells"] > 0 {
		b.Logf("file bytes per cell entry: %.1f", float64(sizes["100k-cells"]-sizes["none"])/rows)
	}
}
