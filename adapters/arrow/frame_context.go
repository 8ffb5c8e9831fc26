package arrow

import (
	"context"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/adapters/lineage"
	"github.com/ctxframe/ctxframe/contextstore"
)

// frameContext holds what a Record and a Table offer alike: their context
// and their binding. Both embed it, so each method is written once.
type frameContext struct {
	f *boundData
}

// Release releases the reference to the Arrow data. Context in the store
// is kept (see DropContext). Later calls return ErrReleased; releasing twice
// does nothing.
func (c *frameContext) Release() { c.f.release() }

// FrameID returns the frame ID the context is stored under.
func (c *frameContext) FrameID() string { return c.f.bind.FrameID() }

// Store returns the context store.
func (c *frameContext) Store() contextstore.Store { return c.f.bind.Store() }

// Binding returns the framectx binding, for tools that work on any adapter.
func (c *frameContext) Binding() *framectx.Binding { return c.f.bind }

// Shape returns the column names and row count now (empty after Release).
func (c *frameContext) Shape() framectx.Shape { return c.f.shape() }

// Set replaces the context at ref. An unknown column or a row out of range
// is a *keys.KeyError of kind keys.ErrNotInFrame, and nothing is written.
func (c *frameContext) Set(ctx context.Context, ref framectx.Ref, v contextstore.Value) error {
	return c.f.set(ctx, ref, v)
}

// Merge patches the context at ref: fields of patch replace fields of the
// same name, a nil field value deletes that field, other fields are kept.
func (c *frameContext) Merge(ctx context.Context, ref framectx.Ref, patch contextstore.Value) error {
	return c.f.merge(ctx, ref, patch)
}

// Get returns the context at ref, or an error matching
// contextstore.ErrNotFound when there is none.
func (c *frameContext) Get(ctx context.Context, ref framectx.Ref) (contextstore.Value, error) {
	return c.f.get(ctx, ref)
}

// Delete removes the context at ref; removing absent context is not an
// error.
func (c *frameContext) Delete(ctx context.Context, ref framectx.Ref) error {
	return c.f.del(ctx, ref)
}

// List returns the frame's context as people wrote it, sorted by key
// (frame, columns, rows, cells): without the lineage ctxframe records in
// reserved fields, and without entries that held only lineage. ListAll
// returns everything.
func (c *frameContext) List(ctx context.Context) ([]contextstore.Entry, error) {
	return c.f.bind.UserEntries(ctx)
}

// ListAll returns every context entry of the frame as stored, lineage
// included, sorted by key.
func (c *frameContext) ListAll(ctx context.Context) ([]contextstore.Entry, error) {
	return c.f.bind.Entries(ctx)
}

// Lineage exports the frame's column lineage as an OpenLineage
// ColumnLineageDatasetFacet; producer "" means lineage.DefaultProducer.
func (c *frameContext) Lineage(ctx context.Context, producer string) (*lineage.Facet, error) {
	return c.f.bind.Lineage(ctx, producer)
}

// DropContext removes every context entry of the frame in one atomic call,
// so nothing is left orphaned when a frame is discarded. The data is kept.
func (c *frameContext) DropContext(ctx context.Context) error {
	return c.f.bind.Drop(ctx)
}

// Epoch returns the layout epoch of the data: it changes with every in-place
// operation that moves or removes rows or columns. Positional writes
// (column, row, cell) are applied only while the store is at this epoch;
// after another process changed the layout they fail with
// framectx.ErrStale (see Rebind).
func (c *frameContext) Epoch() uint64 { return c.f.bind.Epoch() }
