package gotaconv

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"
)

// uint64Table is a table of one uint64 column "u" in two chunks.
func uint64Table(t *testing.T, mem memory.Allocator, first, second []uint64) arrow.Table {
	t.Helper()
	schema := arrow.NewSchema([]arrow.Field{{Name: "u", Type: arrow.PrimitiveTypes.Uint64, Nullable: true}}, nil)
	var recs []arrow.Record
	for _, vals := range [][]uint64{first, second} {
		b := array.NewRecordBuilder(mem, schema)
		b.Field(0).(*array.Uint64Builder).AppendValues(vals, nil)
		recs = append(recs, b.NewRecord())
		b.Release()
	}
	tbl := array.NewTableFromRecords(schema, recs)
	for _, r := range recs {
		r.Release()
	}
	return tbl
}

func TestTableChunksAreReadInPlaceInOrder(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := uint64Table(t, mem, []uint64{1, 2}, []uint64{3})
	defer tbl.Release()
	df, err := TableDataFrame(tbl)
	require.NoError(t, err)
	if got := df.Col("u").Records(); !slices.Equal(got, []string{"1", "2", "3"}) {
		t.Fatalf("values %v, want 1 2 3 across both chunks", got)
	}
}

func TestUint64BeyondIntNamesItsRowInTheColumn(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := uint64Table(t, mem, []uint64{1, 2}, []uint64{3, math.MaxUint64})
	defer tbl.Release()
	_, err := TableDataFrame(tbl)
	if !errors.Is(err, ErrUnsupportedType) || !strings.Contains(err.Error(), "row 3") {
		t.Fatalf("error %v, want ErrUnsupportedType naming row 3 (the second chunk's second row)", err)
	}
}

func TestRecordRoundTripKeepsNulls(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true}}, nil)
	b := array.NewRecordBuilder(mem, schema)
	b.Field(0).(*array.StringBuilder).AppendValues([]string{"a", "", "c"}, []bool{true, false, true})
	rec := b.NewRecord()
	b.Release()
	defer rec.Release()
	df, err := RecordDataFrame(rec)
	require.NoError(t, err)
	back, err := Record(mem, df)
	require.NoError(t, err)
	defer back.Release()
	if !array.RecordEqual(rec, back) {
		t.Fatalf("round trip %v, want %v", back, rec)
	}
}
