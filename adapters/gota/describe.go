package gota

import (
	"context"

	"github.com/ctxframe/ctxframe/adapters/lineage"
	"github.com/ctxframe/ctxframe/adapters/tableschema"
)

// Lineage exports the frame's column lineage, as operations recorded it, as
// an OpenLineage ColumnLineageDatasetFacet (spec 1-2-0); producer "" means
// lineage.DefaultProducer. Marshal it with encoding/json or Facet.JSON.
func (f *Frame) Lineage(ctx context.Context, producer string) (*lineage.Facet, error) {
	return f.b.Lineage(ctx, producer)
}

// ImportTableSchema fills column context from a Frictionless Table Schema
// (title, description, type, format, constraints, custom properties; fields
// matched to columns by name) and frame context from its missingValues,
// primaryKey and foreignKeys, in one atomic batch. A field naming no column
// is a *tableschema.UnknownFieldError and nothing is written, unless
// opts.SkipUnknown. opts may be nil.
func (f *Frame) ImportTableSchema(ctx context.Context, s *tableschema.Schema, opts *tableschema.ImportOptions) (*tableschema.ImportResult, error) {
	return tableschema.Import(ctx, f.b, f.Shape(), s, opts)
}

// ExportTableSchema writes the frame's column context back as a
// Frictionless Table Schema: one field per column, in order.
func (f *Frame) ExportTableSchema(ctx context.Context) (*tableschema.Schema, error) {
	return tableschema.Export(ctx, f.b, f.Shape())
}
