package gotaarrow

import (
	"context"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/go-gota/gota/dataframe"

	ctxarrow "github.com/ctxframe/ctxframe/adapters/arrow"
	"github.com/ctxframe/ctxframe/adapters/framectx"
	ctxgota "github.com/ctxframe/ctxframe/adapters/gota"
	"github.com/ctxframe/ctxframe/adapters/internal/gotaconv"
	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// ToArrow converts the DataFrame of f into an Arrow record in f's store,
// allocated with opts.Allocator. With frameID "" or f's own frame ID, the
// Record is bound to the same frame ID and adopts its context as it is
// (nothing is written): the Frame and the Record then share one frame's
// context, so keep using only one of them. With another frameID, f's
// context is copied there in one atomic write (replacing any context
// frameID held), with lineage naming f's frame and the operation
// "from_gota"; f is left unchanged. opts (may be nil) are the Record's
// options; nil means f's policy and namespace. The caller releases the
// Record.
func ToArrow(ctx context.Context, f *ctxgota.Frame, frameID string, opts *ctxarrow.Options) (*ctxarrow.Record, error) {
	const op = "from_gota"
	if f == nil {
		return nil, opError(op, frameID, ctxarrow.ErrInvalidArgument, errNilData)
	}
	if frameID == "" {
		frameID = f.FrameID()
	}
	df := f.DataFrame()
	if df.Err != nil {
		return nil, opError(op, f.FrameID(), ctxarrow.ErrInvalidArgument, df.Err)
	}
	if err := keys.Frame(frameID).Validate(); err != nil {
		return nil, err
	}
	o := ctxarrow.Options{Policy: f.Binding().Policy(), Namespace: f.Binding().Namespace()}
	if opts != nil {
		o = *opts
	}
	mem := o.Allocator
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	rec, err := gotaconv.Record(mem, df)
	if err != nil {
		return nil, opError(op, f.FrameID(), kindOf(err), err)
	}
	defer rec.Release()
	if err := copyContext(ctx, f.Binding(), f.Shape(), frameID, op); err != nil {
		return nil, err
	}
	r, err := ctxarrow.NewRecord(ctx, f.Store(), frameID, rec, &o)
	if err != nil {
		dropCopied(ctx, f.Store(), f.FrameID(), frameID)
		return nil, err
	}
	return r, nil
}

// ToGota converts an Arrow Record or Table into a gota DataFrame bound in
// the same store, with frameID as ToArrow describes: "" or the frame's own
// frame ID shares its context (keep using only one of the two), another
// frame ID gets a copy with lineage and operation "to_gota". A Table's
// chunks are read in place into one series per column. opts (may be nil)
// are the gota Frame's options; nil means the source's policy and
// namespace.
func ToGota(ctx context.Context, src ctxarrow.Frame, frameID string, opts *framectx.Options) (*ctxgota.Frame, error) {
	const op = "to_gota"
	var (
		df  dataframe.DataFrame
		err error
	)
	switch s := src.(type) {
	case *ctxarrow.Record:
		if s == nil || s.Arrow() == nil {
			return nil, opError(op, "", ctxarrow.ErrReleased, nil)
		}
		df, err = gotaconv.RecordDataFrame(s.Arrow())
	case *ctxarrow.Table:
		if s == nil || s.Arrow() == nil {
			return nil, opError(op, "", ctxarrow.ErrReleased, nil)
		}
		df, err = gotaconv.TableDataFrame(s.Arrow())
	default:
		return nil, opError(op, frameID, ctxarrow.ErrInvalidArgument, errNilData)
	}
	bind := src.Binding()
	if err != nil {
		return nil, opError(op, bind.FrameID(), kindOf(err), err)
	}
	if frameID == "" {
		frameID = bind.FrameID()
	}
	if err := keys.Frame(frameID).Validate(); err != nil {
		return nil, err
	}
	o := framectx.Options{Policy: bind.Policy(), Namespace: bind.Namespace()}
	if opts != nil {
		o = *opts
	}
	if err := copyContext(ctx, bind, src.Shape(), frameID, op); err != nil {
		return nil, err
	}
	g, err := ctxgota.New(ctx, bind.Store(), frameID, df, &o)
	if err != nil {
		dropCopied(ctx, bind.Store(), bind.FrameID(), frameID)
		return nil, err
	}
	return g, nil
}

// copyContext copies the context of b's frame, of the given shape, to
// frameID in one atomic write, recording lineage for operation op. Under
// b's own frame ID there is nothing to copy.
func copyContext(ctx context.Context, b *framectx.Binding, shape framectx.Shape, frameID, op string) error {
	if frameID == b.FrameID() {
		return nil
	}
	in := framectx.Input{FrameID: b.FrameID(), Shape: shape}
	ch, err := framectx.RowsChange(in, frameID, framectx.SameRows(shape.Rows), op, "")
	if err != nil {
		return err
	}
	_, err = b.Propagate(ctx, ch)
	return err
}

// dropCopied undoes copyContext when binding the converted frame failed
// afterwards, so no orphaned context is left behind. It is best effort: the
// error that made it necessary is the one reported.
func dropCopied(ctx context.Context, store contextstore.Store, from, to string) {
	if to != from {
		_ = contextstore.DropFrame(context.WithoutCancel(ctx), store, to)
	}
}
