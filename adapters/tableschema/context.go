package tableschema

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// Frame-context fields Import writes and Export reads.
const (
	FieldMissingValues = "missingValues"
	FieldPrimaryKey    = "primaryKey"
	FieldForeignKeys   = "foreignKeys"
)

// ErrUnknownField is matched by *UnknownFieldError.
var ErrUnknownField = errors.New("tableschema: schema field not in frame")

// UnknownFieldError reports schema fields that name no column of the frame.
type UnknownFieldError struct {
	Fields []string
}

// Error lists the unknown fields.
func (e *UnknownFieldError) Error() string {
	s := "tableschema: schema fields not in the frame:"
	for _, f := range e.Fields {
		s += " " + strconv.Quote(f)
	}
	return s
}

// Unwrap returns ErrUnknownField.
func (e *UnknownFieldError) Unwrap() error { return ErrUnknownField }

// ImportOptions tune Import. The zero value (or nil) is strict: every schema
// field must name a column.
type ImportOptions struct {
	// SkipUnknown skips schema fields that name no column (listed in
	// ImportResult.Skipped) instead of failing.
	SkipUnknown bool
	// Replace replaces each column's context by its field's properties
	// instead of patching them into it. Reserved fields are kept either way.
	Replace bool
}

// ImportResult says what Import did.
type ImportResult struct {
	Columns []string // columns whose context was written, in schema order
	Skipped []string // schema fields skipped as unknown
}

// Import writes the schema into the bound frame's context, in one atomic
// batch: each field's properties into the context of the column of the same
// name, the schema's missingValues, primaryKey and foreignKeys into the
// frame context. A field naming no column is an *UnknownFieldError (nothing
// written) unless opts.SkipUnknown. Columns without a field are untouched.
// The batch is written only if the frame did not change since it was read
// (else it is read and planned again), and only while the frame is at the
// binding's layout epoch (a *framectx.StaleError otherwise).
func Import(ctx context.Context, b *framectx.Binding, shape framectx.Shape, s *Schema, opts *ImportOptions) (*ImportResult, error) {
	if s == nil {
		return nil, errors.New("tableschema: import: nil schema")
	}
	var o ImportOptions
	if opts != nil {
		o = *opts
	}
	res := &ImportResult{}
	var unknown []string
	var ks []keys.Key
	var patches []contextstore.Value
	for _, f := range s.Fields {
		if !shape.HasColumn(f.Name) {
			unknown = append(unknown, f.Name)
			continue
		}
		k, err := b.Key(shape, framectx.ColumnRef(f.Name))
		if err != nil {
			return nil, err
		}
		patch := f.Map()
		delete(patch, "name")
		ks = append(ks, k)
		patches = append(patches, patch)
		res.Columns = append(res.Columns, f.Name)
	}
	if len(unknown) > 0 && !o.SkipUnknown {
		return nil, &UnknownFieldError{Fields: unknown}
	}
	res.Skipped = unknown
	framePatch := contextstore.Value{}
	if s.MissingValues != nil {
		framePatch[FieldMissingValues] = anyList(s.MissingValues)
	}
	if len(s.PrimaryKey) > 0 {
		framePatch[FieldPrimaryKey] = anyList(s.PrimaryKey)
	}
	if len(s.ForeignKeys) > 0 {
		framePatch[FieldForeignKeys] = s.ForeignKeys
	}
	if len(framePatch) > 0 {
		ks = append(ks, keys.Frame(b.FrameID()))
		patches = append(patches, framePatch)
	}
	if len(ks) == 0 {
		return res, nil
	}
	// Read, plan and write only if the frame did not change in between:
	// a writer in between is re-read, never overwritten.
	var err error
	for attempt := 0; attempt < framectx.MaxAttempts; attempt++ {
		snap, rerr := contextstore.ReadVersioned(ctx, b.Store(), b.FrameID())
		if rerr != nil {
			return nil, fmt.Errorf("tableschema: import: %w", rerr)
		}
		if held := b.Epoch(); snap.State.Epoch != held && len(res.Columns) > 0 {
			// The columns were renamed or moved since the data was bound:
			// a field's name may now be another column's.
			return nil, &framectx.StaleError{FrameID: b.FrameID(), Held: held, Now: snap.State.Epoch}
		}
		current := make(map[keys.Key]contextstore.Value, len(snap.Entries))
		for _, e := range snap.Entries {
			current[e.Key] = e.Value
		}
		ms := make([]contextstore.Mutation, len(ks))
		for i, k := range ks {
			v := contextstore.Value{}
			for f, x := range current[k] {
				if framectx.IsReserved(f) || !o.Replace || k.Kind() == keys.KindFrame {
					v[f] = x
				}
			}
			for f, x := range patches[i] {
				if !framectx.IsReserved(f) {
					v[f] = x
				}
			}
			ms[i] = contextstore.Put(k, v)
		}
		guard := contextstore.AtVersion(b.FrameID(), snap.State)
		if _, err = contextstore.ApplyIf(ctx, b.Store(), []contextstore.Guard{guard}, ms); !errors.Is(err, contextstore.ErrConflict) {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("tableschema: import: %w", err)
	}
	return res, nil
}

// Export builds a Table Schema from the bound frame's context: one field
// per column of shape, in order, whose properties are the column context's
// fields; reserved fields and a context field called "name" (which would
// clash with the field's name) are left out. A property of a standard name
// with the wrong JSON type (a "title" that is not a string) is an error
// matching ErrMalformed. The frame context's missingValues, primaryKey and
// foreignKeys become the schema's.
func Export(ctx context.Context, b *framectx.Binding, shape framectx.Shape) (*Schema, error) {
	entries, err := b.Entries(ctx)
	if err != nil {
		return nil, fmt.Errorf("tableschema: export: %w", err)
	}
	cols := map[string]contextstore.Value{}
	var frame contextstore.Value
	for _, e := range entries {
		switch e.Key.Kind() {
		case keys.KindColumn:
			cols[e.Key.ColumnName()] = e.Value
		case keys.KindFrame:
			frame = e.Value
		}
	}
	s := &Schema{}
	for _, name := range shape.Columns {
		m := map[string]any{"name": name}
		for f, x := range cols[name] {
			if f != "name" && !framectx.IsReserved(f) {
				m[f] = x
			}
		}
		f, err := fieldFromMap(m)
		if err != nil {
			return nil, fmt.Errorf("%w: column %q: %w", ErrMalformed, name, err)
		}
		s.Fields = append(s.Fields, f)
	}
	raw := map[string]any{"fields": []any{}}
	for _, f := range []string{FieldMissingValues, FieldPrimaryKey, FieldForeignKeys} {
		if x, ok := frame[f]; ok {
			raw[f] = x
		}
	}
	top, err := fromMap(raw)
	if err != nil {
		return nil, fmt.Errorf("tableschema: export: frame context: %w", err)
	}
	s.MissingValues, s.PrimaryKey, s.ForeignKeys = top.MissingValues, top.PrimaryKey, top.ForeignKeys
	return s, nil
}
