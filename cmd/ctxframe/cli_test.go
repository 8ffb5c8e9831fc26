package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHelpVersionAndFlagsAnywhere(t *testing.T) {
	c := newCtl(t)
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}, {"set", "--help"}, {"help", "convert"}, {"schema", "import", "--help"}} {
		out, errOut, code := c.run("", args...)
		assert.Zero(t, code, "ctxframe %v: %s", args, errOut)
		assert.Contains(t, out, "Usage:", "ctxframe %v", args)
	}
	out, _, code := c.run("", "set", "--help")
	require.Zero(t, code)
	assert.Contains(t, out, "Examples:")
	assert.Contains(t, out, "--epoch")
	out, _, code = c.run("", "--version")
	require.Zero(t, code)
	assert.Contains(t, out, "ctxframe version")

	// Flags after the arguments, and one-dash long flags as before.
	c.ok("set", "weather/col/temp_c", `{"unit":"degC"}`, "--epoch", "0")
	c.ok("merge", "weather/col/temp_c", `{"note":"x"}`, "-epoch", "0")
	assert.Contains(t, c.ok("get", "weather/col/temp_c"), `"note": "x"`)
}

func TestJSONOutputs(t *testing.T) {
	c := newCtl(t)
	var frames []string
	require.NoError(t, json.Unmarshal([]byte(c.ok("frames", "--json")), &frames))
	assert.Empty(t, frames)
	c.ok("set", "weather/col/temp_c", `{"unit":"degC"}`)
	c.ok("set", "stations", `{"owner":"meteo"}`)
	require.NoError(t, json.Unmarshal([]byte(c.ok("frames", "--json")), &frames))
	assert.Equal(t, []string{"stations", "weather"}, frames)
	var listed []struct{ Key, Frame, Ref string }
	require.NoError(t, json.Unmarshal([]byte(c.ok("ls", "weather", "--json")), &listed))
	require.Len(t, listed, 1)
	assert.Equal(t, "weather", listed[0].Frame)
	assert.Equal(t, "weather/col/temp_c", listed[0].Ref)
	assert.Equal(t, "ctx1:{weather}c:temp_c", listed[0].Key)
}

// --data refuses a key its CSV cannot hold: a typo is caught when written.
func TestDataCheckRefusesTypos(t *testing.T) {
	c := newCtl(t)
	data := filepath.Join("..", "..", "testdata", "weather.csv")
	c.ok("set", "weather/col/temp_c", `{"unit":"degC"}`, "--data", data)
	c.ok("merge", "weather/cell/11/temp_c", `{"q":1}`, "--data", data)
	for _, args := range [][]string{
		{"set", "weather/col/temp", `{}`, "--data", data},
		{"set", "weather/row/12", `{}`, "--data", data},
		{"merge", "weather/cell/3/nope", `{}`, "--data", data},
	} {
		_, errOut, code := c.run("", args...)
		assert.Equal(t, 1, code, "ctxframe %v", args)
		assert.Contains(t, errOut, "not in frame", "ctxframe %v", args)
	}
	assert.NotContains(t, c.ok("ls", "weather"), "temp/")
}

func TestLineageCommand(t *testing.T) {
	dir := t.TempDir()
	c := newCtl(t)
	c.ok("set", "weather/col/temp_c", `{"unit":"degC"}`)
	pq := filepath.Join(dir, "w.parquet")
	c.ok("convert", filepath.Join("..", "..", "testdata", "weather.csv"), pq)
	var facet map[string]any
	require.NoError(t, json.Unmarshal([]byte(c.ok("lineage", "weather")), &facet))
	assert.Contains(t, facet, "fields", "an OpenLineage column-lineage facet: %v", facet)
}

func TestCopyBetweenStores(t *testing.T) {
	from := newCtl(t)
	to := newCtl(t)
	from.ok("set", "weather/col/temp_c", `{"unit":"degC"}`)
	from.ok("set", "stations", `{"owner":"meteo"}`)
	to.ok("set", "weather/row/0", `{"kept":true}`)
	before := to.ok("export", "weather")
	// The target has other context for weather: refused, nothing written.
	_, errOut, code := to.run("", "copy", "--from", from.store, "--to", to.store)
	require.Equal(t, 1, code, errOut)
	assert.Contains(t, errOut, "--replace")
	assert.Equal(t, before, to.ok("export", "weather"))
	assert.Empty(t, strings.TrimSpace(to.ok("export", "stations")), "all or nothing: stations was not copied either")
	// One frame by name, then everything with --replace.
	to.ok("copy", "stations", "--from", from.store, "--to", to.store)
	assert.Contains(t, to.ok("export", "stations"), "meteo")
	to.ok("copy", "--from", from.store, "--to", to.store, "--replace")
	assert.Equal(t, from.ok("export", "weather"), to.ok("export", "weather"))
	_, _, code = to.run("", "copy", "--from", from.store)
	assert.Equal(t, 2, code, "copy without --to is a usage error")
}

func TestSchemaExportImport(t *testing.T) {
	dir := t.TempDir()
	c := newCtl(t)
	data := filepath.Join("..", "..", "testdata", "weather.csv")
	c.ok("set", "weather/col/temp_c", `{"unit":"degC","title":"Temperature"}`)
	out := c.ok("schema", "export", "weather", "--data", data)
	file := filepath.Join(dir, "weather.schema.json")
	require.NoError(t, os.WriteFile(file, []byte(out), 0o644))
	other := newCtl(t)
	other.ok("schema", "import", "copy", file, "--data", data)
	assert.Contains(t, other.ok("get", "copy/col/temp_c"), `"title": "Temperature"`)
	// A schema naming a column the data lacks is refused, nothing written.
	bad := filepath.Join(dir, "bad.schema.json")
	require.NoError(t, os.WriteFile(bad, []byte(`{"fields":[{"name":"nope","title":"x"}]}`), 0o644))
	_, _, code := other.run("", "schema", "import", "copy", bad, "--data", data)
	assert.Equal(t, 1, code)
	assert.NotContains(t, other.ok("ls", "copy"), "nope")
}

// The built binary, run as a person or a script would: every command once.
func TestBinaryEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "ctxframe")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	data, err := filepath.Abs(filepath.Join("..", "..", "testdata", "weather.csv"))
	require.NoError(t, err)
	env := append(os.Environ(), "CTXFRAME_STORE=sqlite:"+filepath.Join(dir, "ctx.db"))
	run := func(stdin string, wantCode int, args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Dir = dir
		cmd.Env = env
		cmd.Stdin = strings.NewReader(stdin)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		require.Equal(t, wantCode, code, "ctxframe %v: %s%s", args, out.String(), errOut.String())
		return out.String()
	}
	run("", 0, "--version")
	run("", 0, "--help")
	run("", 2, "nosuchcommand")
	run("", 0, "set", "weather/col/temp_c", `{"unit":"degC"}`, "--data", data)
	run("", 0, "merge", "weather/row/5", `{"flag":"outlier"}`)
	run("", 0, "set", "weather/cell/5/temp_c", `{"q":"x"}`, "--state", "all")
	assert.Contains(t, run("", 0, "frames"), "weather")
	assert.Contains(t, run("", 0, "ls", "weather"), "weather/row/5")
	assert.Contains(t, run("", 0, "get", "weather/col/temp_c"), "degC")
	state := run("", 0, "state", "weather")
	assert.Contains(t, state, `"epoch"`)
	exported := run("", 0, "export", "weather")
	run("", 0, "rm", "weather/cell/5/temp_c")
	run(exported, 0, "import")
	assert.Contains(t, run("", 0, "get", "weather/cell/5/temp_c"), `"q"`)
	run("", 0, "convert", data, "weather.parquet")
	assert.Contains(t, run("", 0, "inspect", "weather.parquet", "--json"), `"format": "parquet"`)
	run("", 0, "convert", "weather.parquet", "weather.arrows")
	run("", 0, "lineage", "weather")
	schema := run("", 0, "schema", "export", "weather", "--data", data)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "weather.schema.json"), []byte(schema), 0o644))
	run("", 0, "schema", "import", "copy", "weather.schema.json", "--data", data)
	assert.Contains(t, run("", 0, "get", "copy/col/temp_c"), "degC")
	run("", 0, "copy", "--from", "sqlite:"+filepath.Join(dir, "ctx.db"), "--to", "sqlite:"+filepath.Join(dir, "backup.db"))
	run("", 0, "drop", "weather")
	assert.NotContains(t, run("", 0, "frames"), "weather")
	run("", 0, "--store", "sqlite:"+filepath.Join(dir, "backup.db"), "convert", "weather.arrows", "back.csv", "--replace")
	st, err := os.Stat(filepath.Join(dir, "back.csv"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), st.Mode().Perm())
	run("", 0, "completion", "bash")
	_ = context.Background()
}
