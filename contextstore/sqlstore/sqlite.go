package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"modernc.org/sqlite" // also registers the "sqlite" database/sql driver
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// errDSN marks a path, DSN or URL the store cannot use. It is reported with
// kind contextstore.ErrConfig.
var errDSN = errors.New("sqlstore: bad data source")

// OpenSQLite opens (creating it when missing) the SQLite database file at
// path and returns a store over it. Several stores and processes may open
// the same file. The store closes the database when it is closed.
//
// The connection settings that sharing a file safely needs are set on every
// connection: WAL journal mode, synchronous=NORMAL (durable at each
// checkpoint, never corrupt), a busy timeout of Options.BusyTimeout, and
// BEGIN IMMEDIATE for write transactions.
func OpenSQLite(ctx context.Context, path string, opts *Options) (*Store, error) {
	o, err := opts.resolved()
	if err != nil {
		return nil, contextstore.NewError("open", string(SQLite), keys.Key{}, contextstore.ErrConfig, err)
	}
	dsn, err := SQLiteDSN(path, &o)
	if err != nil {
		return nil, contextstore.NewError("open", string(SQLite), keys.Key{}, contextstore.ErrConfig, err)
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, contextstore.NewError("open", string(SQLite), keys.Key{}, contextstore.ErrConfig, err)
	}
	db.SetMaxOpenConns(o.MaxConns)
	db.SetMaxIdleConns(o.MaxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	s, err := newStore(db, SQLite, &o)
	if err != nil {
		_ = db.Close()
		return nil, contextstore.NewError("open", string(SQLite), keys.Key{}, contextstore.ErrConfig, err)
	}
	s.ownsDB = true
	if err := s.checkWAL(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	if err := s.ensureSchema(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	if err := s.prepare(ctx); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// checkWAL opens the first connection, which switches the file to WAL
// mode, and makes sure the switch took: SQLite silently keeps another
// journal mode where WAL is impossible (some network file systems), and
// several processes would then block each other's readers.
//
// Switching a new file to WAL needs an exclusive lock that SQLite does not
// wait for under busy_timeout: when several processes create the same file
// at once, all but one get SQLITE_BUSY at once. So the first connection is
// retried, for up to BusyTimeout; once the file is in WAL mode, connections
// find it so and take no such lock.
func (s *Store) checkWAL(ctx context.Context) error {
	return s.run(ctx, "open", keys.Key{}, func(ctx context.Context) error {
		deadline := time.Now().Add(s.opts.BusyTimeout)
		for wait := time.Millisecond; ; wait = min(2*wait, 50*time.Millisecond) {
			var mode string
			err := s.db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode)
			if err == nil {
				if !strings.EqualFold(mode, "wal") {
					return fmt.Errorf("%w: SQLite kept journal mode %q instead of WAL (is the file on a network file system?)", errDSN, mode)
				}
				return nil
			}
			var se *sqlite.Error
			if !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_BUSY || time.Now().Add(wait).After(deadline) {
				return err
			}
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	})
}

// SQLiteDSN returns the modernc.org/sqlite data source name that OpenSQLite
// uses for the file at path, for callers that open the *sql.DB themselves
// and pass it to New. Only BusyTimeout of opts is used.
func SQLiteDSN(path string, opts *Options) (string, error) {
	o, err := opts.resolved()
	if err != nil {
		return "", err
	}
	switch {
	case path == "":
		return "", fmt.Errorf("%w: empty SQLite path", errDSN)
	case path == ":memory:" || strings.HasPrefix(path, "file:"):
		return "", fmt.Errorf("%w: SQLite path %q must be a file name (for a store in memory use mem://)", errDSN, path)
	case strings.IndexByte(path, 0) >= 0:
		return "", fmt.Errorf("%w: SQLite path %q contains U+0000", errDSN, path)
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout("+strconv.FormatInt(o.BusyTimeout.Milliseconds(), 10)+")")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	// A "file:" URI, so that the query above never mixes with the path;
	// the path escapes the three characters that mean something in one.
	escaped := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(filepath.Clean(path))
	return "file:" + escaped + "?" + q.Encode(), nil
}
