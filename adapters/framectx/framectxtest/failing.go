package framectxtest

import (
	"context"
	"errors"
	"sync"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// ErrInjected is the cause inside every error FailingStore injects; the
// error's kind is contextstore.ErrUnavailable.
var ErrInjected = errors.New("framectxtest: injected failure")

// Op names a store operation FailingStore counts and can fail.
type Op string

// The operations FailingStore counts.
const (
	OpSet      Op = "set"
	OpGet      Op = "get"
	OpDelete   Op = "delete"
	OpListKeys Op = "list"
	OpApply    Op = "apply"
	OpGetMany  Op = "getmany"
)

// FailingStore wraps a Store and fails chosen calls with an *contextstore.Error
// of kind contextstore.ErrUnavailable wrapping ErrInjected, changing nothing.
// Every other call goes to the wrapped store. It offers Batcher (Apply goes
// through contextstore.Apply on the wrapped store, so it stays atomic),
// Versioner when the wrapped store has it, and none of the frame
// capabilities, so callers exercise the fallbacks, which are built on the
// counted calls. A versioned read of a frame counts as (and fails as) an
// OpListKeys, the frame read it replaces; a conditional batch counts as an
// OpApply. It is safe for concurrent use.
type FailingStore struct {
	inner contextstore.Store

	mu     sync.Mutex
	calls  map[Op]int
	failAt map[Op]int // op -> call number that fails (1-based, absolute)
	always map[Op]bool
}

var (
	_ contextstore.Store     = (*FailingStore)(nil)
	_ contextstore.Batcher   = (*FailingStore)(nil)
	_ contextstore.Versioner = (*FailingStore)(nil)
)

// NewFailingStore wraps inner; it fails nothing until told to.
func NewFailingStore(inner contextstore.Store) *FailingStore {
	return &FailingStore{inner: inner, calls: map[Op]int{}, failAt: map[Op]int{}, always: map[Op]bool{}}
}

// Inner returns the wrapped store, to inspect what was really written.
func (s *FailingStore) Inner() contextstore.Store { return s.inner }

// FailNth makes the nth call of op from now fail (1 is the next call).
func (s *FailingStore) FailNth(op Op, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failAt[op] = s.calls[op] + n
}

// FailApply makes the nth Apply from now fail (1 is the next one).
func (s *FailingStore) FailApply(n int) { s.FailNth(OpApply, n) }

// FailAlways makes every call of op fail until Reset.
func (s *FailingStore) FailAlways(op Op) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.always[op] = true
}

// Reset stops all failures; call counts are kept.
func (s *FailingStore) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.failAt)
	clear(s.always)
}

// Calls returns how many calls of op were made (failed ones included).
func (s *FailingStore) Calls(op Op) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[op]
}

// fail counts a call of op and returns the injected error if it must fail.
func (s *FailingStore) fail(op Op, k keys.Key) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[op]++
	if s.always[op] || s.failAt[op] == s.calls[op] {
		return contextstore.NewError(string(op), "failing", k, contextstore.ErrUnavailable, ErrInjected)
	}
	return nil
}

// Set implements contextstore.Store.
func (s *FailingStore) Set(ctx context.Context, k keys.Key, v contextstore.Value) error {
	if err := s.fail(OpSet, k); err != nil {
		return err
	}
	return s.inner.Set(ctx, k, v)
}

// Get implements contextstore.Store.
func (s *FailingStore) Get(ctx context.Context, k keys.Key) (contextstore.Value, error) {
	if err := s.fail(OpGet, k); err != nil {
		return nil, err
	}
	return s.inner.Get(ctx, k)
}

// Delete implements contextstore.Store.
func (s *FailingStore) Delete(ctx context.Context, k keys.Key) error {
	if err := s.fail(OpDelete, k); err != nil {
		return err
	}
	return s.inner.Delete(ctx, k)
}

// ListKeys implements contextstore.Store.
func (s *FailingStore) ListKeys(ctx context.Context) ([]keys.Key, error) {
	if err := s.fail(OpListKeys, keys.Key{}); err != nil {
		return nil, err
	}
	return s.inner.ListKeys(ctx)
}

// Apply implements contextstore.Batcher: all of ms or nothing.
func (s *FailingStore) Apply(ctx context.Context, ms []contextstore.Mutation) error {
	if err := s.fail(OpApply, keys.Key{}); err != nil {
		return err
	}
	return contextstore.Apply(ctx, s.inner, ms)
}

// GetMany implements contextstore.Batcher.
func (s *FailingStore) GetMany(ctx context.Context, ks []keys.Key) ([]contextstore.Value, error) {
	if err := s.fail(OpGetMany, keys.Key{}); err != nil {
		return nil, err
	}
	return contextstore.GetMany(ctx, s.inner, ks)
}

// ReadVersioned implements contextstore.Versioner, counted as an OpListKeys.
func (s *FailingStore) ReadVersioned(ctx context.Context, frameID string) (contextstore.Snapshot, error) {
	if err := s.fail(OpListKeys, keys.Frame(frameID)); err != nil {
		return contextstore.Snapshot{}, err
	}
	return contextstore.ReadVersioned(ctx, s.inner, frameID)
}

// ApplyIf implements contextstore.Versioner, counted as an OpApply.
func (s *FailingStore) ApplyIf(ctx context.Context, guards []contextstore.Guard, ms []contextstore.Mutation) ([]contextstore.FrameState, error) {
	if err := s.fail(OpApply, keys.Key{}); err != nil {
		return nil, err
	}
	return contextstore.ApplyIf(ctx, s.inner, guards, ms)
}

// Close closes the wrapped store if it needs closing.
func (s *FailingStore) Close() error { return contextstore.Close(s.inner) }
