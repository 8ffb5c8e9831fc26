package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore/storetest"
)

var bg = context.Background()

// backend makes fresh, empty stores of one dialect for tests.
type backend struct {
	name string
	open func(t *testing.T, opts *Options) *Store
}

// backends returns SQLite, which always runs, and PostgreSQL, which runs
// when CTXFRAME_POSTGRES_URL names a server (and must under CI=true).
func backends() []backend {
	return []backend{
		{"sqlite", openTestSQLite},
		{"postgres", openTestPostgres},
	}
}

// openTestSQLite opens a store on a new file in the test's temporary
// directory.
func openTestSQLite(t *testing.T, opts *Options) *Store {
	t.Helper()
	s, err := OpenSQLite(bg, filepath.Join(t.TempDir(), "ctx.db"), opts)
	require.NoError(t, err, "OpenSQLite")
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// openTestPostgres opens a store on a table of its own, with a random name,
// dropped when the test ends.
func openTestPostgres(t *testing.T, opts *Options) *Store {
	t.Helper()
	dsn := storetest.ServerEnv(t, storetest.EnvPostgresURL)
	o := Options{}
	if opts != nil {
		o = *opts
	}
	if o.Table == "" {
		o.Table = randomTable()
	}
	dropPostgresTableAtCleanup(t, dsn, o.Table)
	s, err := OpenPostgres(bg, dsn, &o)
	require.NoError(t, err, "OpenPostgres")
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func randomTable() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return "ctxtest_" + hex.EncodeToString(b[:])
}

// postgresAdmin returns a connection pool of the test's own, for setting
// up, breaking and cleaning up what a store uses.
func postgresAdmin(t testing.TB, dsn string) *sql.DB {
	t.Helper()
	cfg, err := pgx.ParseConfig(dsn)
	require.NoError(t, err, "parse %s: %v", storetest.EnvPostgresURL, err)
	db := stdlib.OpenDB(*cfg)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func dropPostgresTableAtCleanup(t testing.TB, dsn, table string) {
	t.Helper()
	admin := postgresAdmin(t, dsn)
	t.Cleanup(func() {
		if _, err := admin.ExecContext(bg, `DROP TABLE IF EXISTS "`+table+`"`); err != nil {
			t.Errorf("drop test table %s: %v", table, err)
		}
		if _, err := admin.ExecContext(bg, `DELETE FROM `+metaTable+` WHERE table_name = $1`, table); err != nil {
			t.Errorf("forget test table %s: %v", table, err)
		}
	})
}
