package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/ctxframe/ctxframe/contextstore/storetest"
)

var update = flag.Bool("update", false, "rewrite testdata/walkthrough.golden")

const golden = "testdata/walkthrough.golden"

// The walkthrough must print exactly what the golden file shows, whichever
// store holds the context: swapping backends changes nothing a user sees.
func TestWalkthrough(t *testing.T) {
	// Fixed names on the shared servers: the walkthrough clears its own frames
	// first, so reruns never pile up tables or keys.
	stores := map[string]func(t *testing.T) string{
		"mem":    func(*testing.T) string { return "mem://" },
		"sqlite": func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "ctx.db") },
		"redis": func(t *testing.T) string {
			return storetest.ServerEnv(t, storetest.EnvRedisURL) + "?prefix=ctxframe-notebook:"
		},
		"postgres": func(t *testing.T) string {
			return storetest.ServerEnv(t, storetest.EnvPostgresURL) + "?table=ctxframe_notebook"
		},
	}
	for _, name := range []string{"mem", "sqlite", "redis", "postgres"} {
		t.Run(name, func(t *testing.T) {
			url := stores[name](t)
			var out bytes.Buffer
			if err := run(context.Background(), &out, url, ""); err != nil {
				t.Fatalf("walkthrough on %s: %v\n%s", name, err, out.String())
			}
			if *update && name == "mem" {
				if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./examples/notebook -update to create it)", err)
			}
			for _, line := range []string{"every entry arrived: true", "entries left in the store: 0", `cell (0, "temperature")`} {
				if !bytes.Contains(out.Bytes(), []byte(line)) {
					t.Errorf("the walkthrough on %s must show %q", name, line)
				}
			}
			if !bytes.Equal(out.Bytes(), want) {
				t.Errorf("the walkthrough on %s differs from %s:\n%s", name, golden, out.String())
			}
		})
	}
}

func TestWalkthroughRejectsABadDataFolder(t *testing.T) {
	err := run(context.Background(), &bytes.Buffer{}, "mem://", t.TempDir())
	if err == nil {
		t.Fatal("a folder without the data sets must be an error")
	}
}
