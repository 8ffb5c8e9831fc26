package gotaconv

import (
	"fmt"
	"math"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/go-gota/gota/series"
)

// arrayFromSeries builds the Arrow array of a gota series. gota's missing
// elements (NA, which includes a float NaN and the string "NaN") become
// nulls. The caller releases the array.
func arrayFromSeries(mem memory.Allocator, s series.Series) (arrow.Array, error) {
	switch s.Type() {
	case series.String:
		return build(array.NewStringBuilder(mem), s, func(e series.Element) (string, error) { return e.String(), nil })
	case series.Int:
		return build(array.NewInt64Builder(mem), s, func(e series.Element) (int64, error) {
			v, err := e.Int()
			return int64(v), err
		})
	case series.Float:
		return build(array.NewFloat64Builder(mem), s, func(e series.Element) (float64, error) { return e.Float(), nil })
	case series.Bool:
		return build(array.NewBooleanBuilder(mem), s, func(e series.Element) (bool, error) { return e.Bool() })
	}
	return nil, fmt.Errorf("%w: gota series %q of type %q", ErrUnsupportedType, s.Name, s.Type())
}

// builder is what every typed Arrow array builder offers.
type builder[T any] interface {
	Reserve(n int)
	Append(v T)
	AppendNull()
	NewArray() arrow.Array
	Release()
}

// build fills b from s, NA as null, with value reading each element, and
// returns the array; b is released either way.
func build[T any](b builder[T], s series.Series, value func(series.Element) (T, error)) (arrow.Array, error) {
	defer b.Release()
	n := s.Len()
	b.Reserve(n)
	for i := 0; i < n; i++ {
		e := s.Elem(i)
		if e.IsNA() {
			b.AppendNull()
			continue
		}
		v, err := value(e)
		if err != nil {
			return nil, fmt.Errorf("arrow: column %q row %d: %w", s.Name, i, err)
		}
		b.Append(v)
	}
	return b.NewArray(), nil
}

// seriesTypes maps each Arrow type that has a gota series type to it.
var seriesTypes = map[arrow.Type]series.Type{
	arrow.STRING: series.String, arrow.LARGE_STRING: series.String,
	arrow.BOOL:    series.Bool,
	arrow.FLOAT64: series.Float, arrow.FLOAT32: series.Float,
	arrow.INT64: series.Int, arrow.INT32: series.Int, arrow.INT16: series.Int, arrow.INT8: series.Int,
	arrow.UINT64: series.Int, arrow.UINT32: series.Int, arrow.UINT16: series.Int, arrow.UINT8: series.Int,
}

// seriesFromChunks builds the gota series of a column of type dt held in
// chunks, read in place (nothing is concatenated). Nulls become gota NA.
// gota cannot tell a float NaN or the string "NaN" from a missing value,
// so both come out as NA too.
func seriesFromChunks(name string, dt arrow.DataType, chunks []arrow.Array) (series.Series, error) {
	t, ok := seriesTypes[dt.ID()]
	if !ok {
		return series.Series{}, fmt.Errorf("%w: column %q of Arrow type %s has no gota series type", ErrUnsupportedType, name, dt)
	}
	n := 0
	for _, c := range chunks {
		n += c.Len()
	}
	values := make([]any, n)
	off := 0
	for _, c := range chunks {
		if !arrow.TypeEqual(c.DataType(), dt) {
			return series.Series{}, fmt.Errorf("%w: column %q: a chunk of type %s in a column of type %s", ErrUnsupportedType, name, c.DataType(), dt)
		}
		if err := fillChunk(values[off:off+c.Len()], c, name, off); err != nil {
			return series.Series{}, err
		}
		off += c.Len()
	}
	s := series.New(values, t, name)
	if err := s.Error(); err != nil {
		return series.Series{}, fmt.Errorf("arrow: column %q: %w", name, err)
	}
	return s, nil
}

// fillChunk sets values (the rows of chunk arr, the first of which is row
// off of its column) to gota values, leaving nulls nil (gota's NA).
func fillChunk(values []any, arr arrow.Array, name string, off int) error {
	switch a := arr.(type) {
	case *array.String:
		fill(values, a, same)
	case *array.LargeString:
		fill(values, a, same)
	case *array.Boolean:
		fill(values, a, same)
	case *array.Float64:
		fill(values, a, same)
	case *array.Float32:
		fill(values, a, func(v float32) any { return float64(v) })
	case *array.Int64:
		fill(values, a, toInt)
	case *array.Int32:
		fill(values, a, toInt)
	case *array.Int16:
		fill(values, a, toInt)
	case *array.Int8:
		fill(values, a, toInt)
	case *array.Uint32:
		fill(values, a, toInt)
	case *array.Uint16:
		fill(values, a, toInt)
	case *array.Uint8:
		fill(values, a, toInt)
	case *array.Uint64:
		for i := range values {
			if !a.IsValid(i) {
				continue
			}
			v := a.Value(i)
			if v > math.MaxInt64 {
				return fmt.Errorf("%w: column %q row %d: uint64 %d does not fit a gota int", ErrUnsupportedType, name, off+i, v)
			}
			values[i] = int(v)
		}
	default:
		return fmt.Errorf("%w: column %q of Arrow type %s has no gota series type", ErrUnsupportedType, name, arr.DataType())
	}
	return nil
}

// valued is what every typed Arrow array offers: validity and the value at i.
type valued[T any] interface {
	IsValid(i int) bool
	Value(i int) T
}

// fill sets values[i] to conv of a's value at i for every valid i, leaving
// nulls as nil (gota's NA).
func fill[T any](values []any, a valued[T], conv func(T) any) {
	for i := range values {
		if a.IsValid(i) {
			values[i] = conv(a.Value(i))
		}
	}
}

func same[T any](v T) any { return v }

// toInt widens the integer types that always fit a gota int (int64 here).
func toInt[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32](v T) any { return int(v) }
