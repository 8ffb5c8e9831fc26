package gota

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/go-gota/gota/dataframe"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// ctxMap is a frame's context as "local key -> value" (keys.Key.Local:
// "f", "c:NAME", "r:ROW", "x:ROW:NAME"), for readable expectations.
type ctxMap map[string]contextstore.Value

// v builds a Value from alternating field names and values.
func v(kv ...any) contextstore.Value {
	out := contextstore.Value{}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

// seed writes m as frame frameID's context.
func seed(t testing.TB, store contextstore.Store, frameID string, m ctxMap) {
	t.Helper()
	var ms []contextstore.Mutation
	for local, val := range m {
		k, err := keys.ParseLocal(frameID, local)
		if err != nil {
			t.Fatal(err)
		}
		ms = append(ms, contextstore.Put(k, val))
	}
	if err := contextstore.Apply(context.Background(), store, ms); err != nil {
		t.Fatal(err)
	}
}

// userContext reads frameID's context without the reserved (lineage)
// fields; entries that held nothing else are left out.
func userContext(t testing.TB, store contextstore.Store, frameID string) ctxMap {
	t.Helper()
	entries, err := contextstore.ReadFrame(context.Background(), store, frameID)
	if err != nil {
		t.Fatal(err)
	}
	out := ctxMap{}
	for _, e := range entries {
		val := contextstore.Value{}
		for f, x := range e.Value {
			if !framectx.IsReserved(f) {
				val[f] = x
			}
		}
		if len(val) > 0 || !hasReserved(e.Value) {
			out[e.Key.Local()] = val
		}
	}
	return out
}

func hasReserved(v contextstore.Value) bool {
	for f := range v {
		if framectx.IsReserved(f) {
			return true
		}
	}
	return false
}

// allContext reads frameID's context as it is stored.
func allContext(t testing.TB, store contextstore.Store, frameID string) ctxMap {
	t.Helper()
	entries, err := contextstore.ReadFrame(context.Background(), store, frameID)
	if err != nil {
		t.Fatal(err)
	}
	out := ctxMap{}
	for _, e := range entries {
		out[e.Key.Local()] = e.Value
	}
	return out
}

// sameContext fails with a readable diff unless got equals want.
func sameContext(t testing.TB, got, want ctxMap) {
	t.Helper()
	if diff := diffContext(got, want); diff != "" {
		t.Fatalf("context differs (-got +want):\n%s", diff)
	}
}

func diffContext(got, want ctxMap) string {
	all := slices.Sorted(maps.Keys(got))
	for k := range want {
		if _, ok := got[k]; !ok {
			all = append(all, k)
		}
	}
	slices.Sort(all)
	var b strings.Builder
	for _, k := range all {
		g, gok := got[k]
		w, wok := want[k]
		switch {
		case !wok:
			fmt.Fprintf(&b, "- %s: %v\n", k, g)
		case !gok:
			fmt.Fprintf(&b, "+ %s: %v\n", k, w)
		case !contextstore.Equal(g, w):
			fmt.Fprintf(&b, "- %s: %v\n+ %s: %v\n", k, g, k, w)
		}
	}
	return b.String()
}

// bind loads a frame into store under frameID with context m.
func bind(t testing.TB, store contextstore.Store, frameID string, df dataframe.DataFrame, m ctxMap) *Frame {
	t.Helper()
	seed(t, store, frameID, m)
	f, err := New(context.Background(), store, frameID, df, nil)
	if err != nil {
		t.Fatal(err)
	}
	return f
}
