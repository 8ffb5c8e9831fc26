package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// This file is a small database/sql driver over one pgx.Conn per
// connection. pgx's own adapter (pgx/v5/stdlib) imports pgxpool and with it
// github.com/jackc/puddle/v2, which this module does not require; the store
// needs only what is here: parameters passed to pgx as they are (so Go
// slices become PostgreSQL arrays for unnest), text and bytea columns handed
// back without copies, and dead connections noticed before reuse.

// errConnClosed is returned for a connection that pgx has already closed.
var errConnClosed = errors.New("sqlstore: postgres connection is closed")

// idleCheckAfter is how long a connection may sit idle before it is probed
// on reuse, as pgxpool does: a server restart or a terminated backend is
// then noticed before a statement is sent.
const idleCheckAfter = time.Second

// pgConnector opens pgx connections for database/sql.
type pgConnector struct {
	cfg *pgx.ConnConfig
	// losses counts lost connections the store has seen. A pooled
	// connection that last checked itself at a lower count probes the
	// server before it is reused, so a retry after a lost connection does
	// not take another dead one.
	losses atomic.Int64
}

func (c *pgConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, c.cfg.Copy())
	if err != nil {
		return nil, err
	}
	return &pgConn{conn: conn, connector: c, lastUsed: time.Now(), checked: c.losses.Load()}, nil
}

func (c *pgConnector) Driver() driver.Driver { return pgDriver{} }

// connectionLost tells every pooled connection to probe before its next use.
func (c *pgConnector) connectionLost() { c.losses.Add(1) }

// pgDriver opens connections from a DSN; the store itself uses
// pgConnector, which parses the DSN once.
type pgDriver struct{}

func (pgDriver) Open(dsn string) (driver.Conn, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	return (&pgConnector{cfg: cfg}).Connect(context.Background())
}

// pgConn is one database/sql connection. database/sql uses a connection
// from one goroutine at a time.
type pgConn struct {
	conn      *pgx.Conn
	connector *pgConnector
	lastUsed  time.Time
	checked   int64 // connector.losses when the connection last knew it was alive
}

var (
	_ driver.Conn               = (*pgConn)(nil)
	_ driver.ConnBeginTx        = (*pgConn)(nil)
	_ driver.ExecerContext      = (*pgConn)(nil)
	_ driver.QueryerContext     = (*pgConn)(nil)
	_ driver.NamedValueChecker  = (*pgConn)(nil)
	_ driver.SessionResetter    = (*pgConn)(nil)
	_ driver.Validator          = (*pgConn)(nil)
	_ driver.Pinger             = (*pgConn)(nil)
	_ driver.ConnPrepareContext = (*pgConn)(nil)
)

// failed turns a pgx error into what database/sql expects: driver.ErrBadConn
// when the statement never reached the server, so database/sql may retry it
// on another connection at once.
func (c *pgConn) failed(ctx context.Context, err error) error {
	if ctx.Err() == nil && c.conn.IsClosed() && safeToRetry(err) {
		return fmt.Errorf("%w: %w", driver.ErrBadConn, err)
	}
	return err
}

func safeToRetry(err error) bool {
	var r interface{ SafeToRetry() bool }
	return errors.As(err, &r) && r.SafeToRetry()
}

func (c *pgConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

// PrepareContext returns a statement that runs through the connection;
// pgx prepares and caches statements itself.
func (c *pgConn) PrepareContext(_ context.Context, query string) (driver.Stmt, error) {
	if c.conn.IsClosed() {
		return nil, driver.ErrBadConn
	}
	return &pgStmt{conn: c, query: query}, nil
}

func (c *pgConn) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return c.conn.Close(ctx)
}

func (c *pgConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *pgConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if c.conn.IsClosed() {
		return nil, driver.ErrBadConn
	}
	var o pgx.TxOptions
	if opts.ReadOnly {
		o.AccessMode = pgx.ReadOnly
	}
	switch sql.IsolationLevel(opts.Isolation) {
	case sql.LevelDefault:
	case sql.LevelReadUncommitted:
		o.IsoLevel = pgx.ReadUncommitted
	case sql.LevelReadCommitted:
		o.IsoLevel = pgx.ReadCommitted
	case sql.LevelRepeatableRead, sql.LevelSnapshot:
		o.IsoLevel = pgx.RepeatableRead
	case sql.LevelSerializable:
		o.IsoLevel = pgx.Serializable
	default:
		return nil, fmt.Errorf("sqlstore: isolation level %v is not supported by PostgreSQL", sql.IsolationLevel(opts.Isolation))
	}
	tx, err := c.conn.BeginTx(ctx, o)
	c.lastUsed = time.Now()
	if err != nil {
		return nil, c.failed(ctx, err)
	}
	return &pgTx{tx: tx, ctx: ctx}, nil
}

func (c *pgConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if c.conn.IsClosed() {
		return nil, driver.ErrBadConn
	}
	tag, err := c.conn.Exec(ctx, query, plainArgs(args)...)
	c.lastUsed = time.Now()
	if err != nil {
		return nil, c.failed(ctx, err)
	}
	return driver.RowsAffected(tag.RowsAffected()), nil
}

func (c *pgConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if c.conn.IsClosed() {
		return nil, driver.ErrBadConn
	}
	rows, err := c.conn.Query(ctx, query, plainArgs(args)...)
	c.lastUsed = time.Now()
	if err != nil {
		return nil, c.failed(ctx, err)
	}
	return &pgRows{rows: rows}, nil
}

// CheckNamedValue accepts every argument: pgx encodes it for the
// parameter's type (a [][]byte for bytea[], a []string for text[]).
func (c *pgConn) CheckNamedValue(*driver.NamedValue) error { return nil }

// ResetSession runs before a pooled connection is reused. It probes a
// connection that was idle a while, or that has not checked itself since
// another connection was found dead, and makes database/sql drop it when
// the server is gone.
func (c *pgConn) ResetSession(context.Context) error {
	if c.conn.IsClosed() {
		return driver.ErrBadConn
	}
	losses := c.connector.losses.Load()
	if c.checked == losses && time.Since(c.lastUsed) < idleCheckAfter {
		return nil
	}
	if err := c.conn.PgConn().CheckConn(); err != nil {
		return fmt.Errorf("%w: %w", driver.ErrBadConn, err)
	}
	c.checked = losses
	return nil
}

func (c *pgConn) IsValid() bool { return !c.conn.IsClosed() }

func (c *pgConn) Ping(ctx context.Context) error {
	if c.conn.IsClosed() {
		return driver.ErrBadConn
	}
	if err := c.conn.Ping(ctx); err != nil {
		return c.failed(ctx, err)
	}
	return nil
}

func plainArgs(named []driver.NamedValue) []any {
	args := make([]any, len(named))
	for i, nv := range named {
		args[i] = nv.Value
	}
	return args
}

// pgStmt is a statement of a connection; pgx caches the server-side
// prepared statement by its text.
type pgStmt struct {
	conn  *pgConn
	query string
}

var (
	_ driver.StmtExecContext  = (*pgStmt)(nil)
	_ driver.StmtQueryContext = (*pgStmt)(nil)
)

func (s *pgStmt) Close() error  { return nil }
func (s *pgStmt) NumInput() int { return -1 }

func (s *pgStmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.ExecContext(context.Background(), valuesToNamed(args))
}

func (s *pgStmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.QueryContext(context.Background(), valuesToNamed(args))
}

func (s *pgStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	return s.conn.ExecContext(ctx, s.query, args)
}

func (s *pgStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	return s.conn.QueryContext(ctx, s.query, args)
}

func valuesToNamed(args []driver.Value) []driver.NamedValue {
	named := make([]driver.NamedValue, len(args))
	for i, a := range args {
		named[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
	}
	return named
}

// pgTx is a transaction of a connection.
type pgTx struct {
	tx  pgx.Tx
	ctx context.Context // BeginTx's context: database/sql documents it in use until the end
}

func (t *pgTx) Commit() error { return t.tx.Commit(t.ctx) }

// Rollback runs even when BeginTx's context is done (database/sql rolls
// back then), bounded so a dead server cannot hold it.
func (t *pgTx) Rollback() error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(t.ctx), 5*time.Second)
	defer cancel()
	return t.tx.Rollback(ctx)
}

// pgRows hands rows to database/sql. Text, JSON and bytea columns come back
// as the driver's own bytes, valid until the next row, which database/sql
// allows and sql.RawBytes reads without a copy.
type pgRows struct {
	rows pgx.Rows
}

func (r *pgRows) Columns() []string {
	fds := r.rows.FieldDescriptions()
	names := make([]string, len(fds))
	for i, fd := range fds {
		names[i] = fd.Name
	}
	return names
}

func (r *pgRows) Close() error {
	r.rows.Close()
	return r.rows.Err()
}

func (r *pgRows) Next(dest []driver.Value) error {
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return io.EOF
	}
	raw := r.rows.RawValues()
	fds := r.rows.FieldDescriptions()
	var decoded []any
	for i := range dest {
		if raw[i] == nil {
			dest[i] = nil
			continue
		}
		if fds[i].Format == pgtype.BinaryFormatCode {
			switch fds[i].DataTypeOID {
			case pgtype.ByteaOID, pgtype.TextOID, pgtype.VarcharOID, pgtype.JSONOID, pgtype.NameOID:
				dest[i] = raw[i]
				continue
			case pgtype.JSONBOID:
				if len(raw[i]) > 0 && raw[i][0] == 1 { // binary jsonb: a version byte, then the text
					dest[i] = raw[i][1:]
					continue
				}
			}
		}
		if decoded == nil {
			var err error
			if decoded, err = r.rows.Values(); err != nil {
				return err
			}
		}
		v, err := driverValue(decoded[i])
		if err != nil {
			return fmt.Errorf("sqlstore: column %q: %w", fds[i].Name, err)
		}
		dest[i] = v
	}
	return nil
}

// driverValue converts what pgx decoded into a database/sql driver value.
func driverValue(v any) (driver.Value, error) {
	switch v := v.(type) {
	case int16:
		return int64(v), nil
	case int32:
		return int64(v), nil
	case float32:
		return float64(v), nil
	}
	if driver.IsValue(v) {
		return v, nil
	}
	return nil, fmt.Errorf("sqlstore: unsupported column value of type %T", v)
}
