package framectx

import (
	"context"

	"github.com/ctxframe/ctxframe/adapters/lineage"
	"github.com/ctxframe/ctxframe/contextstore"
)

// Accessor is the context methods every adapter's frame offers, written
// once: an adapter's frame type embeds it, built with the frame's Binding
// and a function returning the frame's shape now (or the adapter's error
// when its data can no longer be used, such as a released Arrow record;
// op names the method for that error).
type Accessor struct {
	bind  *Binding
	shape func(op string) (Shape, error)
}

// NewAccessor returns the Accessor of the frame bound by b whose shape
// shape returns.
func NewAccessor(b *Binding, shape func(op string) (Shape, error)) Accessor {
	return Accessor{bind: b, shape: shape}
}

// FrameID returns the frame ID the context is stored under.
func (a Accessor) FrameID() string { return a.bind.FrameID() }

// Store returns the context store.
func (a Accessor) Store() contextstore.Store { return a.bind.Store() }

// Binding returns the framectx binding, for tools that work on any adapter.
func (a Accessor) Binding() *Binding { return a.bind }

// Epoch returns the layout epoch of the data: it changes with every in-place
// operation that moves or removes rows or columns. Positional writes
// (column, row, cell) are applied only while the store is at this epoch;
// after another process changed the layout they fail with ErrStale (see the
// adapter's Rebind). A process that shares a frame's layout with others
// publishes it with its data, so they can bind at it (RebindAt).
func (a Accessor) Epoch() uint64 { return a.bind.Epoch() }

// Set replaces the context at ref. An unknown column or a row out of range
// is a *keys.KeyError of kind keys.ErrNotInFrame, and nothing is written. A
// write at a column, row or cell is applied only while the frame's layout
// is the one the data has: if another process moved or removed rows or
// columns meanwhile, it fails with a *StaleError (ErrStale) and writes
// nothing.
func (a Accessor) Set(ctx context.Context, ref Ref, v contextstore.Value) error {
	shape, err := a.shape("set")
	if err != nil {
		return err
	}
	return a.bind.Set(ctx, shape, ref, v)
}

// Merge patches the context at ref: fields of patch replace fields of the
// same name, a nil field value deletes that field, other fields are kept.
// The store merges atomically, so concurrent merges of other fields are
// never lost; like Set, it is refused with ErrStale on a stale layout.
func (a Accessor) Merge(ctx context.Context, ref Ref, patch contextstore.Value) error {
	shape, err := a.shape("merge")
	if err != nil {
		return err
	}
	return a.bind.Merge(ctx, shape, ref, patch)
}

// Get returns the context at ref, or an error matching
// contextstore.ErrNotFound when there is none.
func (a Accessor) Get(ctx context.Context, ref Ref) (contextstore.Value, error) {
	shape, err := a.shape("get")
	if err != nil {
		return nil, err
	}
	return a.bind.Get(ctx, shape, ref)
}

// Delete removes the context at ref; removing absent context is not an
// error.
func (a Accessor) Delete(ctx context.Context, ref Ref) error {
	shape, err := a.shape("delete")
	if err != nil {
		return err
	}
	return a.bind.Delete(ctx, shape, ref)
}

// List returns the frame's context as people wrote it, sorted by key
// (frame, columns, rows, cells): without the lineage ctxframe records in
// reserved fields, and without entries that held only lineage. ListAll
// returns everything.
func (a Accessor) List(ctx context.Context) ([]contextstore.Entry, error) {
	return a.bind.UserEntries(ctx)
}

// ListAll returns every context entry of the frame as stored, lineage
// included, sorted by key.
func (a Accessor) ListAll(ctx context.Context) ([]contextstore.Entry, error) {
	return a.bind.Entries(ctx)
}

// Lineage exports the frame's column lineage, as operations recorded it, as
// an OpenLineage ColumnLineageDatasetFacet (spec 1-2-0); producer "" means
// lineage.DefaultProducer. Marshal it with encoding/json or Facet.JSON.
func (a Accessor) Lineage(ctx context.Context, producer string) (*lineage.Facet, error) {
	return a.bind.Lineage(ctx, producer)
}

// DropContext removes every context entry of the frame in one atomic call,
// so nothing is left orphaned when a frame is discarded. The data is kept.
func (a Accessor) DropContext(ctx context.Context) error {
	return a.bind.Drop(ctx)
}
