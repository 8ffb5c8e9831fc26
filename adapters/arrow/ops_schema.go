package arrow

import (
	"context"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/compute"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/adapters/lineage"
)

// Schema-only changes. arrow-go makes it easy to lose metadata here:
// arrow.NewSchema with a fresh metadata argument drops the old, a Field
// literal drops its Metadata, compute.CastArray returns a bare array. These
// operations change exactly one thing and carry everything else (the other
// metadata, the fields' metadata, the context) across.

// WithSchemaMetadata replaces the schema's Arrow key/value metadata with
// md. The fields, their metadata and all context are kept.
func WithSchemaMetadata(md arrow.Metadata) Op {
	return Op{name: "schema_metadata", run: func(ctx context.Context, f *boundData, cfg opConfig) (*boundData, *framectx.Plan, error) {
		s := f.data.schema()
		next := arrow.NewSchemaWithEndian(s.Fields(), &md, s.Endianness())
		return f.withMetadataOnly(ctx, "schema_metadata", next, cfg)
	}}
}

// WithFieldMetadata replaces column name's Arrow key/value metadata with
// md. The other fields, the schema's metadata and all context are kept. An
// unknown column is ErrInvalidArgument.
func WithFieldMetadata(name string, md arrow.Metadata) Op {
	return Op{name: "field_metadata", run: func(ctx context.Context, f *boundData, cfg opConfig) (*boundData, *framectx.Plan, error) {
		s := f.data.schema()
		i := fieldIndex(s, name)
		if i < 0 {
			return nil, nil, f.invalid("field_metadata", "no column %q", name)
		}
		fields := s.Fields()
		fields[i].Metadata = md
		return f.withMetadataOnly(ctx, "field_metadata", newSchemaLike(s, fields), cfg)
	}}
}

// withMetadataOnly swaps in schema next, which differs from the current
// one only in metadata: every column and all context are kept.
func (f *boundData) withMetadataOnly(ctx context.Context, op string, next *arrow.Schema, cfg opConfig) (*boundData, *framectx.Plan, error) {
	in := f.input()
	ch, err := framectx.RowsChange(in, "", framectx.SameRows(in.Shape.Rows), op, "")
	if err != nil {
		return nil, nil, f.changeFailed(op, err)
	}
	return f.commit(ctx, f.data.project(next, identity(next.NumFields())), ch, cfg)
}

// CastColumn converts column name to type to with arrow's compute cast
// (safe: overflow and truncation are errors, ErrArrow). The field keeps its
// name, nullability and metadata. As for any replacement of a column's
// values, the column keeps its column context, loses its cell context (a
// cell annotation describes a value the cast may have changed) and its
// lineage records the cast. An unknown column or a nil type is
// ErrInvalidArgument.
func CastColumn(name string, to arrow.DataType) Op {
	return Op{name: "cast", run: func(ctx context.Context, f *boundData, cfg opConfig) (*boundData, *framectx.Plan, error) {
		s := f.data.schema()
		i := fieldIndex(s, name)
		switch {
		case i < 0:
			return nil, nil, f.invalid("cast", "no column %q", name)
		case to == nil:
			return nil, nil, f.invalid("cast", "column %q: no target type", name)
		}
		from := s.Field(i).Type
		src := f.data.chunked(i)
		defer src.Release()
		cctx := compute.WithAllocator(ctx, f.mem)
		chunks := make([]arrow.Array, 0, len(src.Chunks()))
		defer func() { releaseArrays(chunks) }()
		for _, c := range src.Chunks() {
			out, err := castArray(cctx, c, to)
			if err != nil {
				return nil, nil, opError("cast", f.bind.FrameID(), ErrArrow, err)
			}
			chunks = append(chunks, out)
		}
		col := arrow.NewChunked(to, chunks)
		defer col.Release()
		d := Derivation{
			From:           []string{name},
			Transformation: lineage.Direct(lineage.SubtypeTransformation, "cast from "+from.String()+" to "+to.String()),
		}
		return f.setColumn(ctx, "cast", name, col, d, cfg)
	}}
}

// castArray casts one array with arrow's compute cast.
func castArray(ctx context.Context, a arrow.Array, to arrow.DataType) (arrow.Array, error) {
	return recovered(func() (arrow.Array, error) {
		return compute.CastArray(ctx, a, compute.SafeCastOptions(to))
	})
}
