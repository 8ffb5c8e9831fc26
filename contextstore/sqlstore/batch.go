package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"slices"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// SQLite binds at most 999 parameters per statement in its most
// conservative build; chunks stay under that, whatever the build.
const sqliteMaxParams = 999

// row is one (frame, key) pair of a batch, with its JSON value for a put.
type row struct {
	frame, local []byte
	value        string
}

func compareRows(a, b *row) int {
	// Rows of one frame share its bytes (see foldBatch): no need to compare them.
	sameFrame := len(a.frame) == len(b.frame) && (len(a.frame) == 0 || &a.frame[0] == &b.frame[0])
	if !sameFrame {
		if c := bytes.Compare(a.frame, b.frame); c != 0 {
			return c
		}
	}
	return bytes.Compare(a.local, b.local)
}

// sortedOrder returns the positions of rows in (frame, key) order. Sorting
// positions rather than rows moves no pointers, which is cheaper for the
// garbage collector.
func sortedOrder(rows []row) []int32 {
	order := make([]int32, len(rows))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(i, j int32) int { return compareRows(&rows[i], &rows[j]) })
	return order
}

// Apply implements contextstore.Batcher. The whole batch is one
// transaction, so it is atomic as a whole and readers never see part of it.
// When a key appears more than once the effect is that of the mutations in
// order. Every frame it writes gets a new version.
func (s *Store) Apply(ctx context.Context, ms []contextstore.Mutation) error {
	if len(ms) == 0 {
		return s.run(ctx, "apply", keys.Key{}, func(context.Context) error { return nil })
	}
	_, err := s.commit(ctx, "apply", keys.Key{}, nil, ms)
	return err
}

// writeSQLite deletes and upserts the rows of a batch inside tx, in
// multi-row statements, in key order.
func (s *Store) writeSQLite(ctx context.Context, tx *sql.Tx, puts, dels []row) error {
	t := `"` + s.opts.Table + `"`
	puts, dels = inKeyOrder(puts), inKeyOrder(dels)
	if err := s.execChunked(ctx, tx, dels, 2, func(n int) string {
		return "DELETE FROM " + t + " WHERE (frame_id, entry_key) IN (VALUES " + sqlitePlaceholders(n, 2) + ")"
	}, func(args []any, r row) []any { return append(args, r.frame, r.local) }); err != nil {
		return err
	}
	return s.execChunked(ctx, tx, puts, 3, func(n int) string {
		return "INSERT INTO " + t + " (frame_id, entry_key, entry_value) VALUES " + sqlitePlaceholders(n, 3) +
			" ON CONFLICT (frame_id, entry_key) DO UPDATE SET entry_value = excluded.entry_value"
	}, func(args []any, r row) []any { return append(args, r.frame, r.local, r.value) })
}

// inKeyOrder returns a large batch's rows in (frame, key) order: the
// B-tree then takes them page by page instead of one page per row (a
// million rows in random key order take 8 times as long to insert on
// SQLite). A batch's keys are distinct (FoldBatch), so order does not
// change what it writes.
func inKeyOrder(rows []row) []row {
	if len(rows) < 256 {
		return rows
	}
	out := make([]row, len(rows))
	for i, j := range sortedOrder(rows) {
		out[i] = rows[j]
	}
	return out
}

// execChunked runs the statement query(n) over rows in chunks of as many
// rows as SQLite's parameter limit allows, each statement prepared once on
// the write connection.
func (s *Store) execChunked(ctx context.Context, tx *sql.Tx, rows []row, width int, query func(n int) string, bind func([]any, row) []any) error {
	if len(rows) == 0 {
		return nil
	}
	per := sqliteMaxParams / width
	args := make([]any, 0, min(len(rows), per)*width)
	for start := 0; start < len(rows); start += per {
		chunk := rows[start:min(start+per, len(rows))]
		args = args[:0]
		for _, r := range chunk {
			args = bind(args, r)
		}
		if len(chunk) != per && len(chunk) > 16 {
			// An odd-sized last chunk: not worth a cached statement each.
			if _, err := tx.ExecContext(ctx, query(len(chunk)), args...); err != nil {
				return err
			}
			continue
		}
		st, err := s.txStmt(ctx, tx, query(len(chunk)))
		if err != nil {
			return err
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return err
		}
	}
	return nil
}

// writePostgres deletes and upserts the rows of a batch inside tx, each
// kind in one statement over arrays.
func (s *Store) writePostgres(ctx context.Context, tx *sql.Tx, puts, dels []row) error {
	t := `"` + s.opts.Table + `"`
	// Rows go in (frame, key) order, so concurrent batches lock the rows
	// they share in one order instead of deadlocking.
	if len(dels) > 0 {
		frames, locals := columns(dels, sortedOrder(dels))
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+t+" USING unnest($1::bytea[], $2::bytea[]) AS u(f, k)"+
			" WHERE frame_id = u.f AND entry_key = u.k", frames, locals); err != nil {
			return err
		}
	}
	if len(puts) == 0 {
		return nil
	}
	order := sortedOrder(puts)
	frames, locals := columns(puts, order)
	values := make([]string, len(puts))
	for i, j := range order {
		values[i] = puts[j].value
	}
	_, err := tx.ExecContext(ctx, "INSERT INTO "+t+" (frame_id, entry_key, entry_value)"+
		" SELECT f, k, v::jsonb FROM unnest($1::bytea[], $2::bytea[], $3::text[]) AS u(f, k, v)"+
		" ON CONFLICT (frame_id, entry_key) DO UPDATE SET entry_value = EXCLUDED.entry_value",
		frames, locals, values)
	return err
}

// columns returns the frame and key columns of rows, as PostgreSQL bytea
// array parameters, in order when it is not nil.
func columns(rows []row, order []int32) (frames, locals [][]byte) {
	frames = make([][]byte, len(rows))
	locals = make([][]byte, len(rows))
	for i := range rows {
		j := i
		if order != nil {
			j = int(order[i])
		}
		frames[i], locals[i] = rows[j].frame, rows[j].local
	}
	return frames, locals
}

// pair identifies a row in a map.
type pair struct{ frame, local string }

// GetMany implements contextstore.Batcher. The values are read from one
// snapshot: one statement for PostgreSQL, one read transaction for SQLite.
func (s *Store) GetMany(ctx context.Context, ks []keys.Key) ([]contextstore.Value, error) {
	for _, k := range ks {
		if err := k.Validate(); err != nil {
			return nil, err
		}
	}
	// Ask for each distinct key once.
	index := make(map[pair]int, len(ks))
	var want []row
	for _, k := range ks {
		p := pair{k.FrameID(), k.Local()}
		if _, ok := index[p]; !ok {
			index[p] = len(want)
			want = append(want, row{frame: []byte(p.frame), local: []byte(p.local)})
		}
	}
	found := make([]contextstore.Value, len(want))
	err := s.run(ctx, "getmany", keys.Key{}, func(ctx context.Context) error {
		clear(found)
		if len(want) == 0 {
			return nil
		}
		collect := func(rows *sql.Rows) error {
			var frame, local, raw sql.RawBytes
			return eachRow(rows, []any{&frame, &local, &raw}, func() error {
				i, ok := index[pair{string(frame), string(local)}]
				if !ok {
					return nil
				}
				v, err := decodeValue(raw)
				found[i] = v
				return err
			})
		}
		if s.dialect == Postgres {
			frames, locals := columns(want, nil)
			rows, err := s.db.QueryContext(ctx, "SELECT u.f, u.k, t.entry_value::text"+
				" FROM unnest($1::bytea[], $2::bytea[]) AS u(f, k)"+
				` JOIN "`+s.opts.Table+`" AS t ON t.frame_id = u.f AND t.entry_key = u.k`, frames, locals)
			if err != nil {
				return err
			}
			return collect(rows)
		}
		return s.getManySQLite(ctx, want, collect)
	})
	if err != nil {
		return nil, err
	}
	// Each position gets its own value: a key asked for twice gets a copy.
	out := make([]contextstore.Value, len(ks))
	handed := make([]bool, len(want))
	for i, k := range ks {
		j := index[pair{k.FrameID(), k.Local()}]
		v := found[j]
		if v == nil {
			continue
		}
		if handed[j] {
			v = contextstore.Clone(v)
		}
		handed[j] = true
		out[i] = v
	}
	return out, nil
}

func (s *Store) getManySQLite(ctx context.Context, want []row, collect func(*sql.Rows) error) error {
	per := sqliteMaxParams / 2
	query := func(n int) string {
		return `SELECT frame_id, entry_key, entry_value FROM "` + s.opts.Table +
			`" WHERE (frame_id, entry_key) IN (VALUES ` + sqlitePlaceholders(n, 2) + ")"
	}
	bind := func(chunk []row) []any {
		args := make([]any, 0, 2*len(chunk))
		for _, r := range chunk {
			args = append(args, r.frame, r.local)
		}
		return args
	}
	if len(want) <= per {
		rows, err := s.db.QueryContext(ctx, query(len(want)), bind(want)...)
		if err != nil {
			return err
		}
		return collect(rows)
	}
	// Several statements: a read transaction makes them one snapshot. A
	// read-only BEGIN stays DEFERRED, so it does not take the write lock.
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	for start := 0; start < len(want); start += per {
		chunk := want[start:min(start+per, len(want))]
		rows, err := tx.QueryContext(ctx, query(len(chunk)), bind(chunk)...)
		if err != nil {
			return err
		}
		if err := collect(rows); err != nil {
			return err
		}
	}
	return tx.Commit()
}
