package arrow

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/adapters/lineage"
)

// SortKey is one key of Sort: a column, its direction and where its nulls
// go. Asc and Desc make one; NullsFirst moves its nulls to the front.
type SortKey struct {
	Column     string
	Descending bool
	// NullsFirst puts null values before every other value, whatever the
	// direction; by default they come after. NaN sorts as the greatest
	// number, before nulls placed last.
	NullsFirst bool
}

// Asc sorts by column, smallest first.
func Asc(column string) SortKey { return SortKey{Column: column} }

// Desc sorts by column, greatest first.
func Desc(column string) SortKey { return SortKey{Column: column, Descending: true} }

// WithNullsFirst returns k with its nulls placed before every other value.
func (k SortKey) WithNullsFirst() SortKey { k.NullsFirst = true; return k }

// Sort orders the rows by keys, the first deciding, the next breaking its
// ties (a stable sort: rows equal on every key keep their order). Keys may
// be integers, floats, strings, binaries, booleans, dates, times,
// timestamps and durations. Row and cell context follows each row through
// the permutation, as with gota's Arrange; frame and column context are
// kept, and a new frame's lineage records the keys as SORT inputs. arrow/go
// v17 has no sort kernel: the permutation is computed in Go, and the
// columns are gathered in one linear pass each.
func Sort(keys ...SortKey) Op {
	keys = slices.Clone(keys)
	return Op{name: "sort", run: func(ctx context.Context, f *boundData, cfg opConfig) (*boundData, *framectx.Plan, error) {
		if len(keys) == 0 {
			return nil, nil, f.invalid("sort", "no sort key")
		}
		n := f.data.numRows()
		s := f.data.schema()
		cmps := make([]keyCompare, len(keys))
		names := make([]string, len(keys))
		for i, k := range keys {
			idx := s.FieldIndices(k.Column)
			if len(idx) != 1 {
				return nil, nil, f.invalid("sort", "sort key %q names %d columns, want one", k.Column, len(idx))
			}
			col, err := f.data.array(idx[0])
			if err != nil {
				return nil, nil, opError("sort", f.bind.FrameID(), ErrArrow, err)
			}
			defer col.Release()
			c, err := newKeyCompare(col, k)
			if err != nil {
				return nil, nil, f.invalid("sort", "%v", err)
			}
			cmps[i] = c
			names[i] = k.Column
		}
		perm := make([]int, n)
		for i := range perm {
			perm[i] = i
		}
		if len(cmps) == 1 {
			c := cmps[0]
			slices.SortStableFunc(perm, c.compare)
		} else {
			slices.SortStableFunc(perm, func(a, b int) int {
				for i := range cmps {
					if r := cmps[i].compare(a, b); r != 0 {
						return r
					}
				}
				return 0
			})
		}
		next, err := f.eachColumn(ctx, "sort", n, func(cctx context.Context, col arrow.Array) (arrow.Array, error) {
			return gather(cctx, f.mem, col, perm)
		})
		if err != nil {
			return nil, nil, err
		}
		ch, err := framectx.RowsChange(f.input(), "", framectx.IndexRows(perm), "sort", lineage.SubtypeSort, names...)
		if err != nil {
			next.release()
			return nil, nil, f.changeFailed("sort", err)
		}
		return f.commit(ctx, next, ch, cfg)
	}}
}

// keyCompare compares two rows on one key, nulls and direction included.
type keyCompare struct {
	arr        arrow.Array
	hasNulls   bool
	values     func(a, b int) int // both non-null
	desc       bool
	nullsFirst bool
}

func (k keyCompare) compare(a, b int) int {
	if k.hasNulls {
		an, bn := k.arr.IsNull(a), k.arr.IsNull(b)
		if an || bn {
			switch {
			case an && bn:
				return 0
			case an == k.nullsFirst:
				return -1
			default:
				return 1
			}
		}
	}
	if k.desc {
		return k.values(b, a)
	}
	return k.values(a, b)
}

// ordered compares values of a slice.
func ordered[T cmp.Ordered](vs []T) func(a, b int) int {
	return func(a, b int) int { return cmp.Compare(vs[a], vs[b]) }
}

// floats compares floats with NaN greater than every number.
func floats[T float32 | float64](vs []T) func(a, b int) int {
	return func(a, b int) int {
		x, y := vs[a], vs[b]
		switch xn, yn := math.IsNaN(float64(x)), math.IsNaN(float64(y)); {
		case xn && yn:
			return 0
		case xn:
			return 1
		case yn:
			return -1
		}
		return cmp.Compare(x, y)
	}
}

func newKeyCompare(col arrow.Array, k SortKey) (keyCompare, error) {
	c := keyCompare{arr: col, hasNulls: col.NullN() > 0, desc: k.Descending, nullsFirst: k.NullsFirst}
	switch a := col.(type) {
	case *array.Int8:
		c.values = ordered(a.Int8Values())
	case *array.Int16:
		c.values = ordered(a.Int16Values())
	case *array.Int32:
		c.values = ordered(a.Int32Values())
	case *array.Int64:
		c.values = ordered(a.Int64Values())
	case *array.Uint8:
		c.values = ordered(a.Uint8Values())
	case *array.Uint16:
		c.values = ordered(a.Uint16Values())
	case *array.Uint32:
		c.values = ordered(a.Uint32Values())
	case *array.Uint64:
		c.values = ordered(a.Uint64Values())
	case *array.Float32:
		c.values = floats(a.Float32Values())
	case *array.Float64:
		c.values = floats(a.Float64Values())
	case *array.Date32:
		c.values = ordered(a.Date32Values())
	case *array.Date64:
		c.values = ordered(a.Date64Values())
	case *array.Timestamp:
		c.values = ordered(a.TimestampValues())
	case *array.Time32:
		c.values = ordered(a.Time32Values())
	case *array.Time64:
		c.values = ordered(a.Time64Values())
	case *array.Duration:
		c.values = ordered(a.DurationValues())
	case *array.String:
		c.values = func(x, y int) int { return cmp.Compare(a.Value(x), a.Value(y)) }
	case *array.LargeString:
		c.values = func(x, y int) int { return cmp.Compare(a.Value(x), a.Value(y)) }
	case *array.Binary:
		c.values = func(x, y int) int { return bytes.Compare(a.Value(x), a.Value(y)) }
	case *array.LargeBinary:
		c.values = func(x, y int) int { return bytes.Compare(a.Value(x), a.Value(y)) }
	case *array.Boolean:
		c.values = func(x, y int) int {
			bx, by := a.Value(x), a.Value(y)
			switch {
			case bx == by:
				return 0
			case by:
				return -1
			}
			return 1
		}
	default:
		return keyCompare{}, fmt.Errorf("cannot sort by column %q of type %s", k.Column, col.DataType())
	}
	return c, nil
}
