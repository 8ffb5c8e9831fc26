package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// wrap turns the error of a call into the *contextstore.Error it returns.
// ctx is the caller's context and opCtx the one bounded by OpTimeout: a
// cancellation or deadline of the caller is reported as the context error,
// an expired OpTimeout as ErrUnavailable.
func (s *Store) wrap(ctx, opCtx context.Context, op string, k keys.Key, err error) error {
	if s.closed.Load() {
		return contextstore.NewError(op, s.backend, k, contextstore.ErrClosed, err)
	}
	if cerr := ctx.Err(); cerr != nil {
		if !errors.Is(err, cerr) {
			err = fmt.Errorf("%w: %w", cerr, err)
		}
		return contextstore.NewError(op, s.backend, k, nil, err)
	}
	if opCtx.Err() != nil {
		return contextstore.NewError(op, s.backend, k, contextstore.ErrUnavailable,
			fmt.Errorf("sqlstore: no answer within OpTimeout %v: %w", s.opts.OpTimeout, err))
	}
	kind := classify(err)
	if kind == contextstore.ErrNotFound {
		// "not found" says it all; the driver's "sql: no rows in result
		// set" would only confuse.
		return contextstore.NewError(op, s.backend, k, kind, nil)
	}
	return contextstore.NewError(op, s.backend, k, kind, err)
}

// classify returns the contextstore kind of a driver error.
func classify(err error) error {
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return contextstore.ErrNotFound
	case errors.Is(err, errCorrupt):
		return contextstore.ErrBackend
	case errors.Is(err, errSchema), errors.Is(err, errDSN):
		return contextstore.ErrConfig
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		// A context of the store's own (a connection attempt's), not the
		// caller's: the database did not answer in time.
		return contextstore.ErrUnavailable
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_INTERRUPT:
			return contextstore.ErrUnavailable
		}
		return contextstore.ErrBackend
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code[:min(2, len(pe.Code))] {
		case "28", "3D": // authentication failed, no such database
			return contextstore.ErrConfig
		}
		switch pe.Code {
		case "42704", "22023": // a URL parameter the server does not know, or a bad setting
			return contextstore.ErrConfig
		}
		if postgresTransient(pe.Code) {
			return contextstore.ErrUnavailable
		}
		return contextstore.ErrBackend
	}
	if lostConnection(err) {
		return contextstore.ErrUnavailable
	}
	return contextstore.ErrBackend
}

// postgresTransient reports the SQLSTATEs of failures that are the
// server's state, not the request's: connection exceptions, shutdowns and
// terminated sessions, too many connections, cancelled statements,
// deadlocks and serialization failures.
func postgresTransient(code string) bool {
	if len(code) != 5 {
		return false
	}
	switch code[:2] {
	case "08", "53": // connection exception; insufficient resources
		return true
	}
	switch code {
	case "57P01", "57P02", "57P03", // admin or crash shutdown, cannot connect now
		"57014",          // query canceled (statement_timeout)
		"40001", "40P01": // serialization failure, deadlock
		return true
	}
	return false
}

// retryable reports whether a failed call changed nothing for certain, or
// changed something that a repeat of the same idempotent call sets the same
// way, and may pass on another try.
func retryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "40001", "40P01":
			return true
		}
	}
	return lostConnection(err)
}

// lostConnection reports whether err says the connection to the server is
// gone or could not be made.
func lostConnection(err error) bool {
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code[:min(2, len(pe.Code))] == "08" || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03"
	}
	var ne net.Error
	if errors.As(err, &ne) && !ne.Timeout() {
		return true
	}
	return pgconn.SafeToRetry(err)
}
