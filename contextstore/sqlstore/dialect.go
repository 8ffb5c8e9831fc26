package sqlstore

import (
	"fmt"
	"strings"

	"github.com/ctxframe/ctxframe/contextstore"
)

// Dialect names the SQL database behind a *sql.DB given to New.
type Dialect string

// The dialects a store speaks.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// metaTable records the schema version of every context table of a database.
const metaTable = "ctxframe_meta"

// schemaVersion is the layout of the context table this code reads and
// writes. A table with a higher version was written by a newer ctxframe and
// is refused; a lower one is migrated. Version 2 added the frames table
// (TABLE_frames: each frame's version and layout epoch); version 1 tables
// get it on open, their frames starting at the zero state. Version 3 added
// the frames' row bound (TABLE_frames.row_bound: above the row of every row
// and cell entry the frame was written since it was last empty), so that a
// subset read learns there is nothing past a frame's end without a scan;
// older tables get it on open, computed from their entries.
const schemaVersion = 3

// statements are the fixed statements of one store, built once from the
// dialect and table name (a checked identifier, never user data).
type statements struct {
	get, set, del            string
	listAll, listFrame       string
	readFrame, dropFrame     string
	listFrames               string
	createMeta, createTable  string
	readVersion, addVersion  string
	dropTable, forgetVersion string
	lockSchema               string // PostgreSQL: serializes schema setup between processes

	// Versioned frames (see versioned.go).
	createFrames, dropFrames, setVersion         string
	addRowBound, fillRowBounds, addMissingFrames string // migration to schema version 3
	readVersioned                                string // a frame's state and entries in one statement
	frameState                                   string // a frame's state, locked for the transaction on PostgreSQL
	readState                                    string // a frame's state, read without a lock (FrameStates)
	ensureFrame                                  string // PostgreSQL: a row to lock for a frame never written
	bump                                         string // advance a frame's version (and epoch), returning both
	forgetFrame                                  string // DropFrame: the frame goes back to the zero state
	getInTx                                      string // a value read inside a write transaction
	setBumped, delBumped                         string // PostgreSQL: one key's write and its frame's new version, in one statement

	// Subset reads (see subset.go) and the indexes behind them.
	createMarkIndex         string
	subsetHead              string // the frame entry and column entries
	subsetRows, subsetCells string // every row entry, every cell entry
	subsetMarked            string // row entries with a reserved field, by their index
	subsetPast              string // row and cell entries at or past a row, by a scan of their keys
	readBound               string // a frame's state and row bound
	subsetAnyRow            string // one row or cell entry
	dropLevels              string // a frame's row and cell entries (RemapIf)
	setRowBound             string // a frame's exact row bound (RemapIf)
	remapLevels             string // PostgreSQL: a whole remap on the server (RemapIf)
}

// reservedPrefix is contextstore.ReservedPrefix, spelled into the marked
// rows' index (which a query must repeat word for word to use).
const reservedPrefix = contextstore.ReservedPrefix

// The row and cell keys of a frame ("r:ROW", "x:ROW:NAME": two ranges of
// the primary key) and the row they name, in each dialect.
const (
	sqliteRowKeys = "((entry_key >= X'723A' AND entry_key < X'723B') OR (entry_key >= X'783A' AND entry_key < X'783B'))"
	sqliteRow     = "CAST(substr(entry_key, 3) AS INTEGER)"
	pgRowKeys     = "((entry_key >= '\\x723a'::bytea AND entry_key < '\\x723b'::bytea) OR (entry_key >= '\\x783a'::bytea AND entry_key < '\\x783b'::bytea))"
	pgRow         = "split_part(encode(substring(entry_key FROM 3), 'escape'), ':', 1)::bigint"
)

// ix names one of table's indexes.
func ix(table, what string) string { return `"` + table + "_" + what + `"` }

func newStatements(d Dialect, table string) (statements, error) {
	t := `"` + table + `"`
	m := `"` + metaTable + `"`
	ft := `"` + table + `_frames"`
	var s statements
	switch d {
	case SQLite:
		s = statements{
			get:           "SELECT entry_value FROM " + t + " WHERE frame_id = ? AND entry_key = ?",
			set:           "INSERT INTO " + t + " (frame_id, entry_key, entry_value) VALUES (?, ?, ?) ON CONFLICT (frame_id, entry_key) DO UPDATE SET entry_value = excluded.entry_value",
			del:           "DELETE FROM " + t + " WHERE frame_id = ? AND entry_key = ?",
			listAll:       "SELECT frame_id, entry_key FROM " + t,
			listFrame:     "SELECT entry_key FROM " + t + " WHERE frame_id = ?",
			readFrame:     "SELECT entry_key, entry_value FROM " + t + " WHERE frame_id = ?",
			dropFrame:     "DELETE FROM " + t + " WHERE frame_id = ?",
			listFrames:    "SELECT DISTINCT frame_id FROM " + t,
			createMeta:    "CREATE TABLE IF NOT EXISTS " + m + " (table_name TEXT PRIMARY KEY, schema_version INTEGER NOT NULL)",
			createTable:   "CREATE TABLE IF NOT EXISTS " + t + " (frame_id BLOB NOT NULL, entry_key BLOB NOT NULL, entry_value TEXT NOT NULL, PRIMARY KEY (frame_id, entry_key)) WITHOUT ROWID",
			readVersion:   "SELECT schema_version FROM " + m + " WHERE table_name = ?",
			addVersion:    "INSERT INTO " + m + " (table_name, schema_version) VALUES (?, ?)",
			dropTable:     "DROP TABLE IF EXISTS " + t,
			forgetVersion: "DELETE FROM " + m + " WHERE table_name = ?",
			createFrames:  "CREATE TABLE IF NOT EXISTS " + ft + " (frame_id BLOB PRIMARY KEY, version INTEGER NOT NULL, epoch INTEGER NOT NULL, row_bound INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID",
			addRowBound:   "ALTER TABLE " + ft + " ADD COLUMN row_bound INTEGER NOT NULL DEFAULT 0",
			fillRowBounds: "UPDATE " + ft + " SET row_bound = (SELECT COALESCE(MAX(" + sqliteRow + ") + 1, 0) FROM " + t +
				" WHERE " + t + ".frame_id = " + ft + ".frame_id AND " + sqliteRowKeys + ")",
			addMissingFrames: "INSERT INTO " + ft + " (frame_id, version, epoch, row_bound) SELECT frame_id, 0, 0," +
				" COALESCE(MAX(CASE WHEN " + sqliteRowKeys + " THEN " + sqliteRow + " END) + 1, 0) FROM " + t +
				" WHERE NOT EXISTS (SELECT 1 FROM " + ft + " WHERE " + ft + ".frame_id = " + t + ".frame_id) GROUP BY frame_id",
			dropFrames: "DROP TABLE IF EXISTS " + ft,
			setVersion: "UPDATE " + m + " SET schema_version = ? WHERE table_name = ?",
			readVersioned: "SELECT 0, NULL, NULL, version, epoch FROM " + ft + " WHERE frame_id = ?1" +
				" UNION ALL SELECT 1, entry_key, entry_value, 0, 0 FROM " + t + " WHERE frame_id = ?1",
			frameState: "SELECT version, epoch FROM " + ft + " WHERE frame_id = ?",
			readState:  "SELECT version, epoch FROM " + ft + " WHERE frame_id = ?",
			bump: "INSERT INTO " + ft + " (frame_id, version, epoch, row_bound) VALUES (?1, ?2, CASE WHEN ?3 THEN ?2 ELSE 0 END, ?4)" +
				" ON CONFLICT (frame_id) DO UPDATE SET version = MAX(version + 1, ?2), row_bound = MAX(row_bound, ?4)," +
				" epoch = CASE WHEN ?3 THEN MAX(epoch + 1, ?2) ELSE epoch END RETURNING version, epoch",
			forgetFrame: "DELETE FROM " + ft + " WHERE frame_id = ?",
			getInTx:     "SELECT entry_value FROM " + t + " WHERE frame_id = ? AND entry_key = ?",
			// Local keys are "f", "c:NAME", "r:ROW" and "x:ROW:NAME", so
			// levels are ranges of the primary key; CAST reads the row
			// from the digits after the "r:" or "x:". Marked rows have a
			// partial index, which costs a write only for them.
			createMarkIndex: "CREATE INDEX IF NOT EXISTS " + ix(table, "marks") + " ON " + t +
				" (frame_id, entry_key) WHERE instr(entry_value, '\"" + reservedPrefix + "') > 0",
			subsetHead:  "SELECT entry_key, entry_value FROM " + t + " WHERE frame_id = ? AND entry_key < X'723A'",
			subsetRows:  "SELECT entry_key, entry_value FROM " + t + " WHERE frame_id = ? AND entry_key >= X'723A' AND entry_key < X'723B'",
			subsetCells: "SELECT entry_key, entry_value FROM " + t + " WHERE frame_id = ? AND entry_key >= X'783A' AND entry_key < X'783B'",
			subsetMarked: "SELECT entry_key, entry_value FROM " + t + " INDEXED BY " + ix(table, "marks") +
				" WHERE frame_id = ? AND instr(entry_value, '\"" + reservedPrefix + "') > 0 AND entry_key >= X'723A' AND entry_key < X'723B'",
			subsetPast: "SELECT entry_key, entry_value FROM " + t + " WHERE frame_id = ? AND " + sqliteRowKeys +
				" AND " + sqliteRow + " >= ?",
			readBound:    "SELECT version, epoch, row_bound FROM " + ft + " WHERE frame_id = ?",
			subsetAnyRow: "SELECT entry_key, entry_value FROM " + t + " WHERE frame_id = ? AND entry_key >= X'723A' LIMIT 1",
			dropLevels:   "DELETE FROM " + t + " WHERE frame_id = ? AND (entry_key >= X'723A' AND entry_key < X'723B' OR entry_key >= X'783A' AND entry_key < X'783B')",
			setRowBound:  "UPDATE " + ft + " SET row_bound = ? WHERE frame_id = ?",
		}
	case Postgres:
		s = statements{
			// Values are read as text: the driver then hands back the JSON
			// exactly as PostgreSQL prints it, and UnmarshalValue keeps
			// integers exact.
			get:           "SELECT entry_value::text FROM " + t + " WHERE frame_id = $1 AND entry_key = $2",
			set:           "INSERT INTO " + t + " (frame_id, entry_key, entry_value) VALUES ($1, $2, $3::text::jsonb) ON CONFLICT (frame_id, entry_key) DO UPDATE SET entry_value = EXCLUDED.entry_value",
			del:           "DELETE FROM " + t + " WHERE frame_id = $1 AND entry_key = $2",
			listAll:       "SELECT frame_id, entry_key FROM " + t,
			listFrame:     "SELECT entry_key FROM " + t + " WHERE frame_id = $1",
			readFrame:     "SELECT entry_key, entry_value::text FROM " + t + " WHERE frame_id = $1",
			dropFrame:     "DELETE FROM " + t + " WHERE frame_id = $1",
			listFrames:    "SELECT DISTINCT frame_id FROM " + t,
			createMeta:    "CREATE TABLE IF NOT EXISTS " + m + " (table_name text PRIMARY KEY, schema_version integer NOT NULL)",
			createTable:   "CREATE TABLE IF NOT EXISTS " + t + " (frame_id bytea NOT NULL, entry_key bytea NOT NULL, entry_value jsonb NOT NULL, PRIMARY KEY (frame_id, entry_key))",
			readVersion:   "SELECT schema_version FROM " + m + " WHERE table_name = $1",
			addVersion:    "INSERT INTO " + m + " (table_name, schema_version) VALUES ($1, $2)",
			dropTable:     "DROP TABLE IF EXISTS " + t,
			forgetVersion: "DELETE FROM " + m + " WHERE table_name = $1",
			// Concurrent CREATE TABLE IF NOT EXISTS can fail in PostgreSQL
			// with a unique violation in the catalog; one advisory lock per
			// database makes setup one process at a time.
			lockSchema:   "SELECT pg_advisory_xact_lock(hashtext('ctxframe_meta'))",
			createFrames: "CREATE TABLE IF NOT EXISTS " + ft + " (frame_id bytea PRIMARY KEY, version bigint NOT NULL, epoch bigint NOT NULL, row_bound bigint NOT NULL DEFAULT 0)",
			addRowBound:  "ALTER TABLE " + ft + " ADD COLUMN IF NOT EXISTS row_bound bigint NOT NULL DEFAULT 0",
			fillRowBounds: "UPDATE " + ft + " AS f SET row_bound = (SELECT COALESCE(MAX(" + pgRow + ") + 1, 0) FROM " + t +
				" AS t WHERE t.frame_id = f.frame_id AND " + pgRowKeys + ")",
			addMissingFrames: "INSERT INTO " + ft + " (frame_id, version, epoch, row_bound) SELECT frame_id, 0, 0," +
				" COALESCE(MAX(CASE WHEN " + pgRowKeys + " THEN " + pgRow + " END) + 1, 0) FROM " + t +
				" AS t WHERE NOT EXISTS (SELECT 1 FROM " + ft + " AS f WHERE f.frame_id = t.frame_id) GROUP BY frame_id",
			dropFrames: "DROP TABLE IF EXISTS " + ft,
			setVersion: "UPDATE " + m + " SET schema_version = $1 WHERE table_name = $2",
			readVersioned: "SELECT 0, NULL::bytea, NULL::text, version, epoch FROM " + ft + " WHERE frame_id = $1" +
				" UNION ALL SELECT 1, entry_key, entry_value::text, 0, 0 FROM " + t + " WHERE frame_id = $1",
			frameState:  "SELECT version, epoch FROM " + ft + " WHERE frame_id = $1 FOR UPDATE",
			readState:   "SELECT version, epoch FROM " + ft + " WHERE frame_id = $1",
			ensureFrame: "INSERT INTO " + ft + " (frame_id, version, epoch) VALUES ($1, 0, 0) ON CONFLICT (frame_id) DO NOTHING",
			bump: "INSERT INTO " + ft + " AS f (frame_id, version, epoch, row_bound) VALUES ($1, $2::bigint, CASE WHEN $3::boolean THEN $2::bigint ELSE 0 END, $4::bigint)" +
				" ON CONFLICT (frame_id) DO UPDATE SET version = GREATEST(f.version + 1, $2::bigint), row_bound = GREATEST(f.row_bound, $4::bigint)," +
				" epoch = CASE WHEN $3::boolean THEN GREATEST(f.epoch + 1, $2::bigint) ELSE f.epoch END RETURNING version, epoch",
			forgetFrame: "DELETE FROM " + ft + " WHERE frame_id = $1",
			getInTx:     "SELECT entry_value::text FROM " + t + " WHERE frame_id = $1 AND entry_key = $2",
			// The entry's write reads the CTE's row, so it runs after the
			// version upsert, which locks the frame's row first, as every
			// write transaction does.
			setBumped: "WITH bump AS (INSERT INTO " + ft + " AS f (frame_id, version, epoch, row_bound) VALUES ($1, $4::bigint, 0, $5::bigint)" +
				" ON CONFLICT (frame_id) DO UPDATE SET version = GREATEST(f.version + 1, $4::bigint), row_bound = GREATEST(f.row_bound, $5::bigint) RETURNING frame_id)" +
				" INSERT INTO " + t + " (frame_id, entry_key, entry_value) SELECT frame_id, $2, $3::text::jsonb FROM bump" +
				" ON CONFLICT (frame_id, entry_key) DO UPDATE SET entry_value = EXCLUDED.entry_value",
			delBumped: "WITH bump AS (INSERT INTO " + ft + " AS f (frame_id, version, epoch) VALUES ($1, $3::bigint, 0)" +
				" ON CONFLICT (frame_id) DO UPDATE SET version = GREATEST(f.version + 1, $3::bigint) RETURNING frame_id)" +
				" DELETE FROM " + t + " AS t USING bump WHERE t.frame_id = bump.frame_id AND t.entry_key = $2",
			createMarkIndex: "CREATE INDEX IF NOT EXISTS " + ix(table, "marks") + " ON " + t +
				" (frame_id, entry_key) WHERE strpos(entry_value::text, '\"" + reservedPrefix + "') > 0",
			subsetHead:  "SELECT entry_key, entry_value::text FROM " + t + " WHERE frame_id = $1 AND entry_key < '\\x723a'::bytea",
			subsetRows:  "SELECT entry_key, entry_value::text FROM " + t + " WHERE frame_id = $1 AND entry_key >= '\\x723a'::bytea AND entry_key < '\\x723b'::bytea",
			subsetCells: "SELECT entry_key, entry_value::text FROM " + t + " WHERE frame_id = $1 AND entry_key >= '\\x783a'::bytea AND entry_key < '\\x783b'::bytea",
			subsetMarked: "SELECT entry_key, entry_value::text FROM " + t + " WHERE frame_id = $1 AND strpos(entry_value::text, '\"" + reservedPrefix + "') > 0" +
				" AND entry_key >= '\\x723a'::bytea AND entry_key < '\\x723b'::bytea",
			subsetPast:   "SELECT entry_key, entry_value::text FROM " + t + " WHERE frame_id = $1 AND " + pgRowKeys + " AND " + pgRow + " >= $2",
			readBound:    "SELECT version, epoch, row_bound FROM " + ft + " WHERE frame_id = $1",
			subsetAnyRow: "SELECT entry_key, entry_value::text FROM " + t + " WHERE frame_id = $1 AND entry_key >= '\\x723a'::bytea LIMIT 1",
			dropLevels: "DELETE FROM " + t + " WHERE frame_id = $1 AND (entry_key >= '\\x723a'::bytea AND entry_key < '\\x723b'::bytea" +
				" OR entry_key >= '\\x783a'::bytea AND entry_key < '\\x783b'::bytea)",
			setRowBound: "UPDATE " + ft + " SET row_bound = $1 WHERE frame_id = $2",
			remapLevels: pgRemapLevels(t),
		}
	default:
		return statements{}, fmt.Errorf("sqlstore: unknown dialect %q (want %q or %q)", d, SQLite, Postgres)
	}
	return s, nil
}

// pgRemapLevels is RemapIf on PostgreSQL in one statement, no value
// leaving the server or parsed again: it deletes the frame's row and cell
// entries ($1) and inserts each again under its new row, new row i taking
// the entries of row $2[i] (a bigint array; -1 for none), cells only of the
// columns in $3 (a bytea array), in key order. It returns the entries
// deleted, how many of the moved ones changed row, how many landed on a
// key that had an entry, and one past the highest row filled, from which
// RemapIf counts what it wrote as rekey.Move does. A key in the ranges
// that is not "r:ROW" or "x:ROW:NAME" goes with its level, uncounted, as
// in the client-side remap. DELETE and INSERT in one statement see one
// snapshot, so the INSERT does not see its own frame's old entries.
func pgRemapLevels(t string) string {
	const row = "get_byte(entry_key, 0) = 114"
	return "WITH old AS (DELETE FROM " + t + " WHERE frame_id = $1 AND (entry_key >= '\\x723a'::bytea AND entry_key < '\\x723b'::bytea" +
		" OR entry_key >= '\\x783a'::bytea AND entry_key < '\\x783b'::bytea) RETURNING entry_key, entry_value)," +
		// The row's digits, computed once: MATERIALIZED keeps the planner
		// from repeating the expression in every place digits is used.
		" parsed AS MATERIALIZED (SELECT entry_key, entry_value, NOT " + row + " AS cell," +
		" convert_from(CASE WHEN " + row + " THEN substring(entry_key FROM 3)" +
		" ELSE substring(entry_key FROM 3 FOR GREATEST(position('\\x3a'::bytea IN substring(entry_key FROM 3)) - 1, 0)) END, 'UTF8') AS digits FROM old)," +
		" levels AS (SELECT entry_key, entry_value, cell, digits::bigint AS src, octet_length(digits) AS width FROM parsed" +
		" WHERE digits <> '' AND octet_length(digits) <= 18 AND ltrim(digits, '0123456789') = '')," +
		" moved AS (SELECT CASE WHEN l.cell THEN '\\x783a'::bytea ELSE '\\x723a'::bytea END" +
		" || convert_to((m.pos - 1)::text, 'UTF8') || substring(l.entry_key FROM 3 + l.width) AS entry_key," +
		" l.entry_value, l.src, m.pos - 1 AS dst" +
		" FROM levels AS l JOIN unnest($2::bigint[]) WITH ORDINALITY AS m(src, pos) ON m.src = l.src" +
		" WHERE NOT l.cell OR substring(l.entry_key FROM 4 + l.width) = ANY($3::bytea[]))," +
		" put AS (INSERT INTO " + t + " (frame_id, entry_key, entry_value) SELECT $1, entry_key, entry_value FROM moved ORDER BY entry_key)" +
		" SELECT (SELECT count(*) FROM levels), count(*) FILTER (WHERE dst <> src)," +
		" (SELECT count(*) FROM moved AS k JOIN levels AS o ON o.entry_key = k.entry_key), COALESCE(max(dst) + 1, 0) FROM moved"
}

// sqlitePlaceholders returns "(?, ?, ?), (?, ?, ?)" for rows rows of width
// columns: the VALUES list of a SQLite multi-row statement.
func sqlitePlaceholders(rows, width int) string {
	var b strings.Builder
	one := "(" + strings.Repeat("?, ", width-1) + "?)"
	b.Grow(rows * (len(one) + 2))
	for i := 0; i < rows; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(one)
	}
	return b.String()
}
