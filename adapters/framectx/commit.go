package framectx

import (
	"context"
	"errors"
	"fmt"

	"github.com/ctxframe/ctxframe/contextstore"
)

// MaxAttempts bounds how often the commit path re-reads and re-plans an
// operation whose frames another writer changed (without changing their
// layout) between its read and its write. Past it, the operation fails with
// an error matching contextstore.ErrConflict.
const MaxAttempts = contextstore.MaxUpdateAttempts

// Step plans an operation from its inputs' entries as they are now (in the
// order of its Change's Inputs); the commit path calls it again with fresh
// entries when it must re-plan. It must not write anything.
type Step func(entries [][]contextstore.Entry) (Change, error)

// frameRead is one frame an operation reads, and the layout epoch its data
// was bound at when that is to be checked.
type frameRead struct {
	frameID    string
	epoch      uint64
	checkEpoch bool
}

// commitChange is the one commit path of every operation, in place or into
// a new frame: read every input and the output with its state (one
// consistent read each), refuse with a StaleError an input whose layout
// epoch is not the one its data was bound at, plan, and write the plan only
// if the output is still at the version read, advancing its layout epoch
// when the operation moves or removes its rows or columns (or replaces it
// with another frame's content). Inputs other than the output need no
// guard: the plan copies them as they were at one version, which their
// later writes do not make wrong.
//
// When known, step's Change does not depend on the entries, so it is asked
// for first: a change that keeps every row of its frame in place reads only
// the entries its plan can alter (subsetFor), at a cost that follows them
// rather than the frame's rows, and the step sees only those. On a store
// that remaps on its side (contextstore.Remapper), an in-place change that
// only moves rows reads the frame and column entries (and whether rows
// have context) and has the store re-key its row and cell entries; the
// step is then shown those entries first, and, when its change is another
// kind, every entry.
//
// On a conflict (another writer changed the output in between) it starts
// over, at most MaxAttempts times. So that a stream of annotations cannot
// starve an operation, every attempt after the first begins with a fence:
// a write of nothing that advances the output's layout epoch, so that
// positional writes made for the old layout are refused (ErrStale) from
// then on and the next read of the frame holds still. The stored entries
// are still those of the old layout, which is what the operation plans
// from. It returns the plan and the output's state afterwards.
func commitChange(ctx context.Context, store contextstore.Store, ins []frameRead, output string, step Step, known bool) (*Plan, contextstore.FrameState, error) {
	mode := readWhole
	var sub contextstore.Subset
	remapper, remaps := contextstore.RemapperOf(store)
	remaps = remaps && planRemaps && len(ins) == 1 && ins[0].frameID == output
	if known {
		c, err := step(nil)
		if err != nil {
			return nil, contextstore.FrameState{}, err
		}
		if s, ok := subsetFor(c); ok {
			mode, sub = readSubset, s
		} else if remaps && movesOnly(c) {
			mode = readHead
		}
	} else if remaps {
		mode = readHead // a guess: the step says what the change is
	}
	var lastErr error
	for attempt := 0; attempt < MaxAttempts; attempt++ {
		if attempt > 0 {
			contextstore.NoteRetry(ctx, store, output, attempt)
		}
		a, err := planAttempt(ctx, store, ins, output, step, mode, sub)
		if errors.Is(err, errReadWhole) {
			mode = readWhole
			a, err = planAttempt(ctx, store, ins, output, step, mode, sub)
		}
		if err != nil {
			return nil, contextstore.FrameState{}, err
		}
		relayout := !a.change.InPlace() || a.change.movesLayout()
		if len(a.plan.Mutations) == 0 && a.remap == nil && !relayout {
			return a.plan, a.state, nil
		}
		g := contextstore.AtVersion(output, a.state)
		g.Relayout = relayout
		var states []contextstore.FrameState
		if a.remap != nil {
			states, a.plan.Remapped, err = remapper.RemapIf(ctx, []contextstore.Guard{g}, a.plan.Mutations, output, *a.remap)
		} else {
			states, err = contextstore.ApplyIf(ctx, store, []contextstore.Guard{g}, a.plan.Mutations)
		}
		if err == nil {
			return a.plan, states[0], nil
		}
		if !errors.Is(err, contextstore.ErrConflict) {
			return nil, contextstore.FrameState{}, err
		}
		lastErr = err
		if err := fence(ctx, store, ins, output, a.state.Epoch); err != nil {
			return nil, contextstore.FrameState{}, err
		}
	}
	return nil, contextstore.FrameState{}, fmt.Errorf("framectx: gave up after %d attempts, other writers kept changing the frame: %w", MaxAttempts, lastErr)
}

// readMode is what one attempt of the commit path reads of its frames.
type readMode int

const (
	readWhole  readMode = iota // every entry of every frame
	readSubset                 // what an in-place change keeping its rows can alter (subsetFor)
	readHead                   // frame and column entries, and whether rows have context: for a store-side remap
)

// planRemaps lets a test compare the store-side remap with planning every
// moved row; it is always true otherwise.
var planRemaps = true

// errReadWhole says an attempt read too little for the change its step
// made: it is planned again from every entry.
var errReadWhole = errors.New("framectx: the change needs every entry")

// attempt is one read and plan of the commit path.
type attempt struct {
	change Change
	plan   *Plan
	remap  *contextstore.Remap // run on the store's side with the plan, when not nil
	state  contextstore.FrameState
}

// planAttempt reads the inputs and the output as mode says (one consistent
// read each, shared: planning never modifies what it reads), refuses an
// input whose layout epoch moved, and plans the step's change.
func planAttempt(ctx context.Context, store contextstore.Store, ins []frameRead, output string, step Step, mode readMode, sub contextstore.Subset) (attempt, error) {
	snaps := make(map[string]contextstore.Snapshot, len(ins)+1)
	read := func(frameID string) (contextstore.Snapshot, error) {
		if s, ok := snaps[frameID]; ok {
			return s, nil
		}
		var s contextstore.Snapshot
		var err error
		switch mode {
		case readSubset:
			s, err = contextstore.ReadSubsetShared(ctx, store, frameID, sub)
		case readHead:
			s, err = contextstore.ReadSubsetShared(ctx, store, frameID, contextstore.Subset{Frame: true, Columns: true, AnyRow: true})
		default:
			s, err = contextstore.ReadVersionedShared(ctx, store, frameID)
		}
		if err != nil {
			return s, err
		}
		snaps[frameID] = s
		return s, nil
	}
	entries := make([][]contextstore.Entry, len(ins))
	for i, in := range ins {
		s, err := read(in.frameID)
		if err != nil {
			return attempt{}, err
		}
		if in.checkEpoch && s.State.Epoch != in.epoch {
			return attempt{}, &StaleError{FrameID: in.frameID, Held: in.epoch, Now: s.State.Epoch}
		}
		entries[i] = s.Entries
	}
	out, err := read(output)
	if err != nil {
		return attempt{}, err
	}
	c, err := step(entries)
	if err != nil {
		return attempt{}, err
	}
	a := attempt{change: c, state: out.State}
	if mode == readHead {
		if !movesOnly(c) {
			return attempt{}, errReadWhole
		}
		var ok bool
		if a.plan, a.remap, ok, err = planRemap(c, out.Entries); err != nil || !ok {
			if err == nil {
				err = errReadWhole
			}
			return attempt{}, err
		}
		return a, nil
	}
	a.plan, err = PlanChange(c, entries, out.Entries)
	return a, err
}

// fence advances output's layout epoch, if it is still at epoch, so that
// writes for its current layout stop; an input that is the output then
// expects the new epoch. A fence over another writer's layout change is
// refused as stale: the operation's data no longer matches.
func fence(ctx context.Context, store contextstore.Store, ins []frameRead, output string, epoch uint64) error {
	g := contextstore.AtEpoch(output, epoch)
	g.Relayout = true
	states, err := contextstore.ApplyIf(ctx, store, []contextstore.Guard{g}, nil)
	var ce *contextstore.ConflictError
	if errors.As(err, &ce) {
		return &StaleError{FrameID: output, Held: epoch, Now: ce.Got.Epoch, Err: err}
	}
	if err != nil {
		return err
	}
	for i := range ins {
		if ins[i].frameID == output && ins[i].checkEpoch {
			ins[i].epoch = states[0].Epoch
		}
	}
	return nil
}

// subsetFor returns the part of c's frame that planning c reads when c
// keeps every row in place: what its passthrough does not leave as it is
// (the frame and column entries, the row entries with a state-bound part
// when the change drops it, the cells of columns not carried as they are, and
// anything past the frame's end). A frame of no rows has nothing to leave.
func subsetFor(c Change) (contextstore.Subset, bool) {
	pt := passthroughOf(c)
	if pt == nil || pt.rows == 0 || !planPassthrough {
		return contextstore.Subset{}, false
	}
	sub := contextstore.Subset{Frame: true, Columns: true, AllCellsExcept: true, RowsFrom: pt.rows}
	if !pt.rowsAll {
		sub.RowsWith = StateField
	}
	for col := range pt.cells {
		sub.Cells = append(sub.Cells, col)
	}
	return sub, true
}

// movesLayout reports whether an in-place change moves or removes rows or
// columns of its frame, so that context written for the old positions and
// names would land on other data: any input column not carried as it is
// under its own name (renamed, dropped, values replaced), or rows that are
// not the old rows in their old places (appending rows, or adding a
// column, moves nothing).
func (c Change) movesLayout() bool {
	if len(c.Inputs) == 0 {
		return true
	}
	kept := make(map[string]bool, len(c.Columns))
	for _, col := range c.Columns {
		if len(col.Carry) == 1 && col.Carry[0] == From(0, col.Name) && col.Transformation.IsIdentity() && len(col.Sources) == 0 {
			kept[col.Name] = true
		}
	}
	for _, name := range c.Inputs[0].Shape.Columns {
		if !kept[name] {
			return true
		}
	}
	n := c.Inputs[0].Shape.Rows
	// Only mappings that keep rows in place by construction are looked at:
	// resolving a lazy mapping or walking an index would cost O(rows) for a
	// frame without row context. Any other mapping counts as a move.
	switch m := c.Rows.(type) {
	case nil:
		return n > 0
	case sliceRows:
		return m.input != 0 || m.start != 0 || m.n < n
	case concatRows:
		return len(m.offsets) < 2 || m.offsets[0] != 0 || m.offsets[1] != n
	case alignedRows:
		return m.n < n
	}
	return true
}
