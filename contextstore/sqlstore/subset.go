package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// ReadSubset implements contextstore.SubsetReader. The frame's levels are
// ranges of the primary key (local keys are "c:NAME", "f", "r:ROW",
// "x:ROW:NAME"); row entries with a reserved field and entries past a row
// have an index each (TABLE_marks); so a subset without row
// or cell entries reads what it returns. Cells by column are the one part
// read from all of the frame's cells and kept by column here. State and
// entries come from one snapshot: a read transaction (SQLite's WAL
// snapshot, PostgreSQL's REPEATABLE READ).
func (s *Store) ReadSubset(ctx context.Context, frameID string, sub contextstore.Subset) (contextstore.Snapshot, error) {
	fk := keys.Frame(frameID)
	if err := fk.Validate(); err != nil {
		return contextstore.Snapshot{}, err
	}
	snap := contextstore.Snapshot{FrameID: frameID}
	err := s.run(ctx, "readsubset", fk, func(ctx context.Context) error {
		opts := &sql.TxOptions{ReadOnly: true} // SQLite: DEFERRED, no write lock
		if s.dialect == Postgres {
			opts.Isolation = sql.LevelRepeatableRead
		}
		tx, err := s.db.BeginTx(ctx, opts)
		if err != nil {
			return err
		}
		defer func() { _ = tx.Rollback() }()
		var v, e, bound int64
		err = tx.QueryRowContext(ctx, s.stmts.readBound, []byte(frameID)).Scan(&v, &e, &bound)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		snap.State = contextstore.FrameState{Version: uint64(v), Epoch: uint64(e)}
		if int64(sub.RowsFrom) >= bound {
			sub.RowsFrom = 0 // nothing was ever written past it
		}
		if snap.Entries, err = s.subsetEntries(ctx, tx, frameID, sub); err != nil {
			return err
		}
		return tx.Commit()
	})
	if err != nil {
		return contextstore.Snapshot{}, err
	}
	return snap, nil
}

// subsetEntries runs the queries sub needs and keeps exactly what it
// selects, sorted by key.
func (s *Store) subsetEntries(ctx context.Context, tx *sql.Tx, frameID string, sub contextstore.Subset) ([]contextstore.Entry, error) {
	type part struct {
		query string
		args  []any
	}
	id := []byte(frameID)
	var parts []part
	if sub.Frame || sub.Columns {
		parts = append(parts, part{s.stmts.subsetHead, []any{id}})
	}
	switch {
	case sub.Rows:
		parts = append(parts, part{s.stmts.subsetRows, []any{id}})
	case strings.HasPrefix(sub.RowsWith, contextstore.ReservedPrefix):
		parts = append(parts, part{s.stmts.subsetMarked, []any{id}})
	case sub.RowsWith != "":
		parts = append(parts, part{s.stmts.subsetRows, []any{id}})
	}
	if sub.AllCellsExcept || len(sub.Cells) > 0 {
		parts = append(parts, part{s.stmts.subsetCells, []any{id}})
	}
	if sub.RowsFrom > 0 {
		parts = append(parts, part{s.stmts.subsetPast, []any{id, int64(sub.RowsFrom)}})
	}
	out := []contextstore.Entry{}
	for _, p := range parts {
		rows, err := tx.QueryContext(ctx, p.query, p.args...)
		if err != nil {
			return nil, err
		}
		var local, raw sql.RawBytes
		err = eachRow(rows, []any{&local, &raw}, func() error {
			k, err := decodeKey(frameID, local)
			if err != nil {
				return err
			}
			// Only marks need the value to decide; everything else is
			// kept or left by its key, before its value is decoded.
			if k.Kind() != keys.KindRow && !sub.Includes(contextstore.Entry{Key: k}) {
				return nil
			}
			v, err := decodeValue(raw)
			if err != nil {
				return err
			}
			if e := (contextstore.Entry{Key: k, Value: v}); sub.Includes(e) {
				out = append(out, e)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	slices.SortFunc(out, func(a, b contextstore.Entry) int { return keys.Compare(a.Key, b.Key) })
	// The past-the-end part may meet rows and cells another part read.
	out = slices.CompactFunc(out, func(a, b contextstore.Entry) bool { return a.Key == b.Key })
	if sub.AnyRow && (len(out) == 0 || !out[len(out)-1].Key.HasRow()) {
		var local, raw []byte
		err := tx.QueryRowContext(ctx, s.stmts.subsetAnyRow, id).Scan(&local, &raw)
		if errors.Is(err, sql.ErrNoRows) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if out, err = appendEntry(out, frameID, local, raw); err != nil {
			return nil, err
		}
	}
	return out, nil
}
