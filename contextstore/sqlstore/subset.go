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
// entries come from one snapshot: on SQLite a read transaction (its WAL
// snapshot), on PostgreSQL one statement (readSubsetPostgres).
func (s *Store) ReadSubset(ctx context.Context, frameID string, sub contextstore.Subset) (contextstore.Snapshot, error) {
	fk := keys.Frame(frameID)
	if err := fk.Validate(); err != nil {
		return contextstore.Snapshot{}, err
	}
	snap := contextstore.Snapshot{FrameID: frameID}
	if s.dialect == Postgres {
		err := s.run(ctx, "readsubset", fk, func(ctx context.Context) error {
			return s.readSubsetPostgres(ctx, frameID, sub, &snap)
		})
		if err != nil {
			return contextstore.Snapshot{}, err
		}
		return snap, nil
	}
	err := s.run(ctx, "readsubset", fk, func(ctx context.Context) error {
		tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true}) // DEFERRED: no write lock
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

// readSubsetPostgres reads state and the subset in one statement (one
// snapshot, one round trip): the frame's state row, then each part's rows
// (the queries of subsetEntries, the part past a row only below the
// frame's row bound, and one probe row for AnyRow), kept as sub selects.
func (s *Store) readSubsetPostgres(ctx context.Context, frameID string, sub contextstore.Subset, snap *contextstore.Snapshot) error {
	ft := `"` + s.opts.Table + `_frames"`
	var q strings.Builder
	q.WriteString("SELECT 0, NULL::bytea, NULL::text, version, epoch FROM " + ft + " WHERE frame_id = $1")
	part := func(kind, query string) {
		// Each part selects (entry_key, entry_value): it gets the kind
		// before and the state's two columns after.
		query = strings.Replace(strings.TrimPrefix(query, "SELECT "), " FROM ", ", 0::bigint, 0::bigint FROM ", 1)
		q.WriteString(" UNION ALL (SELECT " + kind + ", " + query + ")")
	}
	args := []any{[]byte(frameID)}
	for _, p := range s.subsetParts(sub) {
		if p == s.stmts.subsetPast {
			args = append(args, int64(sub.RowsFrom))
			part("1", p+" AND $2 < (SELECT row_bound FROM "+ft+" WHERE frame_id = $1)")
			continue
		}
		part("1", p)
	}
	if sub.AnyRow {
		part("2", s.stmts.subsetAnyRow)
	}
	rows, err := s.db.QueryContext(ctx, q.String(), args...)
	if err != nil {
		return err
	}
	snap.State, snap.Entries = contextstore.FrameState{}, []contextstore.Entry{}
	var (
		kind           int
		local, raw     sql.RawBytes
		version, epoch int64
		probe          []contextstore.Entry
	)
	err = eachRow(rows, []any{&kind, &local, &raw, &version, &epoch}, func() error {
		switch kind {
		case 0:
			snap.State = contextstore.FrameState{Version: uint64(version), Epoch: uint64(epoch)}
			return nil
		case 2:
			var err error
			probe, err = appendEntry(nil, frameID, local, raw)
			return err
		}
		return s.keepSelected(&snap.Entries, frameID, sub, local, raw)
	})
	if err != nil {
		return err
	}
	snap.Entries = sortedUnique(snap.Entries)
	if len(probe) == 1 && !slices.ContainsFunc(snap.Entries, func(e contextstore.Entry) bool { return e.Key.HasRow() }) {
		snap.Entries = append(snap.Entries, probe[0])
	}
	return nil
}

// subsetParts lists the queries sub needs (each with the frame ID as $1;
// subsetPast also with the row as $2).
func (s *Store) subsetParts(sub contextstore.Subset) []string {
	var parts []string
	if sub.Frame || sub.Columns {
		parts = append(parts, s.stmts.subsetHead)
	}
	switch {
	case sub.Rows:
		parts = append(parts, s.stmts.subsetRows)
	case strings.HasPrefix(sub.RowsWith, contextstore.ReservedPrefix):
		parts = append(parts, s.stmts.subsetMarked)
	case sub.RowsWith != "":
		parts = append(parts, s.stmts.subsetRows)
	}
	if sub.AllCellsExcept || len(sub.Cells) > 0 {
		parts = append(parts, s.stmts.subsetCells)
	}
	if sub.RowsFrom > 0 {
		parts = append(parts, s.stmts.subsetPast)
	}
	return parts
}

// keepSelected decodes one row of a part onto es when sub selects it: by
// its key first, so that a value is decoded only when kept (or when only
// its marks can tell).
func (s *Store) keepSelected(es *[]contextstore.Entry, frameID string, sub contextstore.Subset, local, raw []byte) error {
	k, err := decodeKey(frameID, local)
	if err != nil {
		return err
	}
	if k.Kind() != keys.KindRow && !sub.Includes(contextstore.Entry{Key: k}) {
		return nil
	}
	v, err := decodeValue(raw)
	if err != nil {
		return err
	}
	if e := (contextstore.Entry{Key: k, Value: v}); sub.Includes(e) {
		*es = append(*es, e)
	}
	return nil
}

// sortedUnique sorts es by key and drops repeats (parts may meet).
func sortedUnique(es []contextstore.Entry) []contextstore.Entry {
	slices.SortFunc(es, func(a, b contextstore.Entry) int { return keys.Compare(a.Key, b.Key) })
	return slices.CompactFunc(es, func(a, b contextstore.Entry) bool { return a.Key == b.Key })
}

// subsetEntries runs the queries sub needs and keeps exactly what it
// selects, sorted by key.
func (s *Store) subsetEntries(ctx context.Context, tx *sql.Tx, frameID string, sub contextstore.Subset) ([]contextstore.Entry, error) {
	id := []byte(frameID)
	out := []contextstore.Entry{}
	for _, p := range s.subsetParts(sub) {
		args := []any{id}
		if p == s.stmts.subsetPast {
			args = append(args, int64(sub.RowsFrom))
		}
		rows, err := tx.QueryContext(ctx, p, args...)
		if err != nil {
			return nil, err
		}
		var local, raw sql.RawBytes
		if err := eachRow(rows, []any{&local, &raw}, func() error { return s.keepSelected(&out, frameID, sub, local, raw) }); err != nil {
			return nil, err
		}
	}
	out = sortedUnique(out)
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
