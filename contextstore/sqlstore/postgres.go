package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// OpenPostgres connects to the PostgreSQL database dsn names (a URL such as
// "postgres://user@host:5432/db?sslmode=disable" or a keyword/value string,
// as pgx.ParseConfig reads it) and returns a store over it, creating its
// table when missing. The store closes its connections when it is closed.
//
// Connections are pooled by database/sql over pgx. A connection the server
// dropped (a restart, pg_terminate_backend) is noticed and replaced: the
// call that meets it is retried on a new connection (see Options.Retries),
// so the store recovers without being reopened.
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
	connector := &pgConnector{cfg: cfg}
	db := sql.OpenDB(connector)
	db.SetMaxOpenConns(o.MaxConns)
	db.SetMaxIdleConns(o.MaxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	s, err := newStore(db, Postgres, &o)
	if err != nil {
		_ = db.Close()
		return nil, contextstore.NewError("open", string(Postgres), keys.Key{}, contextstore.ErrConfig, err)
	}
	s.ownsDB = true
	s.connLost = connector.connectionLost
	if err := s.ensureSchema(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}
