package arrow

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

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
	frameContext
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
	return &Table{newFrameContext(f)}, nil
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
	return &Table{newFrameContext(f)}, nil
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
	return &Table{newFrameContext(f)}, rep, nil
}

func (t *Table) core() *boundData {
	if t == nil {
		return nil
	}
	return t.f
}

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
