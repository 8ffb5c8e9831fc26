package arrow

import (
	"context"
	"math"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore"
)

// sortRecord binds a record of a float key with NaN and nulls, a string
// key with ties, and the original position.
func sortRecord(t *testing.T, mem memory.Allocator) *Record {
	t.Helper()
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "pos", Type: arrow.PrimitiveTypes.Int64},
		{Name: "nested", Type: arrow.StructOf(arrow.Field{Name: "a", Type: arrow.PrimitiveTypes.Int32})},
	}, nil)
	b := array.NewRecordBuilder(mem, sc)
	defer b.Release()
	xs := []float64{2, math.NaN(), -1, 0, 2, 7}
	valid := []bool{true, true, true, false, true, true}
	b.Field(0).(*array.Float64Builder).AppendValues(xs, valid)
	b.Field(1).(*array.StringBuilder).AppendValues([]string{"b", "a", "b", "", "a", "a"}, []bool{true, true, true, true, true, false})
	b.Field(2).(*array.Int64Builder).AppendValues([]int64{0, 1, 2, 3, 4, 5}, nil)
	sb := b.Field(3).(*array.StructBuilder)
	for i := range 6 {
		sb.Append(true)
		sb.FieldBuilder(0).(*array.Int32Builder).Append(int32(i))
	}
	rec := b.NewRecord()
	defer rec.Release()
	r, err := NewRecord(context.Background(), contextstore.NewMemoryStore(), "sorted", rec, &Options{Allocator: mem})
	require.NoError(t, err)
	t.Cleanup(r.Release)
	return r
}

func TestSortOrdersNaNNullsAndTiesStably(t *testing.T) {
	ctx := context.Background()
	for name, c := range map[string]struct {
		keys []SortKey
		want []int64
	}{
		"ascending: NaN after numbers, nulls last": {[]SortKey{Asc("x")}, []int64{2, 0, 4, 5, 1, 3}},
		"descending: NaN first, nulls still last":  {[]SortKey{Desc("x")}, []int64{1, 5, 0, 4, 2, 3}},
		"nulls first":                               {[]SortKey{Asc("x").WithNullsFirst()}, []int64{3, 2, 0, 4, 5, 1}},
		"string ties keep their order (stable)":     {[]SortKey{Asc("s")}, []int64{3, 1, 4, 0, 2, 5}},
		"second key breaks the first key's ties":    {[]SortKey{Asc("s"), Desc("x")}, []int64{3, 1, 4, 0, 2, 5}},
		"descending string, then position reversed": {[]SortKey{Desc("s"), Desc("pos")}, []int64{2, 0, 4, 1, 3, 5}},
	} {
		t.Run(name, func(t *testing.T) {
			mem := checkedAlloc(t)
			r := sortRecord(t, mem)
			_, err := r.Apply(ctx, Sort(c.keys...))
			require.NoError(t, err)
			assert.Equal(t, c.want, int64s(t, r, "pos"))
			nested := r.Arrow().Column(3).(*array.Struct).Field(0).(*array.Int32)
			for i, p := range c.want {
				assert.EqualValues(t, p, nested.Value(i), "a nested column follows its row")
			}
		})
	}
}

func TestSortRefusesWhatItCannotSortBy(t *testing.T) {
	ctx := context.Background()
	mem := checkedAlloc(t)
	r := sortRecord(t, mem)
	for name, op := range map[string]Op{
		"no key":          Sort(),
		"unknown column":  Sort(Asc("nope")),
		"a struct column": Sort(Asc("nested")),
	} {
		_, err := r.Apply(ctx, op)
		require.ErrorIs(t, err, ErrInvalidArgument, name)
	}
	assert.Equal(t, []int64{0, 1, 2, 3, 4, 5}, int64s(t, r, "pos"), "a refused sort changes nothing")
}

// Variable-length columns of every kind are gathered by Sort, nulls kept.
func TestSortGathersEveryVariableLengthType(t *testing.T) {
	ctx := context.Background()
	mem := checkedAlloc(t)
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "k", Type: arrow.PrimitiveTypes.Uint64},
		{Name: "ls", Type: arrow.BinaryTypes.LargeString, Nullable: true},
		{Name: "bin", Type: arrow.BinaryTypes.Binary, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(mem, sc)
	defer b.Release()
	b.Field(0).(*array.Uint64Builder).AppendValues([]uint64{3, 1, 2}, nil)
	b.Field(1).(*array.LargeStringBuilder).AppendValues([]string{"c", "", "b"}, []bool{true, false, true})
	b.Field(2).(*array.BinaryBuilder).AppendValues([][]byte{{3}, {1}, nil}, []bool{true, true, false})
	b.Field(3).(*array.StringBuilder).AppendValues([]string{"three", "one", "two"}, nil)
	rec := b.NewRecord()
	defer rec.Release()
	r, err := NewRecord(ctx, contextstore.NewMemoryStore(), "v", rec, &Options{Allocator: mem})
	require.NoError(t, err)
	defer r.Release()
	_, err = r.Apply(ctx, Sort(Asc("k")))
	require.NoError(t, err)
	out := r.Arrow()
	ls := out.Column(1).(*array.LargeString)
	assert.True(t, ls.IsNull(0))
	assert.Equal(t, []string{"b", "c"}, []string{ls.Value(1), ls.Value(2)})
	bin := out.Column(2).(*array.Binary)
	assert.Equal(t, []byte{1}, bin.Value(0))
	assert.True(t, bin.IsNull(1))
	assert.Equal(t, []byte{3}, bin.Value(2))
	s := out.Column(3).(*array.String)
	assert.Equal(t, []string{"one", "two", "three"}, []string{s.Value(0), s.Value(1), s.Value(2)})
}
