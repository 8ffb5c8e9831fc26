package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// readmeBlock returns the lines of the first ```sh block after heading in
// the repository's README.
func readmeBlock(t *testing.T, heading string) []string {
	return readmeCode(t, heading, "sh")
}

// readmeCode returns the lines of the first ```lang block after heading.
func readmeCode(t *testing.T, heading, lang string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	text := string(b)
	at := strings.Index(text, "\n"+heading+"\n")
	require.GreaterOrEqual(t, at, 0, "README has no %q", heading)
	text = text[at:]
	fence := "```" + lang + "\n"
	start := strings.Index(text, fence)
	require.GreaterOrEqual(t, start, 0)
	text = text[start+len(fence):]
	end := strings.Index(text, "```")
	require.GreaterOrEqual(t, end, 0)
	var lines []string
	for _, l := range strings.Split(text[:end], "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

// shellWords splits a command line as sh would for the README's simple
// lines: words, single-quoted words, a trailing comment, one "> FILE".
func shellWords(t *testing.T, line string) (args []string, redirect string) {
	t.Helper()
	var cur strings.Builder
	inWord, quoted := false, false
	flush := func() {
		if inWord {
			args = append(args, cur.String())
			cur.Reset()
			inWord = false
		}
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quoted && c == '\'':
			quoted = false
		case quoted:
			cur.WriteByte(c)
		case c == '\'':
			quoted, inWord = true, true
		case c == '#' && !inWord:
			i = len(line)
		case c == ' ' || c == '\t':
			flush()
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	require.False(t, quoted, "unclosed quote in %q", line)
	flush()
	for i, a := range args {
		if a == ">" {
			require.Equal(t, len(args)-2, i, "redirect must end the line: %q", line)
			return args[:i], args[i+1]
		}
	}
	return args, ""
}

// TestREADMECommandLine runs the README's command-line walkthrough as
// written, from a copy of the repository's layout, and checks what it
// promises: the context travels through Arrow IPC into another store.
func TestREADMECommandLine(t *testing.T) {
	lines := readmeBlock(t, "## Command line")
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "testdata"), 0o755))
	csv, err := os.ReadFile(filepath.Join("..", "..", "testdata", "weather.csv"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "testdata", "weather.csv"), csv, 0o644))
	t.Chdir(dir)
	const prefix = "go run ./cmd/ctxframe"
	for _, line := range lines {
		require.True(t, strings.HasPrefix(line, prefix+" "), "README line %q does not run the command", line)
		args, redirect := shellWords(t, strings.TrimPrefix(line, prefix))
		var out, errOut bytes.Buffer
		code := run(context.Background(), args, strings.NewReader(""), &out, &errOut)
		require.Zero(t, code, "README line %q: exit %d: %s", line, code, errOut.String())
		if redirect != "" {
			require.NoError(t, os.WriteFile(redirect, out.Bytes(), 0o644))
		}
	}
	var out, errOut bytes.Buffer
	require.Zero(t, run(context.Background(), []string{"-store", "sqlite:other.db", "export", "weather"}, strings.NewReader(""), &out, &errOut), errOut.String())
	require.Contains(t, out.String(), `"unit":"degC"`, "the column's context reached other.db")
	require.Contains(t, out.String(), `"quality":"outlier"`, "the cell's context reached other.db")
	out.Reset()
	require.Zero(t, run(context.Background(), []string{"--store", "sqlite:backup.db", "export", "weather"}, strings.NewReader(""), &out, &errOut), errOut.String())
	require.Contains(t, out.String(), `"unit":"degC"`, "copy brought the context to backup.db")
	for _, f := range []string{"weather.ctx.jsonl", "weather.arrow", "weather.parquet", "copy.csv"} {
		st, err := os.Stat(f)
		require.NoError(t, err, "the walkthrough makes %s", f)
		require.NotZero(t, st.Size())
	}
}

// TestREADMEQuickStart builds the README's Go quick start as a program and
// runs it on a copy of the test data: it must compile as written and print
// the context it promises.
func TestREADMEQuickStart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program")
	}
	lines := readmeCode(t, "## Quick start", "go")
	src := `package main

import (
	"context"
	"os"

	"github.com/go-gota/gota/dataframe"
	"github.com/go-gota/gota/series"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/adapters/gota"
	"github.com/ctxframe/ctxframe/contextstore"
	_ "github.com/ctxframe/ctxframe/contextstore/sqlstore"
)

func main() {
	` + strings.Join(lines, "\n\t") + `
}
`
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	dir, err := os.MkdirTemp(root, ".readme-quickstart-") // inside the module, hidden from ./...
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644))
	bin := filepath.Join(t.TempDir(), "quickstart")
	build := exec.Command("go", "build", "-o", bin, "./"+filepath.Base(dir))
	build.Dir = root
	out, err := build.CombinedOutput()
	require.NoError(t, err, "the README's quick start does not build:\n%s\n%s", out, src)

	work := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(work, "testdata"), 0o755))
	csv, err := os.ReadFile(filepath.Join(root, "testdata", "weather.csv"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(work, "testdata", "weather.csv"), csv, 0o644))
	runIt := exec.Command(bin)
	runIt.Dir = work
	out, err = runIt.CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.Contains(t, string(out), `column "temperature"     {"unit":"degC"}`)
	require.Contains(t, string(out), `{"quality":"outlier"}`)
}
