package arrow

import (
	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// tableBody is the body of a Table: one arrow.Table it holds a reference
// to.
type tableBody struct {
	tbl arrow.Table
	mem memory.Allocator
}

func (b tableBody) schema() *arrow.Schema { return b.tbl.Schema() }
func (b tableBody) numRows() int64        { return b.tbl.NumRows() }
func (b tableBody) release()              { b.tbl.Release() }

func (b tableBody) slice(i, j int64) body {
	n := int(b.tbl.NumCols())
	cols := make([]arrow.Column, n)
	for c := 0; c < n; c++ {
		cols[c] = *array.NewColumnSlice(b.tbl.Column(c), i, j)
	}
	defer releaseColumns(cols)
	return tableBody{tbl: array.NewTable(b.tbl.Schema(), cols, j-i), mem: b.mem}
}

func (b tableBody) project(s *arrow.Schema, idx []int) body {
	cols := make([]arrow.Column, len(idx))
	for k, i := range idx {
		cols[k] = *arrow.NewColumn(s.Field(k), b.tbl.Column(i).Data())
	}
	defer releaseColumns(cols)
	return tableBody{tbl: array.NewTable(s, cols, b.tbl.NumRows()), mem: b.mem}
}

// chunked returns column i cut to the table's rows: arrow-go allows a
// table's columns to be longer than the table.
func (b tableBody) chunked(i int) *arrow.Chunked {
	return array.NewChunkedSlice(b.tbl.Column(i).Data(), 0, b.tbl.NumRows())
}

func (b tableBody) array(i int) (arrow.Array, error) {
	ch := b.chunked(i)
	defer ch.Release()
	return contiguous(b.mem, ch)
}

// withColumns returns a table of schema s holding cols (each of length
// rows).
func (b tableBody) withColumns(s *arrow.Schema, cols []*arrow.Chunked) (body, error) {
	tcols := make([]arrow.Column, len(cols))
	for i, c := range cols {
		tcols[i] = *arrow.NewColumn(s.Field(i), c)
	}
	defer releaseColumns(tcols)
	return tableBody{tbl: array.NewTable(s, tcols, b.tbl.NumRows()), mem: b.mem}, nil
}

func releaseColumns(cols []arrow.Column) {
	for i := range cols {
		cols[i].Release()
	}
}

// allocatorOr returns mem, or the default allocator when mem is nil.
func allocatorOr(mem memory.Allocator) memory.Allocator {
	if mem == nil {
		return memory.DefaultAllocator
	}
	return mem
}

// concat stacks the tables' chunks: no data is copied.
func (b tableBody) concat(s *arrow.Schema, others []body) (body, error) {
	all := append([]body{b}, others...)
	var rows int64
	for _, o := range all {
		rows += o.numRows()
	}
	cols := make([]arrow.Column, s.NumFields())
	for i := range cols {
		var chunks []arrow.Array
		var parts []*arrow.Chunked
		for _, o := range all {
			t := o.(tableBody).tbl
			// A table's columns may be longer than the table: keep its rows only.
			part := array.NewChunkedSlice(t.Column(i).Data(), 0, t.NumRows())
			parts = append(parts, part)
			chunks = append(chunks, part.Chunks()...)
		}
		ch := arrow.NewChunked(s.Field(i).Type, chunks)
		releaseChunked(parts)
		cols[i] = *arrow.NewColumn(s.Field(i), ch)
		ch.Release()
	}
	defer releaseColumns(cols)
	return tableBody{tbl: array.NewTable(s, cols, rows), mem: b.mem}, nil
}

func (b tableBody) fromArrays(s *arrow.Schema, cols []arrow.Array, rows int64) body {
	tcols := make([]arrow.Column, len(cols))
	for i, c := range cols {
		tcols[i] = arrow.NewColumnFromArr(s.Field(i), c)
	}
	defer releaseColumns(tcols)
	return tableBody{tbl: array.NewTable(s, tcols, rows), mem: b.mem}
}
