package contextstore

import (
	"container/list"
	"context"
	"errors"
	"hash/maphash"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ctxframe/ctxframe/keys"
)

// DefaultCacheEntries is the bound of a read cache whose options give none.
const DefaultCacheEntries = 100_000

// CacheOptions bound a read cache and choose its staleness rule.
type CacheOptions struct {
	// MaxEntries bounds the entries the cache holds over all its frames;
	// the least recently used frames go first. A frame with more entries is
	// never cached: its reads go to the store. 0 means DefaultCacheEntries.
	MaxEntries int
	// MaxStale is how long a frame may be served without asking the store
	// whether it changed. 0, the default, asks on every read: one read of
	// the frame's state (a version, not its entries), so a read returns
	// the frame as it stood when the read began, never older. Above 0, a
	// read may return the frame as it stood up to MaxStale before the read
	// began, and costs no round trip in that window. Either way a write
	// through the cache is seen by every later read through it, and a
	// conditional write (ApplyIf) that finds the frame changed drops it, so
	// the next read is fresh.
	MaxStale time.Duration
}

// CacheStats counts what a read cache served.
type CacheStats struct {
	Hits      uint64 // reads served from a cached frame known current (checked, or within MaxStale)
	Misses    uint64 // reads that loaded the frame from the store
	Passed    uint64 // reads passed to the store (a frame too large to cache, a store without versions)
	Evictions uint64 // frames evicted to keep within MaxEntries
	Entries   int    // entries held now
	Frames    int    // frames held now
}

// Cache returns s behind a read cache of whole frames, validated by their
// versions, with exactly s's optional capabilities. Reads (Get, GetMany,
// ListFrame, ReadFrame, ReadVersioned) are served from a cached frame when
// it is current under opts' staleness rule, else the frame is read once,
// with its version, and kept. Writes go to s before they return (write
// through) and drop the frames they touch. ListKeys and ListFrames always
// go to s.
//
// The cache rests on s's versioned frames: a store that is not a Versioner
// is returned behind a cache that passes every read through. Writers in
// other processes need no cache of their own and nothing in common but the
// store: the cache learns of their writes from the frame's version.
func Cache(s Store, opts CacheOptions) Store {
	if opts.MaxEntries <= 0 {
		opts.MaxEntries = DefaultCacheEntries
	}
	c := &cached{s: s, opts: opts, frames: make(map[string]*list.Element), lru: list.New(), seed: maphash.MakeSeed()}
	c.versioner, _ = s.(Versioner)
	return Narrow(c, s)
}

// CacheStatsOf returns the counts of the read cache on s's decorator chain,
// and false when s has none.
func CacheStatsOf(s Store) (CacheStats, bool) {
	c, found := findDecorator[*cached](s)
	if !found {
		return CacheStats{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return CacheStats{Hits: c.hits.Load(), Misses: c.misses.Load(), Passed: c.passed.Load(), Evictions: c.evictions,
		Entries: c.held, Frames: len(c.frames)}, true
}

// generations is how many write counters the cache keeps; frames share them
// by hash, which only costs a skipped install now and then.
const generations = 256

// maxTooLarge bounds the IDs of frames remembered as too large to cache.
const maxTooLarge = 1024

// cached is the Decorator Cache returns (narrowed).
type cached struct {
	s         Store
	versioner Versioner // nil: every read passes through
	opts      CacheOptions
	seed      maphash.Seed

	mu        sync.Mutex
	frames    map[string]*list.Element // of *cachedFrame, front most recently used
	lru       *list.List
	held      int
	evictions uint64
	// gens counts writes begun and ended, by frame hash: a read that
	// overlapped a write through this cache does not install what it read,
	// which may predate the write.
	gens     [generations]uint64
	tooLarge map[string]bool

	hits, misses, passed atomic.Uint64
	closed               atomic.Bool
}

var _ Decorator = (*cached)(nil)

// cachedFrame is one frame as a versioned read returned it. Its entries
// are never handed out: readers get clones.
type cachedFrame struct {
	id      string
	state   FrameState
	entries []Entry // sorted by key
	index   map[keys.Key]int
	checked time.Time // when the read that last found this version current began; guarded by mu
}

func (f *cachedFrame) size() int { return max(len(f.entries), 1) }

// Unwrap returns the cached store.
func (c *cached) Unwrap() Store { return c.s }

func (c *cached) gen(frameID string) *uint64 {
	return &c.gens[maphash.String(c.seed, frameID)%generations]
}

// frame returns frameID as it stands under the staleness rule, or nil when
// the read must go to the store (a frame too large, no versions).
func (c *cached) frame(ctx context.Context, frameID string) (*cachedFrame, error) {
	if c.versioner == nil {
		c.passed.Add(1)
		return nil, nil
	}
	began := time.Now()
	c.mu.Lock()
	if c.tooLarge[frameID] {
		c.mu.Unlock()
		c.passed.Add(1)
		return nil, nil
	}
	var (
		f       *cachedFrame
		checked time.Time // f.checked, which other readers move forward under mu
	)
	if e, ok := c.frames[frameID]; ok {
		f = e.Value.(*cachedFrame)
		checked = f.checked
		c.lru.MoveToFront(e)
	}
	gen := *c.gen(frameID)
	c.mu.Unlock()

	if f != nil {
		if c.opts.MaxStale > 0 && began.Sub(checked) <= c.opts.MaxStale {
			c.hits.Add(1)
			return f, nil
		}
		states, err := FrameStates(ctx, c.s, []string{frameID})
		if err != nil {
			return nil, err
		}
		if states[0] == f.state {
			c.mu.Lock()
			if began.After(f.checked) {
				f.checked = began
			}
			c.mu.Unlock()
			c.hits.Add(1)
			return f, nil
		}
	}
	// Shared: what the cache keeps it never modifies, and hands out
	// only as clones or to readers that promise not to modify it.
	snap, err := ReadVersionedShared(ctx, c.s, frameID)
	if err != nil {
		return nil, err
	}
	c.misses.Add(1)
	f = &cachedFrame{id: frameID, state: snap.State, entries: snap.Entries, checked: began,
		index: make(map[keys.Key]int, len(snap.Entries))}
	for i, e := range snap.Entries {
		f.index[e.Key] = i
	}
	c.install(f, gen)
	return f, nil
}

// install keeps f unless a write through the cache overlapped its read
// (gen moved) or a fresher read of the frame is already kept.
func (c *cached) install(f *cachedFrame, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed.Load() || *c.gen(f.id) != gen {
		return
	}
	if f.size() > c.opts.MaxEntries {
		if len(c.tooLarge) >= maxTooLarge {
			clear(c.tooLarge)
		}
		if c.tooLarge == nil {
			c.tooLarge = make(map[string]bool)
		}
		c.tooLarge[f.id] = true
		return
	}
	if e, ok := c.frames[f.id]; ok {
		if old := e.Value.(*cachedFrame); old.checked.After(f.checked) {
			return
		}
		c.remove(e)
	}
	c.frames[f.id] = c.lru.PushFront(f)
	c.held += f.size()
	for c.held > c.opts.MaxEntries {
		c.remove(c.lru.Back())
		c.evictions++
	}
}

// remove drops a cached frame; the caller holds mu.
func (c *cached) remove(e *list.Element) {
	f := c.lru.Remove(e).(*cachedFrame)
	delete(c.frames, f.id)
	c.held -= f.size()
}

// writing marks a write to frames as begun; the returned func marks it
// ended, whatever its outcome (a failed write may still have landed), and
// drops the frames.
func (c *cached) writing(frames ...string) func() {
	bump := func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, id := range frames {
			*c.gen(id)++
			if e, ok := c.frames[id]; ok {
				c.remove(e)
			}
			delete(c.tooLarge, id)
		}
	}
	bump()
	return bump
}

// framesOf returns the frames a batch writes or relays out.
func framesOf(guards []Guard, ms []Mutation) []string {
	written, _ := WrittenFrames(guards, ms)
	for _, g := range guards {
		// A refused guard's frame changed elsewhere: read it fresh next time.
		written[g.FrameID] = true
	}
	ids := make([]string, 0, len(written))
	for id := range written {
		ids = append(ids, id)
	}
	return ids
}

func (c *cached) Set(ctx context.Context, k keys.Key, v Value) error {
	defer c.writing(k.FrameID())()
	return c.s.Set(ctx, k, v)
}

func (c *cached) Delete(ctx context.Context, k keys.Key) error {
	defer c.writing(k.FrameID())()
	return c.s.Delete(ctx, k)
}

func (c *cached) Apply(ctx context.Context, ms []Mutation) error {
	defer c.writing(framesOf(nil, ms)...)()
	return Apply(ctx, c.s, ms)
}

func (c *cached) ApplyIf(ctx context.Context, guards []Guard, ms []Mutation) ([]FrameState, error) {
	if len(ms) == 0 && !relayouts(guards) {
		// A state read, or a check that writes nothing: nothing to
		// invalidate, unless a guard found its frame moved on, when what
		// the cache holds of it may be what the caller read.
		states, err := ApplyIf(ctx, c.s, guards, ms)
		if errors.Is(err, ErrConflict) {
			c.writing(framesOf(guards, nil)...)()
		}
		return states, err
	}
	defer c.writing(framesOf(guards, ms)...)()
	return ApplyIf(ctx, c.s, guards, ms)
}

// RemapIf forwards to the wrapped store's Remapper (RemapperOf finds it
// through the cache only when the store has one), dropping what the cache
// holds of the frames it writes.
func (c *cached) RemapIf(ctx context.Context, guards []Guard, ms []Mutation, frameID string, r Remap) ([]FrameState, int, error) {
	inner, ok := RemapperOf(c.s)
	if !ok {
		return nil, 0, unsupportedRemap()
	}
	defer c.writing(append(framesOf(guards, ms), frameID)...)()
	return inner.RemapIf(ctx, guards, ms, frameID, r)
}

func relayouts(guards []Guard) bool {
	return slices.ContainsFunc(guards, func(g Guard) bool { return g.Relayout })
}

func (c *cached) DropFrame(ctx context.Context, frameID string) error {
	defer c.writing(frameID)()
	return DropFrame(ctx, c.s, frameID)
}

// usable refuses a read with a bad key, a done context or a closed cache
// before the cache could serve it.
func (c *cached) usable(ctx context.Context, op string, k keys.Key) error {
	if err := k.Validate(); err != nil {
		return err
	}
	return CheckCall(ctx, c.closed.Load(), op, "cache", k)
}

// serve answers a read of one frame from the cache (from), or, when the
// frame cannot be cached or the store has no versions, from the store
// (pass).
func serve[T any](ctx context.Context, c *cached, op string, k keys.Key, from func(*cachedFrame) (T, error), pass func() (T, error)) (T, error) {
	var zero T
	if err := c.usable(ctx, op, k); err != nil {
		return zero, err
	}
	f, err := c.frame(ctx, k.FrameID())
	switch {
	case err != nil:
		return zero, err
	case f == nil:
		return pass()
	}
	return from(f)
}

func (c *cached) Get(ctx context.Context, k keys.Key) (Value, error) {
	return serve(ctx, c, "get", k, func(f *cachedFrame) (Value, error) {
		i, ok := f.index[k]
		if !ok {
			return nil, NewError("get", "cache", k, ErrNotFound, nil)
		}
		return Clone(f.entries[i].Value), nil
	}, func() (Value, error) { return c.s.Get(ctx, k) })
}

func (c *cached) GetMany(ctx context.Context, ks []keys.Key) ([]Value, error) {
	for _, k := range ks {
		if err := c.usable(ctx, "getmany", k); err != nil {
			return nil, err
		}
	}
	out := make([]Value, len(ks))
	frames := make(map[string]*cachedFrame)
	for i, k := range ks {
		f, seen := frames[k.FrameID()]
		if !seen {
			var err error
			if f, err = c.frame(ctx, k.FrameID()); err != nil {
				return nil, err
			}
			if f == nil {
				return GetMany(ctx, c.s, ks)
			}
			frames[k.FrameID()] = f
		}
		if j, ok := f.index[k]; ok {
			out[i] = Clone(f.entries[j].Value)
		}
	}
	return out, nil
}

func (c *cached) ListFrame(ctx context.Context, frameID string) ([]keys.Key, error) {
	return serve(ctx, c, "listframe", keys.Frame(frameID), func(f *cachedFrame) ([]keys.Key, error) {
		ks := make([]keys.Key, len(f.entries))
		for i, e := range f.entries {
			ks[i] = e.Key
		}
		return ks, nil
	}, func() ([]keys.Key, error) { return ListFrame(ctx, c.s, frameID) })
}

func (c *cached) ReadFrame(ctx context.Context, frameID string) ([]Entry, error) {
	return serve(ctx, c, "readframe", keys.Frame(frameID), func(f *cachedFrame) ([]Entry, error) {
		return cloneEntries(f.entries), nil
	}, func() ([]Entry, error) { return ReadFrame(ctx, c.s, frameID) })
}

func (c *cached) ReadVersioned(ctx context.Context, frameID string) (Snapshot, error) {
	return serve(ctx, c, "readversioned", keys.Frame(frameID), func(f *cachedFrame) (Snapshot, error) {
		return Snapshot{FrameID: frameID, State: f.state, Entries: cloneEntries(f.entries)}, nil
	}, func() (Snapshot, error) { return ReadVersioned(ctx, c.s, frameID) })
}

// readVersionedShared serves ReadVersionedShared: the cached values, shared.
func (c *cached) readVersionedShared(ctx context.Context, frameID string) (Snapshot, error) {
	return serve(ctx, c, "readversioned", keys.Frame(frameID), func(f *cachedFrame) (Snapshot, error) {
		return Snapshot{FrameID: frameID, State: f.state, Entries: slices.Clone(f.entries)}, nil
	}, func() (Snapshot, error) { return ReadVersionedShared(ctx, c.s, frameID) })
}

// ReadSubset serves ReadSubset: a cached frame's entries that sub selects,
// else the store's subset read.
func (c *cached) ReadSubset(ctx context.Context, frameID string, sub Subset) (Snapshot, error) {
	return serve(ctx, c, "readsubset", keys.Frame(frameID), func(f *cachedFrame) (Snapshot, error) {
		return Snapshot{FrameID: frameID, State: f.state, Entries: cloneEntries(sub.Filter(f.entries))}, nil
	}, func() (Snapshot, error) { return ReadSubset(ctx, c.s, frameID, sub) })
}

// readSubsetShared serves ReadSubsetShared: the cached values, shared.
func (c *cached) readSubsetShared(ctx context.Context, frameID string, sub Subset) (Snapshot, error) {
	return serve(ctx, c, "readsubset", keys.Frame(frameID), func(f *cachedFrame) (Snapshot, error) {
		return Snapshot{FrameID: frameID, State: f.state, Entries: sub.Filter(f.entries)}, nil
	}, func() (Snapshot, error) { return ReadSubsetShared(ctx, c.s, frameID, sub) })
}

func cloneEntries(es []Entry) []Entry {
	out := make([]Entry, len(es))
	for i, e := range es {
		out[i] = Entry{Key: e.Key, Value: Clone(e.Value)}
	}
	return out
}

// FrameStates asks the store: a state is what the cache checks itself by.
func (c *cached) FrameStates(ctx context.Context, frameIDs []string) ([]FrameState, error) {
	return FrameStates(ctx, c.s, frameIDs)
}

func (c *cached) ListKeys(ctx context.Context) ([]keys.Key, error) { return c.s.ListKeys(ctx) }

func (c *cached) ListFrames(ctx context.Context) ([]string, error) { return ListFrames(ctx, c.s) }

// Close drops every cached frame and closes the wrapped store; later
// reads fail with ErrClosed.
func (c *cached) Close() error {
	c.closed.Store(true)
	c.mu.Lock()
	clear(c.frames)
	c.lru.Init()
	c.held = 0
	c.mu.Unlock()
	return Close(c.s)
}
