package gota

import (
	"context"

	"github.com/ctxframe/ctxframe/adapters/lineage"
)

// Lineage exports the frame's column lineage, as operations recorded it, as
// an OpenLineage ColumnLineageDatasetFacet (spec 1-2-0); producer "" means
// lineage.DefaultProducer. Marshal it with encoding/json or Facet.JSON.
func (f *Frame) Lineage(ctx context.Context, producer string) (*lineage.Facet, error) {
	return f.b.Lineage(ctx, producer)
}
