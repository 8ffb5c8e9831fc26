package sqlstore

import (
	"errors"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/contextstore/storetest"
	"github.com/ctxframe/ctxframe/keys"
)

func TestParseSQLiteURL(t *testing.T) {
	for _, c := range []struct {
		url  string
		path string
		opts Options
	}{
		{"sqlite:///var/lib/ctx.db", "/var/lib/ctx.db", Options{}},
		{"sqlite://localhost/var/lib/ctx.db", "/var/lib/ctx.db", Options{}},
		{"sqlite:ctx.db", "ctx.db", Options{}},
		{"sqlite:data/ctx%20one.db", "data/ctx one.db", Options{}},
		{"sqlite:///tmp/a%3Fb.db?table=ctx_a&op_timeout=2s&busy_timeout=250ms&retries=-1&max_conns=4",
			"/tmp/a?b.db", Options{Table: "ctx_a", OpTimeout: 2 * time.Second, BusyTimeout: 250 * time.Millisecond, Retries: -1, MaxConns: 4}},
	} {
		u, err := url.Parse(c.url)
		require.NoError(t, err, "url.Parse(%q): %v", c.url, err)
		path, opts, err := parseSQLiteURL(u)
		if err != nil {
			t.Errorf("%s: %v", c.url, err)
			continue
		}
		if path != c.path || *opts != c.opts {
			t.Errorf("%s: path %q, options %+v; want %q, %+v", c.url, path, *opts, c.path, c.opts)
		}
	}
}

func TestBadURLsAreConfigErrors(t *testing.T) {
	for _, u := range []string{
		"sqlite:///tmp/x.db?tabel=ctx",             // unknown parameter
		"sqlite:///tmp/x.db?table=Bad-Name",        // bad table name
		"sqlite:///tmp/x.db?op_timeout=soon",       // bad duration
		"sqlite:///tmp/x.db?retries=many",          // not an integer
		"sqlite:///tmp/x.db?table=a&table=b",       // given twice
		"sqlite://example.com/tmp/x.db",            // a host
		"sqlite://",                                // no path
		"sqlite::memory:",                          // not a file
		"sqlite://me@/tmp/x.db",                    // a user
		"postgres://127.0.0.1:1/x?busy_timeout=1s", // SQLite's parameter
		"postgres://127.0.0.1:1/x?table=1bad",
		"postgres://127.0.0.1:1/x?op_timeout=-",
		"postgresql://127.0.0.1:1/x?sslmode=sometimes", // pgx refuses it
	} {
		_, err := contextstore.Open(bg, u)
		var se *contextstore.Error
		if !errors.Is(err, contextstore.ErrConfig) || !errors.As(err, &se) || se.Op != "open" {
			t.Errorf("Open(%q) = %v, want an open error of kind ErrConfig", u, err)
		}
	}
}

func TestParsePostgresURLPassesTheRestToPgx(t *testing.T) {
	u, err := url.Parse("postgresql://ann:secret@db.example:5433/app?sslmode=disable&table=ctx_app&op_timeout=5s&retries=3&application_name=etl")
	require.NoError(t, err)
	dsn, opts, err := parsePostgresURL(u)
	require.NoError(t, err, "parsePostgresURL")
	want := Options{Table: "ctx_app", OpTimeout: 5 * time.Second, Retries: 3}
	if *opts != want {
		t.Errorf("options %+v, want %+v", *opts, want)
	}
	if dsn != "postgresql://ann:secret@db.example:5433/app?application_name=etl&sslmode=disable" {
		t.Errorf("DSN handed to pgx: %q", dsn)
	}
}

func TestOpenSQLiteURL(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ctx.db")
	u := "sqlite://" + (&url.URL{Path: path}).EscapedPath() + "?table=ctx_url"
	s, err := contextstore.Open(bg, u)
	require.NoError(t, err, "Open(%q): %v", u, err)
	if err := s.Set(bg, keys.Frame("url"), contextstore.Value{"ok": true}); err != nil {
		t.Fatalf("Set: %v", err)
	}
	if err := contextstore.Close(s); err != nil {
		t.Fatalf("Close: %v", err)
	}
	direct, err := OpenSQLite(bg, path, &Options{Table: "ctx_url"})
	require.NoError(t, err, "OpenSQLite")
	defer direct.Close()
	if v, err := direct.Get(bg, keys.Frame("url")); err != nil || v["ok"] != true {
		t.Fatalf("the URL's table read directly: %v, %v", v, err)
	}
}

func TestOpenPostgresURL(t *testing.T) {
	dsn := storetest.ServerEnv(t, storetest.EnvPostgresURL)
	table := randomTable()
	dropPostgresTableAtCleanup(t, dsn, table)
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	for _, scheme := range []string{"postgres", "postgresql"} {
		u := scheme + strings.TrimPrefix(strings.TrimPrefix(dsn, "postgresql"), "postgres") + sep + "table=" + table + "&op_timeout=10s"
		s, err := contextstore.Open(bg, u)
		require.NoError(t, err, "Open(%q): %v", u, err)
		if err := s.Set(bg, keys.Frame(scheme), contextstore.Value{"ok": true}); err != nil {
			t.Fatalf("Set: %v", err)
		}
		if got := s.(*Store).Table(); got != table {
			t.Fatalf("table %q, want %q", got, table)
		}
		_ = contextstore.Close(s)
	}
	if _, err := contextstore.Open(bg, dsn+sep+"no_such_setting=1"); !errors.Is(err, contextstore.ErrConfig) {
		t.Fatalf("a parameter neither the store, pgx nor the server knows = %v, want ErrConfig", err)
	}
}
