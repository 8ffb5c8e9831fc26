package contextstore_test

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

func cacheStats(t *testing.T, s contextstore.Store) contextstore.CacheStats {
	t.Helper()
	st, ok := contextstore.CacheStatsOf(s)
	require.True(t, ok, "the store has a read cache")
	return st
}

func mustGetN(t *testing.T, s contextstore.Store, k keys.Key) any {
	t.Helper()
	v, err := s.Get(context.Background(), k)
	require.NoError(t, err, "Get(%s)", k)
	return v["n"]
}

// A frame read once is served from the cache while its version stands,
// and read again as soon as another writer (behind the cache) changes it.
func TestCacheValidatesByVersion(t *testing.T) {
	ctx := context.Background()
	inner := contextstore.NewMemoryStore()
	s := contextstore.Cache(inner, contextstore.CacheOptions{})
	k := keys.Column("f", "a")
	require.NoError(t, inner.Set(ctx, k, contextstore.Value{"n": 1}))

	assert.EqualValues(t, 1, mustGetN(t, s, k))
	assert.EqualValues(t, 1, mustGetN(t, s, k))
	assert.Equal(t, contextstore.CacheStats{Hits: 1, Misses: 1, Entries: 1, Frames: 1}, cacheStats(t, s))

	require.NoError(t, inner.Set(ctx, k, contextstore.Value{"n": 2}), "another writer")
	assert.EqualValues(t, 2, mustGetN(t, s, k), "with MaxStale 0 a read never returns an older version")
	assert.Equal(t, uint64(2), cacheStats(t, s).Misses)

	v, err := s.Get(ctx, k)
	require.NoError(t, err)
	v["n"] = 99
	assert.EqualValues(t, 2, mustGetN(t, s, k), "the caller owns what Get returns")
	_, err = s.Get(ctx, keys.Column("f", "missing"))
	require.ErrorIs(t, err, contextstore.ErrNotFound)
}

// Within MaxStale the cache answers without asking the store; a write
// through the cache is seen at once; past MaxStale the store is asked.
func TestCacheStalenessBound(t *testing.T) {
	ctx := context.Background()
	inner := contextstore.NewMemoryStore()
	const bound = 80 * time.Millisecond
	s := contextstore.Cache(inner, contextstore.CacheOptions{MaxStale: bound})
	k := keys.Column("f", "a")
	require.NoError(t, inner.Set(ctx, k, contextstore.Value{"n": 1}))
	assert.EqualValues(t, 1, mustGetN(t, s, k))

	require.NoError(t, inner.Set(ctx, k, contextstore.Value{"n": 2}), "another writer")
	read := time.Now()
	got := mustGetN(t, s, k)
	if time.Since(read) < bound {
		assert.EqualValues(t, 1, got, "within the bound the cached version may be served")
	}
	require.NoError(t, s.Set(ctx, k, contextstore.Value{"n": 3}), "a write through the cache")
	assert.EqualValues(t, 3, mustGetN(t, s, k), "a write through the cache is seen by the next read")

	require.NoError(t, inner.Set(ctx, k, contextstore.Value{"n": 4}), "another writer")
	time.Sleep(bound + 10*time.Millisecond)
	assert.EqualValues(t, 4, mustGetN(t, s, k), "past the bound the store is asked again")
}

// Update through a cache within a staleness bound still converges: a
// conflict drops the stale frame, so the next attempt reads it fresh. So
// does a check that writes nothing (an Update whose plan has nothing to
// write), which would otherwise meet the same stale copy until it gave up.
func TestCacheConflictDropsTheFrame(t *testing.T) {
	ctx := context.Background()
	k := keys.Column("f", "n")
	for _, c := range []struct {
		name  string
		plan  func(n int64) []contextstore.Mutation
		value int64 // the stored n afterwards
	}{
		{"increment", func(n int64) []contextstore.Mutation {
			return []contextstore.Mutation{contextstore.Put(k, contextstore.Value{"n": n + 1})}
		}, 11}, // applied to the other writer's value, not over it
		{"nothing to write", func(int64) []contextstore.Mutation { return nil }, 10},
	} {
		t.Run(c.name, func(t *testing.T) {
			inner := contextstore.NewMemoryStore()
			s := contextstore.Cache(inner, contextstore.CacheOptions{MaxStale: time.Hour})
			require.NoError(t, s.Set(ctx, k, contextstore.Value{"n": 1}))
			_, err := contextstore.ReadVersioned(ctx, s, "f")
			require.NoError(t, err)
			require.NoError(t, inner.Set(ctx, k, contextstore.Value{"n": 10}), "another writer")
			attempts := 0
			_, err = contextstore.Update(ctx, s, []string{"f"}, false, func(snaps []contextstore.Snapshot) ([]contextstore.Mutation, error) {
				attempts++
				return c.plan(snaps[0].Entries[0].Value["n"].(int64)), nil
			})
			require.NoError(t, err)
			assert.Equal(t, 2, attempts, "one stale attempt, one fresh")
			v, err := inner.Get(ctx, k)
			require.NoError(t, err)
			assert.EqualValues(t, c.value, v["n"])
		})
	}
}

// The cache holds at most MaxEntries entries, evicting the least recently
// used frames; a frame larger than the bound is read from the store.
func TestCacheBound(t *testing.T) {
	ctx := context.Background()
	inner := contextstore.NewMemoryStore()
	s := contextstore.Cache(inner, contextstore.CacheOptions{MaxEntries: 10})
	for f := range 3 {
		for c := range 4 {
			require.NoError(t, inner.Set(ctx, keys.Column(fmt.Sprint("f", f), fmt.Sprint("c", c)), contextstore.Value{"n": c}))
		}
	}
	for f := range 3 {
		es, err := contextstore.ReadFrame(ctx, s, fmt.Sprint("f", f))
		require.NoError(t, err)
		require.Len(t, es, 4)
	}
	st := cacheStats(t, s)
	assert.Equal(t, 8, st.Entries)
	assert.Equal(t, 2, st.Frames)
	assert.Equal(t, uint64(1), st.Evictions)
	assert.EqualValues(t, 0, mustGetN(t, s, keys.Column("f2", "c0")))
	assert.Equal(t, uint64(1), cacheStats(t, s).Hits, "the most recent frame was kept")

	for c := range 11 {
		require.NoError(t, inner.Set(ctx, keys.Column("big", fmt.Sprint("c", c)), contextstore.Value{"n": c}))
	}
	for range 3 {
		assert.EqualValues(t, 7, mustGetN(t, s, keys.Column("big", "c7")))
	}
	st = cacheStats(t, s)
	assert.LessOrEqual(t, st.Entries, 10)
	assert.Equal(t, uint64(2), st.Passed, "after one look, a frame too large goes to the store")
}

// gatedStore holds ReadVersioned until released, to put a write in the
// middle of a cache's read. It wraps the memory store rather than embedding
// it, so that no read gets past the gate.
type gatedStore struct {
	plainVersioned
	reading chan struct{}
	release chan struct{}
	once    sync.Once
}

func (g *gatedStore) ReadVersioned(ctx context.Context, frameID string) (contextstore.Snapshot, error) {
	snap, err := g.s.ReadVersioned(ctx, frameID)
	g.once.Do(func() {
		close(g.reading)
		select {
		case <-g.release:
		case <-time.After(time.Minute):
		}
	})
	return snap, err
}

// A read that overlapped a write through the cache does not keep what it
// read, which may predate the write: the next read, even within a long
// staleness bound, sees the write.
func TestCacheReadOverlappingAWriteIsNotKept(t *testing.T) {
	ctx := context.Background()
	inner := &gatedStore{plainVersioned: plainVersioned{plainStore{contextstore.NewMemoryStore()}}, reading: make(chan struct{}), release: make(chan struct{})}
	k := keys.Column("f", "a")
	require.NoError(t, inner.Set(ctx, k, contextstore.Value{"n": 1}))
	s := contextstore.Cache(inner, contextstore.CacheOptions{MaxStale: time.Hour})
	done := make(chan any)
	go func() {
		v, err := s.Get(ctx, k)
		if err != nil {
			done <- err
			return
		}
		done <- v["n"]
	}()
	select {
	case <-inner.reading:
	case <-time.After(time.Minute):
		t.Fatal("the cache never read the store")
	}
	require.NoError(t, s.Set(ctx, k, contextstore.Value{"n": 2}))
	close(inner.release)
	assert.EqualValues(t, 1, <-done, "the read began before the write")
	assert.EqualValues(t, 2, mustGetN(t, s, k), "what it read was not kept")
}

// Closing the cache closes the store; reads fail with ErrClosed, even of a
// frame it held.
func TestCacheClose(t *testing.T) {
	ctx := context.Background()
	s := contextstore.Cache(contextstore.NewMemoryStore(), contextstore.CacheOptions{MaxStale: time.Hour})
	k := keys.Column("f", "a")
	require.NoError(t, s.Set(ctx, k, contextstore.Value{"n": 1}))
	assert.EqualValues(t, 1, mustGetN(t, s, k))
	require.NoError(t, contextstore.Close(s))
	_, err := s.Get(ctx, k)
	require.ErrorIs(t, err, contextstore.ErrClosed)
}

// ReadVersionedShared returns what ReadVersioned returns; on the memory
// store and a cache (also instrumented) two reads share their values
// instead of copying them, while other stores fall back to copies.
func TestReadVersionedShared(t *testing.T) {
	ctx := context.Background()
	mapOf := func(v contextstore.Value) uintptr { return reflect.ValueOf(v).Pointer() }
	for name, s := range map[string]contextstore.Store{
		"memory":             contextstore.NewMemoryStore(),
		"cache":              contextstore.Cache(plainVersioned{plainStore{contextstore.NewMemoryStore()}}, contextstore.CacheOptions{}),
		"instrumented cache": contextstore.Instrument(contextstore.Cache(contextstore.NewMemoryStore(), contextstore.CacheOptions{}), contextstore.Telemetry{}),
	} {
		t.Run(name, func(t *testing.T) {
			require.NoError(t, s.Set(ctx, keys.Column("f", "a"), contextstore.Value{"n": 1, "tags": []any{"x"}}))
			require.NoError(t, s.Set(ctx, keys.Row("f", 0), contextstore.Value{"n": 2}))
			copied, err := contextstore.ReadVersioned(ctx, s, "f")
			require.NoError(t, err)
			one, err := contextstore.ReadVersionedShared(ctx, s, "f")
			require.NoError(t, err)
			two, err := contextstore.ReadVersionedShared(ctx, s, "f")
			require.NoError(t, err)
			assert.Equal(t, copied, one, "the same snapshot")
			assert.Equal(t, mapOf(one.Entries[0].Value), mapOf(two.Entries[0].Value), "shared, not copied")
			assert.NotEqual(t, mapOf(copied.Entries[0].Value), mapOf(one.Entries[0].Value), "ReadVersioned copies")
			_, err = contextstore.ReadVersionedShared(ctx, s, "")
			require.ErrorIs(t, err, keys.ErrInvalidKey)
		})
	}
	plain := plainVersioned{plainStore{contextstore.NewMemoryStore()}}
	require.NoError(t, plain.Set(ctx, keys.Frame("f"), contextstore.Value{"n": 1}))
	one, err := contextstore.ReadVersionedShared(ctx, plain, "f")
	require.NoError(t, err)
	two, err := contextstore.ReadVersionedShared(ctx, plain, "f")
	require.NoError(t, err)
	assert.NotEqual(t, mapOf(one.Entries[0].Value), mapOf(two.Entries[0].Value), "a store of its own falls back to copies")
}

// plainVersioned is a versioned store that is not this package's.
type plainVersioned struct{ plainStore }

func (p plainVersioned) ReadVersioned(ctx context.Context, id string) (contextstore.Snapshot, error) {
	return p.s.ReadVersioned(ctx, id)
}
func (p plainVersioned) ApplyIf(ctx context.Context, gs []contextstore.Guard, ms []contextstore.Mutation) ([]contextstore.FrameState, error) {
	return p.s.ApplyIf(ctx, gs, ms)
}

// Readers checking and refreshing one cached frame while writers write it
// through the cache, in a bound and without: run under the race detector.
func TestCacheConcurrentReadersAndWriters(t *testing.T) {
	ctx := context.Background()
	for _, stale := range []time.Duration{0, 20 * time.Microsecond} {
		s := contextstore.Cache(contextstore.NewMemoryStore(), contextstore.CacheOptions{MaxStale: stale})
		k := keys.Column("f", "n")
		require.NoError(t, s.Set(ctx, k, contextstore.Value{"n": 0}))
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 1000 {
					if w == 0 && i%50 == 0 {
						assert.NoError(t, s.Set(ctx, k, contextstore.Value{"n": i}))
					} else if _, err := s.Get(ctx, k); err != nil {
						assert.NoError(t, err)
					}
				}
			}()
		}
		wg.Wait()
		stats, _ := contextstore.CacheStatsOf(s)
		assert.Positive(t, stats.Hits+stats.Misses)
	}
}
