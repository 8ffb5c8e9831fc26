package contextstore

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/ctxframe/ctxframe/keys"
)

// MemoryStore keeps context in process memory: the embedded default, for
// notebooks, tests and single-process tools. Values are held in normal form
// and copied in and out, so callers never share a map with the store, and
// every value comes back exactly as a JSON backend would return it.
//
// Its batches are atomic as a whole. Its zero value is not usable; call
// NewMemoryStore.
type MemoryStore struct {
	mu     sync.RWMutex
	frames map[string]*memFrame  // frame ID -> its entries
	states map[string]FrameState // frame ID -> version and epoch
	closed bool
}

// Compile-time checks of the capabilities MemoryStore offers.
var (
	_ Store           = (*MemoryStore)(nil)
	_ Batcher         = (*MemoryStore)(nil)
	_ FrameLister     = (*MemoryStore)(nil)
	_ FrameReader     = (*MemoryStore)(nil)
	_ FrameDropper    = (*MemoryStore)(nil)
	_ FrameEnumerator = (*MemoryStore)(nil)
	_ Versioner       = (*MemoryStore)(nil)
	_ SubsetReader    = (*MemoryStore)(nil)
	_ Remapper        = (*MemoryStore)(nil)
)

const memBackend = "mem"

// NewMemoryStore returns an empty in-memory store.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{frames: make(map[string]*memFrame), states: make(map[string]FrameState)}
}

// check runs the checks every operation starts with; the caller holds mu.
func (s *MemoryStore) check(ctx context.Context, op string, k keys.Key) error {
	return CheckCall(ctx, s.closed, op, memBackend, k)
}

// Set implements Store.
func (s *MemoryStore) Set(ctx context.Context, k keys.Key, v Value) error {
	if err := k.Validate(); err != nil {
		return err
	}
	n, err := Normalize(v)
	if err != nil {
		return NewError("set", memBackend, k, ErrInvalidValue, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx, "set", k); err != nil {
		return err
	}
	s.put(k, n)
	s.bump(k.FrameID(), false, time.Now())
	return nil
}

// bump advances frameID's version, and its epoch when relayout; the caller
// holds mu for writing.
func (s *MemoryStore) bump(frameID string, relayout bool, now time.Time) FrameState {
	st := s.states[frameID]
	st.Version = NextVersion(st.Version, now)
	if relayout {
		st.Epoch = NextVersion(st.Epoch, now)
	}
	s.states[frameID] = st
	return st
}

func (s *MemoryStore) put(k keys.Key, v Value) {
	f := s.frames[k.FrameID()]
	if f == nil {
		f = newMemFrame(k.FrameID())
		s.frames[k.FrameID()] = f
	}
	f.put(k, v)
}

func (s *MemoryStore) remove(k keys.Key) {
	f := s.frames[k.FrameID()]
	if f == nil {
		return
	}
	f.remove(k)
	if f.n == 0 {
		delete(s.frames, k.FrameID())
	}
}

// Get implements Store.
func (s *MemoryStore) Get(ctx context.Context, k keys.Key) (Value, error) {
	if err := k.Validate(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.check(ctx, "get", k); err != nil {
		return nil, err
	}
	v, ok := s.lookup(k)
	if !ok {
		return nil, NewError("get", memBackend, k, ErrNotFound, nil)
	}
	return Clone(v), nil
}

// Delete implements Store.
func (s *MemoryStore) Delete(ctx context.Context, k keys.Key) error {
	if err := k.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx, "delete", k); err != nil {
		return err
	}
	s.remove(k)
	s.bump(k.FrameID(), false, time.Now())
	return nil
}

// ListKeys implements Store.
func (s *MemoryStore) ListKeys(ctx context.Context) ([]keys.Key, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.check(ctx, "list", keys.Key{}); err != nil {
		return nil, err
	}
	n := 0
	for _, f := range s.frames {
		n += f.n
	}
	out := make([]keys.Key, 0, n)
	for _, f := range s.frames {
		out = f.keys(out)
	}
	keys.Sort(out)
	return out, nil
}

// Apply implements Batcher; the whole batch is atomic.
func (s *MemoryStore) Apply(ctx context.Context, ms []Mutation) error {
	normalized, err := ValidateBatch(ms)
	if err != nil {
		return NewError("apply", memBackend, keys.Key{}, batchKind(err), err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx, "apply", keys.Key{}); err != nil {
		return err
	}
	s.write(normalized, nil)
	return nil
}

// write applies a validated batch and advances the version of every frame it
// writes and every frame guards relayout; the caller holds mu for writing.
func (s *MemoryStore) write(ms []Mutation, guards []Guard) {
	now := time.Now()
	bumped := make(map[string]bool, 1)
	for _, g := range guards {
		if g.Relayout && !bumped[g.FrameID] {
			bumped[g.FrameID] = true
			s.bump(g.FrameID, true, now)
		}
	}
	for _, m := range ms {
		switch {
		case m.Delete:
			s.remove(m.Key)
		case m.Merge:
			// Stored values are never changed in place (readers get
			// clones), so the merged value may share the old one's fields.
			old, _ := s.lookup(m.Key)
			s.put(m.Key, MergePatch(old, m.Value))
		default:
			s.put(m.Key, m.Value)
		}
		if id := m.Key.FrameID(); !bumped[id] {
			bumped[id] = true
			s.bump(id, false, now)
		}
	}
}

// ReadVersioned implements Versioner.
func (s *MemoryStore) ReadVersioned(ctx context.Context, frameID string) (Snapshot, error) {
	if err := keys.Frame(frameID).Validate(); err != nil {
		return Snapshot{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.check(ctx, "readversioned", keys.Frame(frameID)); err != nil {
		return Snapshot{}, err
	}
	return Snapshot{FrameID: frameID, State: s.states[frameID], Entries: s.entries(frameID)}, nil
}

// readVersionedShared is ReadVersioned without copying the values: the
// store never modifies a value it holds (a write or a merge replaces it),
// so readers that do not modify them either may share them.
func (s *MemoryStore) readVersionedShared(ctx context.Context, frameID string) (Snapshot, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.check(ctx, "readversioned", keys.Frame(frameID)); err != nil {
		return Snapshot{}, err
	}
	return Snapshot{FrameID: frameID, State: s.states[frameID], Entries: s.sortedEntries(frameID, false)}, nil
}

// FrameStates implements StateReader.
func (s *MemoryStore) FrameStates(ctx context.Context, frameIDs []string) ([]FrameState, error) {
	for _, id := range frameIDs {
		if err := keys.Frame(id).Validate(); err != nil {
			return nil, err
		}
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.check(ctx, "framestates", keys.Key{}); err != nil {
		return nil, err
	}
	out := make([]FrameState, len(frameIDs))
	for i, id := range frameIDs {
		out[i] = s.states[id]
	}
	return out, nil
}

// ApplyIf implements Versioner; the check and the whole batch happen under
// the store's lock.
func (s *MemoryStore) ApplyIf(ctx context.Context, guards []Guard, ms []Mutation) ([]FrameState, error) {
	if err := ValidateGuards(guards); err != nil {
		return nil, err
	}
	normalized, err := ValidateBatch(ms)
	if err != nil {
		return nil, NewError("applyif", memBackend, keys.Key{}, batchKind(err), err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx, "applyif", keys.Key{}); err != nil {
		return nil, err
	}
	if g, got, failed := FailedGuard(guards, func(id string) FrameState { return s.states[id] }); failed {
		return nil, Conflict("applyif", memBackend, g, got)
	}
	s.write(normalized, guards)
	out := make([]FrameState, len(guards))
	for i, g := range guards {
		out[i] = s.states[g.FrameID]
	}
	return out, nil
}

// RemapIf implements Remapper: under the store's lock it moves references
// to the stored values (which are never modified in place) to their new
// rows, cloning and normalizing nothing.
func (s *MemoryStore) RemapIf(ctx context.Context, guards []Guard, ms []Mutation, frameID string, r Remap) ([]FrameState, int, error) {
	if err := ValidateGuards(guards); err != nil {
		return nil, 0, err
	}
	if err := ValidateRemap("remapif", memBackend, frameID, r); err != nil {
		return nil, 0, err
	}
	normalized, err := ValidateBatch(ms)
	if err != nil {
		return nil, 0, NewError("remapif", memBackend, keys.Key{}, batchKind(err), err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx, "remapif", keys.Frame(frameID)); err != nil {
		return nil, 0, err
	}
	if g, got, failed := FailedGuard(guards, func(id string) FrameState { return s.states[id] }); failed {
		return nil, 0, Conflict("remapif", memBackend, g, got)
	}
	s.write(normalized, guards)
	written := 0
	if f := s.frames[frameID]; f != nil {
		written = f.remap(r)
		if f.n == 0 {
			delete(s.frames, frameID)
		}
	}
	bumped := slices.ContainsFunc(normalized, func(m Mutation) bool { return m.Key.FrameID() == frameID }) ||
		slices.ContainsFunc(guards, func(g Guard) bool { return g.FrameID == frameID && g.Relayout })
	if written > 0 && !bumped {
		s.bump(frameID, false, time.Now())
	}
	out := make([]FrameState, len(guards))
	for i, g := range guards {
		out[i] = s.states[g.FrameID]
	}
	return out, written, nil
}

// GetMany implements Batcher.
func (s *MemoryStore) GetMany(ctx context.Context, ks []keys.Key) ([]Value, error) {
	for _, k := range ks {
		if err := k.Validate(); err != nil {
			return nil, err
		}
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.check(ctx, "getmany", keys.Key{}); err != nil {
		return nil, err
	}
	out := make([]Value, len(ks))
	for i, k := range ks {
		if v, ok := s.lookup(k); ok {
			out[i] = Clone(v)
		}
	}
	return out, nil
}

// ListFrame implements FrameLister.
func (s *MemoryStore) ListFrame(ctx context.Context, frameID string) ([]keys.Key, error) {
	if err := keys.Frame(frameID).Validate(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.check(ctx, "listframe", keys.Frame(frameID)); err != nil {
		return nil, err
	}
	f := s.frames[frameID]
	if f == nil {
		return []keys.Key{}, nil
	}
	out := f.keys(make([]keys.Key, 0, f.n))
	keys.Sort(out)
	return out, nil
}

// ReadFrame implements FrameReader.
func (s *MemoryStore) ReadFrame(ctx context.Context, frameID string) ([]Entry, error) {
	if err := keys.Frame(frameID).Validate(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.check(ctx, "readframe", keys.Frame(frameID)); err != nil {
		return nil, err
	}
	return s.entries(frameID), nil
}

// entries returns clones of frameID's entries, sorted; the caller holds mu.
func (s *MemoryStore) entries(frameID string) []Entry { return s.sortedEntries(frameID, true) }

// sortedEntries returns frameID's entries sorted by key, their values
// cloned or shared; the caller holds mu.
func (s *MemoryStore) sortedEntries(frameID string, clone bool) []Entry {
	f := s.frames[frameID]
	if f == nil {
		return []Entry{}
	}
	return f.entries(nil, clone)
}

// lookup returns the value under k; the caller holds mu.
func (s *MemoryStore) lookup(k keys.Key) (Value, bool) {
	f := s.frames[k.FrameID()]
	if f == nil {
		return nil, false
	}
	return f.get(k)
}

// ReadSubset implements SubsetReader: the frame's index by level and
// column serves it, so it costs what it returns.
func (s *MemoryStore) ReadSubset(ctx context.Context, frameID string, sub Subset) (Snapshot, error) {
	if err := keys.Frame(frameID).Validate(); err != nil {
		return Snapshot{}, err
	}
	return s.readSubset(ctx, frameID, sub, true)
}

// readSubsetShared is ReadSubset sharing the values, as
// readVersionedShared.
func (s *MemoryStore) readSubsetShared(ctx context.Context, frameID string, sub Subset) (Snapshot, error) {
	return s.readSubset(ctx, frameID, sub, false)
}

func (s *MemoryStore) readSubset(ctx context.Context, frameID string, sub Subset, clone bool) (Snapshot, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.check(ctx, "readsubset", keys.Frame(frameID)); err != nil {
		return Snapshot{}, err
	}
	es := []Entry{}
	if f := s.frames[frameID]; f != nil {
		es = f.entries(&sub, clone)
	}
	return Snapshot{FrameID: frameID, State: s.states[frameID], Entries: es}, nil
}

// DropFrame implements FrameDropper.
func (s *MemoryStore) DropFrame(ctx context.Context, frameID string) error {
	if err := keys.Frame(frameID).Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx, "dropframe", keys.Frame(frameID)); err != nil {
		return err
	}
	delete(s.frames, frameID)
	delete(s.states, frameID)
	return nil
}

// ListFrames implements FrameEnumerator.
func (s *MemoryStore) ListFrames(ctx context.Context) ([]string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.check(ctx, "listframes", keys.Key{}); err != nil {
		return nil, err
	}
	out := make([]string, 0, len(s.frames))
	for id := range s.frames {
		out = append(out, id)
	}
	slices.Sort(out)
	return out, nil
}

// Close releases the store's memory. Later calls fail with ErrClosed;
// closing twice is not an error.
func (s *MemoryStore) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.frames = nil
	s.states = nil
	return nil
}
