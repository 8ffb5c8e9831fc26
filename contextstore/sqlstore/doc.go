// Package sqlstore keeps context in a SQL database: SQLite (through the pure
// Go driver modernc.org/sqlite, no cgo) as the embedded default for context
// that must outlive a process, and PostgreSQL (through pgx's database/sql
// driver, github.com/jackc/pgx/v5/stdlib) for context shared by many
// processes and machines.
//
// A store keeps one table, keyed by (frame ID, frame-relative key), that it
// creates and versions itself: a small meta table (ctxframe_meta) records the
// schema version of every context table in the database, and a store refuses
// with contextstore.ErrConfig to open a table written by a newer version.
// Frame IDs and keys are stored as bytes (BLOB, bytea) so every UTF-8 name,
// U+0000 included, round-trips; values are canonical JSON (SQLite TEXT,
// PostgreSQL jsonb) and come back in contextstore's normal form.
//
// Besides contextstore.Store the store offers every optional capability:
// batches (Apply in one transaction with multi-row statements, GetMany),
// frame listing, reading, dropping and enumeration. It is safe for concurrent
// use, and several processes may share one SQLite file or one PostgreSQL
// database: SQLite runs in WAL mode with a busy timeout and takes the write
// lock at the start of every write transaction (BEGIN IMMEDIATE), and
// PostgreSQL writes are single statements or transactions that are retried
// when a deadlock or a lost connection aborts them (every write is
// idempotent, so a retry cannot apply anything twice).
//
// Importing the package registers the URL schemes "sqlite", "postgres" and
// "postgresql" with contextstore.Open:
//
//	sqlite:///var/lib/app/ctx.db?table=ctx
//	sqlite:relative/ctx.db
//	postgres://user@db.example:5432/app?sslmode=disable&table=ctx
//
// See docs/stores-sql.md for every parameter.
package sqlstore
