package arrow

import (
	"context"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// Record is an arrow.Record bound to a frame ID in a context store: the data
// and its context, kept consistent. Read and write context by frame-relative
// reference (framectx.FrameRef, ColumnRef, RowRef, CellRef); change data and
// context together with Apply (in place) or Derive (into a new frame ID).
// Rows are numbered from 0 in the record; columns are named by their field
// names.
//
// A Record owns one reference to its arrow.Record and releases it in
// Release (or when an in-place operation replaces it). It is not safe for
// concurrent use; its store is, and several Records may share one store.
type Record struct {
	frameContext
}

var _ Frame = (*Record)(nil)

// NewRecord binds rec to frameID in store. The Record retains rec: the
// caller keeps its own reference and releases it as usual, and calls
// Release on the Record when done with it. opts (may be nil) sets the
// allocator, the default merge policy and the lineage namespace.
//
// A schema whose field names are not unique or not UTF-8 is refused
// (ErrInvalidArgument): context is kept by column name. Context already
// stored under frameID is adopted after checking that it fits rec (no
// column rec lacks, no row past its end); context that does not fit is a
// *keys.KeyError of kind keys.ErrNotInFrame, so a stale frame ID is noticed
// instead of silently mislabelling data.
func NewRecord(ctx context.Context, store contextstore.Store, frameID string, rec arrow.Record, opts *Options) (*Record, error) {
	if isNil(rec) {
		return nil, opError("new", frameID, ErrInvalidArgument, errNilData)
	}
	rec.Retain()
	f, err := newFrame(ctx, "new", store, frameID, recordBody{rec: rec, mem: optsAllocator(opts)}, opts)
	if err != nil {
		return nil, err
	}
	return &Record{newFrameContext(f)}, nil
}

// Arrow returns the current arrow.Record, borrowed: it stays valid until the
// next in-place operation or Release. Retain it to keep it longer. nil after
// Release.
func (r *Record) Arrow() arrow.Record {
	if r == nil || r.f == nil {
		return nil
	}
	if b, ok := r.f.data.(recordBody); ok {
		return b.rec
	}
	return nil
}

// Apply runs op on the record and updates its context to match, in place:
// only the entries the operation changes are rewritten, in one atomic
// batch, and the Record then holds the new arrow.Record (the old one is
// released). If op is refused (ErrInvalidArgument), arrow-go fails
// (ErrArrow), a merge policy refuses to combine context
// (framectx.ErrMergeConflict) or the store fails, the record and its context
// are left as they were.
func (r *Record) Apply(ctx context.Context, op Op) (Report, error) {
	_, rep, err := runOp(ctx, r.f, "", op)
	return rep, err
}

// Derive runs op on the record and returns the result as a new Record under
// frameID, in the same store with the same options: the surviving context
// is copied there (replacing any context frameID held), every column
// records its lineage and the frame records the frames it was derived
// from. r and the other inputs are left unchanged. The caller releases the
// new Record. Errors are those of Apply; on error nothing is written.
func (r *Record) Derive(ctx context.Context, frameID string, op Op) (*Record, Report, error) {
	if err := keys.Frame(frameID).Validate(); err != nil {
		return nil, Report{Op: op.name}, err
	}
	if frameID == r.FrameID() {
		return nil, Report{Op: op.name}, opError(op.name, frameID, ErrInvalidArgument, errDeriveSelf)
	}
	f, rep, err := runOp(ctx, r.f, frameID, op)
	if err != nil {
		return nil, rep, err
	}
	return &Record{newFrameContext(f)}, rep, nil
}

func (r *Record) core() *boundData {
	if r == nil {
		return nil
	}
	return r.f
}

// Rebind replaces the data with rec (retained; the caller keeps its own
// reference) and adopts the context stored for the frame now, with its
// layout epoch: the way back after framectx.ErrStale, with data the caller
// knows to be the frame's data as it is now. Context that does not fit is
// refused as in NewRecord, leaving everything as it was.
func (r *Record) Rebind(ctx context.Context, rec arrow.Record) error {
	return r.rebind(ctx, rec, nil)
}

// RebindAt is Rebind for data known to be the frame's data at layout epoch
// epoch: if the store is at another epoch it fails with a
// *framectx.StaleError and nothing changes.
func (r *Record) RebindAt(ctx context.Context, rec arrow.Record, epoch uint64) error {
	return r.rebind(ctx, rec, &epoch)
}

func (r *Record) rebind(ctx context.Context, rec arrow.Record, epoch *uint64) error {
	if isNil(rec) {
		return opError("rebind", r.FrameID(), ErrInvalidArgument, errNilData)
	}
	if err := r.f.live("rebind"); err != nil {
		return err
	}
	rec.Retain()
	return r.f.rebind(ctx, recordBody{rec: rec, mem: r.f.mem}, epoch)
}
