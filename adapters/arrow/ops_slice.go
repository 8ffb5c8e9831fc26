package arrow

import (
	"context"

	"github.com/ctxframe/ctxframe/adapters/framectx"
)

// Slice keeps rows [i, j) (arrow's NewSlice: zero-copy). Row and cell
// context moves to the rows' new positions (row r becomes r-i); the context
// of rows outside the slice is dropped. Frame and column context are kept.
// Without row or cell context the cost does not depend on the number of
// rows. A range outside [0, rows] or with j < i is ErrInvalidArgument.
func Slice(i, j int64) Op {
	return Op{name: "slice", run: func(ctx context.Context, f *boundData, cfg opConfig) (*boundData, *framectx.Plan, error) {
		if n := f.data.numRows(); i < 0 || j < i || j > n {
			return nil, nil, f.invalid("slice", "rows [%d, %d) out of range [0, %d]", i, j, n)
		}
		in := f.input()
		ch, err := framectx.RowsChange(in, "", framectx.SliceRows(0, int(i), int(j-i)), "slice", "")
		if err != nil {
			return nil, nil, f.changeFailed("slice", err)
		}
		return f.commit(ctx, f.data.slice(i, j), ch, cfg)
	}}
}
