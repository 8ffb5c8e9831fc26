package sqlstore

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/contextstore/storetest"
	"github.com/ctxframe/ctxframe/keys"
)

// childEnv carries a childSpec to the test binary re-executed as a writer
// process (see TestMain).
const childEnv = "CTXFRAME_SQLSTORE_CHILD"

// childSpec tells a child process what to open and what to write.
type childSpec struct {
	Dialect Dialect
	Target  string // the SQLite file or the PostgreSQL DSN
	Table   string
	Worker  int
	Rounds  int
}

const (
	processes     = 4
	processRounds = 60
	batchWidth    = 10
)

// ownKey is the key worker w writes in round r of its own frame.
func ownKey(w, r, i int) keys.Key { return keys.Cell(fmt.Sprintf("proc-%d", w), r*batchWidth+i, "c") }

// TestMain runs the test binary as a writer process of the multi-process
// tests when childEnv is set, and as the tests otherwise.
func TestMain(m *testing.M) {
	if raw := os.Getenv(childEnv); raw != "" {
		if err := runChild(raw); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Println(childDone)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// childDone is what a writer prints when all its writes succeeded.
const childDone = "writer done"

// runChild is one writer process: it opens the store the spec names and
// writes its own keys, its column of a shared frame, and keys every writer
// writes.
func runChild(raw string) error {
	var spec childSpec
	if err := json.Unmarshal([]byte(raw), &spec); err != nil {
		return fmt.Errorf("child spec: %w", err)
	}
	var s *Store
	var err error
	opts := &Options{Table: spec.Table}
	if spec.Dialect == SQLite {
		s, err = OpenSQLite(bg, spec.Target, opts)
	} else {
		s, err = OpenPostgres(bg, spec.Target, opts)
	}
	if err != nil {
		return fmt.Errorf("worker %d: open: %w", spec.Worker, err)
	}
	defer s.Close()
	w := spec.Worker
	shared := keys.Frame("shared")
	for r := 0; r < spec.Rounds; r++ {
		// A batch of the worker's own keys, plus its column of a frame all
		// workers write, plus a delete of a key every worker writes.
		ms := []contextstore.Mutation{
			contextstore.Put(keys.Column("shared", fmt.Sprintf("w%d", w)), contextstore.Value{"round": r}),
			contextstore.Remove(keys.Column("shared", "scratch")),
		}
		for i := 0; i < batchWidth; i++ {
			ms = append(ms, contextstore.Put(ownKey(w, r, i), contextstore.Value{"w": w, "r": r, "i": i}))
		}
		if err := s.Apply(bg, ms); err != nil {
			return fmt.Errorf("worker %d round %d: Apply: %w", w, r, err)
		}
		// Single calls on keys every worker writes.
		if err := s.Set(bg, shared, contextstore.Value{"w": w, "r": r}); err != nil {
			return fmt.Errorf("worker %d round %d: Set: %w", w, r, err)
		}
		if err := s.Set(bg, keys.Column("shared", "scratch"), contextstore.Value{"w": w}); err != nil {
			return fmt.Errorf("worker %d round %d: Set: %w", w, r, err)
		}
		if _, err := s.Get(bg, shared); err != nil {
			return fmt.Errorf("worker %d round %d: Get: %w", w, r, err)
		}
	}
	return nil
}

// runWriters starts processes copies of the test binary as writers and
// waits for them all.
func runWriters(t *testing.T, spec childSpec) {
	t.Helper()
	cmds := make([]*exec.Cmd, processes)
	outs := make([]*bytes.Buffer, processes)
	for w := range cmds {
		spec.Worker = w
		raw, err := json.Marshal(spec)
		require.NoError(t, err)
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), childEnv+"="+string(raw))
		outs[w] = new(bytes.Buffer)
		cmd.Stdout, cmd.Stderr = outs[w], outs[w]
		if err := cmd.Start(); err != nil {
			t.Fatalf("start writer %d: %v", w, err)
		}
		cmds[w] = cmd
	}
	for w, cmd := range cmds {
		err := cmd.Wait()
		out := outs[w].String()
		if err != nil {
			t.Errorf("writer %d failed: %v\n%s", w, err, out)
		}
		if strings.Contains(out, "database is locked") || strings.Contains(out, "SQLITE_BUSY") {
			t.Errorf("writer %d saw a locked database:\n%s", w, out)
		}
		if !strings.Contains(out, childDone) {
			t.Errorf("writer %d did not run its writes:\n%s", w, out)
		}
	}
}

// checkWriters checks that every write of every writer is there.
func checkWriters(t *testing.T, s *Store) {
	t.Helper()
	for w := 0; w < processes; w++ {
		entries, err := s.ReadFrame(bg, fmt.Sprintf("proc-%d", w))
		require.NoError(t, err, "ReadFrame")
		if len(entries) != processRounds*batchWidth {
			t.Fatalf("worker %d: %d of its %d keys are there", w, len(entries), processRounds*batchWidth)
		}
		for r := 0; r < processRounds; r++ {
			for i := 0; i < batchWidth; i++ {
				e := entries[r*batchWidth+i]
				want := contextstore.Value{"w": int64(w), "r": int64(r), "i": int64(i)}
				if e.Key != ownKey(w, r, i) || !contextstore.Equal(e.Value, want) {
					t.Fatalf("worker %d: entry %v = %v, want %v = %v", w, e.Key, e.Value, ownKey(w, r, i), want)
				}
			}
		}
		v, err := s.Get(bg, keys.Column("shared", fmt.Sprintf("w%d", w)))
		if err != nil || v["round"] != int64(processRounds-1) {
			t.Fatalf("worker %d's shared column: %v, %v; want its last round", w, v, err)
		}
	}
	v, err := s.Get(bg, keys.Frame("shared"))
	if err != nil || v["r"] != int64(processRounds-1) {
		t.Fatalf("the key every worker set last holds %v, %v; want some worker's last round", v, err)
	}
}

// TestSeveralProcessesShareOneSQLiteFile runs writer processes on one
// SQLite file, all creating the table at once and then writing their own
// and shared keys, and checks nothing was lost and no "database is locked"
// reached them.
func TestSeveralProcessesShareOneSQLiteFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.db")
	runWriters(t, childSpec{Dialect: SQLite, Target: path, Table: "ctx_procs", Rounds: processRounds})
	s, err := OpenSQLite(bg, path, &Options{Table: "ctx_procs"})
	require.NoError(t, err, "OpenSQLite")
	defer s.Close()
	checkWriters(t, s)
}

// TestSeveralProcessesShareOnePostgresTable does the same on PostgreSQL.
func TestSeveralProcessesShareOnePostgresTable(t *testing.T) {
	dsn := storetest.ServerEnv(t, storetest.EnvPostgresURL)
	table := randomTable()
	dropPostgresTableAtCleanup(t, dsn, table)
	runWriters(t, childSpec{Dialect: Postgres, Target: dsn, Table: table, Rounds: processRounds})
	s, err := OpenPostgres(bg, dsn, &Options{Table: table})
	require.NoError(t, err, "OpenPostgres")
	defer s.Close()
	checkWriters(t, s)
}
