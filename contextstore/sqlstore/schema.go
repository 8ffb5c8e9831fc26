package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/ctxframe/ctxframe/keys"
)

// errSchema marks a table this code cannot use: written by a newer version
// of the store, or with a version record that makes no sense. It is
// reported with kind contextstore.ErrConfig.
var errSchema = errors.New("sqlstore: unusable table schema")

// ensureSchema creates the meta table and the context table when they are
// missing and checks the version of an existing context table, all in one
// write transaction, so processes opening the same database at once agree.
func (s *Store) ensureSchema(ctx context.Context) error {
	return s.write(ctx, "open", keys.Key{}, func(ctx context.Context) error {
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer func() { _ = tx.Rollback() }()
		if s.stmts.lockSchema != "" {
			if _, err := tx.ExecContext(ctx, s.stmts.lockSchema); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, s.stmts.createMeta); err != nil {
			return err
		}
		var version int64
		err = tx.QueryRowContext(ctx, s.stmts.readVersion, s.opts.Table).Scan(&version)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if err := s.createTables(ctx, tx); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, s.stmts.addVersion, s.opts.Table, schemaVersion); err != nil {
				return err
			}
		case err != nil:
			return err
		case version == 1 || version == 2:
			// Version 1 had no frames table: its frames start at the zero
			// state, which every write then advances. Version 2 had no row
			// bounds: they are computed from the entries, once.
			if err := s.migrate(ctx, tx, int(version)); err != nil {
				return err
			}
		case version == schemaVersion:
			// The record may outlive its table (dropped by hand, not with
			// DropTable): make the table again rather than fail on every call.
			if err := s.createTables(ctx, tx); err != nil {
				return err
			}
		case version > schemaVersion:
			return fmt.Errorf("%w: table %q has schema version %d, newer than the %d this ctxframe knows: upgrade ctxframe",
				errSchema, s.opts.Table, version, schemaVersion)
		case version < 1:
			return fmt.Errorf("%w: table %q has schema version %d in %s", errSchema, s.opts.Table, version, metaTable)
		}
		return tx.Commit()
	})
}

// DropTable deletes the store's table, with all its context, and its
// version record, in one transaction, then closes the store. Tests and
// tools use it to leave nothing behind; other stores on the same table fail
// afterwards until one is opened again, which creates it anew.
func (s *Store) DropTable(ctx context.Context) error {
	err := s.write(ctx, "droptable", keys.Key{}, func(ctx context.Context) error {
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer func() { _ = tx.Rollback() }()
		if s.stmts.lockSchema != "" {
			if _, err := tx.ExecContext(ctx, s.stmts.lockSchema); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, s.stmts.dropTable); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.stmts.dropFrames); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.stmts.forgetVersion, s.opts.Table); err != nil {
			return err
		}
		return tx.Commit()
	})
	if err != nil {
		return err
	}
	return s.Close()
}

// migrate brings a table of schema version 1 or 2 to the current one, in
// the transaction that checked its version: the frames table (version 1),
// its row bounds computed from the entries, and a frames row at the zero
// state for every frame that has entries but none yet, so that no frame's
// bound is missing.
func (s *Store) migrate(ctx context.Context, tx *sql.Tx, from int) error {
	steps := []string{s.stmts.addRowBound}
	if from == 1 {
		steps = nil // createTables makes the frames table with its bounds
	}
	steps = append(steps, s.stmts.fillRowBounds, s.stmts.addMissingFrames)
	if err := s.createTables(ctx, tx); err != nil {
		return err
	}
	for _, q := range steps {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, s.stmts.setVersion, schemaVersion, s.opts.Table)
	return err
}

// createTables creates the context table, its frames table and the index
// of marked rows (subset.go) when missing. The index changes nothing an older
// ctxframe reads or writes, so adding them to a table of this schema
// version (on open) needs no new version.
func (s *Store) createTables(ctx context.Context, tx *sql.Tx) error {
	for _, q := range []string{s.stmts.createTable, s.stmts.createFrames, s.stmts.createMarkIndex} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}
