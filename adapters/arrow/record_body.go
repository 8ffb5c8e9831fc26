package arrow

import (
	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// recordBody is the body of a Record: one arrow.Record it holds a reference
// to.
type recordBody struct {
	rec arrow.Record
	mem memory.Allocator
}

func (b recordBody) schema() *arrow.Schema { return b.rec.Schema() }
func (b recordBody) numRows() int64        { return b.rec.NumRows() }
func (b recordBody) release()              { b.rec.Release() }

func (b recordBody) slice(i, j int64) body {
	return recordBody{rec: b.rec.NewSlice(i, j), mem: b.mem}
}

func (b recordBody) project(s *arrow.Schema, idx []int) body {
	cols := make([]arrow.Array, len(idx))
	for k, i := range idx {
		cols[k] = b.rec.Column(i)
	}
	return recordBody{rec: array.NewRecord(s, cols, b.rec.NumRows()), mem: b.mem}
}

func (b recordBody) chunked(i int) *arrow.Chunked {
	col := b.rec.Column(i)
	return arrow.NewChunked(col.DataType(), []arrow.Array{col})
}

func (b recordBody) array(i int) (arrow.Array, error) {
	col := b.rec.Column(i)
	col.Retain()
	return col, nil
}

// withColumns returns a record of schema s holding cols (each of length
// rows): the body of an added, replaced or cast column.
func (b recordBody) withColumns(s *arrow.Schema, cols []*arrow.Chunked) (body, error) {
	arrs := make([]arrow.Array, len(cols))
	for i, c := range cols {
		a, err := contiguous(b.mem, c)
		if err != nil {
			releaseArrays(arrs[:i])
			return nil, err
		}
		arrs[i] = a
	}
	defer releaseArrays(arrs)
	return recordBody{rec: array.NewRecord(s, arrs, b.rec.NumRows()), mem: b.mem}, nil
}

// contiguous returns c as one array (a new reference): its only chunk, or
// its chunks concatenated with mem.
func contiguous(mem memory.Allocator, c *arrow.Chunked) (arrow.Array, error) {
	chunks := c.Chunks()
	switch len(chunks) {
	case 0:
		return array.MakeArrayOfNull(mem, c.DataType(), 0), nil
	case 1:
		chunks[0].Retain()
		return chunks[0], nil
	}
	return array.Concatenate(chunks, mem)
}

func releaseArrays(arrs []arrow.Array) {
	for _, a := range arrs {
		if a != nil {
			a.Release()
		}
	}
}

func (b recordBody) concat(s *arrow.Schema, others []body) (body, error) {
	rows := b.rec.NumRows()
	for _, o := range others {
		rows += o.numRows()
	}
	cols := make([]arrow.Array, s.NumFields())
	parts := make([]arrow.Array, len(others)+1)
	for i := range cols {
		parts[0] = b.rec.Column(i)
		for k, o := range others {
			parts[k+1] = o.(recordBody).rec.Column(i)
		}
		c, err := array.Concatenate(parts, b.mem)
		if err != nil {
			releaseArrays(cols[:i])
			return nil, err
		}
		cols[i] = c
	}
	defer releaseArrays(cols)
	return recordBody{rec: array.NewRecord(s, cols, rows), mem: b.mem}, nil
}

func (b recordBody) fromArrays(s *arrow.Schema, cols []arrow.Array, rows int64) body {
	return recordBody{rec: array.NewRecord(s, cols, rows), mem: b.mem}
}
