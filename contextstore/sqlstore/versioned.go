package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

var (
	_ contextstore.Versioner   = (*Store)(nil)
	_ contextstore.StateReader = (*Store)(nil)
)

// ReadVersioned implements contextstore.Versioner: the frame's state and its
// entries come from one statement, so from one snapshot.
func (s *Store) ReadVersioned(ctx context.Context, frameID string) (contextstore.Snapshot, error) {
	fk := keys.Frame(frameID)
	if err := fk.Validate(); err != nil {
		return contextstore.Snapshot{}, err
	}
	snap := contextstore.Snapshot{FrameID: frameID}
	var err error
	if s.dialect == SQLite {
		err = s.run(ctx, "readversioned", fk, func(ctx context.Context) error {
			return s.readVersionedSQLite(ctx, frameID, &snap)
		})
	} else {
		err = s.run(ctx, "readversioned", fk, func(ctx context.Context) error {
			return s.readVersionedPostgres(ctx, frameID, &snap)
		})
	}
	if err != nil {
		return contextstore.Snapshot{}, err
	}
	slices.SortFunc(snap.Entries, func(a, b contextstore.Entry) int { return keys.Compare(a.Key, b.Key) })
	return snap, nil
}

// FrameStates implements contextstore.StateReader: one indexed query per
// frame, outside any transaction and without a lock (on SQLite the
// statement prepared once for every state read).
func (s *Store) FrameStates(ctx context.Context, frameIDs []string) ([]contextstore.FrameState, error) {
	for _, id := range frameIDs {
		if err := keys.Frame(id).Validate(); err != nil {
			return nil, err
		}
	}
	out := make([]contextstore.FrameState, len(frameIDs))
	err := s.run(ctx, "framestates", keys.Key{}, func(ctx context.Context) error {
		for i, id := range frameIDs {
			var v, e int64
			err := s.queryRow(ctx, s.prepared.frameState, s.stmts.readState, []byte(id)).Scan(&v, &e)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			out[i] = contextstore.FrameState{Version: uint64(v), Epoch: uint64(e)}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// readVersionedPostgres reads state and entries in one statement, so from
// one snapshot, in one round trip.
func (s *Store) readVersionedPostgres(ctx context.Context, frameID string, snap *contextstore.Snapshot) error {
	rows, err := s.db.QueryContext(ctx, s.stmts.readVersioned, []byte(frameID))
	if err != nil {
		return err
	}
	snap.State, snap.Entries = contextstore.FrameState{}, snap.Entries[:0]
	var (
		kind           int
		local, raw     sql.RawBytes
		version, epoch int64
	)
	return eachRow(rows, []any{&kind, &local, &raw, &version, &epoch}, func() (err error) {
		if kind == 0 {
			snap.State = contextstore.FrameState{Version: uint64(version), Epoch: uint64(epoch)}
			return nil
		}
		snap.Entries, err = appendEntry(snap.Entries, frameID, local, raw)
		return err
	})
}

// readVersionedSQLite reads state and entries with the prepared statements
// inside one read transaction, which WAL mode makes one snapshot.
func (s *Store) readVersionedSQLite(ctx context.Context, frameID string, snap *contextstore.Snapshot) error {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true}) // DEFERRED: no write lock
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	var v, e int64
	err = tx.StmtContext(ctx, s.prepared.frameState).QueryRowContext(ctx, []byte(frameID)).Scan(&v, &e)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	snap.State = contextstore.FrameState{Version: uint64(v), Epoch: uint64(e)}
	rows, err := tx.StmtContext(ctx, s.prepared.readFrame).QueryContext(ctx, []byte(frameID))
	if err != nil {
		return err
	}
	if snap.Entries, err = scanEntries(rows, frameID, snap.Entries[:0]); err != nil {
		return err
	}
	return tx.Commit()
}

// scanEntries reads rows of (entry_key, entry_value) of frameID into dst,
// and closes rows.
func scanEntries(rows *sql.Rows, frameID string, dst []contextstore.Entry) ([]contextstore.Entry, error) {
	var local, raw sql.RawBytes
	err := eachRow(rows, []any{&local, &raw}, func() (err error) {
		dst, err = appendEntry(dst, frameID, local, raw)
		return err
	})
	return dst, err
}

// appendEntry decodes one row of frameID onto dst.
func appendEntry(dst []contextstore.Entry, frameID string, local, raw []byte) ([]contextstore.Entry, error) {
	k, err := decodeKey(frameID, local)
	if err != nil {
		return nil, err
	}
	v, err := decodeValue(raw)
	if err != nil {
		return nil, err
	}
	return append(dst, contextstore.Entry{Key: k, Value: v}), nil
}

// ApplyIf implements contextstore.Versioner: the guards are checked and the
// batch written in one transaction, with the frames' rows locked (PostgreSQL)
// or the database's write lock held (SQLite) from the check to the commit.
func (s *Store) ApplyIf(ctx context.Context, guards []contextstore.Guard, ms []contextstore.Mutation) ([]contextstore.FrameState, error) {
	if err := contextstore.ValidateGuards(guards); err != nil {
		return nil, err
	}
	return s.commit(ctx, "applyif", keys.Key{}, guards, ms)
}

// commit is every write of the store: validate, then in one transaction lock
// the frames involved, check the guards, advance the frames' versions,
// resolve merges against the values now stored and write. It returns the
// state of each guarded frame afterwards.
func (s *Store) commit(ctx context.Context, op string, k keys.Key, guards []contextstore.Guard, ms []contextstore.Mutation) ([]contextstore.FrameState, error) {
	normalized, err := contextstore.ValidateBatch(ms)
	if err != nil {
		return nil, contextstore.NewError(op, s.backend, k, contextstore.BatchErrorKind(err), err)
	}
	folded := contextstore.FoldBatch(normalized)
	if s.dialect == Postgres && len(guards) == 0 && len(folded) == 1 && !folded[0].Merge {
		// One unguarded key: one statement, one round trip.
		return nil, s.writeOne(ctx, op, k, folded[0])
	}
	return s.commitFolded(ctx, op, k, guards, folded, nil)
}

// commitFolded runs commitTx for a checked and folded batch (and a remap,
// when job is not nil), turning a failed guard into a conflict error.
func (s *Store) commitFolded(ctx context.Context, op string, k keys.Key, guards []contextstore.Guard, folded []contextstore.Mutation, job *remapJob) ([]contextstore.FrameState, error) {
	frames := framesOf(guards, folded)
	if job != nil && !slices.Contains(frames, job.frameID) {
		frames = append(frames, job.frameID)
		slices.Sort(frames)
	}
	var (
		states []contextstore.FrameState
		failed *errGuard
	)
	err := s.write(ctx, op, k, func(ctx context.Context) error {
		var err error
		states, err = s.commitTx(ctx, guards, folded, frames, job)
		errors.As(err, &failed)
		return err
	})
	if failed != nil {
		return nil, contextstore.Conflict(op, s.backend, failed.guard, failed.got)
	}
	if err != nil {
		return nil, err
	}
	return states, nil
}

// writeOne writes one key and advances its frame's version in one
// PostgreSQL statement.
func (s *Store) writeOne(ctx context.Context, op string, k keys.Key, m contextstore.Mutation) error {
	frame, local := keyBytes(m.Key)
	now := time.Now().UnixMicro()
	return s.write(ctx, op, k, func(ctx context.Context) error {
		if m.Delete {
			_, err := s.db.ExecContext(ctx, s.stmts.delBumped, frame, local, now)
			return err
		}
		_, err := s.db.ExecContext(ctx, s.stmts.setBumped, frame, local, string(contextstore.AppendNormalized(nil, m.Value)), now, rowBound(m.Key))
		return err
	})
}

// framesOf returns the frames a batch writes or guards, sorted, so that
// every transaction locks them in one order and none deadlock.
func framesOf(guards []contextstore.Guard, ms []contextstore.Mutation) []string {
	seen := make(map[string]bool, 1)
	var out []string
	add := func(id string) {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	for _, g := range guards {
		add(g.FrameID)
	}
	for _, m := range ms {
		add(m.Key.FrameID())
	}
	slices.Sort(out)
	return out
}

// errGuard carries a failed guard out of the transaction, which then rolls
// back; commit turns it into a conflict error, which is never retried.
type errGuard struct {
	guard contextstore.Guard
	got   contextstore.FrameState
}

func (e *errGuard) Error() string { return "sqlstore: guard failed" }

// commitTx is commit's transaction; remap, when not nil, re-keys its frame
// after the batch, before the commit.
func (s *Store) commitTx(ctx context.Context, guards []contextstore.Guard, ms []contextstore.Mutation, frames []string, remap *remapJob) (_ []contextstore.FrameState, err error) {
	tx, err := s.db.BeginTx(ctx, nil) // BEGIN IMMEDIATE for SQLite, by the DSN's _txlock
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }() // a no-op after Commit

	written, relayout := contextstore.WrittenFrames(guards, ms)
	if remap != nil {
		written[remap.frameID] = true
	}

	// Read (and on PostgreSQL lock) the state of every guarded frame.
	state := make(map[string]contextstore.FrameState, len(frames))
	if len(guards) > 0 {
		for _, id := range frames {
			if s.stmts.ensureFrame != "" {
				if _, err := tx.ExecContext(ctx, s.stmts.ensureFrame, []byte(id)); err != nil {
					return nil, err
				}
			}
			var v, e int64
			st, err := s.txStmt(ctx, tx, s.stmts.frameState)
			if err != nil {
				return nil, err
			}
			err = st.QueryRowContext(ctx, []byte(id)).Scan(&v, &e)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return nil, err
			}
			state[id] = contextstore.FrameState{Version: uint64(v), Epoch: uint64(e)}
		}
		if g, got, failed := contextstore.FailedGuard(guards, func(id string) contextstore.FrameState { return state[id] }); failed {
			return nil, &errGuard{guard: g, got: got}
		}
	}

	// Advance the versions first: on PostgreSQL the upsert locks the
	// frame's row, so every writer of a frame waits here, before it reads
	// the values its merges patch.
	now := time.Now().UnixMicro()
	bounds := rowBounds(ms)
	for _, id := range frames {
		if !written[id] {
			continue
		}
		var v, e int64
		st, err := s.txStmt(ctx, tx, s.stmts.bump)
		if err != nil {
			return nil, err
		}
		if err := st.QueryRowContext(ctx, []byte(id), now, relayout[id], bounds[id]).Scan(&v, &e); err != nil {
			return nil, err
		}
		state[id] = contextstore.FrameState{Version: uint64(v), Epoch: uint64(e)}
	}

	puts, dels, err := s.resolve(ctx, tx, ms)
	if err != nil {
		return nil, err
	}
	if s.dialect == SQLite {
		err = s.writeSQLite(ctx, tx, puts, dels)
	} else {
		err = s.writePostgres(ctx, tx, puts, dels)
	}
	if err != nil {
		return nil, err
	}
	if remap != nil {
		if err := s.remapTx(ctx, tx, remap); err != nil {
			return nil, err
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	out := make([]contextstore.FrameState, len(guards))
	for i, g := range guards {
		out[i] = state[g.FrameID]
	}
	return out, nil
}

// rowBounds returns, for each frame ms writes a row or cell entry of, the
// row bound that write needs (see schemaVersion): one past its last row.
// Deletes leave a bound as it is; it is an upper bound.
func rowBounds(ms []contextstore.Mutation) map[string]int64 {
	bounds := make(map[string]int64, 1)
	for _, m := range ms {
		if b := rowBound(m.Key); !m.Delete && b > bounds[m.Key.FrameID()] {
			bounds[m.Key.FrameID()] = b
		}
	}
	return bounds
}

// rowBound is the row bound a write of k needs: one past its row, for a
// row or cell key.
func rowBound(k keys.Key) int64 {
	if !k.HasRow() {
		return 0
	}
	return int64(k.RowIndex()) + 1
}

// resolve turns a folded batch into rows to upsert and delete, reading the
// value each merge patches inside the transaction.
func (s *Store) resolve(ctx context.Context, tx *sql.Tx, ms []contextstore.Mutation) (puts, dels []row, err error) {
	buf := make([]byte, 0, 64)
	var frameID string
	var frame []byte // shared by consecutive rows of one frame, the usual batch
	for _, m := range ms {
		if frame == nil || m.Key.FrameID() != frameID {
			frameID, frame = m.Key.FrameID(), []byte(m.Key.FrameID())
		}
		local := []byte(m.Key.Local())
		if m.Delete {
			dels = append(dels, row{frame: frame, local: local})
			continue
		}
		v := m.Value
		if m.Merge {
			var raw []byte
			var cur contextstore.Value
			st, err := s.txStmt(ctx, tx, s.stmts.getInTx)
			if err != nil {
				return nil, nil, err
			}
			err = st.QueryRowContext(ctx, frame, local).Scan(&raw)
			switch {
			case errors.Is(err, sql.ErrNoRows):
			case err != nil:
				return nil, nil, err
			default:
				if cur, err = decodeValue(raw); err != nil {
					return nil, nil, err
				}
			}
			v = contextstore.MergePatch(cur, m.Value)
		}
		buf = contextstore.AppendNormalized(buf[:0], v)
		puts = append(puts, row{frame: frame, local: local, value: string(buf)})
	}
	return puts, dels, nil
}

// txQuerier is what a statement used inside a transaction offers.
type txQuerier interface {
	QueryRowContext(ctx context.Context, args ...any) *sql.Row
	ExecContext(ctx context.Context, args ...any) (sql.Result, error)
}

// txStmt returns query for use in tx: on SQLite a statement prepared once
// for the store (database/sql then prepares it once per connection and
// reuses it), on PostgreSQL the query for tx to send (pgx caches its
// statements itself).
func (s *Store) txStmt(ctx context.Context, tx *sql.Tx, query string) (txQuerier, error) {
	if s.dialect != SQLite {
		return txQuery{tx: tx, query: query}, nil
	}
	s.writeStmts.Lock()
	st, ok := s.writeStmts.m[query]
	if !ok {
		var err error
		if st, err = s.db.PrepareContext(ctx, query); err != nil {
			s.writeStmts.Unlock()
			return nil, err
		}
		if s.writeStmts.m == nil {
			s.writeStmts.m = make(map[string]*sql.Stmt)
		}
		s.writeStmts.m[query] = st
	}
	s.writeStmts.Unlock()
	return tx.StmtContext(ctx, st), nil
}

type txQuery struct {
	tx    *sql.Tx
	query string
}

func (q txQuery) QueryRowContext(ctx context.Context, args ...any) *sql.Row {
	return q.tx.QueryRowContext(ctx, q.query, args...)
}

func (q txQuery) ExecContext(ctx context.Context, args ...any) (sql.Result, error) {
	return q.tx.ExecContext(ctx, q.query, args...)
}

// closeWriteStmts closes the statements txStmt prepared.
func (s *Store) closeWriteStmts() {
	s.writeStmts.Lock()
	defer s.writeStmts.Unlock()
	for _, st := range s.writeStmts.m {
		_ = st.Close()
	}
	s.writeStmts.m = nil
}
