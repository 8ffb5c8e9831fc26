package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// Store is a contextstore.Store over a SQL database. Open one with
// OpenSQLite, OpenPostgres, New or contextstore.Open. It is safe for
// concurrent use by goroutines and by several processes sharing the
// database.
type Store struct {
	db      *sql.DB
	dialect Dialect
	backend string // "sqlite" or "postgres", as errors name it
	opts    Options
	stmts   statements
	ownsDB  bool
	closed  atomic.Bool

	// writers lets one SQLite write transaction of this process run at a
	// time. SQLite allows one writer per file anyway; waiting here, in
	// order and with the caller's context, beats waiting in SQLite's busy
	// handler, which polls with sleeps. Other processes are still kept out
	// by the file lock and the busy timeout. Nil for PostgreSQL.
	writers chan struct{}

	// prepared holds the single-key statements of a SQLite store, parsed
	// once: modernc.org/sqlite has no statement cache, and parsing costs
	// more than running them. PostgreSQL's pgx caches statements itself.
	prepared struct{ get, frameState, bump, readFrame, getInTx *sql.Stmt }

	// writeStmts are the statements of SQLite's write transactions, parsed
	// once (modernc.org/sqlite has no statement cache of its own).
	writeStmts struct {
		sync.Mutex
		m map[string]*sql.Stmt
	}

	// connLost is told when a call lost its connection, so the pool checks
	// its other idle connections before handing them out again. May be nil.
	connLost func()
}

// Compile-time checks of the capabilities Store offers.
var (
	_ contextstore.Store           = (*Store)(nil)
	_ contextstore.Batcher         = (*Store)(nil)
	_ contextstore.FrameLister     = (*Store)(nil)
	_ contextstore.FrameReader     = (*Store)(nil)
	_ contextstore.FrameDropper    = (*Store)(nil)
	_ contextstore.FrameEnumerator = (*Store)(nil)
	_ contextstore.SubsetReader    = (*Store)(nil)
)

// New returns a store over db, which speaks dialect, creating its table (or
// checking the version of an existing one) first. The store does not close
// db: its owner does, after closing the store.
//
// For SQLite, open db with the DSN from SQLiteDSN, which sets WAL mode, the
// busy timeout and BEGIN IMMEDIATE transactions that correctness with
// several writers needs. For PostgreSQL, db must use a pgx-based driver
// (github.com/jackc/pgx/v5/stdlib), which accepts Go slices as array
// parameters.
func New(ctx context.Context, db *sql.DB, dialect Dialect, opts *Options) (*Store, error) {
	s, err := newStore(db, dialect, opts)
	if err != nil {
		backend := string(dialect)
		if dialect != SQLite && dialect != Postgres {
			backend = "sql"
		}
		return nil, contextstore.NewError("open", backend, keys.Key{}, contextstore.ErrConfig, err)
	}
	if db == nil {
		return nil, contextstore.NewError("open", s.backend, keys.Key{}, contextstore.ErrConfig,
			fmt.Errorf("sqlstore: New needs a *sql.DB, got nil"))
	}
	if err := s.ensureSchema(ctx); err != nil {
		return nil, err
	}
	if err := s.prepare(ctx); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

func newStore(db *sql.DB, dialect Dialect, opts *Options) (*Store, error) {
	o, err := opts.resolved()
	if err != nil {
		return nil, err
	}
	stmts, err := newStatements(dialect, o.Table)
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, dialect: dialect, backend: string(dialect), opts: o, stmts: stmts}
	if dialect == SQLite {
		s.writers = make(chan struct{}, 1)
	}
	return s, nil
}

// Table returns the name of the store's table.
func (s *Store) Table() string { return s.opts.Table }

// Dialect returns the SQL dialect the store speaks.
func (s *Store) Dialect() Dialect { return s.dialect }

// DB returns the *sql.DB the store uses, for tools and tests that need to
// reach the database directly.
func (s *Store) DB() *sql.DB { return s.db }

// keyBytes returns the two columns that identify k's row. They are bytes,
// not text, so names holding U+0000 survive every driver and database.
func keyBytes(k keys.Key) (frame, local []byte) {
	return []byte(k.FrameID()), []byte(k.Local())
}

// Set implements contextstore.Store: one transaction that writes the value
// and advances the frame's version.
func (s *Store) Set(ctx context.Context, k keys.Key, v contextstore.Value) error {
	if err := k.Validate(); err != nil {
		return err
	}
	n, err := contextstore.Normalize(v)
	if err != nil {
		return contextstore.NewError("set", s.backend, k, contextstore.ErrInvalidValue, err)
	}
	_, err = s.commit(ctx, "set", k, nil, []contextstore.Mutation{contextstore.Put(k, n)})
	return err
}

// Get implements contextstore.Store.
func (s *Store) Get(ctx context.Context, k keys.Key) (contextstore.Value, error) {
	if err := k.Validate(); err != nil {
		return nil, err
	}
	frame, local := keyBytes(k)
	var v contextstore.Value
	err := s.run(ctx, "get", k, func(ctx context.Context) error {
		var raw []byte
		if err := s.queryRow(ctx, s.prepared.get, s.stmts.get, frame, local).Scan(&raw); err != nil {
			return err
		}
		var err error
		v, err = decodeValue(raw)
		return err
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// Delete implements contextstore.Store: one transaction that deletes the
// value and advances the frame's version.
func (s *Store) Delete(ctx context.Context, k keys.Key) error {
	if err := k.Validate(); err != nil {
		return err
	}
	_, err := s.commit(ctx, "delete", k, nil, []contextstore.Mutation{contextstore.Remove(k)})
	return err
}

// ListKeys implements contextstore.Store.
func (s *Store) ListKeys(ctx context.Context) ([]keys.Key, error) {
	return s.listKeys(ctx, "list", keys.Key{}, "", s.stmts.listAll)
}

// ListFrame implements contextstore.FrameLister.
func (s *Store) ListFrame(ctx context.Context, frameID string) ([]keys.Key, error) {
	fk := keys.Frame(frameID)
	if err := fk.Validate(); err != nil {
		return nil, err
	}
	return s.listKeys(ctx, "listframe", fk, frameID, s.stmts.listFrame, []byte(frameID))
}

// listKeys runs query and returns its keys, sorted: rows of (frame_id,
// entry_key), or of entry_key alone when they all belong to frameID.
func (s *Store) listKeys(ctx context.Context, op string, k keys.Key, frameID, query string, args ...any) ([]keys.Key, error) {
	var out []keys.Key
	err := s.run(ctx, op, k, func(ctx context.Context) error {
		rows, err := s.db.QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		out = out[:0]
		var frame, local sql.RawBytes
		dest := []any{&frame, &local}
		if frameID != "" {
			dest = dest[1:]
		}
		return eachRow(rows, dest, func() error {
			id := frameID
			if id == "" {
				id = string(frame)
			}
			k, err := decodeKey(id, local)
			out = append(out, k)
			return err
		})
	})
	if err != nil {
		return nil, err
	}
	keys.Sort(out)
	return out, nil
}

// ReadFrame implements contextstore.FrameReader. The entries come from one
// statement, so they are one consistent snapshot of the frame.
func (s *Store) ReadFrame(ctx context.Context, frameID string) ([]contextstore.Entry, error) {
	fk := keys.Frame(frameID)
	if err := fk.Validate(); err != nil {
		return nil, err
	}
	var out []contextstore.Entry
	err := s.run(ctx, "readframe", fk, func(ctx context.Context) error {
		rows, err := s.db.QueryContext(ctx, s.stmts.readFrame, []byte(frameID))
		if err != nil {
			return err
		}
		out, err = scanEntries(rows, frameID, out[:0])
		return err
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b contextstore.Entry) int { return keys.Compare(a.Key, b.Key) })
	return out, nil
}

// DropFrame implements contextstore.FrameDropper: one transaction deletes
// the frame's entries and its state, which goes back to zero.
func (s *Store) DropFrame(ctx context.Context, frameID string) error {
	fk := keys.Frame(frameID)
	if err := fk.Validate(); err != nil {
		return err
	}
	return s.write(ctx, "dropframe", fk, func(ctx context.Context) error {
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer func() { _ = tx.Rollback() }()
		for _, q := range []string{s.stmts.forgetFrame, s.stmts.dropFrame} {
			if _, err := tx.ExecContext(ctx, q, []byte(frameID)); err != nil {
				return err
			}
		}
		return tx.Commit()
	})
}

// ListFrames implements contextstore.FrameEnumerator.
func (s *Store) ListFrames(ctx context.Context) ([]string, error) {
	var out []string
	err := s.run(ctx, "listframes", keys.Key{}, func(ctx context.Context) error {
		rows, err := s.db.QueryContext(ctx, s.stmts.listFrames)
		if err != nil {
			return err
		}
		out = out[:0]
		var frame sql.RawBytes
		return eachRow(rows, []any{&frame}, func() error {
			out = append(out, string(frame))
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(out)
	return out, nil
}

// Close closes the store. Later calls fail with contextstore.ErrClosed;
// closing twice is not an error. A store from OpenSQLite or OpenPostgres
// closes its connections; one from New leaves the *sql.DB to its owner.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	s.closeWriteStmts()
	for _, st := range []*sql.Stmt{s.prepared.get, s.prepared.frameState, s.prepared.bump, s.prepared.readFrame, s.prepared.getInTx} {
		if st != nil {
			_ = st.Close()
		}
	}
	if !s.ownsDB {
		return nil
	}
	if err := s.db.Close(); err != nil {
		return contextstore.NewError("close", s.backend, keys.Key{}, contextstore.ErrBackend, err)
	}
	return nil
}

// prepare parses the single-key statements of a SQLite store once.
func (s *Store) prepare(ctx context.Context) error {
	if s.dialect != SQLite {
		return nil
	}
	return s.run(ctx, "open", keys.Key{}, func(ctx context.Context) error {
		for _, p := range []struct {
			into  **sql.Stmt
			query string
		}{
			{&s.prepared.get, s.stmts.get},
			{&s.prepared.frameState, s.stmts.frameState},
			{&s.prepared.bump, s.stmts.bump},
			{&s.prepared.readFrame, s.stmts.readFrame},
			{&s.prepared.getInTx, s.stmts.getInTx},
		} {
			st, err := s.db.PrepareContext(ctx, p.query)
			if err != nil {
				return err
			}
			*p.into = st
		}
		return nil
	})
}

func (s *Store) queryRow(ctx context.Context, st *sql.Stmt, query string, args ...any) *sql.Row {
	if st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return s.db.QueryRowContext(ctx, query, args...)
}

// write runs a writing call: through the writer slot for SQLite.
func (s *Store) write(ctx context.Context, op string, k keys.Key, f func(ctx context.Context) error) error {
	if s.writers == nil {
		return s.run(ctx, op, k, f)
	}
	return s.run(ctx, op, k, func(ctx context.Context) error {
		select {
		case s.writers <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
		defer func() { <-s.writers }()
		return f(ctx)
	})
}

// run runs one call of the store: it refuses at once after Close or with a
// done context, bounds the call by OpTimeout, retries failures that changed
// nothing and may pass on a new try, and turns every error into a
// *contextstore.Error.
func (s *Store) run(ctx context.Context, op string, k keys.Key, f func(ctx context.Context) error) error {
	if err := contextstore.CheckCall(ctx, s.closed.Load(), op, s.backend, k); err != nil {
		return err
	}
	opCtx := ctx
	if s.opts.OpTimeout > 0 {
		var cancel context.CancelFunc
		opCtx, cancel = context.WithTimeout(ctx, s.opts.OpTimeout)
		defer cancel()
	}
	for attempt := 0; ; attempt++ {
		err := f(opCtx)
		if err == nil {
			return nil
		}
		if attempt < max(s.opts.Retries, 0) && opCtx.Err() == nil && !s.closed.Load() && retryable(err) {
			if s.connLost != nil && lostConnection(err) {
				s.connLost()
			}
			if waitRetry(opCtx, attempt) == nil {
				continue
			}
		}
		return s.wrap(ctx, opCtx, op, k, err)
	}
}

// waitRetry pauses before another try: not at all the first time (a lost
// connection is replaced at once), then briefly, so that deadlocked writers
// do not meet again in step.
func waitRetry(ctx context.Context, attempt int) error {
	if attempt == 0 {
		return nil
	}
	t := time.NewTimer(time.Duration(attempt) * 20 * time.Millisecond)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
