package arrow

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// updateIPCGolden rewrites testdata/ipc. The flag is not called -update so
// it cannot collide with another test file of this package.
var updateIPCGolden = flag.Bool("update-ipc", false, "rewrite the golden IPC files in testdata/ipc")

const (
	ipcGoldenDir    = "../../testdata/ipc"
	ipcGoldenFrame  = "weather/golden"
	ipcGoldenStream = "context.arrows"
	ipcGoldenFile   = "context.arrow"
	ipcFromNodeFile = "from-node.arrow"
)

// ipcGoldenSchema is the golden data's schema: user metadata on the schema,
// on a field and on a nested child; a column name outside ASCII.
func ipcGoldenSchema() *arrow.Schema {
	md := arrow.NewMetadata([]string{"owner", "created_by"}, []string{"etl team", "ctxframe golden test"})
	return arrow.NewSchema([]arrow.Field{
		{Name: "station", Type: arrow.BinaryTypes.String,
			Metadata: arrow.NewMetadata([]string{"source"}, []string{"registry"})},
		{Name: "temp °C", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "reading", Type: arrow.PrimitiveTypes.Int64},
		{Name: "pos", Type: arrow.StructOf(
			arrow.Field{Name: "lat", Type: arrow.PrimitiveTypes.Float64,
				Metadata: arrow.NewMetadata([]string{"unit"}, []string{"deg"})},
			arrow.Field{Name: "lon", Type: arrow.PrimitiveTypes.Float64},
		)},
	}, &md)
}

// ipcGoldenRecords returns two batches, of 3 and 2 rows.
func ipcGoldenRecords(mem memory.Allocator) []arrow.Record {
	stations := []string{"A1", "B2", "C3", "D4", "E5"}
	temps := []float64{21.5, 0, -3.25, 0, 12.75}
	var recs []arrow.Record
	for _, span := range [][2]int{{0, 3}, {3, 5}} {
		b := array.NewRecordBuilder(mem, ipcGoldenSchema())
		for i := span[0]; i < span[1]; i++ {
			b.Field(0).(*array.StringBuilder).Append(stations[i])
			if i == 1 {
				b.Field(1).(*array.Float64Builder).AppendNull()
			} else {
				b.Field(1).(*array.Float64Builder).Append(temps[i])
			}
			b.Field(2).(*array.Int64Builder).Append(int64(i + 1))
			sb := b.Field(3).(*array.StructBuilder)
			sb.Append(true)
			sb.FieldBuilder(0).(*array.Float64Builder).Append(48 + float64(i)/4)
			sb.FieldBuilder(1).(*array.Float64Builder).Append(11.5 - float64(i))
		}
		recs = append(recs, b.NewRecord())
		b.Release()
	}
	return recs
}

// ipcGoldenContext is the golden frame's context; testdata/interop/check.mjs
// expects exactly this.
func ipcGoldenContext() []contextstore.Entry {
	f := ipcGoldenFrame
	return []contextstore.Entry{
		{Key: keys.Frame(f), Value: contextstore.Value{"title": "Weather golden", "tags": []any{"test", "golden"}, "rev": 3}},
		{Key: keys.Column(f, "station"), Value: contextstore.Value{"desc": "station code"}},
		{Key: keys.Column(f, "temp °C"), Value: contextstore.Value{"unit": "°C", "precision": 0.25}},
		{Key: keys.Column(f, "reading"), Value: contextstore.Value{"desc": "reading number"}},
		{Key: keys.Column(f, "pos"), Value: contextstore.Value{"crs": "WGS84"}},
		{Key: keys.Row(f, 0), Value: contextstore.Value{"checked": true}},
		{Key: keys.Row(f, 4), Value: contextstore.Value{"flag": "outlier", "score": 9.5}},
		{Key: keys.Cell(f, 1, "temp °C"), Value: contextstore.Value{"missing": "sensor offline"}},
		{Key: keys.Cell(f, 3, "station"), Value: contextstore.Value{"renamed_from": "D-4"}},
	}
}

func ipcNormalizedEntries(t *testing.T, es []contextstore.Entry) []contextstore.Entry {
	t.Helper()
	s := contextstore.NewMemoryStore()
	require.NoError(t, contextstore.SetMany(context.Background(), s, es))
	out, err := contextstore.ReadFrame(context.Background(), s, es[0].Key.FrameID())
	require.NoError(t, err)
	return out
}

func TestIPCGoldenFiles(t *testing.T) {
	ctx := context.Background()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	src := contextstore.NewMemoryStore()
	require.NoError(t, contextstore.SetMany(ctx, src, ipcGoldenContext()))
	recs := ipcGoldenRecords(mem)
	defer ipcRelease(recs)
	want := ipcNormalizedEntries(t, ipcGoldenContext())

	for _, f := range ipcFormats {
		name := ipcGoldenStream
		if f.name == "file" {
			name = ipcGoldenFile
		}
		t.Run(f.name, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, f.write(ctx, &buf, src, ipcGoldenFrame, ipcGoldenSchema(), recs, &WriteOptions{Allocator: mem}))
			path := filepath.Join(ipcGoldenDir, name)
			if *updateIPCGolden {
				require.NoError(t, os.MkdirAll(ipcGoldenDir, 0o755))
				require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
			}
			golden, err := os.ReadFile(path)
			require.NoError(t, err, "%v (run go test -run TestIPCGoldenFiles -update-ipc to create it)", err)
			if !bytes.Equal(golden, buf.Bytes()) {
				t.Errorf("%s differs from what the writer makes now: the encoding changed (rerun with -update-ipc only if that is intended)", path)
			}

			dst := contextstore.NewMemoryStore()
			res, err := f.read(ctx, golden, dst, &ReadOptions{Allocator: mem})
			require.NoError(t, err)
			defer res.Release()
			ipcAssertFrame(t, dst, ipcGoldenFrame, want)
			if res.NumRows != 5 || len(res.Records) != 2 {
				t.Errorf("%d rows in %d records", res.NumRows, len(res.Records))
			}
			for i := range recs {
				if !array.RecordEqual(res.Records[i], recs[i]) {
					t.Errorf("record %d differs", i)
				}
			}
			if !res.Schema.Equal(ipcGoldenSchema()) || !res.Schema.Metadata().Equal(ipcGoldenSchema().Metadata()) {
				t.Errorf("schema came back as\n%v", res.Schema)
			}
		})
	}
}

// ipcFromNodeContext is what testdata/interop/check.mjs writes into its
// file, in the frame "node-frame".
func ipcFromNodeContext() []contextstore.Entry {
	f := "node-frame"
	return []contextstore.Entry{
		{Key: keys.Frame(f), Value: contextstore.Value{"made_by": "apache-arrow js", "n": 2}},
		{Key: keys.Column(f, "city"), Value: contextstore.Value{"desc": "city name"}},
		{Key: keys.Column(f, "temp"), Value: contextstore.Value{"unit": "C", "offset": 0.5}},
		{Key: keys.Row(f, 2), Value: contextstore.Value{"hot": true}},
		{Key: keys.Cell(f, 0, "city"), Value: contextstore.Value{"note": "capital ✓"}},
	}
}

// ipcCheckFromNode reads an IPC file written by check.mjs and verifies its
// context, data and user metadata.
func ipcCheckFromNode(t *testing.T, path string) {
	t.Helper()
	ctx := context.Background()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	dst := contextstore.NewMemoryStore()
	res, err := ReadFile(ctx, f, dst, &ReadOptions{Allocator: mem})
	require.NoError(t, err)
	defer res.Release()
	if res.FrameID != "node-frame" || res.NumRows != 3 {
		t.Errorf("frame %q, %d rows", res.FrameID, res.NumRows)
	}
	ipcAssertFrame(t, dst, "node-frame", ipcNormalizedEntries(t, ipcFromNodeContext()))
	if v, _ := res.Schema.Metadata().GetValue("producer"); v != "apache-arrow js" || res.Schema.Metadata().Len() != 1 {
		t.Errorf("schema metadata %v", res.Schema.Metadata())
	}
	city := res.Schema.Field(0)
	if v, _ := city.Metadata.GetValue("note"); v != "user metadata" || city.Metadata.Len() != 1 {
		t.Errorf("field metadata %v", city.Metadata)
	}
	if len(res.Records) == 0 {
		t.Fatal("no records")
	}
	cities := res.Records[0].Column(0).(*array.String)
	if cities.Value(0) != "Oslo" || cities.Value(2) != "Pune" {
		t.Errorf("data %v", res.Records[0])
	}
}

func TestIPCReadsCheckedInNodeFile(t *testing.T) {
	ipcCheckFromNode(t, filepath.Join(ipcGoldenDir, ipcFromNodeFile))
}
