package sqlstore

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

func init() {
	contextstore.Register("sqlite", openSQLiteURL)
	contextstore.Register("postgres", openPostgresURL)
	contextstore.Register("postgresql", openPostgresURL)
}

// The query parameters the store reads from a URL, and with them removed
// what is left goes to the driver (PostgreSQL) or is refused (SQLite).
const (
	paramTable       = "table"
	paramOpTimeout   = "op_timeout"
	paramRetries     = "retries"
	paramMaxConns    = "max_conns"
	paramBusyTimeout = "busy_timeout" // SQLite only
)

// openSQLiteURL opens "sqlite:///abs/path.db" or "sqlite:rel/path.db".
func openSQLiteURL(ctx context.Context, u *url.URL) (contextstore.Store, error) {
	path, opts, err := parseSQLiteURL(u)
	if err != nil {
		return nil, contextstore.NewError("open", string(SQLite), keys.Key{}, contextstore.ErrConfig, err)
	}
	return OpenSQLite(ctx, path, opts)
}

func parseSQLiteURL(u *url.URL) (string, *Options, error) {
	var path string
	switch {
	case u.Opaque != "": // sqlite:rel/path.db
		p, err := url.PathUnescape(u.Opaque)
		if err != nil {
			return "", nil, fmt.Errorf("%w: %w", errDSN, err)
		}
		path = p
	case u.Host != "" && u.Host != "localhost":
		return "", nil, fmt.Errorf("%w: sqlite URL %q names host %q: use sqlite:///abs/path.db or sqlite:rel/path.db", errDSN, contextstore.RedactURL(u.String()), u.Host)
	default: // sqlite:///abs/path.db
		path = u.Path
	}
	if u.User != nil || u.Fragment != "" {
		return "", nil, fmt.Errorf("%w: sqlite URL %q takes no user or fragment", errDSN, contextstore.RedactURL(u.String()))
	}
	if path == "" {
		return "", nil, fmt.Errorf("%w: sqlite URL %q has no file path", errDSN, contextstore.RedactURL(u.String()))
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return "", nil, fmt.Errorf("%w: %w", errDSN, err)
	}
	opts, err := takeOptions(q, true)
	if err != nil {
		return "", nil, err
	}
	for name := range q {
		return "", nil, fmt.Errorf("%w: unknown sqlite URL parameter %q (known: %s)", errDSN, name,
			strings.Join([]string{paramTable, paramOpTimeout, paramRetries, paramMaxConns, paramBusyTimeout}, ", "))
	}
	return path, opts, nil
}

// openPostgresURL opens "postgres://" and "postgresql://" URLs: the store's
// own parameters are taken out and the rest is pgx's.
func openPostgresURL(ctx context.Context, u *url.URL) (contextstore.Store, error) {
	dsn, opts, err := parsePostgresURL(u)
	if err != nil {
		return nil, contextstore.NewError("open", string(Postgres), keys.Key{}, contextstore.ErrConfig, err)
	}
	return OpenPostgres(ctx, dsn, opts)
}

func parsePostgresURL(u *url.URL) (string, *Options, error) {
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return "", nil, fmt.Errorf("%w: %w", errDSN, err)
	}
	opts, err := takeOptions(q, false)
	if err != nil {
		return "", nil, err
	}
	if q.Has(paramBusyTimeout) {
		return "", nil, fmt.Errorf("%w: %s applies to sqlite URLs only", errDSN, paramBusyTimeout)
	}
	rest := *u
	rest.RawQuery = q.Encode()
	return rest.String(), opts, nil
}

// takeOptions removes the store's parameters from q and returns the Options
// they set.
func takeOptions(q url.Values, sqlite bool) (*Options, error) {
	var o Options
	one := func(name string) (string, bool, error) {
		vs, ok := q[name]
		if !ok {
			return "", false, nil
		}
		delete(q, name)
		if len(vs) != 1 {
			return "", false, fmt.Errorf("%w: URL parameter %q given %d times", errDSN, name, len(vs))
		}
		return vs[0], true, nil
	}
	duration := func(name string, into *time.Duration) error {
		v, ok, err := one(name)
		if err != nil || !ok {
			return err
		}
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("%w: URL parameter %s=%q: %w", errDSN, name, v, err)
		}
		*into = d
		return nil
	}
	integer := func(name string, into *int) error {
		v, ok, err := one(name)
		if err != nil || !ok {
			return err
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("%w: URL parameter %s=%q is not an integer", errDSN, name, v)
		}
		*into = n
		return nil
	}
	table, _, err := one(paramTable)
	if err != nil {
		return nil, err
	}
	o.Table = table
	if err := duration(paramOpTimeout, &o.OpTimeout); err != nil {
		return nil, err
	}
	if err := integer(paramRetries, &o.Retries); err != nil {
		return nil, err
	}
	if err := integer(paramMaxConns, &o.MaxConns); err != nil {
		return nil, err
	}
	if sqlite {
		if err := duration(paramBusyTimeout, &o.BusyTimeout); err != nil {
			return nil, err
		}
	}
	if _, err := o.resolved(); err != nil {
		return nil, fmt.Errorf("%w: %w", errDSN, err)
	}
	return &o, nil
}
