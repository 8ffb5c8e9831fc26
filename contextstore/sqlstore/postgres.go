package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// OpenPostgres connects to the PostgreSQL database dsn names (a URL such as
// "postgres://user@host:5432/db?sslmode=disable" or a keyword/value string,
// as pgx.ParseConfig reads it) and returns a store over it, creating its
// table when missing. The store closes its connections when it is closed.
//
// Connections are pooled by database/sql over pgx's own driver
// (github.com/jackc/pgx/v5/stdlib). A connection the server dropped (a
// restart, pg_terminate_backend) is noticed and replaced: the call that
// meets it is retried on a new connection (see Options.Retries), so the
// store recovers without being reopened.
func OpenPostgres(ctx context.Context, dsn string, opts *Options) (*Store, error) {
	o, err := opts.resolved()
	if err != nil {
		return nil, contextstore.NewError("open", string(Postgres), keys.Key{}, contextstore.ErrConfig, err)
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, contextstore.NewError("open", string(Postgres), keys.Key{}, contextstore.ErrConfig,
			fmt.Errorf("%w: %w", errDSN, err))
	}
	probe := newLossProbe()
	db := sql.OpenDB(stdlib.GetConnector(*cfg, stdlib.OptionShouldPing(probe.shouldPing)))
	db.SetMaxOpenConns(o.MaxConns)
	db.SetMaxIdleConns(o.MaxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	s, err := newStore(db, Postgres, &o)
	if err != nil {
		_ = db.Close()
		return nil, contextstore.NewError("open", string(Postgres), keys.Key{}, contextstore.ErrConfig, err)
	}
	s.ownsDB = true
	s.connLost = probe.connectionLost
	if err := s.ensureSchema(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

// idleCheckAfter is how long a pooled connection may sit unused before it
// is pinged on reuse (pgx stdlib's own default): a server restart or a
// terminated backend is then noticed before a statement is sent.
const idleCheckAfter = time.Second

// lossSlack widens the window in which a connection counts as last checked
// before a loss. It covers the moment between stdlib measuring a
// connection's idle time and shouldPing reading the clock, so a connection
// is probed once too often rather than once too few.
const lossSlack = time.Millisecond

// lossProbe decides, for pgx stdlib's ResetSession, which pooled
// connections are probed before reuse: those idle longer than
// idleCheckAfter, as stdlib does by default, and also every connection not
// checked out since the store last met a lost connection. A server restart
// or pg_terminate_backend kills all of a pool's connections at once;
// without the second rule a retry after a lost connection would be sent on
// another dead one.
type lossProbe struct {
	start  time.Time    // reference for the monotonic clock
	lostAt atomic.Int64 // time since start of the last loss, in ns; 0 when none
}

func newLossProbe() *lossProbe { return &lossProbe{start: time.Now()} }

// connectionLost records that a connection was found dead.
func (p *lossProbe) connectionLost() { p.lostAt.Store(int64(max(time.Since(p.start), 1))) }

// due reports whether a connection stdlib is about to reuse must be probed.
func (p *lossProbe) due(sp stdlib.ShouldPingParams) bool {
	if sp.IdleDuration > idleCheckAfter {
		return true
	}
	lost := time.Duration(p.lostAt.Load())
	if lost == 0 {
		return false
	}
	// The connection was last checked out (stdlib's last ResetSession)
	// IdleDuration ago.
	lastChecked := time.Since(p.start) - sp.IdleDuration
	return lastChecked <= lost+lossSlack
}

// shouldPing implements stdlib.OptionShouldPing. It pings a connection
// that is due itself, so that a dead one found here, and not only one a
// store call failed on, makes the other pooled connections be probed too.
// It asks stdlib to ping only a connection whose ping failed: pgx has
// closed that one, so stdlib's ping fails at once and database/sql
// discards the connection and takes another.
func (p *lossProbe) shouldPing(ctx context.Context, sp stdlib.ShouldPingParams) bool {
	if !p.due(sp) {
		return false
	}
	if err := sp.Conn.PgConn().Ping(ctx); err != nil {
		p.connectionLost()
		return true
	}
	return false
}
