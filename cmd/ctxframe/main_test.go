package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/go-gota/gota/dataframe"
	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// ctl runs the command against one SQLite file, as a person would in a shell.
type ctl struct {
	t     *testing.T
	store string
}

func newCtl(t *testing.T) *ctl {
	return &ctl{t: t, store: "sqlite:" + filepath.Join(t.TempDir(), "ctx.db")}
}

func (c *ctl) run(stdin string, args ...string) (stdout, stderr string, code int) {
	c.t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), append([]string{"-store", c.store}, args...), strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), code
}

func (c *ctl) ok(args ...string) string {
	c.t.Helper()
	out, errOut, code := c.run("", args...)
	if code != 0 {
		c.t.Fatalf("ctxframe %s: exit %d: %s", strings.Join(args, " "), code, errOut)
	}
	return out
}

func TestAnnotateListGetAndDrop(t *testing.T) {
	c := newCtl(t)
	c.ok("set", "weather", `{"owner":"meteo","rows":3}`)
	c.ok("set", "weather/col/temp", `{"unit":"degC"}`)
	c.ok("merge", "weather/col/temp", `{"description":"air temperature","unit":null}`)
	c.ok("set", "weather/cell/2/temp", `{"flag":"outlier"}`)
	c.ok("set", "sales/row/0", `{"checked":true}`)

	if got := c.ok("frames"); got != "sales\nweather\n" {
		t.Fatalf("frames = %q", got)
	}
	if got := c.ok("ls", "weather"); got != "weather\nweather/col/temp\nweather/cell/2/temp\n" {
		t.Fatalf("ls weather = %q", got)
	}
	if got := c.ok("get", "ctx1:{weather}c:temp"); got != "{\n  \"description\": \"air temperature\"\n}\n" {
		t.Fatalf("get after merge = %q (merge must add fields and null must remove one)", got)
	}
	c.ok("rm", "weather/cell/2/temp")
	c.ok("drop", "sales")
	if got := c.ok("ls"); got != "weather\nweather/col/temp\n" {
		t.Fatalf("ls after rm and drop = %q", got)
	}
}

func TestExportImportRoundTrip(t *testing.T) {
	src, dst := newCtl(t), newCtl(t)
	src.ok("set", "w", `{"n":1,"f":2.0,"s":"ünï"}`)
	src.ok("set", "w/row/7", `{"flag":"x"}`)
	exported := src.ok("export", "w")
	if strings.Count(exported, "\n") != 2 {
		t.Fatalf("export wrote %q", exported)
	}
	if _, errOut, code := dst.run(exported, "import"); code != 0 {
		t.Fatalf("import: %s", errOut)
	}
	if got := dst.ok("export", "w"); got != exported {
		t.Fatalf("export after import differs:\n%s\nvs\n%s", got, exported)
	}
}

func TestBadInputIsAUsageErrorAndChangesNothing(t *testing.T) {
	c := newCtl(t)
	c.ok("set", "w", `{"a":1}`)
	for _, args := range [][]string{
		{"set", "w", `not json`},
		{"set", "w", `[1,2]`},
		{"set", "w/row/-1", `{}`},
		{"set", "w/row/x", `{}`},
		{"set", "w/bogus/1", `{}`},
		{"get"},
		{"nosuchcommand"},
	} {
		if _, _, code := c.run("", args...); code != 2 {
			t.Errorf("ctxframe %v: exit %d, want 2 (usage)", args, code)
		}
	}
	if _, errOut, code := c.run(`{"key":"ctx1:{w}f","value":{"a":2}}`+"\n"+`{"key":"bad","value":{}}`, "import"); code != 1 || !strings.Contains(errOut, "line 2") {
		t.Errorf("import of a bad line: exit %d, %q; want exit 1 naming line 2", code, errOut)
	}
	if got := c.ok("get", "w"); got != "{\n  \"a\": 1\n}\n" {
		t.Fatalf("bad input changed the store: %q", got)
	}
	if _, errOut, code := c.run("", "get", "w/col/missing"); code != exitNotFound || !strings.Contains(errOut, "not found") {
		t.Fatalf("get of a missing key: exit %d, %q", code, errOut)
	}
}

func TestUnknownStoreScheme(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"-store", "nosuch://x", "frames"}, strings.NewReader(""), &out, &errOut)
	if code != 1 || !strings.Contains(errOut.String(), "unknown URL scheme") {
		t.Fatalf("exit %d, %q", code, errOut.String())
	}
}

func TestInspectShowsTheContextAnIPCFileCarries(t *testing.T) {
	c := newCtl(t)
	for _, name := range []string{"context.arrow", "context.arrows"} {
		out := c.ok("inspect", filepath.Join("..", "..", "testdata", "ipc", name))
		for _, want := range []string{"frame: weather/golden", "temp °C: float64", `row 4                    {"flag":"outlier","score":9.5}`, "owner = etl team"} {
			if !strings.Contains(out, want) {
				t.Errorf("inspect %s must show %q; got:\n%s", name, want, out)
			}
		}
	}
	if _, errOut, code := c.run("", "inspect", "main.go"); code != 1 || !strings.Contains(errOut, "ipc") {
		t.Errorf("inspect of a Go file: exit %d, %q; want exit 1 with the IPC reader's error", code, errOut)
	}
}

// readRecords loads a CSV with gota, so files that differ only in float
// formatting compare equal.
func readRecords(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	df := dataframe.ReadCSV(f)
	if df.Err != nil {
		t.Fatal(df.Err)
	}
	return df.Records()
}

// An ETL round trip: annotate a CSV's frame in one store, ship it as an
// Arrow IPC file (and stream), and get data and context back in another.
func TestConvertCarriesContextBothWays(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "weather.csv")
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "weather.csv"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(src, data, 0o644))
	sender := newCtl(t)
	sender.ok("set", "weather", `{"owner":"meteo"}`)
	sender.ok("set", "weather/col/temp_c", `{"unit":"degC"}`)
	sender.ok("set", "weather/cell/5/temp_c", `{"quality":"outlier"}`)
	for _, ext := range []string{".arrow", ".arrows", ".parquet", ".pq"} {
		ipcPath := filepath.Join(dir, "weather"+ext)
		sender.ok("convert", src, ipcPath)

		receiver := newCtl(t)
		back := filepath.Join(dir, "back"+ext+".csv")
		receiver.ok("convert", "-frame", "received", ipcPath, back)
		if got := receiver.ok("export", "received"); got != strings.ReplaceAll(sender.ok("export", "weather"), "{weather}", "{received}") {
			t.Errorf("%s: context after the round trip differs:\n%s", ext, got)
		}
		if got, want := readRecords(t, back), readRecords(t, src); !slices.EqualFunc(got, want, slices.Equal) {
			t.Errorf("%s: data after the round trip differs:\n%v\nwant\n%v", ext, got, want)
		}
	}
}

func TestConvertRefusesWhatItCannotDo(t *testing.T) {
	dir := t.TempDir()
	c := newCtl(t)
	src := filepath.Join(dir, "w.csv")
	require.NoError(t, os.WriteFile(src, []byte("a,b\n1,2\n"), 0o644))
	if _, _, code := c.run("", "convert", src, filepath.Join(dir, "w.xlsx")); code != 2 {
		t.Errorf("convert to an unknown format: exit %d, want 2", code)
	}
	// Context stored for a column the CSV does not have is stale: refuse it
	// rather than ship it, and write no output.
	c.ok("set", "w/col/missing", `{"unit":"m"}`)
	out := filepath.Join(dir, "w.arrow")
	if _, errOut, code := c.run("", "convert", src, out); code != 1 || !strings.Contains(errOut, "not in frame") {
		t.Errorf("convert with stale context: exit %d, %q; want exit 1 naming the stale column", code, errOut)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a failed conversion must leave no output, stat: %v", err)
	}
}

// A write named for a layout epoch is refused with exit status 3, writing
// nothing, once another writer relaid the frame out.
func TestEpochGuardedWritesAndStaleExitStatus(t *testing.T) {
	c := newCtl(t)
	c.ok("set", "weather/row/1", `{"q":"ok"}`)
	var st struct {
		Frame          string
		Version, Epoch uint64
		Entries        int
	}
	require.NoError(t, json.Unmarshal([]byte(c.ok("state", "weather")), &st))
	if st.Frame != "weather" || st.Version == 0 || st.Entries != 1 {
		t.Fatalf("state = %+v", st)
	}
	epoch := strconv.FormatUint(st.Epoch, 10)
	c.ok("merge", "-epoch", epoch, "weather/row/1", `{"by":"qc"}`)

	// The owner sorts the frame: its layout epoch moves on.
	s, err := contextstore.Open(context.Background(), c.store)
	require.NoError(t, err)
	g := contextstore.AtVersion("weather", contextstore.FrameState{Version: 0})
	g.CheckVersion = false
	g.Relayout = true
	if _, err := contextstore.ApplyIf(context.Background(), s, []contextstore.Guard{g}, nil); err != nil {
		t.Fatal(err)
	}
	contextstore.Close(s)

	for _, args := range [][]string{
		{"set", "weather/row/1", `{"q":"bad"}`, "--epoch=" + epoch},
		{"merge", "--epoch", epoch, "weather/row/1", `{"q":"bad"}`},
		{"rm", "-epoch", epoch, "weather/row/1"},
	} {
		_, errOut, code := c.run("", args...)
		if code != 3 || !strings.Contains(errOut, "conflict") {
			t.Errorf("ctxframe %s after a relayout: exit %d, %q; want exit 3 and a conflict", strings.Join(args, " "), code, errOut)
		}
	}
	if got := c.ok("get", "weather/row/1"); !strings.Contains(got, `"by": "qc"`) || strings.Contains(got, "bad") {
		t.Errorf("refused writes changed the row: %s", got)
	}
	if _, _, code := c.run("", "set", "-epoch", "x", "weather", "{}"); code != 2 {
		t.Errorf("a bad -epoch must be a usage error, got exit %d", code)
	}
}

// failingWriter is a full disk.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// A command whose output cannot be written fails.
func TestOutputWriteErrorsFail(t *testing.T) {
	c := newCtl(t)
	c.ok("set", "weather/col/temp", `{"unit":"degC"}`)
	for _, args := range [][]string{{"frames"}, {"ls"}, {"ls", "weather"}, {"get", "weather/col/temp"}, {"export", "weather"}, {"state", "weather"}} {
		var errOut bytes.Buffer
		code := run(context.Background(), append([]string{"-store", c.store}, args...), strings.NewReader(""), failingWriter{}, &errOut)
		if code != 1 || !strings.Contains(errOut.String(), "no space left") {
			t.Errorf("ctxframe %s into a full disk: exit %d, %q; want exit 1 naming the write error", strings.Join(args, " "), code, errOut.String())
		}
	}
	// The same into the real full device, where the system has one.
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Logf("no /dev/full here (%v): the in-process full disk above stands for it", err)
		return
	}
	defer full.Close()
	for _, args := range [][]string{{"frames"}, {"ls"}, {"ls", "weather"}, {"export", "weather"}} {
		var errOut bytes.Buffer
		code := run(context.Background(), append([]string{"-store", c.store}, args...), strings.NewReader(""), full, &errOut)
		if code != 1 || !strings.Contains(errOut.String(), "no space left") {
			t.Errorf("ctxframe %s > /dev/full: exit %d, %q; want exit 1 naming the write error", strings.Join(args, " "), code, errOut.String())
		}
	}
}

// Secrets never reach a message: a store URL with a password that cannot be
// opened, given by flag or by $CTXFRAME_STORE, fails naming the store
// without its password.
func TestStoreURLPasswordNeverPrinted(t *testing.T) {
	for _, url := range []string{
		"postgres://postgres:S3c%zzPW@127.0.0.1:1/test",
		"redis://:S3c%zzPW@127.0.0.1:1/0",
		"redis://user:S3cPW@[::1/0",
		"rediss://user:S3cPW@127.0.0.1:1/0?tls_ca=/no/such/S3cPW",
		"redis+cluster://u:S3cPW@127.0.0.1:1,127.0.0.1:2?timeout=200ms",
		"mem://u:S3cPW@host",
		"postgres://u:S3cPW@127.0.0.1:1/test?connect_timeout=1",
	} {
		for _, viaEnv := range []bool{false, true} {
			var out, errOut bytes.Buffer
			args := []string{"-store", url, "frames"}
			if viaEnv {
				t.Setenv("CTXFRAME_STORE", url)
				args = []string{"frames"}
			}
			code := run(context.Background(), args, strings.NewReader(""), &out, &errOut)
			if code == 0 {
				t.Errorf("%s opened", url)
			}
			if strings.Contains(errOut.String(), "S3c") {
				t.Errorf("the password shows in: %s", errOut.String())
			}
		}
	}
}

// A conversion that fails leaves the store and the output path as they were.
func TestFailedConvertChangesNothing(t *testing.T) {
	dir := t.TempDir()
	src := newCtl(t)
	csv := filepath.Join(dir, "weather.csv")
	require.NoError(t, os.WriteFile(csv, []byte("station,temp_c\nOSL,-3.5\nBER,4.4\n"), 0o644))
	src.ok("set", "weather/col/temp_c", `{"unit":"degC"}`)
	arrowFile := filepath.Join(dir, "weather.arrow")
	src.ok("convert", csv, arrowFile)

	dst := newCtl(t)
	dst.ok("set", "weather/row/0", `{"kept":true}`)
	before := dst.ok("export", "weather")
	missing := filepath.Join(dir, "no-such-dir", "out.csv")
	if _, _, code := dst.run("", "convert", arrowFile, missing); code == 0 {
		t.Fatal("convert into a missing folder succeeded")
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed convert left %s: %v", missing, err)
	}
	if after := dst.ok("export", "weather"); after != before {
		t.Errorf("a failed convert changed the store:\nbefore %s\nafter  %s", before, after)
	}
	// Into a real path it still refuses to replace the store's other
	// context silently, and writes nothing...
	copyCSV := filepath.Join(dir, "copy.csv")
	if _, errOut, code := dst.run("", "convert", arrowFile, copyCSV); code != 1 || !strings.Contains(errOut, "-replace") {
		t.Fatalf("convert over other context: exit %d, %q; want exit 1 naming -replace", code, errOut)
	}
	if _, err := os.Stat(copyCSV); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused convert left %s: %v", copyCSV, err)
	}
	if after := dst.ok("export", "weather"); after != before {
		t.Errorf("a refused convert changed the store:\nbefore %s\nafter  %s", before, after)
	}
	// ...until told to replace it.
	dst.ok("convert", "-replace", arrowFile, copyCSV)
	if got := dst.ok("export", "weather"); !strings.Contains(got, "degC") || strings.Contains(got, "kept") {
		t.Errorf("convert -replace must make the file's context the frame's, got %s", got)
	}
	if st, err := os.Stat(copyCSV); err != nil || st.Mode().Perm() != 0o644 {
		t.Errorf("output mode %v, %v; want 0644", st.Mode(), err)
	}
}

// -merge POLICY combines the file's context with the store's; a conflict
// under a strict policy writes nothing.
func TestConvertMergesByPolicy(t *testing.T) {
	dir := t.TempDir()
	src := newCtl(t)
	csv := filepath.Join(dir, "weather.csv")
	require.NoError(t, os.WriteFile(csv, []byte("station,temp_c\nOSL,-3.5\nBER,4.4\n"), 0o644))
	src.ok("set", "weather/col/temp_c", `{"unit":"degC"}`)
	src.ok("set", "weather", `{"source":"file"}`)
	arrowFile := filepath.Join(dir, "weather.arrow")
	src.ok("convert", csv, arrowFile)

	dst := newCtl(t)
	dst.ok("set", "weather/row/0", `{"kept":true}`)
	dst.ok("set", "weather", `{"source":"store"}`)
	before := dst.ok("export", "weather")
	out := filepath.Join(dir, "out.csv")
	if _, errOut, code := dst.run("", "convert", "-merge", "no_conflicts", arrowFile, out); code != 1 || !strings.Contains(errOut, "source") {
		t.Fatalf("a conflicting merge: exit %d, %q", code, errOut)
	}
	if after := dst.ok("export", "weather"); after != before {
		t.Errorf("a refused merge changed the store: %s", after)
	}
	dst.ok("convert", "-merge", "override", arrowFile, out)
	got := dst.ok("export", "weather")
	for _, want := range []string{`"kept":true`, `"source":"store"`, `"unit":"degC"`} {
		if !strings.Contains(got, want) {
			t.Errorf("after -merge override the store lacks %s:\n%s", want, got)
		}
	}
	if _, _, code := dst.run("", "convert", "-merge", "sometimes", arrowFile, out); code != 2 {
		t.Errorf("an unknown policy must be a usage error, got exit %d", code)
	}
	if _, _, code := dst.run("", "convert", "-merge", "override", "-replace", arrowFile, out); code != 2 {
		t.Errorf("-merge with -replace must be a usage error, got exit %d", code)
	}
}

// Values come back from CSV to Arrow to CSV as they were written: floats
// in their shortest form, NA as NA.
func TestConvertKeepsValuesExact(t *testing.T) {
	dir := t.TempDir()
	c := newCtl(t)
	in := filepath.Join(dir, "w.csv")
	const data = "station,temp_c,precip_mm,n\nOSL,-9.7,NA,3\nBER,58.3,0.25,-1\nMAD,1234567.5,1e-07,0\n"
	require.NoError(t, os.WriteFile(in, []byte(data), 0o644))
	pq := filepath.Join(dir, "w.parquet")
	c.ok("convert", in, pq)
	out := filepath.Join(dir, "back.csv")
	c.ok("convert", pq, out)
	got, err := os.ReadFile(out)
	require.NoError(t, err)
	if string(got) != data {
		t.Errorf("CSV after Parquet and back:\n%s\nwant\n%s", got, data)
	}
}

// Every direction between the formats that carry context: the context goes
// from file to file, the store is not touched, and the data comes back
// exactly.
func TestConvertBetweenArrowAndParquetEveryWay(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join("..", "..", "testdata", "weather.csv")
	c := newCtl(t)
	c.ok("set", "weather", `{"owner":"meteo"}`)
	c.ok("set", "weather/col/temp_c", `{"unit":"degC"}`)
	c.ok("set", "weather/row/2", `{"checked":true}`)
	c.ok("set", "weather/cell/5/temp_c", `{"quality":"outlier"}`)
	want := c.ok("export", "weather")
	prev := filepath.Join(dir, "start.parquet")
	c.ok("convert", src, prev)
	for i, ext := range []string{".arrows", ".parquet", ".arrow", ".pq", ".arrow", ".arrows"} {
		next := filepath.Join(dir, fmt.Sprintf("step%d%s", i, ext))
		other := newCtl(t) // a fresh, empty store: the context must come from the file
		other.ok("convert", prev, next)
		if got := other.ok("frames"); got != "" {
			t.Errorf("%s -> %s wrote to the store: %q", prev, next, got)
		}
		prev = next
	}
	last := newCtl(t)
	back := filepath.Join(dir, "back.csv")
	last.ok("convert", prev, back)
	if got := last.ok("export", "weather"); got != want {
		t.Errorf("context after six conversions:\n%s\nwant\n%s", got, want)
	}
	if got, want := readRecords(t, back), readRecords(t, src); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("data after six conversions differs:\n%v\nwant\n%v", got, want)
	}
}

func TestInspectParquetAndJSON(t *testing.T) {
	dir := t.TempDir()
	c := newCtl(t)
	c.ok("set", "weather/col/temp_c", `{"unit":"degC"}`)
	c.ok("set", "weather/cell/5/temp_c", `{"quality":"outlier"}`)
	pq := filepath.Join(dir, "weather.parquet")
	c.ok("convert", filepath.Join("..", "..", "testdata", "weather.csv"), pq)
	out := c.ok("inspect", pq)
	for _, want := range []string{"Parquet file: 12 rows", "frame: weather", `column "temp_c"`, `"unit":"degC"`, `cell (5, "temp_c")`} {
		if !strings.Contains(out, want) {
			t.Errorf("inspect must show %q; got:\n%s", want, out)
		}
	}
	var got struct {
		Format  string `json:"format"`
		Rows    int    `json:"rows"`
		FrameID string `json:"frame_id"`
		Context []struct {
			Key   string         `json:"key"`
			Value map[string]any `json:"value"`
		} `json:"context"`
	}
	require.NoError(t, json.Unmarshal([]byte(c.ok("inspect", "-json", pq)), &got))
	if got.Format != "parquet" || got.Rows != 12 || got.FrameID != "weather" || len(got.Context) != 2 || got.Context[0].Value["unit"] != "degC" {
		t.Errorf("inspect -json = %+v", got)
	}
	if err := json.Unmarshal([]byte(c.ok("inspect", "--json", filepath.Join("..", "..", "testdata", "ipc", "context.arrow"))), &got); err != nil || got.Format != "arrow-file" {
		t.Errorf("inspect --json of an IPC file: %+v, %v", got, err)
	}
}

// -state marks a value state-bound, whole or by field.
func TestSetStateBound(t *testing.T) {
	c := newCtl(t)
	c.ok("set", "-state", "rows", "weather", `{"title":"w","rows":12}`)
	c.ok("set", "weather/col/temp_c", "--state=all", `{"max":58.3}`)
	if got := c.ok("get", "weather"); !strings.Contains(got, `"ctxframe.state": [`) || !strings.Contains(got, `"rows"`) {
		t.Errorf("get weather = %s", got)
	}
	if got := c.ok("get", "weather/col/temp_c"); !strings.Contains(got, `"ctxframe.state": true`) {
		t.Errorf("get temp_c = %s", got)
	}
	if _, _, code := c.run("", "set", "-state", "", "weather", `{}`); code != 2 {
		t.Errorf("an empty -state must be a usage error, got exit %d", code)
	}
}

// A conversion that fails on the data (a column type CSV cannot hold)
// leaves the store and the output path as they were.
func TestFailedConvertOnUnsupportedTypeChangesNothing(t *testing.T) {
	dir := t.TempDir()
	c := newCtl(t)
	c.ok("set", keys.Frame("weather/golden").String(), `{"kept":true}`)
	before := c.ok("export", "weather/golden")
	if !strings.Contains(before, "kept") {
		t.Fatalf("export of the frame: %q", before)
	}
	out := filepath.Join(dir, "out.csv")
	// The golden IPC file has a struct column, which gota cannot hold.
	_, errOut, code := c.run("", "convert", filepath.Join("..", "..", "testdata", "ipc", "context.arrow"), out)
	if code == 0 {
		t.Fatal("converting a struct column to CSV succeeded")
	}
	if !strings.Contains(errOut, "pos") {
		t.Errorf("the error should name the column: %s", errOut)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed convert left %s: %v", out, err)
	}
	if after := c.ok("export", "weather/golden"); after != before {
		t.Errorf("a failed convert changed the store: %q -> %q", before, after)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("a failed convert left files behind: %v", entries)
	}
}

// Commands that only read create nothing: not even the default store's
// SQLite file. "not found" says so without the driver's words.
func TestReadOnlyCommandsCreateNothing(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("CTXFRAME_STORE", "")
	for _, args := range [][]string{{"frames"}, {"ls"}, {"ls", "weather"}, {"export", "weather"}, {"state", "weather"}, {"get", "weather/col/x"}} {
		var out, errOut bytes.Buffer
		code := run(context.Background(), args, strings.NewReader(""), &out, &errOut)
		if args[0] == "get" {
			if code != exitNotFound || !strings.Contains(errOut.String(), "not found") || strings.Contains(errOut.String(), "sql") {
				t.Errorf("get of a missing key: exit %d, %q", code, errOut.String())
			}
		} else if code != 0 {
			t.Errorf("ctxframe %v: exit %d: %s", args, code, errOut.String())
		}
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	if len(entries) != 0 {
		t.Errorf("read-only commands created %v", entries)
	}
	// A write creates the store, and then get says "not found" plainly.
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"set", "weather", `{"a":1}`}, strings.NewReader(""), &out, &errOut); code != 0 {
		t.Fatalf("set: %s", errOut.String())
	}
	errOut.Reset()
	if code := run(context.Background(), []string{"get", "weather/col/x"}, strings.NewReader(""), &out, &errOut); code != exitNotFound || strings.Contains(errOut.String(), "sql:") {
		t.Errorf("get of a missing key in SQLite: exit %d, %q", code, errOut.String())
	}
}
