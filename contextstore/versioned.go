package contextstore

import (
	"context"
	"errors"
	"time"

	"github.com/ctxframe/ctxframe/keys"
)

// FrameState is where a frame stands in a store. Version changes, atomically
// with the write, on every write to the frame (Set, Delete, a batch, a merge,
// DropFrame). Epoch, the layout epoch, changes only when a write says that
// it moves or removes the frame's rows or columns (Guard.Relayout): context
// written for positions of an older epoch may describe other rows now.
//
// A frame never written has the zero FrameState; DropFrame returns a frame to
// it. Versions and epochs never go back to a value a reader may hold: each
// new one is the greater of the old plus one and the current time in
// microseconds (see NextVersion), so a frame dropped and written again does
// not meet its old versions.
type FrameState struct {
	Version uint64
	Epoch   uint64
}

// Snapshot is a frame's entries read together with its state, in one
// consistent read: the entries are exactly those of that version.
type Snapshot struct {
	FrameID string
	State   FrameState
	Entries []Entry // sorted by key
}

// Guard is what a conditional write requires of one frame, and whether it
// advances the frame's layout epoch.
type Guard struct {
	FrameID string
	// Version is the version the frame must still be at, when CheckVersion.
	Version      uint64
	CheckVersion bool
	// Epoch is the layout epoch the frame must still be at, when CheckEpoch.
	Epoch      uint64
	CheckEpoch bool
	// Relayout advances the frame's layout epoch with the write: the batch
	// moves or removes the frame's rows or columns.
	Relayout bool
}

// AtVersion returns the guard requiring frameID to be at state's version
// (and so, too, at its epoch).
func AtVersion(frameID string, state FrameState) Guard {
	return Guard{FrameID: frameID, Version: state.Version, CheckVersion: true, Epoch: state.Epoch, CheckEpoch: true}
}

// AtEpoch returns the guard requiring frameID to be at layout epoch epoch,
// whatever else was written to it.
func AtEpoch(frameID string, epoch uint64) Guard {
	return Guard{FrameID: frameID, Epoch: epoch, CheckEpoch: true}
}

// Holds reports whether a frame at state satisfies g.
func (g Guard) Holds(state FrameState) bool {
	return (!g.CheckVersion || g.Version == state.Version) && (!g.CheckEpoch || g.Epoch == state.Epoch)
}

// Versioner is the optional capability of versioned frames: a consistent
// read of a frame with its state, and batches applied only while frames are
// where the caller saw them. Every store shared between processes offers it;
// a store without it is unsafe for several writers of one frame (see
// WithLocalVersions).
type Versioner interface {
	// ReadVersioned returns frameID's entries and state from one
	// consistent read.
	ReadVersioned(ctx context.Context, frameID string) (Snapshot, error)

	// ApplyIf applies ms (as Batcher.Apply does) only if every guard
	// holds, atomically with the check: otherwise it returns an *Error of
	// kind ErrConflict, whose cause is a *ConflictError, and writes
	// nothing. It advances the version of every frame ms writes or a guard
	// names with Relayout, and the epoch of every frame a guard names with
	// Relayout, even when ms is empty. It returns the state of each
	// guarded frame after the write, in the order of guards.
	//
	// Single-node stores check and write every frame in one transaction.
	// Clustered and sharded stores do so per frame: a frame's guard is
	// checked atomically with that frame's writes, guards of frames the
	// batch does not write are checked first, and a batch writing several
	// frames may stop part way with the frames before it committed, as
	// their Apply may.
	ApplyIf(ctx context.Context, guards []Guard, ms []Mutation) ([]FrameState, error)
}

// StateReader is the optional capability of reading frames' states
// without their entries, in one cheap read: what a cache asks to learn
// whether the frames it holds changed.
type StateReader interface {
	// FrameStates returns the state of each of frameIDs, in order; a frame
	// never written has the zero FrameState.
	FrameStates(ctx context.Context, frameIDs []string) ([]FrameState, error)
}

// FrameStates returns the state of each of frameIDs through s's
// StateReader, else through its Versioner: an ApplyIf whose guards check
// nothing and that writes nothing (one transaction on a SQL store, where
// FrameStates is one query). A store with neither is refused with
// ErrUnsupported.
func FrameStates(ctx context.Context, s Store, frameIDs []string) ([]FrameState, error) {
	for _, id := range frameIDs {
		if err := keys.Frame(id).Validate(); err != nil {
			return nil, err
		}
	}
	if r, ok := s.(StateReader); ok {
		return r.FrameStates(ctx, frameIDs)
	}
	v, ok := s.(Versioner)
	if !ok {
		return nil, unversioned("framestates", "")
	}
	guards := make([]Guard, len(frameIDs))
	for i, id := range frameIDs {
		guards[i] = Guard{FrameID: id}
	}
	return v.ApplyIf(ctx, guards, nil)
}

// ReadVersioned returns frameID's entries with its state through s's
// Versioner. A store without the capability is refused with ErrUnsupported
// rather than read without a state: a caller that commits on what it read
// would lose writers' work.
func ReadVersioned(ctx context.Context, s Store, frameID string) (Snapshot, error) {
	if err := keys.Frame(frameID).Validate(); err != nil {
		return Snapshot{}, err
	}
	v, ok := s.(Versioner)
	if !ok {
		return Snapshot{}, unversioned("readversioned", frameID)
	}
	return v.ReadVersioned(ctx, frameID)
}

// ReadVersionedShared is ReadVersioned for a reader that never modifies
// the values it gets: their maps and slices may be shared with the store
// or a cache in front of it, so that reading a frame copies no value (the
// memory store and the read cache, and Instrument over them, serve it so;
// other stores fall back to ReadVersioned). The Entries slice itself is the
// caller's. The adapters' commit path reads with it.
func ReadVersionedShared(ctx context.Context, s Store, frameID string) (Snapshot, error) {
	if r, ok := sharedReaderOf(s); ok {
		if err := keys.Frame(frameID).Validate(); err != nil {
			return Snapshot{}, err
		}
		return r.readVersionedShared(ctx, frameID)
	}
	return ReadVersioned(ctx, s, frameID)
}

// sharedReader serves ReadVersionedShared and ReadSubsetShared without
// copying values.
type sharedReader interface {
	readVersionedShared(ctx context.Context, frameID string) (Snapshot, error)
	readSubsetShared(ctx context.Context, frameID string, sub Subset) (Snapshot, error)
}

// sharedReaderOf finds s's sharedReader: s itself, or the decorator a
// narrowed store stands for.
func sharedReaderOf(s Store) (sharedReader, bool) {
	if n, ok := s.(interface{ decorator() Decorator }); ok {
		r, ok := n.decorator().(sharedReader)
		return r, ok
	}
	r, ok := s.(sharedReader)
	return r, ok
}

// ApplyIf applies ms if every guard holds, through s's Versioner. A store
// without the capability is refused with ErrUnsupported and nothing is
// written: an unconditional write would silently overwrite other writers.
func ApplyIf(ctx context.Context, s Store, guards []Guard, ms []Mutation) ([]FrameState, error) {
	v, ok := s.(Versioner)
	if !ok {
		return nil, unversioned("applyif", "")
	}
	return v.ApplyIf(ctx, guards, ms)
}

// Versioned reports whether s offers versioned frames.
func Versioned(s Store) bool {
	_, ok := s.(Versioner)
	return ok
}

func unversioned(op, frameID string) error {
	return &Error{Op: op, Key: frameID, Kind: ErrUnsupported,
		Err: errors.New("the store has no versioned frames, so it is unsafe for several writers of one frame; " +
			"use a shared backend, or contextstore.WithLocalVersions for writers in one process")}
}

// NextVersion returns the version (or epoch) that follows cur: the greater
// of cur+1 and now in microseconds since 1970. Every backend uses it, so a
// frame whose state was dropped starts again above anything it held.
func NextVersion(cur uint64, now time.Time) uint64 {
	us := uint64(max(now.UnixMicro(), 0))
	return max(cur+1, us)
}

// FailedGuard returns the first guard that does not hold, given the state of
// each frame, and false when all hold. Backends check their guards with it.
func FailedGuard(guards []Guard, state func(frameID string) FrameState) (Guard, FrameState, bool) {
	for _, g := range guards {
		if st := state(g.FrameID); !g.Holds(st) {
			return g, st, true
		}
	}
	return Guard{}, FrameState{}, false
}

// ValidateGuards checks every guard's frame ID.
func ValidateGuards(guards []Guard) error {
	for _, g := range guards {
		if err := keys.Frame(g.FrameID).Validate(); err != nil {
			return err
		}
	}
	return nil
}

// WrittenFrames returns the frames a conditional batch advances: every
// frame ms writes and every frame a guard relays out (written), and among
// them those whose layout epoch advances too (relayout). Backends use it to
// know which frames' state to bump.
func WrittenFrames(guards []Guard, ms []Mutation) (written, relayout map[string]bool) {
	written, relayout = make(map[string]bool, 1), make(map[string]bool)
	for _, m := range ms {
		written[m.Key.FrameID()] = true
	}
	for _, g := range guards {
		if g.Relayout {
			written[g.FrameID], relayout[g.FrameID] = true, true
		}
	}
	return written, relayout
}
