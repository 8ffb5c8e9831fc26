package gota

import (
	"context"
	"strconv"

	"github.com/go-gota/gota/dataframe"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/contextstore"
)

// Frame is a gota DataFrame bound to a frame ID in a context store: the
// data and its context, kept consistent. Read and write context by
// frame-relative reference (framectx.FrameRef, ColumnRef, RowRef, CellRef);
// change data and context together with Apply (in place) or Derive (as a new
// frame ID).
//
// A Frame is a value holder like the DataFrame it wraps: it is not safe for
// concurrent use, but its store is, and several Frames may share one store.
//
// The context methods (Set, Merge, Get, Delete, List, ListAll, Lineage,
// DropContext, FrameID, Store, Binding, Epoch) are framectx.Accessor's, the same on every
// adapter, at refs checked against the DataFrame's shape now.
type Frame struct {
	framectx.Accessor
	df dataframe.DataFrame
	b  *framectx.Binding
}

// newFrame returns the Frame of df bound by b.
func newFrame(df dataframe.DataFrame, b *framectx.Binding) *Frame {
	f := &Frame{df: df, b: b}
	f.Accessor = framectx.NewAccessor(b, func(string) (framectx.Shape, error) { return f.Shape(), nil })
	return f
}

// New binds df to frameID in store. opts (may be nil) sets the default merge
// policy of operations that combine frames and the lineage namespace.
//
// df's own Err is returned as an ErrGota error. A frame whose column names
// are not unique is refused (ErrInvalidArgument): context is kept by column
// name. Context already stored under frameID is adopted, after checking it
// fits df (no column df lacks, no row past its end); context that does not
// fit is a *keys.KeyError of kind keys.ErrNotInFrame, so a stale frame ID is
// noticed instead of silently mislabelling data.
func New(ctx context.Context, store contextstore.Store, frameID string, df dataframe.DataFrame, opts *framectx.Options) (*Frame, error) {
	if df.Err != nil {
		return nil, gotaError("new", frameID, df.Err)
	}
	if err := uniqueNames("new", frameID, df.Names()); err != nil {
		return nil, err
	}
	b, err := framectx.Bind(store, frameID, opts)
	if err != nil {
		return nil, err
	}
	f := newFrame(df, b)
	if _, err := b.Adopt(ctx, f.Shape()); err != nil {
		return nil, err
	}
	return f, nil
}

// Rebind replaces f's data with df and adopts the context stored for the
// frame now, with its layout epoch: the way back after a *framectx.StaleError,
// when another process changed the frame's layout and df is the data as it
// is now (re-read from that process's output). Context that does not fit df
// is refused as in New, and f is left as it was. The caller vouches that df
// matches the stored context; RebindAt checks the epoch too.
func (f *Frame) Rebind(ctx context.Context, df dataframe.DataFrame) error {
	return f.rebind(ctx, df, func(shape framectx.Shape) error {
		_, err := f.b.Adopt(ctx, shape)
		return err
	})
}

// RebindAt is Rebind for data known to be the frame's data at layout epoch
// epoch (as the process that changed the layout published it, with
// Frame.Epoch): if the store has moved on, it fails with a
// *framectx.StaleError and f is left as it was.
func (f *Frame) RebindAt(ctx context.Context, df dataframe.DataFrame, epoch uint64) error {
	return f.rebind(ctx, df, func(shape framectx.Shape) error {
		_, err := f.b.AdoptAt(ctx, shape, epoch)
		return err
	})
}

func (f *Frame) rebind(ctx context.Context, df dataframe.DataFrame, adopt func(framectx.Shape) error) error {
	if df.Err != nil {
		return gotaError("rebind", f.FrameID(), df.Err)
	}
	if err := uniqueNames("rebind", f.FrameID(), df.Names()); err != nil {
		return err
	}
	if err := adopt(framectx.Shape{Columns: df.Names(), Rows: df.Nrow()}); err != nil {
		return err
	}
	f.df = df
	return nil
}

func uniqueNames(op, frameID string, names []string) error {
	seen := make(map[string]bool, len(names))
	for _, n := range names {
		if seen[n] {
			return invalidArgument(op, frameID, "duplicate column name "+strconv.Quote(n))
		}
		seen[n] = true
	}
	return nil
}

// DataFrame returns the current data. gota DataFrames are values whose
// methods return new frames, so the caller cannot change the Frame's data
// through it.
func (f *Frame) DataFrame() dataframe.DataFrame { return f.df }

// Shape returns the frame's column names and row count now.
func (f *Frame) Shape() framectx.Shape {
	return framectx.Shape{Columns: f.df.Names(), Rows: f.df.Nrow()}
}
