package arrow

import (
	"context"
	"errors"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/go-gota/gota/dataframe"
	"github.com/go-gota/gota/series"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	ctxgota "github.com/ctxframe/ctxframe/adapters/gota"
	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// Conversion between gota and Arrow keeps every row and column where it is,
// so all context (frame, column, row, cell) carries across unchanged.
//
// Types: gota String, Int, Float and Bool become Arrow utf8, int64, float64
// and bool. Back to gota, utf8 and large_utf8 become String, every integer
// type Int (a uint64 beyond the int64 range is ErrUnsupportedType), float32
// and float64 Float, bool Bool; any other Arrow type is ErrUnsupportedType.
//
// Missing values: a gota NA becomes an Arrow null and an Arrow null a gota
// NA. gota cannot tell NaN from NA (a float NaN and the string "NaN" are NA
// to gota), so an Arrow float NaN or a string "NaN" becomes NA in gota, and
// a null when converted back.

// FromGota converts the DataFrame of f into an Arrow record in f's store,
// allocated with opts.Allocator. With frameID "" or f's own frame ID, the
// Record is bound to the same frame ID and adopts its context as it is
// (nothing is written): the Frame and the Record then share one frame's
// context, so keep using only one of them. With another frameID, f's
// context is copied there in one atomic write (replacing any context
// frameID held), with lineage naming f's frame and the operation
// "from_gota"; f is left unchanged. The caller releases the Record.
func FromGota(ctx context.Context, f *ctxgota.Frame, frameID string, opts *Options) (*Record, error) {
	if f == nil {
		return nil, opError("from_gota", frameID, ErrInvalidArgument, errNilData)
	}
	if frameID == "" {
		frameID = f.FrameID()
	}
	df := f.DataFrame()
	if df.Err != nil {
		return nil, opError("from_gota", f.FrameID(), ErrInvalidArgument, df.Err)
	}
	if err := keys.Frame(frameID).Validate(); err != nil {
		return nil, err
	}
	mem := optsAllocator(opts)
	rec, err := recordFromDataFrame(mem, df)
	if err != nil {
		return nil, opError("from_gota", f.FrameID(), kindOf(err), err)
	}
	defer rec.Release()
	o := Options{Policy: f.Binding().Policy(), Namespace: f.Binding().Namespace()}
	if opts != nil {
		o = *opts
	}
	if frameID != f.FrameID() {
		if err := copyContext(ctx, f.Binding(), f.Shape(), frameID, "from_gota"); err != nil {
			return nil, err
		}
	}
	r, err := NewRecord(ctx, f.Store(), frameID, rec, &o)
	if err != nil {
		dropCopied(ctx, f.Store(), f.FrameID(), frameID)
		return nil, err
	}
	return r, nil
}

// ToGota converts the record into a gota DataFrame bound in the same store,
// with frameID as FromGota describes: "" or the record's own frame ID
// shares its context (keep using only one of the two), another frame ID
// gets a copy with lineage and operation "to_gota". opts (may be nil) are
// the gota Frame's options; nil means the record's policy and namespace.
func (r *Record) ToGota(ctx context.Context, frameID string, opts *framectx.Options) (*ctxgota.Frame, error) {
	return r.f.toGota(ctx, frameID, opts)
}

// ToGota converts the table into a gota DataFrame, as Record.ToGota does;
// the table's chunks are joined into one series per column.
func (t *Table) ToGota(ctx context.Context, frameID string, opts *framectx.Options) (*ctxgota.Frame, error) {
	return t.f.toGota(ctx, frameID, opts)
}

func (f *frame) toGota(ctx context.Context, frameID string, opts *framectx.Options) (*ctxgota.Frame, error) {
	if err := f.live("to_gota"); err != nil {
		return nil, err
	}
	if frameID == "" {
		frameID = f.bind.FrameID()
	}
	if err := keys.Frame(frameID).Validate(); err != nil {
		return nil, err
	}
	df, err := dataFrameOf(f.data)
	if err != nil {
		return nil, opError("to_gota", f.bind.FrameID(), kindOf(err), err)
	}
	o := framectx.Options{Policy: f.bind.Policy(), Namespace: f.bind.Namespace()}
	if opts != nil {
		o = *opts
	}
	if frameID != f.bind.FrameID() {
		if err := copyContext(ctx, f.bind, f.shape(), frameID, "to_gota"); err != nil {
			return nil, err
		}
	}
	g, err := ctxgota.New(ctx, f.bind.Store(), frameID, df, &o)
	if err != nil {
		dropCopied(ctx, f.bind.Store(), f.bind.FrameID(), frameID)
		return nil, err
	}
	return g, nil
}

// copyContext copies the context of b's frame, of the given shape, to
// frameID in one atomic write, recording lineage for operation op.
func copyContext(ctx context.Context, b *framectx.Binding, shape framectx.Shape, frameID, op string) error {
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

// recordFromDataFrame builds the Arrow record of a DataFrame.
func recordFromDataFrame(mem memory.Allocator, df dataframe.DataFrame) (arrow.Record, error) {
	names := df.Names()
	fields := make([]arrow.Field, len(names))
	cols := make([]arrow.Array, len(names))
	defer releaseArrays(cols)
	for i, name := range names {
		s := df.Col(name)
		if s.Err != nil {
			return nil, s.Err
		}
		arr, err := arrayFromSeries(mem, s)
		if err != nil {
			return nil, err
		}
		cols[i] = arr
		fields[i] = arrow.Field{Name: name, Type: arr.DataType(), Nullable: true}
	}
	return array.NewRecord(arrow.NewSchema(fields, nil), cols, int64(df.Nrow())), nil
}

// dataFrameOf builds the gota DataFrame of a body.
func dataFrameOf(b body) (dataframe.DataFrame, error) {
	s := b.schema()
	if s.NumFields() == 0 {
		return dataframe.DataFrame{}, fmt.Errorf("%w: gota cannot hold a frame without columns", ErrUnsupportedType)
	}
	cols := make([]series.Series, s.NumFields())
	for i := range cols {
		arr, err := b.array(i)
		if err != nil {
			return dataframe.DataFrame{}, err
		}
		cols[i], err = seriesFromArray(s.Field(i).Name, arr)
		arr.Release()
		if err != nil {
			return dataframe.DataFrame{}, err
		}
	}
	df := dataframe.New(cols...)
	if df.Err != nil {
		return dataframe.DataFrame{}, df.Err
	}
	return df, nil
}

// kindOf classifies a conversion failure.
func kindOf(err error) error {
	if errors.Is(err, ErrUnsupportedType) {
		return ErrUnsupportedType
	}
	return ErrArrow
}
