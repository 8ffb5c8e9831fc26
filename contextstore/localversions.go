package contextstore

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ctxframe/ctxframe/keys"
)

// WithLocalVersions returns s with versioned frames kept in this process:
// every write goes through one lock that also advances the frame's version,
// so ReadVersioned and ApplyIf are correct for any number of goroutines
// writing through the returned Store. Writers in other processes, or writing
// to s directly, are not seen: use it for a store of your own that lacks
// Versioner, never to share one frame between processes. A store that is
// already a Versioner is returned as it is.
func WithLocalVersions(s Store) Store {
	if _, ok := s.(Versioner); ok {
		return s
	}
	return &localVersions{s: s, states: make(map[string]FrameState)}
}

// localVersions is the Store WithLocalVersions returns.
type localVersions struct {
	s      Store
	mu     sync.RWMutex // held by every write; read-held by every read, so none sees half a batch
	states map[string]FrameState
	closed atomic.Bool
}

// live refuses every call after Close, whether or not the wrapped store
// can be closed.
func (l *localVersions) live(op string, k keys.Key) error {
	if l.closed.Load() {
		return NewError(op, "", k, ErrClosed, nil)
	}
	return nil
}

var (
	_ Store           = (*localVersions)(nil)
	_ Batcher         = (*localVersions)(nil)
	_ FrameLister     = (*localVersions)(nil)
	_ FrameReader     = (*localVersions)(nil)
	_ FrameDropper    = (*localVersions)(nil)
	_ FrameEnumerator = (*localVersions)(nil)
	_ Versioner       = (*localVersions)(nil)
	_ StateReader     = (*localVersions)(nil)
)

func (l *localVersions) bump(frameIDs map[string]bool, relayout map[string]bool) {
	now := time.Now()
	for id := range frameIDs {
		st := l.states[id]
		st.Version = NextVersion(st.Version, now)
		if relayout[id] {
			st.Epoch = NextVersion(st.Epoch, now)
		}
		l.states[id] = st
	}
}

func (l *localVersions) Set(ctx context.Context, k keys.Key, v Value) error {
	if err := l.live("set", k); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.s.Set(ctx, k, v); err != nil {
		return err
	}
	l.bump(map[string]bool{k.FrameID(): true}, nil)
	return nil
}

func (l *localVersions) Get(ctx context.Context, k keys.Key) (Value, error) {
	if err := l.live("get", k); err != nil {
		return nil, err
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.s.Get(ctx, k)
}

func (l *localVersions) Delete(ctx context.Context, k keys.Key) error {
	if err := l.live("delete", k); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.s.Delete(ctx, k); err != nil {
		return err
	}
	l.bump(map[string]bool{k.FrameID(): true}, nil)
	return nil
}

func (l *localVersions) ListKeys(ctx context.Context) ([]keys.Key, error) {
	if err := l.live("list", keys.Key{}); err != nil {
		return nil, err
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.s.ListKeys(ctx)
}

func (l *localVersions) Apply(ctx context.Context, ms []Mutation) error {
	if err := l.live("apply", keys.Key{}); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.apply(ctx, nil, ms)
}

// apply writes ms and bumps the frames it writes and guards relayout; the
// caller holds mu.
func (l *localVersions) apply(ctx context.Context, guards []Guard, ms []Mutation) error {
	if err := Apply(ctx, l.s, ms); err != nil {
		return err
	}
	l.bump(WrittenFrames(guards, ms))
	return nil
}

func (l *localVersions) GetMany(ctx context.Context, ks []keys.Key) ([]Value, error) {
	if err := l.live("getmany", keys.Key{}); err != nil {
		return nil, err
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	return GetMany(ctx, l.s, ks)
}

func (l *localVersions) ListFrame(ctx context.Context, frameID string) ([]keys.Key, error) {
	if err := l.live("listframe", keys.Key{}); err != nil {
		return nil, err
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	return ListFrame(ctx, l.s, frameID)
}

func (l *localVersions) ReadFrame(ctx context.Context, frameID string) ([]Entry, error) {
	if err := l.live("readframe", keys.Key{}); err != nil {
		return nil, err
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	return ReadFrame(ctx, l.s, frameID)
}

func (l *localVersions) DropFrame(ctx context.Context, frameID string) error {
	if err := l.live("dropframe", keys.Key{}); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := DropFrame(ctx, l.s, frameID); err != nil {
		return err
	}
	delete(l.states, frameID)
	return nil
}

func (l *localVersions) ListFrames(ctx context.Context) ([]string, error) {
	if err := l.live("listframes", keys.Key{}); err != nil {
		return nil, err
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	return ListFrames(ctx, l.s)
}

func (l *localVersions) ReadVersioned(ctx context.Context, frameID string) (Snapshot, error) {
	if err := keys.Frame(frameID).Validate(); err != nil {
		return Snapshot{}, err
	}
	if err := l.live("readversioned", keys.Frame(frameID)); err != nil {
		return Snapshot{}, err
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	es, err := ReadFrame(ctx, l.s, frameID)
	if err != nil {
		return Snapshot{}, err
	}
	return Snapshot{FrameID: frameID, State: l.states[frameID], Entries: es}, nil
}

func (l *localVersions) ApplyIf(ctx context.Context, guards []Guard, ms []Mutation) ([]FrameState, error) {
	if err := ValidateGuards(guards); err != nil {
		return nil, err
	}
	if _, err := ValidateBatch(ms); err != nil {
		return nil, NewError("applyif", "", keys.Key{}, batchKind(err), err)
	}
	if err := l.live("applyif", keys.Key{}); err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return nil, NewError("applyif", "", keys.Key{}, nil, err)
	}
	if g, got, failed := FailedGuard(guards, func(id string) FrameState { return l.states[id] }); failed {
		return nil, Conflict("applyif", "", g, got)
	}
	if err := l.apply(ctx, guards, ms); err != nil {
		return nil, err
	}
	out := make([]FrameState, len(guards))
	for i, g := range guards {
		out[i] = l.states[g.FrameID]
	}
	return out, nil
}

func (l *localVersions) FrameStates(ctx context.Context, frameIDs []string) ([]FrameState, error) {
	for _, id := range frameIDs {
		if err := keys.Frame(id).Validate(); err != nil {
			return nil, err
		}
	}
	if err := l.live("framestates", keys.Key{}); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, NewError("framestates", "", keys.Key{}, nil, err)
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	out := make([]FrameState, len(frameIDs))
	for i, id := range frameIDs {
		out[i] = l.states[id]
	}
	return out, nil
}

// Close closes the wrapped store; later calls fail with ErrClosed.
func (l *localVersions) Close() error {
	if l.closed.Swap(true) {
		return nil
	}
	return Close(l.s)
}
