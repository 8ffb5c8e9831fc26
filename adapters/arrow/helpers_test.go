package arrow

import (
	"context"
	"fmt"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/adapters/framectx/framectxtest"
	"github.com/ctxframe/ctxframe/contextstore"
)

// The shared context helpers of framectxtest, under short local names.
type ctxMap = framectxtest.Context

var (
	v           = framectxtest.V
	seed        = framectxtest.Seed
	userContext = framectxtest.UserContext
	allContext  = framectxtest.AllContext
	sameContext = framectxtest.SameContext
)

// checkedAlloc returns an allocator that fails the test if anything it
// allocated is still held when the test ends.
func checkedAlloc(t *testing.T) *memory.CheckedAllocator {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

// testSchema is the schema of testRecord: an int, a string and a float
// column, with Arrow metadata on the schema and on field "name".
func testSchema() *arrow.Schema {
	nameMD := arrow.NewMetadata([]string{"origin"}, []string{"registry"})
	schemaMD := arrow.NewMetadata([]string{"source"}, []string{"test"})
	return arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true, Metadata: nameMD},
		{Name: "temp", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, &schemaMD)
}

// testRecord builds a record of n rows: id i, name "n<i>", temp i/2 (null
// every fourth row). The caller releases it.
func testRecord(mem memory.Allocator, n, from int) arrow.Record {
	b := array.NewRecordBuilder(mem, testSchema())
	defer b.Release()
	for i := from; i < from+n; i++ {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		b.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("n%d", i))
		if i%4 == 3 {
			b.Field(2).(*array.Float64Builder).AppendNull()
		} else {
			b.Field(2).(*array.Float64Builder).Append(float64(i) / 2)
		}
	}
	return b.NewRecord()
}

// bindRecord binds a fresh testRecord of n rows to frameID with context m.
func bindRecord(t *testing.T, mem memory.Allocator, store contextstore.Store, frameID string, n int, m ctxMap) *Record {
	t.Helper()
	seed(t, store, frameID, m)
	rec := testRecord(mem, n, 0)
	defer rec.Release()
	r, err := NewRecord(context.Background(), store, frameID, rec, &Options{Allocator: mem})
	require.NoError(t, err)
	t.Cleanup(r.Release)
	return r
}

// bindTable binds a table of the given chunks of testRecord rows (ids
// numbered on across chunks) to frameID with context m.
func bindTable(t *testing.T, mem memory.Allocator, store contextstore.Store, frameID string, chunks []int, m ctxMap) *Table {
	t.Helper()
	seed(t, store, frameID, m)
	var recs []arrow.Record
	from := 0
	for _, n := range chunks {
		recs = append(recs, testRecord(mem, n, from))
		from += n
	}
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	tb, err := NewTableFromRecords(context.Background(), store, frameID, recs, &Options{Allocator: mem})
	require.NoError(t, err)
	t.Cleanup(tb.Release)
	return tb
}

// int64s returns the values of an int64 column of a record or table (-1
// for null).
func int64s(t *testing.T, f Frame, column string) []int64 {
	t.Helper()
	c := f.core()
	i := fieldIndex(c.data.schema(), column)
	if i < 0 {
		t.Fatalf("no column %q", column)
	}
	arr, err := c.data.array(i)
	require.NoError(t, err)
	defer arr.Release()
	a, ok := arr.(*array.Int64)
	if !ok {
		t.Fatalf("column %q is %s, not int64", column, arr.DataType())
	}
	out := make([]int64, a.Len())
	for k := range out {
		if a.IsNull(k) {
			out[k] = -1
		} else {
			out[k] = a.Value(k)
		}
	}
	return out
}

// columnNames returns the field names of a frame's schema.
func columnNames(f Frame) []string { return f.Shape().Columns }
