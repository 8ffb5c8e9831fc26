package arrow

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// updateParquetGolden rewrites testdata/parquet: the file Go writes, and
// (when node and DuckDB are there) the files DuckDB writes.
var updateParquetGolden = flag.Bool("update-parquet", false, "rewrite the golden Parquet files in testdata/parquet")

const (
	parquetGoldenDir    = "../../testdata/parquet"
	parquetGoldenFile   = "context.parquet"
	parquetFromDuckDB   = "duckdb-context.parquet"
	parquetPandasAttrs  = "pandas-attrs.parquet"
	parquetInteropDir   = "../../testdata/interop"
	parquetInteropCheck = "parquet.mjs"
)

// The golden Parquet file carries the golden IPC frame: the same context
// the JavaScript and DuckDB checks expect.
func TestParquetGoldenFile(t *testing.T) {
	ctx := context.Background()
	src := contextstore.NewMemoryStore()
	require.NoError(t, contextstore.SetMany(ctx, src, ipcGoldenContext()))
	recs := ipcGoldenRecords(memory.DefaultAllocator)
	defer ipcRelease(recs)
	var buf bytes.Buffer
	require.NoError(t, WriteParquet(ctx, &buf, src, ipcGoldenFrame, ipcGoldenSchema(), recs, nil))
	path := filepath.Join(parquetGoldenDir, parquetGoldenFile)
	if *updateParquetGolden {
		require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
	}
	want := ipcNormalizedEntries(t, ipcGoldenContext())
	for name, data := range map[string][]byte{"written now": buf.Bytes(), "committed": mustRead(t, path)} {
		t.Run(name, func(t *testing.T) {
			dst := contextstore.NewMemoryStore()
			res, err := ReadParquet(ctx, bytes.NewReader(data), dst, nil)
			require.NoError(t, err)
			defer res.Release()
			ipcAssertFrame(t, dst, ipcGoldenFrame, want)
			assert.True(t, res.Schema.Equal(ipcGoldenSchema()), "schema %v", res.Schema)
			assertSameRows(t, recs, res.Records)
		})
	}
}

// Files DuckDB wrote (testdata/interop/parquet.mjs), committed so this
// runs without node: context per SPEC §5, and PANDAS_ATTRS alone.
func TestParquetWrittenByDuckDB(t *testing.T) {
	checkDuckDBFiles(t, parquetGoldenDir)
}

func checkDuckDBFiles(t *testing.T, dir string) {
	t.Helper()
	ctx := context.Background()
	dst := contextstore.NewMemoryStore()
	f, err := os.Open(filepath.Join(dir, parquetFromDuckDB))
	require.NoError(t, err)
	defer f.Close()
	res, err := ReadParquet(ctx, f, dst, nil)
	require.NoError(t, err)
	defer res.Release()
	assert.Equal(t, "from-duckdb", res.FrameID)
	assert.EqualValues(t, 3, res.NumRows)
	got, err := contextstore.ReadFrame(ctx, dst, "from-duckdb")
	require.NoError(t, err)
	assert.Equal(t, ipcNormalizedEntries(t, []contextstore.Entry{
		{Key: keys.Frame("from-duckdb"), Value: contextstore.Value{"tool": "duckdb", "rev": 1}},
		{Key: keys.Column("from-duckdb", "station"), Value: contextstore.Value{"desc": "WMO id"}},
		{Key: keys.Column("from-duckdb", "temp_c"), Value: contextstore.Value{"unit": "degC"}},
		{Key: keys.Row("from-duckdb", 1), Value: contextstore.Value{"checked": true}},
		{Key: keys.Cell("from-duckdb", 2, "temp_c"), Value: contextstore.Value{"quality": "outlier"}},
	}), got)

	p, err := os.Open(filepath.Join(dir, parquetPandasAttrs))
	require.NoError(t, err)
	defer p.Close()
	dst = contextstore.NewMemoryStore()
	res2, err := ReadParquet(ctx, p, dst, &ParquetReadOptions{FrameID: "met"})
	require.NoError(t, err)
	defer res2.Release()
	v, err := dst.Get(ctx, keys.Frame("met"))
	require.NoError(t, err)
	assert.Equal(t, contextstore.Value{"source": "met.no", "licence": "CC BY 4.0", "stations": int64(3)}, v)
}

// TestParquetInteropDuckDB runs testdata/interop/parquet.mjs: DuckDB reads
// the golden file's data and finds its context in parquet_kv_metadata(),
// then writes files of its own that Go reads back. It needs node and `npm
// ci --prefix testdata/interop`; without them it skips, except under
// CI=true where it fails.
func TestParquetInteropDuckDB(t *testing.T) {
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(parquetInteropDir, "node_modules", "@duckdb", "node-api"))
	}
	if err != nil {
		msg := "the DuckDB check needs node and `npm ci --prefix testdata/interop`: " + err.Error()
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	out, err := filepath.Abs(t.TempDir())
	require.NoError(t, err)
	cmd := exec.CommandContext(t.Context(), node, parquetInteropCheck, filepath.Join("..", "parquet"), out)
	cmd.Dir = parquetInteropDir
	output, err := cmd.CombinedOutput()
	t.Logf("node %s:\n%s", parquetInteropCheck, output)
	require.NoError(t, err, "the DuckDB check failed")
	checkDuckDBFiles(t, out)
	if *updateParquetGolden {
		for _, name := range []string{parquetFromDuckDB, parquetPandasAttrs} {
			require.NoError(t, os.WriteFile(filepath.Join(parquetGoldenDir, name), mustRead(t, filepath.Join(out, name)), 0o644))
		}
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return b
}
