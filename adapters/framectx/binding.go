package framectx

import (
	"context"
	"errors"
	"fmt"

	"github.com/ctxframe/ctxframe/adapters/lineage"
	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// Options configure a Binding. The zero Options (or nil) are valid.
type Options struct {
	// Policy is the default merge policy of operations that combine frames;
	// DefaultPolicy means Override.
	Policy Policy
	// Namespace is the OpenLineage namespace lineage records name frames
	// in; "" means DefaultNamespace.
	Namespace string
}

// Binding is a frame ID in a contextstore.Store, with options. It reads and
// writes context by frame-relative Ref, checked against the frame's current
// Shape, which the adapter passes to every call. A Binding holds no frame
// data and is safe for concurrent use as far as its store is.
type Binding struct {
	store   contextstore.Store
	frameID string
	opts    Options
}

// Bind binds frameID in store. It returns a *keys.KeyError
// (keys.ErrInvalidKey) for an empty or non-UTF-8 frame ID, and an error for
// a nil store or an unknown policy. opts may be nil.
func Bind(store contextstore.Store, frameID string, opts *Options) (*Binding, error) {
	if store == nil {
		return nil, errors.New("framectx: bind: nil store")
	}
	if err := keys.Frame(frameID).Validate(); err != nil {
		return nil, err
	}
	b := &Binding{store: store, frameID: frameID}
	if opts != nil {
		b.opts = *opts
	}
	if b.opts.Policy < DefaultPolicy || b.opts.Policy > Override {
		return nil, fmt.Errorf("framectx: bind: unknown merge policy %d", int(b.opts.Policy))
	}
	if b.opts.Namespace == "" {
		b.opts.Namespace = DefaultNamespace
	}
	return b, nil
}

// Rebind returns a Binding of another frame ID in the same store with the
// same options: the binding of an operation's output frame.
func (b *Binding) Rebind(frameID string) (*Binding, error) {
	opts := b.opts
	return Bind(b.store, frameID, &opts)
}

// FrameID returns the bound frame ID.
func (b *Binding) FrameID() string { return b.frameID }

// Store returns the store.
func (b *Binding) Store() contextstore.Store { return b.store }

// Policy returns the default merge policy (never DefaultPolicy).
func (b *Binding) Policy() Policy { return b.opts.Policy.resolve(DefaultPolicy) }

// Namespace returns the OpenLineage namespace of the binding's frames.
func (b *Binding) Namespace() string { return b.opts.Namespace }

// Key returns the canonical key of ref in the bound frame, after checking
// ref against shape (see Shape.Check).
func (b *Binding) Key(shape Shape, ref Ref) (keys.Key, error) {
	if err := shape.Check(ref); err != nil {
		return keys.Key{}, err
	}
	return ref.Key(b.frameID), nil
}

// Set replaces the context at ref with v. A bad ref is a *keys.KeyError and
// nothing is written; so is a value the store refuses.
func (b *Binding) Set(ctx context.Context, shape Shape, ref Ref, v contextstore.Value) error {
	k, err := b.Key(shape, ref)
	if err != nil {
		return err
	}
	return b.store.Set(ctx, k, v)
}

// Merge patches the context at ref: each field of patch replaces the field
// of that name, and a field whose value in patch is nil deletes the field.
// Fields not in patch are kept. Without context at ref, Merge creates it
// from patch (minus its nil fields). The patch is applied whole or not at
// all, but Merge is a read followed by a write: a concurrent writer of the
// same entry between the two may be overwritten.
func (b *Binding) Merge(ctx context.Context, shape Shape, ref Ref, patch contextstore.Value) error {
	k, err := b.Key(shape, ref)
	if err != nil {
		return err
	}
	patchN, err := contextstore.Normalize(patch)
	if err != nil {
		return fmt.Errorf("framectx: merge %s: %w: %w", ref, contextstore.ErrInvalidValue, err)
	}
	cur, err := b.store.Get(ctx, k)
	if errors.Is(err, contextstore.ErrNotFound) {
		cur, err = contextstore.Value{}, nil
	}
	if err != nil {
		return err
	}
	for f, x := range patchN {
		if x == nil {
			delete(cur, f)
		} else {
			cur[f] = x
		}
	}
	return b.store.Set(ctx, k, cur)
}

// Get returns the context at ref, or an error matching
// contextstore.ErrNotFound when there is none.
func (b *Binding) Get(ctx context.Context, shape Shape, ref Ref) (contextstore.Value, error) {
	k, err := b.Key(shape, ref)
	if err != nil {
		return nil, err
	}
	return b.store.Get(ctx, k)
}

// Delete removes the context at ref; removing absent context is not an
// error.
func (b *Binding) Delete(ctx context.Context, shape Shape, ref Ref) error {
	k, err := b.Key(shape, ref)
	if err != nil {
		return err
	}
	return b.store.Delete(ctx, k)
}

// Entries returns every entry of the bound frame, sorted by key.
func (b *Binding) Entries(ctx context.Context) ([]contextstore.Entry, error) {
	return contextstore.ReadFrame(ctx, b.store, b.frameID)
}

// Drop removes every entry of the bound frame, atomically: nothing is left
// orphaned.
func (b *Binding) Drop(ctx context.Context) error {
	return contextstore.DropFrame(ctx, b.store, b.frameID)
}

// Propagate plans c and commits it in one atomic contextstore.Apply (see the
// package Propagate), filling c's DefaultPolicy with the binding's policy and
// an empty Namespace with the binding's.
func (b *Binding) Propagate(ctx context.Context, c Change) (*Plan, error) {
	c.Policy = c.Policy.resolve(b.opts.Policy)
	if c.Namespace == "" {
		c.Namespace = b.opts.Namespace
	}
	return Propagate(ctx, b.store, c)
}

// Lineage exports the bound frame's column lineage as an OpenLineage
// ColumnLineageDatasetFacet; producer "" means lineage.DefaultProducer.
func (b *Binding) Lineage(ctx context.Context, producer string) (*lineage.Facet, error) {
	entries, err := b.Entries(ctx)
	if err != nil {
		return nil, err
	}
	return lineage.FacetFromEntries(producer, entries)
}
