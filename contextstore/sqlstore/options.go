package sqlstore

import (
	"fmt"
	"time"
)

// DefaultTable is the table a store uses when Options.Table is empty.
const DefaultTable = "ctxframe_context"

// Defaults of the Options fields left zero.
const (
	DefaultOpTimeout   = 30 * time.Second
	DefaultBusyTimeout = 5 * time.Second
	DefaultRetries     = 2
	DefaultMaxConns    = 16
)

// Options configure a store. The zero value, and a nil *Options, mean the
// defaults.
type Options struct {
	// Table is the name of the context table: lower-case ASCII letters,
	// digits and underscores, not starting with a digit, at most 56 bytes
	// (one spelling that means the same table in SQLite and PostgreSQL, and
	// room for the "_frames" suffix of its frames table within PostgreSQL's
	// 63-byte identifiers). Several
	// stores may share one database with different tables. Default
	// DefaultTable.
	Table string

	// OpTimeout bounds every call, so a database that does not answer
	// makes calls fail with contextstore.ErrUnavailable instead of hanging.
	// The caller's context deadline still applies when it is earlier.
	// Zero means DefaultOpTimeout; a negative value means no bound.
	OpTimeout time.Duration

	// BusyTimeout is how long a SQLite call waits for another connection or
	// process that holds the write lock before it fails with
	// contextstore.ErrUnavailable. Zero means DefaultBusyTimeout. PostgreSQL
	// ignores it.
	BusyTimeout time.Duration

	// Retries is how many more times a call is tried after a failure that
	// changed nothing and may pass on a second try: a lost connection (the
	// next try takes a new one) or a PostgreSQL deadlock. Every operation of
	// the store is idempotent, so a retry is always safe. Zero means
	// DefaultRetries; a negative value disables retries.
	Retries int

	// MaxConns is the most connections the store opens at once. Zero means
	// DefaultMaxConns. It does not apply to a *sql.DB given to New, whose
	// pool its owner configures.
	MaxConns int
}

// resolved returns o with defaults filled in, or an error for a value the
// store cannot use. Resolving resolved options changes nothing.
func (o *Options) resolved() (Options, error) {
	var r Options
	if o != nil {
		r = *o
	}
	if r.Table == "" {
		r.Table = DefaultTable
	}
	if err := checkTableName(r.Table); err != nil {
		return Options{}, err
	}
	if r.OpTimeout == 0 {
		r.OpTimeout = DefaultOpTimeout
	}
	if r.BusyTimeout == 0 {
		r.BusyTimeout = DefaultBusyTimeout
	}
	if r.BusyTimeout < 0 {
		return Options{}, fmt.Errorf("sqlstore: BusyTimeout %v is negative", r.BusyTimeout)
	}
	if r.Retries == 0 {
		r.Retries = DefaultRetries
	}
	if r.MaxConns == 0 {
		r.MaxConns = DefaultMaxConns
	}
	if r.MaxConns < 0 {
		return Options{}, fmt.Errorf("sqlstore: MaxConns %d is negative", r.MaxConns)
	}
	return r, nil
}

// maxTableName leaves room for the frames table's "_frames" suffix (and the
// index's shorter "_marks") within
// PostgreSQL's 63-byte identifiers.
const maxTableName = 63 - len("_frames")

// checkTableName accepts the identifiers that need no quoting in either
// dialect, so a table name can never smuggle SQL into a statement.
func checkTableName(name string) error {
	if name == "" || len(name) > maxTableName {
		return fmt.Errorf("sqlstore: table name %q must be 1 to %d bytes long", name, maxTableName)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		letter := c == '_' || ('a' <= c && c <= 'z')
		digit := '0' <= c && c <= '9'
		if !letter && !(digit && i > 0) {
			return fmt.Errorf("sqlstore: table name %q must be lower-case letters, digits and '_', not starting with a digit", name)
		}
	}
	if name == metaTable {
		return fmt.Errorf("sqlstore: table name %q is the store's own meta table", name)
	}
	return nil
}
