package contextstore_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// The reference API's example (section 9) in Go: a store, context on a
// column, read back, and the store's keys listed for debugging.
func Example() {
	ctx := context.Background()

	// 1. Create a store backend (the embedded default; see Open for others).
	store := contextstore.NewMemoryStore()
	defer store.Close()

	// 2. Name the context: column "ColumnA" of the frame "df".
	colA := keys.Column("df", "ColumnA")

	// 3. Add and retrieve context.
	if err := store.Set(ctx, colA, contextstore.Value{"desc": "Integer values"}); err != nil {
		fmt.Println(err)
		return
	}
	v, err := store.Get(ctx, colA)
	fmt.Println(v, err)

	// 4. Inspect the store's contents directly (for debugging).
	ks, _ := store.ListKeys(ctx)
	fmt.Println(ks)
	// Output:
	// map[desc:Integer values] <nil>
	// [ctx1:{df}c:ColumnA]
}

// Values come back in normal form: integers as int64, other numbers as
// float64, exactly as every other backend returns them.
func ExampleMemoryStore_Get() {
	ctx := context.Background()
	store := contextstore.NewMemoryStore()
	_ = store.Set(ctx, keys.Frame("sales"), contextstore.Value{"rows": 1200, "ratio": 2.0, "tags": []string{"eu"}})
	v, _ := store.Get(ctx, keys.Frame("sales"))
	fmt.Printf("%T %T %T\n", v["rows"], v["ratio"], v["tags"])

	_, err := store.Get(ctx, keys.Frame("missing"))
	fmt.Println(errors.Is(err, contextstore.ErrNotFound))
	// Output:
	// int64 float64 []interface {}
	// true
}

// Apply writes a batch atomically; a batch with a value JSON cannot carry is
// refused whole, and the error says which entry was wrong.
func ExampleApply() {
	ctx := context.Background()
	store := contextstore.NewMemoryStore()
	err := contextstore.Apply(ctx, store, []contextstore.Mutation{
		contextstore.Put(keys.Column("sales", "price"), contextstore.Value{"unit": "EUR"}),
		contextstore.Put(keys.Column("sales", "qty"), contextstore.Value{"bad": func() {}}),
	})
	fmt.Println(errors.Is(err, contextstore.ErrInvalidValue))
	fmt.Println(err)
	ks, _ := store.ListKeys(ctx)
	fmt.Println(len(ks))
	// Output:
	// true
	// contextstore: mem apply: invalid value: 1 entries refused; [1] at /bad: a func() cannot be carried as JSON
	// 0
}

// Open picks a backend by URL; backends register their schemes when their
// package is imported.
func ExampleOpen() {
	store, err := contextstore.Open(context.Background(), "mem://")
	fmt.Printf("%T %v\n", store, err)

	_, err = contextstore.Open(context.Background(), "mem://?pool=1")
	fmt.Println(errors.Is(err, contextstore.ErrConfig))

	// The decorators' parameters work on every scheme.
	cached, err := contextstore.Open(context.Background(), "mem://?cache=10000&cache_max_stale=250ms")
	_, hasCache := contextstore.CacheStatsOf(cached)
	fmt.Println(hasCache, err)
	// Output:
	// *contextstore.MemoryStore <nil>
	// true
	// true <nil>
}

// Put a read cache in front of any store with one line: reads of an
// unchanged frame are served from memory after one version check (or none,
// within MaxStale), and every write goes through to the store.
func ExampleCache() {
	ctx := context.Background()
	store := contextstore.Cache(contextstore.NewMemoryStore(), contextstore.CacheOptions{MaxEntries: 100_000})
	k := keys.Column("sales", "price")
	_ = store.Set(ctx, k, contextstore.Value{"unit": "EUR"})
	for range 3 {
		v, _ := store.Get(ctx, k)
		fmt.Println(v["unit"])
	}
	stats, _ := contextstore.CacheStatsOf(store)
	fmt.Printf("hits %d, misses %d\n", stats.Hits, stats.Misses)
	// Output:
	// EUR
	// EUR
	// EUR
	// hits 2, misses 1
}

// Report every store call to OpenTelemetry: a span per call and metrics
// of latency, entries and errors. Here the global providers, a no-op until
// the program installs the SDK; pass providers in Telemetry to choose.
func ExampleInstrument() {
	ctx := context.Background()
	store := contextstore.Instrument(contextstore.NewMemoryStore(), contextstore.Telemetry{Backend: "mem"})
	err := store.Set(ctx, keys.Column("sales", "price"), contextstore.Value{"unit": "EUR"})
	fmt.Println(err, contextstore.Versioned(store))
	// Output:
	// <nil> true
}

// A read-modify-write that never loses another writer's update: read the
// frame with its version, write only if it is still at that version, and
// start over on a conflict.
func ExampleApplyIf() {
	ctx := context.Background()
	store := contextstore.NewMemoryStore()
	k := keys.Column("weather", "temp_c")
	_ = store.Set(ctx, k, contextstore.Value{"readings": 1})

	for {
		snap, err := contextstore.ReadVersioned(ctx, store, "weather")
		if err != nil {
			panic(err)
		}
		n := snap.Entries[0].Value["readings"].(int64)
		_, err = contextstore.ApplyIf(ctx, store,
			[]contextstore.Guard{contextstore.AtVersion("weather", snap.State)},
			[]contextstore.Mutation{contextstore.Put(k, contextstore.Value{"readings": n + 1})})
		if errors.Is(err, contextstore.ErrConflict) {
			continue // someone wrote the frame meanwhile: read again
		}
		if err != nil {
			panic(err)
		}
		break
	}
	v, _ := store.Get(ctx, k)
	fmt.Println(v)

	// A merge is atomic in the store: concurrent merges of other fields are kept.
	_ = contextstore.Apply(ctx, store, []contextstore.Mutation{
		contextstore.Patch(k, contextstore.Value{"unit": "degC", "readings": nil}),
	})
	v, _ = store.Get(ctx, k)
	fmt.Println(v)
	// Output:
	// map[readings:2]
	// map[unit:degC]
}

// ReadSubset reads part of a frame with the frame's state: here the column
// entries and the rows that carry a state mark, out of a frame with row
// context on every row. The memory and SQL stores serve it from their
// indexes, at a cost that follows what it returns.
func ExampleReadSubset() {
	ctx := context.Background()
	store := contextstore.NewMemoryStore()
	var es []contextstore.Entry
	es = append(es, contextstore.Entry{Key: keys.Column("qc", "temp"), Value: contextstore.Value{"unit": "°C"}})
	for row := range 1000 {
		v := contextstore.Value{"flag": "checked"}
		if row == 7 {
			v[contextstore.ReservedPrefix+"state"] = true // bound to this row's data
		}
		es = append(es, contextstore.Entry{Key: keys.Row("qc", row), Value: v})
	}
	if err := contextstore.SetMany(ctx, store, es); err != nil {
		panic(err)
	}
	snap, err := contextstore.ReadSubset(ctx, store, "qc", contextstore.Subset{Columns: true, RowsWith: contextstore.ReservedPrefix + "state"})
	if err != nil {
		panic(err)
	}
	for _, e := range snap.Entries {
		fmt.Println(e.Key.Local(), e.Value)
	}
	// Output:
	// c:temp map[unit:°C]
	// r:7 map[ctxframe.state:true flag:checked]
}
