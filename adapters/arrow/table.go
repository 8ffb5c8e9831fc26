package arrow

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/adapters/lineage"
	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// Table is an arrow.Table (columns of chunks, e.g. several records of one
// schema) bound to a frame ID in a context store. Rows are numbered from 0
// across the whole table, whatever the chunking, so row 0 of the second
// record of 10 rows is row 10. Everything else is as for Record: context by
// reference, Apply in place, Derive into a new frame ID.
//
// A Table owns one reference to its arrow.Table and releases it in Release
// (or when an in-place operation replaces it). It is not safe for
// concurrent use; its store is.
type Table struct {
	f *frame
}

var _ Frame = (*Table)(nil)

// NewTable binds tbl to frameID in store. The Table retains tbl: the caller
// keeps its own reference and releases it as usual, and calls Release on
// the Table when done with it. Schemas and existing context are checked as
// by NewRecord.
func NewTable(ctx context.Context, store contextstore.Store, frameID string, tbl arrow.Table, opts *Options) (*Table, error) {
	if isNil(tbl) {
		return nil, opError("new", frameID, ErrInvalidArgument, errNilData)
	}
	tbl.Retain()
	f, err := newFrame(ctx, "new", store, frameID, tableBody{tbl: tbl, mem: optsAllocator(opts)}, opts)
	if err != nil {
		return nil, err
	}
	return &Table{f: f}, nil
}

// NewTableFromRecords binds the table made of recs, in order, to frameID
// in store; the table shares the records' buffers. The records must have
// the same column names and types in the same order (ErrInvalidArgument
// otherwise, where arrow-go would panic); the first record's schema, with
// its metadata, is the table's. There must be at least one record.
func NewTableFromRecords(ctx context.Context, store contextstore.Store, frameID string, recs []arrow.Record, opts *Options) (*Table, error) {
	if len(recs) == 0 {
		return nil, opError("new", frameID, ErrInvalidArgument, fmt.Errorf("no records: a table needs at least one for its schema"))
	}
	for i, rec := range recs {
		if isNil(rec) {
			return nil, opError("new", frameID, ErrInvalidArgument, fmt.Errorf("record %d: %w", i, errNilData))
		}
		if err := columnsLineUp(recs[0].Schema(), rec.Schema()); err != nil {
			return nil, opError("new", frameID, ErrInvalidArgument, fmt.Errorf("record %d: %w", i, err))
		}
	}
	tbl := array.NewTableFromRecords(recs[0].Schema(), recs)
	f, err := newFrame(ctx, "new", store, frameID, tableBody{tbl: tbl, mem: optsAllocator(opts)}, opts)
	if err != nil {
		return nil, err
	}
	return &Table{f: f}, nil
}

// Arrow returns the current arrow.Table, borrowed: it stays valid until the
// next in-place operation or Release. Retain it to keep it longer. nil after
// Release.
func (t *Table) Arrow() arrow.Table {
	if t == nil || t.f == nil {
		return nil
	}
	if b, ok := t.f.data.(tableBody); ok {
		return b.tbl
	}
	return nil
}

// Release releases the Table's reference to its arrow.Table. Context in the
// store is kept (see DropContext). Later calls on the Table return
// ErrReleased; releasing twice does nothing.
func (t *Table) Release() { t.f.release() }

// FrameID returns the frame ID the context is stored under.
func (t *Table) FrameID() string { return t.f.bind.FrameID() }

// Store returns the context store.
func (t *Table) Store() contextstore.Store { return t.f.bind.Store() }

// Binding returns the framectx binding, for tools that work on any adapter.
func (t *Table) Binding() *framectx.Binding { return t.f.bind }

// Shape returns the table's column names and row count now (empty after
// Release).
func (t *Table) Shape() framectx.Shape { return t.f.shape() }

// Set replaces the context at ref. An unknown column or a row out of range
// is a *keys.KeyError of kind keys.ErrNotInFrame, and nothing is written.
func (t *Table) Set(ctx context.Context, ref framectx.Ref, v contextstore.Value) error {
	return t.f.set(ctx, ref, v)
}

// Merge patches the context at ref: fields of patch replace fields of the
// same name, a nil field value deletes that field, other fields are kept.
func (t *Table) Merge(ctx context.Context, ref framectx.Ref, patch contextstore.Value) error {
	return t.f.merge(ctx, ref, patch)
}

// Get returns the context at ref, or an error matching
// contextstore.ErrNotFound when there is none.
func (t *Table) Get(ctx context.Context, ref framectx.Ref) (contextstore.Value, error) {
	return t.f.get(ctx, ref)
}

// Delete removes the context at ref; removing absent context is not an
// error.
func (t *Table) Delete(ctx context.Context, ref framectx.Ref) error {
	return t.f.del(ctx, ref)
}

// List returns the frame's context as people wrote it, sorted by key
// (frame, columns, rows, cells): without the lineage ctxframe records in
// reserved fields, and without entries that held only lineage. ListAll
// returns everything.
func (t *Table) List(ctx context.Context) ([]contextstore.Entry, error) {
	return t.f.bind.UserEntries(ctx)
}

// ListAll returns every context entry of the frame as stored, lineage
// included, sorted by key.
func (t *Table) ListAll(ctx context.Context) ([]contextstore.Entry, error) {
	return t.f.bind.Entries(ctx)
}

// Lineage exports the frame's column lineage as an OpenLineage
// ColumnLineageDatasetFacet; producer "" means lineage.DefaultProducer.
func (t *Table) Lineage(ctx context.Context, producer string) (*lineage.Facet, error) {
	return t.f.bind.Lineage(ctx, producer)
}

// DropContext removes every context entry of the frame in one atomic call.
// The data is kept.
func (t *Table) DropContext(ctx context.Context) error {
	return t.f.bind.Drop(ctx)
}

// Apply runs op on the table and updates its context to match, in place,
// as Record.Apply does; on error the table and its context are left as
// they were.
func (t *Table) Apply(ctx context.Context, op Op) (Report, error) {
	_, rep, err := runOp(ctx, t.f, "", op)
	return rep, err
}

// Derive runs op on the table and returns the result as a new Table under
// frameID, as Record.Derive does; t and the other inputs are left
// unchanged. The caller releases the new Table.
func (t *Table) Derive(ctx context.Context, frameID string, op Op) (*Table, Report, error) {
	if err := keys.Frame(frameID).Validate(); err != nil {
		return nil, Report{Op: op.name}, err
	}
	if frameID == t.FrameID() {
		return nil, Report{Op: op.name}, opError(op.name, frameID, ErrInvalidArgument, errDeriveSelf)
	}
	f, rep, err := runOp(ctx, t.f, frameID, op)
	if err != nil {
		return nil, rep, err
	}
	return &Table{f: f}, rep, nil
}

func (t *Table) core() *frame {
	if t == nil {
		return nil
	}
	return t.f
}

// Epoch returns the layout epoch of the data: it changes with every in-place
// operation that moves or removes rows or columns. Positional writes
// (column, row, cell) are applied only while the store is at this epoch;
// after another process changed the layout they fail with
// framectx.ErrStale (see Rebind).
func (t *Table) Epoch() uint64 { return t.f.bind.Epoch() }

// Rebind replaces the data with tbl (retained; the caller keeps its own
// reference) and adopts the context stored for the frame now, with its
// layout epoch: the way back after framectx.ErrStale, with data the caller
// knows to be the frame's data as it is now. Context that does not fit is
// refused as in NewTable, leaving everything as it was.
func (t *Table) Rebind(ctx context.Context, tbl arrow.Table) error {
	return t.rebind(ctx, tbl, nil)
}

// RebindAt is Rebind for data known to be the frame's data at layout epoch
// epoch: if the store is at another epoch it fails with a
// *framectx.StaleError and nothing changes.
func (t *Table) RebindAt(ctx context.Context, tbl arrow.Table, epoch uint64) error {
	return t.rebind(ctx, tbl, &epoch)
}

func (t *Table) rebind(ctx context.Context, tbl arrow.Table, epoch *uint64) error {
	if isNil(tbl) {
		return opError("rebind", t.FrameID(), ErrInvalidArgument, errNilData)
	}
	if err := t.f.live("rebind"); err != nil {
		return err
	}
	tbl.Retain()
	return t.f.rebind(ctx, tableBody{tbl: tbl, mem: t.f.mem}, epoch)
}
