package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore"
	_ "github.com/ctxframe/ctxframe/contextstore/redisstore"
	_ "github.com/ctxframe/ctxframe/contextstore/sqlstore"
	"github.com/ctxframe/ctxframe/contextstore/storetest"
)

// The notebook, walkthrough.ipynb, is the source: main.go is generated from
// its code cells, and its saved outputs are what running them must print.
// Regenerate both after editing the notebook with
//
//	CTXFRAME_UPDATE_NOTEBOOK=1 go test ./examples/notebook/
const (
	notebookFile = "walkthrough.ipynb"
	generated    = "main.go"
	cellMarker   = "\x1ectxframe-cell "
	markerEnv    = "CTXFRAME_NOTEBOOK_CELLS"
)

// notebook is the part of the Jupyter format (nbformat 4) the test uses;
// everything else is kept as it is.
type notebook struct {
	Cells         []cell         `json:"cells"`
	Metadata      map[string]any `json:"metadata"`
	NBFormat      int            `json:"nbformat"`
	NBFormatMinor int            `json:"nbformat_minor"`
}

type cell struct {
	CellType       string         `json:"cell_type"`
	ExecutionCount *int           `json:"execution_count,omitempty"`
	Metadata       map[string]any `json:"metadata"`
	Outputs        []output       `json:"outputs,omitempty"`
	Source         []string       `json:"source"`
}

type output struct {
	Name       string   `json:"name"`
	OutputType string   `json:"output_type"`
	Text       []string `json:"text"`
}

func readNotebook(t *testing.T) *notebook {
	t.Helper()
	b, err := os.ReadFile(notebookFile)
	require.NoError(t, err)
	var nb notebook
	require.NoError(t, json.Unmarshal(b, &nb))
	return &nb
}

// mainCells returns the code cells GoNB runs as main (those starting with
// %%), in order, by index into nb.Cells.
func (nb *notebook) mainCells() []int {
	var out []int
	for i, c := range nb.Cells {
		if c.CellType == "code" && strings.HasPrefix(strings.TrimSpace(strings.Join(c.Source, "")), "%%") {
			out = append(out, i)
		}
	}
	return out
}

// program builds one Go program from the code cells, as GoNB would run
// them one after another: declaration cells (imports, funcs, consts) at the
// top level, each %% cell as a function main calls in order. Lines GoNB
// runs itself (!shell, %magic) are left out.
func program(t *testing.T, nb *notebook) []byte {
	t.Helper()
	fset := token.NewFileSet()
	imports := map[string]string{} // path -> name ("" for none)
	var decls bytes.Buffer
	var bodies []string
	for i, c := range nb.Cells {
		if c.CellType != "code" {
			continue
		}
		src := strings.Join(c.Source, "")
		if body, ok := strings.CutPrefix(strings.TrimSpace(src), "%%"); ok {
			bodies = append(bodies, body)
			continue
		}
		var kept []string
		for _, line := range strings.Split(src, "\n") {
			if l := strings.TrimSpace(line); strings.HasPrefix(l, "!") || strings.HasPrefix(l, "%") {
				continue
			}
			kept = append(kept, line)
		}
		f, err := parser.ParseFile(fset, fmt.Sprintf("cell%d.go", i), "package main\n"+strings.Join(kept, "\n"), parser.ParseComments)
		require.NoError(t, err, "code cell %d does not parse", i)
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			name := ""
			if imp.Name != nil {
				name = imp.Name.Name
			}
			imports[path] = name
		}
		cm := ast.NewCommentMap(fset, f, f.Comments)
		for _, d := range f.Decls {
			if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.IMPORT {
				continue
			}
			node := &ast.File{Name: f.Name, Decls: []ast.Decl{d}, Comments: cm.Filter(d).Comments()}
			var b bytes.Buffer
			require.NoError(t, format.Node(&b, fset, node))
			decls.WriteString(strings.TrimPrefix(b.String(), "package main\n") + "\n")
		}
	}
	for _, p := range []string{"fmt", "os"} { // main's own
		if _, ok := imports[p]; !ok {
			imports[p] = ""
		}
	}
	paths := make([]string, 0, len(imports))
	for p := range imports {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	var src bytes.Buffer
	src.WriteString("// Code generated from walkthrough.ipynb by TestNotebook; DO NOT EDIT.\n\n")
	src.WriteString("package main\n\nimport (\n")
	for _, p := range paths {
		fmt.Fprintf(&src, "\t%s %q\n", imports[p], p)
	}
	src.WriteString(")\n\n")
	src.Write(decls.Bytes())
	src.WriteString("// main runs the notebook's cells in order, as GoNB runs them one by one.\nfunc main() {\n")
	src.WriteString("\tcells := []func(){")
	for i := range bodies {
		fmt.Fprintf(&src, "cell%d, ", i+1)
	}
	src.WriteString("}\n\tfor i, cell := range cells {\n")
	fmt.Fprintf(&src, "\t\tif os.Getenv(%q) != \"\" {\n\t\t\tfmt.Printf(\"%%s%%d\\n\", %q, i)\n\t\t}\n\t\tcell()\n\t}\n}\n", markerEnv, cellMarker)
	for i, body := range bodies {
		fmt.Fprintf(&src, "\n// cell%d is code cell %d of the notebook.\nfunc cell%d() {\n%s\n}\n", i+1, i+1, i+1, body)
	}
	out, err := format.Source(src.Bytes())
	require.NoError(t, err, "the generated program does not format:\n%s", src.String())
	return out
}

// runNotebook builds main.go and runs it on store, returning each main
// cell's output.
func runNotebook(t *testing.T, bin, store string, cells int) []string {
	t.Helper()
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), markerEnv+"=1", "CTXFRAME_STORE="+store)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	require.NoError(t, cmd.Run(), "the notebook failed on %s:\n%s%s", contextstore.RedactURL(store), out.String(), errOut.String())
	parts := strings.Split(out.String(), cellMarker)
	require.Len(t, parts, cells+1, "every cell runs once:\n%s", out.String())
	texts := make([]string, cells)
	for i, p := range parts[1:] {
		_, text, _ := strings.Cut(p, "\n")
		texts[i] = text
	}
	return texts
}

// TestNotebook keeps the notebook executable without Jupyter: its code
// cells, built and run as one program, compile, finish without a panic,
// and print exactly the outputs saved in the notebook, on every store that
// persists, twice in a row (the context persists between runs, and rerunning
// changes nothing). main.go must be the program the cells make.
func TestNotebook(t *testing.T) {
	nb := readNotebook(t)
	src := program(t, nb)
	update := os.Getenv("CTXFRAME_UPDATE_NOTEBOOK") != ""
	if update {
		require.NoError(t, os.WriteFile(generated, src, 0o644))
	}
	committed, err := os.ReadFile(generated)
	require.NoError(t, err)
	require.Equal(t, string(src), string(committed), "main.go is not the notebook's program: regenerate it (CTXFRAME_UPDATE_NOTEBOOK=1)")

	bin := filepath.Join(t.TempDir(), "notebook")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("the notebook's program does not build: %v\n%s", err, out)
	}
	cells := nb.mainCells()
	sqlite := "sqlite:" + filepath.Join(t.TempDir(), "notebook.db")
	first := runNotebook(t, bin, sqlite, len(cells))
	if update {
		for i, ci := range cells {
			nb.Cells[ci].Outputs = []output{{Name: "stdout", OutputType: "stream", Text: splitLines(first[i])}}
			n := i + 1
			nb.Cells[ci].ExecutionCount = &n
		}
		b, err := json.MarshalIndent(nb, "", " ")
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(notebookFile, append(b, '\n'), 0o644))
		nb = readNotebook(t)
	}
	want := make([]string, len(cells))
	for i, ci := range cells {
		for _, o := range nb.Cells[ci].Outputs {
			want[i] += strings.Join(o.Text, "")
		}
	}
	// Fixed names on the shared servers, cleared before and after, so
	// reruns never pile up tables or keys.
	stores := map[string]string{"sqlite": sqlite}
	if url := os.Getenv(storetest.EnvRedisURL); url != "" || os.Getenv("CI") == "true" {
		stores["redis"] = storetest.ServerEnv(t, storetest.EnvRedisURL) + "?prefix=ctxframe-notebook:"
	}
	if url := os.Getenv(storetest.EnvPostgresURL); url != "" || os.Getenv("CI") == "true" {
		stores["postgres"] = storetest.ServerEnv(t, storetest.EnvPostgresURL) + "?table=ctxframe_notebook"
	}
	for name, url := range stores {
		t.Run(name, func(t *testing.T) {
			dropAll(t, url)
			t.Cleanup(func() { dropAll(t, url) })
			for run := 1; run <= 2; run++ {
				got := runNotebook(t, bin, url, len(cells))
				for i := range cells {
					require.Equal(t, want[i], got[i], "run %d on %s: the output of main cell %d differs from the notebook's", run, name, i+1)
				}
			}
		})
	}
}

func splitLines(s string) []string {
	var out []string
	for len(s) > 0 {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	return out
}

// dropAll removes every frame the notebook left in a shared server's store.
func dropAll(t *testing.T, url string) {
	ctx := context.Background()
	s, err := contextstore.Open(ctx, url)
	if err != nil {
		t.Errorf("cleaning up: %v", err)
		return
	}
	defer contextstore.Close(s)
	frames, err := contextstore.ListFrames(ctx, s)
	if err != nil {
		t.Errorf("cleaning up: %v", err)
		return
	}
	for _, f := range frames {
		if err := contextstore.DropFrame(ctx, s, f); err != nil {
			t.Errorf("cleaning up %s: %v", f, err)
		}
	}
}
