package arrow

import (
	"context"
	"slices"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/compute"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/adapters/lineage"
)

// Take keeps the rows at the given positions, in that order (the data is
// copied, in time linear in the rows and bytes taken). Row and cell context follows each row
// to its new position; a row taken twice carries its context twice; rows
// not taken lose theirs. Frame and column context are kept. A position
// outside [0, rows) is ErrInvalidArgument.
func Take(rows ...int) Op {
	rows = slices.Clone(rows)
	return Op{name: "take", run: func(ctx context.Context, f *boundData, cfg opConfig) (*boundData, *framectx.Plan, error) {
		n := f.data.numRows()
		for _, r := range rows {
			if r < 0 || int64(r) >= n {
				return nil, nil, f.invalid("take", "row %d out of range [0, %d)", r, n)
			}
		}
		next, err := f.eachColumn(ctx, "take", int64(len(rows)), func(cctx context.Context, col arrow.Array) (arrow.Array, error) {
			return gather(cctx, f.mem, col, rows)
		})
		if err != nil {
			return nil, nil, err
		}
		ch, err := framectx.RowsChange(f.input(), "", framectx.IndexRows(rows), "take", "")
		if err != nil {
			next.release()
			return nil, nil, f.changeFailed("take", err)
		}
		return f.commit(ctx, next, ch, cfg)
	}}
}

// Filter keeps the rows where mask is true (a null counts as false), in
// order (arrow's compute filter: the data is copied). Row and cell context
// follows each kept row to its new position; dropped rows lose theirs.
// Frame and column context are kept. mask must have as many rows as the
// frame (ErrInvalidArgument otherwise); the Op borrows it. The positions of
// the kept rows are worked out only when the frame has row or cell context.
func Filter(mask *array.Boolean) Op {
	return Op{name: "filter", run: func(ctx context.Context, f *boundData, cfg opConfig) (*boundData, *framectx.Plan, error) {
		n := f.data.numRows()
		if isNil(mask) || int64(mask.Len()) != n {
			return nil, nil, f.invalid("filter", "the mask must have the frame's %d rows", n)
		}
		var out int64
		for i := 0; i < mask.Len(); i++ {
			if mask.IsValid(i) && mask.Value(i) {
				out++
			}
		}
		next, err := f.eachColumn(ctx, "filter", out, func(cctx context.Context, col arrow.Array) (arrow.Array, error) {
			return compute.FilterArray(cctx, col, mask, *compute.DefaultFilterOptions())
		})
		if err != nil {
			return nil, nil, err
		}
		rows := framectx.LazyRows(int(out), func() (framectx.RowMapping, error) {
			kept := make([]int, 0, out)
			for i := 0; i < mask.Len(); i++ {
				if mask.IsValid(i) && mask.Value(i) {
					kept = append(kept, i)
				}
			}
			return framectx.IndexRows(kept), nil
		})
		ch, err := framectx.RowsChange(f.input(), "", rows, "filter", lineage.SubtypeFilter)
		if err != nil {
			next.release()
			return nil, nil, f.changeFailed("filter", err)
		}
		return f.commit(ctx, next, ch, cfg)
	}}
}

// eachColumn builds a body of rows rows whose every column is fn of the
// current one, allocating with the frame's allocator. A failure or panic
// inside arrow-go is ErrArrow.
func (f *boundData) eachColumn(ctx context.Context, op string, rows int64, fn func(context.Context, arrow.Array) (arrow.Array, error)) (body, error) {
	s := f.data.schema()
	cctx := compute.WithAllocator(ctx, f.mem)
	cols := make([]arrow.Array, s.NumFields())
	defer releaseArrays(cols)
	for i := range cols {
		col, err := f.data.array(i)
		if err != nil {
			return nil, opError(op, f.bind.FrameID(), ErrArrow, err)
		}
		out, err := recovered(func() (arrow.Array, error) { return fn(cctx, col) })
		col.Release()
		if err != nil {
			return nil, opError(op, f.bind.FrameID(), ErrArrow, err)
		}
		if int64(out.Len()) != rows {
			out.Release()
			return nil, opError(op, f.bind.FrameID(), ErrArrow, errRowCount)
		}
		cols[i] = out
	}
	return f.data.fromArrays(s, cols, rows), nil
}
