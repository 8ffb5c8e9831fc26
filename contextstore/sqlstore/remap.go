package sqlstore

import (
	"context"
	"database/sql"
	"strings"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/contextstore/internal/rekey"
	"github.com/ctxframe/ctxframe/keys"
)

var _ contextstore.Remapper = (*Store)(nil)

// remapJob is a RemapIf's re-keying, done inside commit's transaction.
type remapJob struct {
	frameID string
	r       contextstore.Remap
	written int // set by remapTx: the entries the remap wrote
}

// RemapIf implements contextstore.Remapper in the transaction of ApplyIf:
// after the guards are checked and ms written, the frame's row and cell
// entries are re-keyed and the frame's row bound set to what is left.
// PostgreSQL does it in one statement on the server (the mapping goes as
// an array, no value comes back); SQLite, in process anyway, reads them as
// stored text (no value decoded), re-keys them, deletes the two key ranges
// and writes them back in key order. Readers see the frame before or
// after, never between; the marks index follows by itself.
func (s *Store) RemapIf(ctx context.Context, guards []contextstore.Guard, ms []contextstore.Mutation, frameID string, r contextstore.Remap) ([]contextstore.FrameState, int, error) {
	const op = "remapif"
	if err := contextstore.ValidateGuards(guards); err != nil {
		return nil, 0, err
	}
	if err := contextstore.ValidateRemap(op, s.backend, frameID, r); err != nil {
		return nil, 0, err
	}
	fk := keys.Frame(frameID)
	normalized, err := contextstore.ValidateBatch(ms)
	if err != nil {
		return nil, 0, contextstore.NewError(op, s.backend, fk, contextstore.BatchErrorKind(err), err)
	}
	job := &remapJob{frameID: frameID, r: r}
	states, err := s.commitFolded(ctx, op, fk, guards, contextstore.FoldBatch(normalized), job)
	if err != nil {
		return nil, 0, err
	}
	return states, job.written, nil
}

// remapTx re-keys job's frame inside tx (see RemapIf): on the server where
// the dialect can say it in one statement, else in the client.
func (s *Store) remapTx(ctx context.Context, tx *sql.Tx, job *remapJob) error {
	if s.stmts.remapLevels != "" {
		return s.remapOnServer(ctx, tx, job)
	}
	return s.remapInClient(ctx, tx, job)
}

// remapOnServer runs the remapLevels statement: no value leaves the
// server or is parsed again.
func (s *Store) remapOnServer(ctx context.Context, tx *sql.Tx, job *remapJob) error {
	sources := make([]int64, len(job.r.Sources))
	for i, src := range job.r.Sources {
		sources[i] = int64(src)
	}
	columns := make([][]byte, len(job.r.Columns))
	for i, col := range job.r.Columns {
		columns[i] = []byte(col)
	}
	var old, changed, kept, bound int64
	if err := tx.QueryRowContext(ctx, s.stmts.remapLevels, []byte(job.frameID), sources, columns).Scan(&old, &changed, &kept, &bound); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, s.stmts.setRowBound, bound, []byte(job.frameID)); err != nil {
		return err
	}
	// As rekey.Move counts: each moved entry that changed row, and each old
	// entry left with no entry at its key.
	job.written = int(changed + old - kept)
	return nil
}

// remapInClient reads the frame's row and cell entries as stored text,
// re-keys them in the client and writes them back, inside tx.
func (s *Store) remapInClient(ctx context.Context, tx *sql.Tx, job *remapJob) error {
	frame := []byte(job.frameID)
	type stored struct {
		row   int
		value string
	}
	var rowEntries []stored
	cellEntries := make(map[string][]stored)
	for _, q := range []string{s.stmts.subsetRows, s.stmts.subsetCells} {
		rows, err := tx.QueryContext(ctx, q, frame)
		if err != nil {
			return err
		}
		for rows.Next() {
			var (
				local []byte
				value string
			)
			if err := rows.Scan(&local, &value); err != nil {
				_ = rows.Close()
				return err
			}
			// The ranges hold "r:ROW" and "x:ROW:NAME": the row is read
			// where it stands, with no key parsed whole.
			field := string(local)
			row, ok := rekey.RowOf(field)
			if !ok {
				continue // not an entry this store wrote: it goes with its level
			}
			if field[0] == 'r' {
				rowEntries = append(rowEntries, stored{row, value})
			} else {
				col := field[strings.IndexByte(field[2:], ':')+3:]
				cellEntries[col] = append(cellEntries[col], stored{row, value})
			}
		}
		if err := rows.Close(); err != nil {
			return err
		}
	}
	load := func(es []stored) *rekey.Level {
		l := rekey.NewLevel(job.r, len(es))
		for _, e := range es {
			l.Set(e.row, e.value)
		}
		return l
	}
	var puts []row
	emit := func(field, value string, _ int) {
		puts = append(puts, row{frame: frame, local: []byte(field), value: value})
	}
	written, bound := rekey.Move(load(rowEntries), job.r, "r:", "", emit)
	keep := make(map[string]bool, len(job.r.Columns))
	for _, col := range job.r.Columns {
		keep[col] = true
	}
	for col, es := range cellEntries {
		if !keep[col] {
			written += len(es)
			continue
		}
		w, b := rekey.Move(load(es), job.r, "x:", ":"+col, emit)
		written += w
		bound = max(bound, b)
	}
	if _, err := tx.ExecContext(ctx, s.stmts.dropLevels, frame); err != nil {
		return err
	}
	var err error
	if s.dialect == SQLite {
		err = s.writeSQLite(ctx, tx, puts, nil)
	} else {
		err = s.writePostgres(ctx, tx, puts, nil)
	}
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, s.stmts.setRowBound, int64(bound), frame); err != nil {
		return err
	}
	job.written = written
	return nil
}
