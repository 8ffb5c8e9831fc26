package arrow

import (
	"context"
	"reflect"
	"unicode/utf8"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/adapters/lineage"
)

// Derivation says how a column's new values were computed, for lineage: the
// columns of the same frame they were computed from and the transformation.
// The zero Derivation records a column computed from nothing in the frame
// (a constant or external data): a new column then gets no lineage, and a
// replaced one a lineage naming only its own earlier values.
type Derivation struct {
	// From lists the frame's columns the values were computed from (the
	// replaced column itself may be one of them).
	From []string
	// Transformation says how; the zero value (identity) is recorded as
	// DIRECT/TRANSFORMATION, since new values are never a plain copy.
	Transformation lineage.Transformation
}

// SetColumn replaces the values of column name with col, or appends col as
// a new last column when there is no such column. A replaced column keeps
// its field (name, metadata; its type becomes col's) and its column
// context, loses its cell context, and its lineage records d. A new column
// gets only d's lineage and a nullable field without metadata. col must
// have as many rows as the frame; the Op borrows it (the frame retains it
// when the Op runs). On a Table, col becomes one chunk.
func SetColumn(name string, col arrow.Array, d Derivation) Op {
	return Op{name: "set_column", run: func(ctx context.Context, f *boundData, cfg opConfig) (*boundData, *framectx.Plan, error) {
		if isNil(col) {
			return nil, nil, f.invalid("set_column", "column %q: nil array", name)
		}
		ch := arrow.NewChunked(col.DataType(), []arrow.Array{col})
		defer ch.Release()
		return f.setColumn(ctx, "set_column", name, ch, d, cfg)
	}}
}

// SetChunkedColumn is SetColumn with the values as a chunked array; on a
// Table the chunks are kept as they are, on a Record they are concatenated.
func SetChunkedColumn(name string, col *arrow.Chunked, d Derivation) Op {
	return Op{name: "set_column", run: func(ctx context.Context, f *boundData, cfg opConfig) (*boundData, *framectx.Plan, error) {
		return f.setColumn(ctx, "set_column", name, col, d, cfg)
	}}
}

func (f *boundData) setColumn(ctx context.Context, op, name string, col *arrow.Chunked, d Derivation, cfg opConfig) (*boundData, *framectx.Plan, error) {
	if col == nil || col.DataType() == nil {
		return nil, nil, f.invalid(op, "column %q: no data", name)
	}
	if !utf8.ValidString(name) {
		return nil, nil, f.invalid(op, "column name %q is not valid UTF-8", name)
	}
	rows := f.data.numRows()
	if int64(col.Len()) != rows {
		return nil, nil, f.invalid(op, "column %q has %d rows, the frame %d", name, col.Len(), rows)
	}
	s := f.data.schema()
	for _, from := range d.From {
		if !s.HasField(from) {
			return nil, nil, f.invalid(op, "column %q derives from unknown column %q", name, from)
		}
	}
	ch, err := framectx.ReplaceChange(f.input(), "", name, d.Transformation, d.From...)
	if err != nil {
		return nil, nil, f.changeFailed(op, err)
	}
	ch.Operation = op
	fields := s.Fields()
	cols := make([]*arrow.Chunked, len(fields), len(fields)+1)
	for i := range fields {
		cols[i] = f.data.chunked(i)
	}
	if i := fieldIndex(s, name); i >= 0 {
		fields[i].Type = col.DataType()
		fields[i].Nullable = fields[i].Nullable || col.NullN() > 0
		cols[i].Release()
		cols[i] = col
	} else {
		fields = append(fields, arrow.Field{Name: name, Type: col.DataType(), Nullable: true})
		cols = append(cols, col)
	}
	col.Retain() // balanced by releaseChunked below, like the other columns
	defer releaseChunked(cols)
	next, err := f.data.withColumns(newSchemaLike(s, fields), cols)
	if err != nil {
		return nil, nil, opError(op, f.bind.FrameID(), ErrArrow, err)
	}
	return f.commit(ctx, next, ch, cfg)
}

func releaseChunked(cols []*arrow.Chunked) {
	for _, c := range cols {
		if c != nil {
			c.Release()
		}
	}
}

// isNil reports whether x is nil, including a nil pointer in an interface
// (calling its methods would panic).
func isNil(x any) bool {
	if x == nil {
		return true
	}
	v := reflect.ValueOf(x)
	return v.Kind() == reflect.Pointer && v.IsNil()
}
