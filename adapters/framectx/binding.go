package framectx

import (
	"context"
	"errors"
	"fmt"
	"sync"

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

// Binding is a frame ID in a contextstore.Store, with options, and the
// layout epoch of the frame its adapter's data matches. It reads and writes
// context by frame-relative Ref, checked against the frame's current Shape,
// which the adapter passes to every call. A Binding holds no frame data and
// is safe for concurrent use as far as its store is.
//
// Several processes may share a frame. Anyone may annotate it: a write at a
// column, row or cell is applied only while the frame is still at the
// binding's layout epoch, so it never lands on a row or column that moved
// meanwhile (it fails with ErrStale instead). Only the frame's owner, the
// process whose data is the frame, should change its layout (rename,
// select, filter, sort, replace a column): that advances the epoch and
// makes every other binding stale until it re-binds (Adopt) to data that
// matches.
type Binding struct {
	store   contextstore.Store
	frameID string
	opts    Options

	mu    sync.Mutex
	epoch uint64 // the layout epoch the adapter's data matches
}

// Bind binds frameID in store at the zero layout epoch (a frame never
// relaid out); adapters then call Adopt. It returns a *keys.KeyError
// (keys.ErrInvalidKey) for an empty or non-UTF-8 frame ID, and an error for
// a nil store, a store without versioned frames (contextstore.ErrUnsupported:
// see contextstore.WithLocalVersions) or an unknown policy. opts may be nil.
func Bind(store contextstore.Store, frameID string, opts *Options) (*Binding, error) {
	if store == nil {
		return nil, errors.New("framectx: bind: nil store")
	}
	if !contextstore.Versioned(store) {
		_, err := contextstore.ReadVersioned(context.Background(), store, frameID)
		return nil, fmt.Errorf("framectx: bind %q: %w", frameID, err)
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

// Epoch returns the layout epoch the binding's data matches.
func (b *Binding) Epoch() uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.epoch
}

func (b *Binding) setEpoch(e uint64) {
	b.mu.Lock()
	b.epoch = e
	b.mu.Unlock()
}

// Adopt reads the frame's entries and layout epoch in one consistent read,
// checks that every entry fits shape (no column it lacks, no row past its
// end: a *keys.KeyError of kind keys.ErrNotInFrame otherwise, and nothing
// adopted) and makes that epoch the binding's. It returns the entries. The
// caller vouches that its data is the frame's data at that epoch: call it
// when binding data, and after ErrStale with data known to match the store
// (re-read from the owner's output, say).
func (b *Binding) Adopt(ctx context.Context, shape Shape) ([]contextstore.Entry, error) {
	return b.adopt(ctx, shape, 0, false)
}

// AdoptAt is Adopt for data known to be the frame's data at layout epoch
// epoch: if the store is at another epoch it fails with a *StaleError and
// adopts nothing, so data and context of different layouts are never bound
// together.
func (b *Binding) AdoptAt(ctx context.Context, shape Shape, epoch uint64) ([]contextstore.Entry, error) {
	return b.adopt(ctx, shape, epoch, true)
}

// AdoptWritten makes epoch the binding's without reading the store, for
// data whose context the caller itself has just written, checked against
// the data, in a write that left the frame at layout epoch epoch (an IPC or
// Parquet read's restore). A later layout change by another writer makes
// the binding's positional writes stale, as after Adopt.
func (b *Binding) AdoptWritten(epoch uint64) { b.setEpoch(epoch) }

func (b *Binding) adopt(ctx context.Context, shape Shape, epoch uint64, check bool) ([]contextstore.Entry, error) {
	snap, err := contextstore.ReadVersioned(ctx, b.store, b.frameID)
	if err != nil {
		return nil, err
	}
	if check && snap.State.Epoch != epoch {
		return nil, &StaleError{FrameID: b.frameID, Held: epoch, Now: snap.State.Epoch}
	}
	for _, e := range snap.Entries {
		if err := shape.Check(RefOf(e.Key)); err != nil {
			return nil, err
		}
	}
	b.setEpoch(snap.State.Epoch)
	return snap.Entries, nil
}

// write applies m: frame context unconditionally (it does not depend on
// the layout), anything at a column, row or cell only while the frame is at
// the binding's layout epoch.
func (b *Binding) write(ctx context.Context, ref Ref, m contextstore.Mutation) error {
	if ref.Kind == keys.KindFrame {
		return contextstore.Apply(ctx, b.store, []contextstore.Mutation{m})
	}
	held := b.Epoch()
	_, err := contextstore.ApplyIf(ctx, b.store, []contextstore.Guard{contextstore.AtEpoch(b.frameID, held)}, []contextstore.Mutation{m})
	return b.stale(held, err)
}

// stale turns a conflict on the binding's frame into a *StaleError.
func (b *Binding) stale(held uint64, err error) error {
	var ce *contextstore.ConflictError
	if errors.As(err, &ce) && ce.FrameID == b.frameID && ce.Got.Epoch != held {
		return &StaleError{FrameID: b.frameID, Held: held, Now: ce.Got.Epoch, Err: err}
	}
	return err
}

// Set replaces the context at ref with v. A bad ref is a *keys.KeyError and
// nothing is written; so is a value the store refuses. At a column, row or
// cell it is written only while the frame is at the binding's layout epoch,
// else a *StaleError (ErrStale) and nothing written.
func (b *Binding) Set(ctx context.Context, shape Shape, ref Ref, v contextstore.Value) error {
	k, err := b.Key(shape, ref)
	if err != nil {
		return err
	}
	n, err := contextstore.Normalize(v)
	if err != nil {
		return fmt.Errorf("framectx: set %s: %w: %w", ref, contextstore.ErrInvalidValue, err)
	}
	return b.write(ctx, ref, contextstore.Put(k, n))
}

// Merge patches the context at ref: each field of patch replaces the field
// of that name, and a field whose value in patch is nil deletes the field.
// Fields not in patch are kept. Without context at ref, Merge creates it
// from patch (minus its nil fields). The store merges atomically: two
// merges of different fields into one entry never lose either, whoever
// writes between. Like Set, it is guarded by the layout epoch.
func (b *Binding) Merge(ctx context.Context, shape Shape, ref Ref, patch contextstore.Value) error {
	k, err := b.Key(shape, ref)
	if err != nil {
		return err
	}
	patchN, err := contextstore.Normalize(patch)
	if err != nil {
		return fmt.Errorf("framectx: merge %s: %w: %w", ref, contextstore.ErrInvalidValue, err)
	}
	return b.write(ctx, ref, contextstore.Patch(k, patchN))
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
// error. Like Set, it is guarded by the layout epoch.
func (b *Binding) Delete(ctx context.Context, shape Shape, ref Ref) error {
	k, err := b.Key(shape, ref)
	if err != nil {
		return err
	}
	return b.write(ctx, ref, contextstore.Remove(k))
}

// Entries returns every entry of the bound frame, sorted by key.
func (b *Binding) Entries(ctx context.Context) ([]contextstore.Entry, error) {
	return contextstore.ReadFrame(ctx, b.store, b.frameID)
}

// UserEntries is Entries without the fields ctxframe keeps for itself
// (lineage; a user's StateField mark stays), and without the entries that
// held nothing else: the context people wrote. Lineage is read with
// Entries, or exported with the adapters' Lineage.
func (b *Binding) UserEntries(ctx context.Context) ([]contextstore.Entry, error) {
	all, err := b.Entries(ctx)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, e := range all {
		if user := withoutReserved(e.Value); user != nil {
			out = append(out, contextstore.Entry{Key: e.Key, Value: user})
		}
	}
	return out, nil
}

// Drop removes every entry of the bound frame, atomically: nothing is left
// orphaned. The frame goes back to the zero state, which the binding adopts.
func (b *Binding) Drop(ctx context.Context) error {
	if err := contextstore.DropFrame(ctx, b.store, b.frameID); err != nil {
		return err
	}
	b.setEpoch(0)
	return nil
}

// Commit runs an operation through the one commit path with b as its
// output: inputs are the bindings of the frames it reads, in the order of
// its Change's Inputs (in place, b is inputs[0]). Each input's entries are
// read with its version; an input whose layout epoch is not the one its
// binding holds fails the operation with a *StaleError. step plans the
// Change from those entries; the plan is written only if no frame read was
// written meanwhile, else everything is read and planned again (at most
// MaxAttempts times). The output's layout epoch advances when the operation
// moves or removes its rows or columns, or when it is a new frame; b adopts
// it. On any error nothing is written. The binding's default policy and
// namespace fill the Change's.
func (b *Binding) Commit(ctx context.Context, inputs []*Binding, step Step) (*Plan, error) {
	return b.commit(ctx, inputs, step, false)
}

// CommitKnown is Commit for a step whose Change does not depend on the
// entries it is given: an operation that computes its data and row mapping
// before reading any context, and may still look at the entries for its
// notes. Knowing the Change first, the commit path reads only what planning
// it needs: for an in-place change that keeps every row where it is (a
// rename, a column selection or drop) the frame's frame and column entries
// and the cells of the columns it changes, not its row entries (see
// contextstore.ReadSubset); step is then given those entries only.
func (b *Binding) CommitKnown(ctx context.Context, inputs []*Binding, step Step) (*Plan, error) {
	return b.commit(ctx, inputs, step, true)
}

func (b *Binding) commit(ctx context.Context, inputs []*Binding, step Step, known bool) (*Plan, error) {
	ins := make([]frameRead, len(inputs))
	for i, in := range inputs {
		if in == nil {
			return nil, errors.New("framectx: commit: nil input binding")
		}
		if in.store != b.store {
			return nil, fmt.Errorf("framectx: commit: input %q is in another store than %q", in.frameID, b.frameID)
		}
		ins[i] = frameRead{frameID: in.frameID, epoch: in.Epoch(), checkEpoch: true}
	}
	plan, state, err := commitChange(ctx, b.store, ins, b.frameID, func(entries [][]contextstore.Entry) (Change, error) {
		c, err := step(entries)
		if err != nil {
			return c, err
		}
		c.Output = b.frameID
		return b.fill(c), nil
	}, known)
	if err != nil {
		return nil, err
	}
	b.setEpoch(state.Epoch)
	return plan, nil
}

// fill gives c the binding's policy and namespace where c leaves them open.
func (b *Binding) fill(c Change) Change {
	c.Policy = c.Policy.resolve(b.opts.Policy)
	if c.Namespace == "" {
		c.Namespace = b.opts.Namespace
	}
	return c
}

// Propagate commits c (see the package Propagate), filling c's
// DefaultPolicy with the binding's policy and an empty Namespace with the
// binding's. An input that is the bound frame must be at the binding's
// layout epoch; when the output is the bound frame, the binding adopts its
// new epoch.
func (b *Binding) Propagate(ctx context.Context, c Change) (*Plan, error) {
	c = b.fill(c)
	ins := readsOf(c)
	for i := range ins {
		if ins[i].frameID == b.frameID {
			ins[i].epoch, ins[i].checkEpoch = b.Epoch(), true
		}
	}
	plan, state, err := commitChange(ctx, b.store, ins, c.Output, func([][]contextstore.Entry) (Change, error) { return c, nil }, true)
	if err != nil {
		return nil, err
	}
	if c.Output == b.frameID {
		b.setEpoch(state.Epoch)
	}
	return plan, nil
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
