package arrow

import (
	"context"
	"slices"
	"unicode/utf8"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/ctxframe/ctxframe/adapters/framectx"
)

// Select keeps the named columns, in the order given. Their field metadata,
// column context and cell context stay; the other columns' go. The schema
// keeps its metadata. Zero-copy. An unknown column or one named twice is
// ErrInvalidArgument.
func Select(names ...string) Op {
	names = slices.Clone(names)
	return Op{name: "select", run: func(ctx context.Context, f *boundData, cfg opConfig) (*boundData, *framectx.Plan, error) {
		s := f.data.schema()
		idx := make([]int, len(names))
		for k, name := range names {
			i := fieldIndex(s, name)
			if i < 0 {
				return nil, nil, f.invalid("select", "no column %q", name)
			}
			if slices.Contains(names[:k], name) {
				return nil, nil, f.invalid("select", "column %q selected twice", name)
			}
			idx[k] = i
		}
		ch, err := framectx.SelectChange(f.input(), "", names)
		if err != nil {
			return nil, nil, f.changeFailed("select", err)
		}
		return f.commit(ctx, f.data.project(projectedSchema(s, idx), idx), ch, cfg)
	}}
}

// Drop removes the named columns with their column and cell context; the
// others stay as they are. An unknown column is ErrInvalidArgument.
func Drop(names ...string) Op {
	names = slices.Clone(names)
	return Op{name: "drop", run: func(ctx context.Context, f *boundData, cfg opConfig) (*boundData, *framectx.Plan, error) {
		s := f.data.schema()
		gone := make([]bool, s.NumFields())
		for _, name := range names {
			i := fieldIndex(s, name)
			if i < 0 {
				return nil, nil, f.invalid("drop", "no column %q", name)
			}
			gone[i] = true
		}
		idx := make([]int, 0, s.NumFields())
		for i, g := range gone {
			if !g {
				idx = append(idx, i)
			}
		}
		ch, err := framectx.DropChange(f.input(), "", names)
		if err != nil {
			return nil, nil, f.changeFailed("drop", err)
		}
		return f.commit(ctx, f.data.project(projectedSchema(s, idx), idx), ch, cfg)
	}}
}

// Rename renames column from to to. Its column and cell context move with
// it and its field keeps its metadata. Zero-copy; without cell context the
// cost does not depend on the number of rows. An unknown column, a new
// name that another column has or that is not UTF-8 is ErrInvalidArgument.
func Rename(from, to string) Op {
	return Op{name: "rename", run: func(ctx context.Context, f *boundData, cfg opConfig) (*boundData, *framectx.Plan, error) {
		s := f.data.schema()
		i := fieldIndex(s, from)
		switch {
		case i < 0:
			return nil, nil, f.invalid("rename", "no column %q", from)
		case !utf8.ValidString(to):
			return nil, nil, f.invalid("rename", "new name %q is not valid UTF-8", to)
		case from != to && s.HasField(to):
			return nil, nil, f.invalid("rename", "column %q already exists", to)
		}
		ch, err := framectx.RenameChange(f.input(), "", map[string]string{from: to})
		if err != nil {
			return nil, nil, f.changeFailed("rename", err)
		}
		fields := s.Fields()
		fields[i].Name = to
		next := f.data.project(newSchemaLike(s, fields), identity(len(fields)))
		return f.commit(ctx, next, ch, cfg)
	}}
}

// projectedSchema is the schema of the fields of s at idx, metadata and
// all.
func projectedSchema(s *arrow.Schema, idx []int) *arrow.Schema {
	fields := make([]arrow.Field, len(idx))
	for k, i := range idx {
		fields[k] = s.Field(i)
	}
	return newSchemaLike(s, fields)
}

// fieldIndex returns the position of the field called name, or -1. Bound
// schemas have no duplicate names.
func fieldIndex(s *arrow.Schema, name string) int {
	if idx := s.FieldIndices(name); len(idx) > 0 {
		return idx[0]
	}
	return -1
}
