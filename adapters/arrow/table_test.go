package arrow

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/adapters/lineage"
	"github.com/ctxframe/ctxframe/contextstore"
)

func TestTableRowsRunOnAcrossChunks(t *testing.T) {
	ctx := context.Background()
	mem := checkedAlloc(t)
	store := contextstore.NewMemoryStore()
	tb := bindTable(t, mem, store, "t", []int{2, 3, 4}, nil)
	if got := tb.Shape().Rows; got != 9 {
		t.Fatalf("rows %d, want 9", got)
	}
	// Row 6 is the second row of the third chunk.
	require.NoError(t, tb.Set(ctx, framectx.CellRef(6, "id"), v("flag", "six")))
	if err := tb.Set(ctx, framectx.RowRef(9), v("a", int64(1))); err == nil {
		t.Fatal("row 9 of a 9-row table accepted")
	}
	if _, err := tb.Apply(ctx, Slice(3, 8)); err != nil {
		t.Fatal(err)
	}
	if ids := int64s(t, tb, "id"); !slices.Equal(ids, []int64{3, 4, 5, 6, 7}) {
		t.Fatalf("ids %v", ids)
	}
	sameContext(t, allContext(t, store, "t"), ctxMap{"x:3:id": v("flag", "six")})
}

func TestTableConcatSharesChunks(t *testing.T) {
	ctx := context.Background()
	mem := checkedAlloc(t)
	store := contextstore.NewMemoryStore()
	a := bindTable(t, mem, store, "a", []int{2, 3}, nil)
	b := bindTable(t, mem, store, "b", []int{4}, ctxMap{"r:0": v("q", "b0")})
	allocated := mem.CurrentAlloc()
	if _, err := a.Apply(ctx, Concat(b)); err != nil {
		t.Fatal(err)
	}
	if got := mem.CurrentAlloc(); got != allocated {
		t.Fatalf("concatenating tables allocated %d bytes, want none", got-allocated)
	}
	if n := len(a.Arrow().Column(0).Data().Chunks()); n != 3 {
		t.Fatalf("%d chunks, want 3", n)
	}
	if ids := int64s(t, a, "id"); !slices.Equal(ids, []int64{0, 1, 2, 3, 4, 0, 1, 2, 3}) {
		t.Fatalf("ids %v", ids)
	}
	sameContext(t, userContext(t, store, "a"), ctxMap{"r:5": v("q", "b0")})
}

func TestTableSetChunkedColumnKeepsChunks(t *testing.T) {
	ctx := context.Background()
	mem := checkedAlloc(t)
	store := contextstore.NewMemoryStore()
	tb := bindTable(t, mem, store, "t", []int{2, 3}, ctxMap{"c:temp": v("unit", "C"), "x:4:temp": v("f", "x")})
	c1, c2 := float64Array(t, mem, 1, 2), float64Array(t, mem, 3, 4, 5)
	col := arrow.NewChunked(arrow.PrimitiveTypes.Float64, []arrow.Array{c1, c2})
	defer col.Release()
	if _, err := tb.Apply(ctx, SetChunkedColumn("temp", col, Derivation{From: []string{"id"}})); err != nil {
		t.Fatal(err)
	}
	if n := len(tb.Arrow().Column(2).Data().Chunks()); n != 2 {
		t.Fatalf("%d chunks, want 2", n)
	}
	sameContext(t, userContext(t, store, "t"), ctxMap{"c:temp": v("unit", "C")})
	l, err := tb.Lineage(ctx, "")
	require.NoError(t, err)
	in := l.Fields["temp"].InputFields
	if len(in) != 1 || in[0].Field != "id" || in[0].Transformations[0].Subtype != lineage.SubtypeTransformation {
		t.Fatalf("lineage of temp %+v, want a transformation of id", in)
	}
}

func TestTableCastEveryChunk(t *testing.T) {
	ctx := context.Background()
	mem := checkedAlloc(t)
	store := contextstore.NewMemoryStore()
	tb := bindTable(t, mem, store, "t", []int{2, 3}, nil)
	if _, err := tb.Apply(ctx, CastColumn("id", arrow.PrimitiveTypes.Int32)); err != nil {
		t.Fatal(err)
	}
	col := tb.Arrow().Column(0)
	if !arrow.TypeEqual(col.DataType(), arrow.PrimitiveTypes.Int32) || !arrow.TypeEqual(tb.Arrow().Schema().Field(0).Type, arrow.PrimitiveTypes.Int32) {
		t.Fatalf("id is %s after the cast", col.DataType())
	}
	var got []int32
	for _, c := range col.Data().Chunks() {
		got = append(got, c.(*array.Int32).Int32Values()...)
	}
	if !slices.Equal(got, []int32{0, 1, 2, 3, 4}) {
		t.Fatalf("cast values %v", got)
	}
}

func TestNewTableFromRecordsRefusesWhatArrowPanicsOn(t *testing.T) {
	ctx := context.Background()
	mem := checkedAlloc(t)
	store := contextstore.NewMemoryStore()
	good := testRecord(mem, 2, 0)
	defer good.Release()
	other := bindRecordWithSchema(t, mem, store, "other").Arrow()
	for name, recs := range map[string][]arrow.Record{
		"no records":        nil,
		"nil record":        {good, nil},
		"mismatched schema": {good, other},
	} {
		if _, err := NewTableFromRecords(ctx, store, "t", recs, nil); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("%s: %v, want ErrInvalidArgument", name, err)
		}
	}
	if _, err := NewTable(ctx, store, "t", nil, nil); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("nil table: %v, want ErrInvalidArgument", err)
	}
}
