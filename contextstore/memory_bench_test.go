package contextstore_test

import (
	"context"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// rawMap is the baseline the issue asks for: a map behind a sync.RWMutex that
// copies values in and out as the memory store must (for isolation), with
// none of the store's key validation, JSON checks or error handling.
type rawMap struct {
	mu sync.RWMutex
	m  map[keys.Key]map[string]any
}

func (r *rawMap) set(k keys.Key, v map[string]any) {
	c := contextstore.Clone(v)
	r.mu.Lock()
	r.m[k] = c
	r.mu.Unlock()
}

func (r *rawMap) get(k keys.Key) map[string]any {
	r.mu.RLock()
	v := r.m[k]
	r.mu.RUnlock()
	return contextstore.Clone(v)
}

func fourFields() contextstore.Value {
	return contextstore.Value{"unit": "degC", "description": "air temperature at 2 m", "owner": "meteo-team", "quality": 0.98}
}

const benchKeys = 1024

func benchKeySet() []keys.Key {
	ks := make([]keys.Key, benchKeys)
	for i := range ks {
		ks[i] = keys.Column("bench", "col_"+strconv.Itoa(i))
	}
	return ks
}

// Run with -cpu 1,2 for one and two goroutines.
func BenchmarkMemorySet(b *testing.B) {
	ks, v, ctx := benchKeySet(), fourFields(), context.Background()
	b.Run("raw=map+RWMutex", func(b *testing.B) {
		r := &rawMap{m: map[keys.Key]map[string]any{}}
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for i := 0; pb.Next(); i++ {
				r.set(ks[i%benchKeys], v)
			}
		})
	})
	b.Run("store=mem", func(b *testing.B) {
		s := contextstore.NewMemoryStore()
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for i := 0; pb.Next(); i++ {
				require.NoError(b, s.Set(ctx, ks[i%benchKeys], v))
			}
		})
	})
}

func BenchmarkMemoryGet(b *testing.B) {
	ks, v, ctx := benchKeySet(), fourFields(), context.Background()
	r := &rawMap{m: map[keys.Key]map[string]any{}}
	s := contextstore.NewMemoryStore()
	for _, k := range ks {
		r.set(k, v)
		require.NoError(b, s.Set(ctx, k, v))
	}
	b.Run("raw=map+RWMutex", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for i := 0; pb.Next(); i++ {
				if r.get(ks[i%benchKeys]) == nil {
					b.Fatal("missing")
				}
			}
		})
	})
	b.Run("store=mem", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for i := 0; pb.Next(); i++ {
				if _, err := s.Get(ctx, ks[i%benchKeys]); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

// BenchmarkMemoryBytesPerEntry reports the heap each stored entry costs with
// 1M entries (column keys with 10-character names, 4-field values).
func BenchmarkMemoryBytesPerEntry(b *testing.B) {
	const n = 1_000_000
	ctx := context.Background()
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		s := contextstore.NewMemoryStore()
		for i := 0; i < n; i++ {
			k := keys.Column("frame-"+strconv.Itoa(i%100), "col_"+strconv.Itoa(100000+i))
			require.NoError(b, s.Set(ctx, k, fourFields()))
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "B/entry")
		runtime.KeepAlive(s)
	}
}
