package sqlstore

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/contextstore/storetest"
	"github.com/ctxframe/ctxframe/keys"
)

// setVersion rewrites the recorded schema version of s's table, as a newer
// (or broken) ctxframe would have left it.
func setVersion(t *testing.T, s *Store, version int) {
	t.Helper()
	q := `UPDATE ` + metaTable + ` SET schema_version = ? WHERE table_name = ?`
	if s.Dialect() == Postgres {
		q = `UPDATE ` + metaTable + ` SET schema_version = $1 WHERE table_name = $2`
	}
	res, err := s.DB().ExecContext(bg, q, version, s.Table())
	require.NoError(t, err, "set schema version")
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("set schema version: %d rows of %s name table %q, want 1", n, metaTable, s.Table())
	}
}

func TestSchemaVersionIsRecordedAndChecked(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *Store) {
		var version int
		q := `SELECT schema_version FROM ` + metaTable + ` WHERE table_name = ?`
		if s.Dialect() == Postgres {
			q = `SELECT schema_version FROM ` + metaTable + ` WHERE table_name = $1`
		}
		if err := s.DB().QueryRowContext(bg, q, s.Table()).Scan(&version); err != nil {
			t.Fatalf("read the recorded version: %v", err)
		}
		if version != schemaVersion {
			t.Fatalf("recorded version %d, want %d", version, schemaVersion)
		}
		// The same version opens.
		same, err := New(bg, s.DB(), s.Dialect(), &Options{Table: s.Table()})
		require.NoError(t, err, "reopen at the current version")
		_ = same.Close()

		for _, bad := range []int{schemaVersion + 1, 0} {
			setVersion(t, s, bad)
			_, err := New(bg, s.DB(), s.Dialect(), &Options{Table: s.Table()})
			var se *contextstore.Error
			if !errors.As(err, &se) || !errors.Is(err, contextstore.ErrConfig) || se.Op != "open" {
				t.Fatalf("open a table of schema version %d = %v, want an open error of kind ErrConfig", bad, err)
			}
			if !strings.Contains(err.Error(), s.Table()) {
				t.Errorf("the error should name the table: %v", err)
			}
		}
		setVersion(t, s, schemaVersion)
	})
}

func TestTablesInOneDatabaseAreSeparate(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *Store) {
		other := s.Table() + "_other"
		if s.Dialect() == Postgres {
			dropPostgresTableAtCleanup(t, storetest.ServerEnv(t, storetest.EnvPostgresURL), other)
		}
		o, err := New(bg, s.DB(), s.Dialect(), &Options{Table: other})
		require.NoError(t, err, "New with a second table")
		defer o.Close()
		k := keys.Frame("f")
		if err := s.Set(bg, k, contextstore.Value{"table": "first"}); err != nil {
			t.Fatalf("Set: %v", err)
		}
		if _, err := o.Get(bg, k); !errors.Is(err, contextstore.ErrNotFound) {
			t.Fatalf("the second table sees the first's key: %v", err)
		}
		if err := o.Set(bg, k, contextstore.Value{"table": "second"}); err != nil {
			t.Fatalf("Set: %v", err)
		}
		v, err := s.Get(bg, k)
		if err != nil || v["table"] != "first" {
			t.Fatalf("the first table after a write to the second: %v, %v", v, err)
		}
	})
}

func TestBadOptionsAreConfigErrors(t *testing.T) {
	dir := t.TempDir()
	for name, opts := range map[string]*Options{
		"upper case":      {Table: "Context"},
		"quote":           {Table: `ctx"; DROP TABLE x; --`},
		"leading digit":   {Table: "1ctx"},
		"too long":        {Table: strings.Repeat("t", 64)},
		"the meta table":  {Table: metaTable},
		"negative busy":   {BusyTimeout: -1},
		"negative conns":  {MaxConns: -1},
		"unicode letters": {Table: "contexte_é"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := OpenSQLite(bg, filepath.Join(dir, "bad.db"), opts)
			require.ErrorIs(t, err, contextstore.ErrConfig, "OpenSQLite with %+v = %v, want ErrConfig", *opts, err)
			_, err = OpenPostgres(bg, "postgres://127.0.0.1:1/none", opts)
			require.ErrorIs(t, err, contextstore.ErrConfig, "OpenPostgres with %+v = %v, want ErrConfig", *opts, err)
		})
	}
	for _, path := range []string{"", ":memory:", "file:x.db"} {
		if _, err := OpenSQLite(bg, path, nil); !errors.Is(err, contextstore.ErrConfig) {
			t.Errorf("OpenSQLite(%q) = %v, want ErrConfig", path, err)
		}
	}
	if _, err := New(bg, nil, SQLite, nil); !errors.Is(err, contextstore.ErrConfig) {
		t.Errorf("New with a nil *sql.DB = %v, want ErrConfig", err)
	}
	s := openTestSQLite(t, nil)
	if _, err := New(bg, s.DB(), Dialect("oracle"), nil); !errors.Is(err, contextstore.ErrConfig) {
		t.Errorf("New with an unknown dialect = %v, want ErrConfig", err)
	}
}

// TestSQLiteFileKeepsContext checks persistence: a second store on the same
// file, after the first closed, reads what the first wrote, and the file is
// in WAL mode.
func TestSQLiteFileKeepsContext(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dir with spaces?#%", "ctx.db")
	if _, err := OpenSQLite(bg, path, nil); !errors.Is(err, contextstore.ErrUnavailable) {
		t.Fatalf("OpenSQLite in a missing directory = %v, want ErrUnavailable", err)
	}
	path = filepath.Join(t.TempDir(), "odd ?#% name.db")
	s, err := OpenSQLite(bg, path, nil)
	require.NoError(t, err, "OpenSQLite")
	if err := s.Set(bg, keys.Column("persist", "a"), contextstore.Value{"kept": true}); err != nil {
		t.Fatalf("Set: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	s, err = OpenSQLite(bg, path, nil)
	require.NoError(t, err, "reopen")
	defer s.Close()
	v, err := s.Get(bg, keys.Column("persist", "a"))
	if err != nil || v["kept"] != true {
		t.Fatalf("after reopening: %v, %v", v, err)
	}
	for pragma, want := range map[string]string{"journal_mode": "wal", "synchronous": "1", "busy_timeout": "5000"} {
		var got string
		if err := s.DB().QueryRowContext(bg, "PRAGMA "+pragma).Scan(&got); err != nil {
			t.Fatalf("PRAGMA %s: %v", pragma, err)
		}
		if got != want {
			t.Errorf("PRAGMA %s = %q, want %q", pragma, got, want)
		}
	}
}

// tableExists reports whether s's database has a table named table.
func tableExists(t *testing.T, s *Store, table string) bool {
	t.Helper()
	q := `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`
	if s.Dialect() == Postgres {
		q = `SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = $1`
	}
	var n int
	if err := s.DB().QueryRowContext(bg, q, table).Scan(&n); err != nil {
		t.Fatalf("look for table %s: %v", table, err)
	}
	return n == 1
}

func versionRecords(t *testing.T, s *Store, table string) int {
	t.Helper()
	q := `SELECT count(*) FROM ` + metaTable + ` WHERE table_name = ?`
	if s.Dialect() == Postgres {
		q = `SELECT count(*) FROM ` + metaTable + ` WHERE table_name = $1`
	}
	var n int
	if err := s.DB().QueryRowContext(bg, q, table).Scan(&n); err != nil {
		t.Fatalf("count version records: %v", err)
	}
	return n
}

func TestDropTableLeavesNothing(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *Store) {
		table := s.Table() + "_drop"
		if s.Dialect() == Postgres {
			dropPostgresTableAtCleanup(t, storetest.ServerEnv(t, storetest.EnvPostgresURL), table)
		}
		d, err := New(bg, s.DB(), s.Dialect(), &Options{Table: table})
		require.NoError(t, err, "New")
		if err := d.Set(bg, keys.Frame("f"), contextstore.Value{"a": 1}); err != nil {
			t.Fatalf("Set: %v", err)
		}
		if !tableExists(t, s, table) || versionRecords(t, s, table) != 1 {
			t.Fatal("the store made no table or no version record")
		}
		if err := d.DropTable(bg); err != nil {
			t.Fatalf("DropTable: %v", err)
		}
		if tableExists(t, s, table) || versionRecords(t, s, table) != 0 {
			t.Fatal("DropTable left its table or its version record")
		}
		if err := d.Set(bg, keys.Frame("f"), nil); !errors.Is(err, contextstore.ErrClosed) {
			t.Fatalf("Set after DropTable = %v, want ErrClosed", err)
		}
		again, err := New(bg, s.DB(), s.Dialect(), &Options{Table: table})
		require.NoError(t, err, "New after DropTable")
		if _, err := again.Get(bg, keys.Frame("f")); !errors.Is(err, contextstore.ErrNotFound) {
			t.Fatalf("a table made anew holds old context: %v", err)
		}
		if err := again.DropTable(bg); err != nil {
			t.Fatalf("DropTable: %v", err)
		}
	})
}

// TestTableMadeAgainWhenOnlyItsRecordIsLeft drops a table by hand, leaving
// its version record: the next store on it makes it again.
func TestTableMadeAgainWhenOnlyItsRecordIsLeft(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *Store) {
		if _, err := s.DB().ExecContext(bg, `DROP TABLE "`+s.Table()+`"`); err != nil {
			t.Fatalf("drop by hand: %v", err)
		}
		again, err := New(bg, s.DB(), s.Dialect(), &Options{Table: s.Table()})
		require.NoError(t, err, "New over a version record without its table")
		defer again.Close()
		if err := again.Set(bg, keys.Frame("f"), contextstore.Value{"back": true}); err != nil {
			t.Fatalf("Set: %v", err)
		}
	})
}

// A table of schema version 1 (no frames table) is migrated when a store
// opens it: its entries stay, its frames start at the zero state, and
// versioned writes work at once.
func TestSchemaVersion1IsMigrated(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *Store) {
		k := keys.Row("old", 1)
		require.NoError(t, s.Set(bg, k, contextstore.Value{"q": "kept"}))
		// Make it a version 1 table again: no frames table.
		if _, err := s.DB().ExecContext(bg, `DROP TABLE "`+s.Table()+`_frames"`); err != nil {
			t.Fatal(err)
		}
		setVersion(t, s, 1)
		m, err := New(bg, s.DB(), s.Dialect(), &Options{Table: s.Table()})
		require.NoError(t, err, "open a version 1 table")
		defer m.Close()
		var version int
		q := `SELECT schema_version FROM ` + metaTable + ` WHERE table_name = ?`
		if s.Dialect() == Postgres {
			q = `SELECT schema_version FROM ` + metaTable + ` WHERE table_name = $1`
		}
		if err := m.DB().QueryRowContext(bg, q, m.Table()).Scan(&version); err != nil || version != schemaVersion {
			t.Fatalf("after migration the recorded version is %d (%v), want %d", version, err, schemaVersion)
		}
		snap, err := m.ReadVersioned(bg, "old")
		require.NoError(t, err)
		if snap.State != (contextstore.FrameState{}) || len(snap.Entries) != 1 || snap.Entries[0].Value["q"] != "kept" {
			t.Fatalf("a migrated frame must keep its entries at the zero state, got %+v", snap)
		}
		if _, err := m.ApplyIf(bg, []contextstore.Guard{contextstore.AtVersion("old", snap.State)},
			[]contextstore.Mutation{contextstore.Patch(k, contextstore.Value{"by": "qc"})}); err != nil {
			t.Fatalf("a conditional write on a migrated frame: %v", err)
		}
		if after, _ := m.ReadVersioned(bg, "old"); after.State.Version == 0 {
			t.Fatalf("the write must advance the migrated frame's version")
		}
	})
}

// A table made before the index of marked rows existed gets it when a store
// opens it, and subset reads then find its marked rows through it.
func TestMarkIndexIsAddedOnOpen(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *Store) {
		mark := contextstore.ReservedPrefix + "state"
		require.NoError(t, contextstore.Apply(bg, s, []contextstore.Mutation{
			contextstore.Put(keys.Row("f", 1), contextstore.Value{"q": "plain"}),
			contextstore.Put(keys.Row("f", 2), contextstore.Value{"q": "marked", mark: true}),
		}))
		if _, err := s.DB().ExecContext(bg, `DROP INDEX "`+s.Table()+`_marks"`); err != nil {
			t.Fatalf("drop the index by hand: %v", err)
		}
		again, err := New(bg, s.DB(), s.Dialect(), &Options{Table: s.Table()})
		require.NoError(t, err)
		defer again.Close()
		var n int
		q := `SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = ?`
		if s.Dialect() == Postgres {
			q = `SELECT count(*) FROM pg_indexes WHERE indexname = $1`
		}
		require.NoError(t, again.DB().QueryRowContext(bg, q, s.Table()+"_marks").Scan(&n))
		require.Equal(t, 1, n, "the index is made again on open")
		snap, err := again.ReadSubset(bg, "f", contextstore.Subset{RowsWith: mark})
		require.NoError(t, err)
		require.Len(t, snap.Entries, 1)
		require.Equal(t, keys.Row("f", 2), snap.Entries[0].Key)
	})
}

// A table of schema version 2 (frames without row bounds) is migrated when
// a store opens it: every frame's bound is computed from its entries, a
// frame with entries but no frames row gets one, and subset reads then find
// the entries past a row.
func TestSchemaVersion2IsMigrated(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *Store) {
		var ms []contextstore.Mutation
		for _, r := range []int{1, 99, 100, 700} {
			ms = append(ms, contextstore.Put(keys.Row("old", r), contextstore.Value{"r": int64(r)}),
				contextstore.Put(keys.Cell("legacy", r, "a:b"), contextstore.Value{"r": int64(r)}))
		}
		require.NoError(t, contextstore.Apply(bg, s, ms))
		// Make it a version 2 table again: no row bounds, and "legacy" a
		// frame whose entries predate the frames table.
		for _, q := range []string{
			`ALTER TABLE "` + s.Table() + `_frames" DROP COLUMN row_bound`,
			`DELETE FROM "` + s.Table() + `_frames" WHERE frame_id = ` + map[Dialect]string{SQLite: "CAST('legacy' AS BLOB)", Postgres: "convert_to('legacy', 'UTF8')"}[s.Dialect()],
		} {
			if _, err := s.DB().ExecContext(bg, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		setVersion(t, s, 2)
		m, err := New(bg, s.DB(), s.Dialect(), &Options{Table: s.Table()})
		require.NoError(t, err, "open a version 2 table")
		defer m.Close()
		for _, frame := range []string{"old", "legacy"} {
			snap, err := m.ReadSubset(bg, frame, contextstore.Subset{RowsFrom: 100})
			require.NoError(t, err)
			require.Len(t, snap.Entries, 2, "%s: the entries at rows 100 and 700", frame)
			require.Equal(t, 700, snap.Entries[1].Key.RowIndex())
		}
		var bound int64
		q := `SELECT row_bound FROM "` + m.Table() + `_frames" WHERE frame_id = ?`
		if s.Dialect() == Postgres {
			q = `SELECT row_bound FROM "` + m.Table() + `_frames" WHERE frame_id = $1`
		}
		require.NoError(t, m.DB().QueryRowContext(bg, q, []byte("legacy")).Scan(&bound))
		require.Equal(t, int64(701), bound, "the bound is one past the last row")
	})
}
