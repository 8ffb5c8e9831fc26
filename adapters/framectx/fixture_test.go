package framectx

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/adapters/framectx/framectxtest"
	"github.com/ctxframe/ctxframe/contextstore"
	_ "github.com/ctxframe/ctxframe/contextstore/sqlstore" // registers sqlite://
	"github.com/ctxframe/ctxframe/keys"
)

// state is a frame's context keyed by the local key form ("f", "c:a",
// "r:1", "x:0:a"), so expectations read like the propagation table.
type state map[string]contextstore.Value

// storeKinds are the stores every behaviour test runs on: the in-memory
// store, the failing store (failing nothing) over it, which exercises the
// capability fallbacks, and SQLite in a temporary file, a store whose
// batches are real transactions.
var storeKinds = []struct {
	name string
	make func(t testing.TB) contextstore.Store
}{
	{"memory", func(testing.TB) contextstore.Store { return contextstore.NewMemoryStore() }},
	{"fallback", func(testing.TB) contextstore.Store {
		return framectxtest.NewFailingStore(contextstore.NewMemoryStore())
	}},
	{"sqlite", func(t testing.TB) contextstore.Store {
		path := filepath.Join(t.TempDir(), "ctx.db")
		s, err := contextstore.Open(context.Background(), "sqlite://"+filepath.ToSlash(path))
		require.NoError(t, err, "opening SQLite")
		t.Cleanup(func() { _ = contextstore.Close(s) })
		return s
	}},
}

func load(t testing.TB, s contextstore.Store, frameID string, st state) {
	t.Helper()
	var ms []contextstore.Mutation
	for local, v := range st {
		k, err := keys.ParseLocal(frameID, local)
		require.NoError(t, err, "bad fixture key %q: %v", local, err)
		ms = append(ms, contextstore.Put(k, v))
	}
	if err := contextstore.Apply(context.Background(), s, ms); err != nil {
		t.Fatalf("loading fixture %q: %v", frameID, err)
	}
}

func read(t testing.TB, s contextstore.Store, frameID string) state {
	t.Helper()
	es, err := contextstore.ReadFrame(context.Background(), s, frameID)
	require.NoError(t, err, "reading %q: %v", frameID, err)
	st := state{}
	for _, e := range es {
		st[e.Key.Local()] = e.Value
	}
	return st
}

// stripped returns st without reserved fields, to compare a new frame's
// user context with the in-place result.
func stripped(st state) state {
	out := state{}
	for k, v := range st {
		w := withoutReserved(v)
		if len(w) == 0 && len(v) > 0 {
			continue // only reserved fields: nothing of the user's
		}
		out[k] = w
	}
	return out
}

func assertState(t *testing.T, what string, got, want state) {
	t.Helper()
	all := slices.Sorted(maps.Keys(got))
	for k := range want {
		if _, ok := got[k]; !ok {
			all = append(all, k)
		}
	}
	slices.Sort(all)
	var diffs []string
	for _, k := range all {
		g, gok := got[k]
		w, wok := want[k]
		switch {
		case !gok:
			diffs = append(diffs, fmt.Sprintf("  %s: missing, want %v", k, w))
		case !wok:
			diffs = append(diffs, fmt.Sprintf("  %s: unexpected %v", k, g))
		case !contextstore.Equal(g, w):
			diffs = append(diffs, fmt.Sprintf("  %s: got %v, want %v", k, g, w))
		}
	}
	if len(diffs) > 0 {
		t.Errorf("%s differs:\n%s", what, strings.Join(diffs, "\n"))
	}
}

func v(kv ...any) contextstore.Value {
	out := contextstore.Value{}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	n, err := contextstore.Normalize(out)
	if err != nil {
		panic(err)
	}
	return n
}

// lin is the lineage record of a column computed from frame.field pairs
// with one transformation.
func lin(ns, typ, sub, desc string, frameFields ...string) map[string]any {
	var fields []any
	for i := 0; i+1 < len(frameFields); i += 2 {
		t := map[string]any{"type": typ, "subtype": sub, "masking": false}
		if desc != "" {
			t["description"] = desc
		}
		fields = append(fields, map[string]any{
			"namespace": ns, "name": frameFields[i], "field": frameFields[i+1],
			"transformations": []any{t},
		})
	}
	return map[string]any{"inputFields": fields}
}

func with(base contextstore.Value, kv ...any) contextstore.Value {
	out := contextstore.Clone(base)
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

// The fixture: frame "src" with columns a, b, c and 4 rows.
var srcShape = Shape{Columns: []string{"a", "b", "c"}, Rows: 4}

func srcState() state {
	return state{
		"f":     v("title", "sales"),
		"c:a":   v("unit", "m"),
		"c:b":   v("unit", "s"),
		"c:c":   v("desc", "c"),
		"r:1":   v("flag", "x"),
		"r:3":   v("flag", "y"),
		"x:0:a": v("q", 0),
		"x:2:b": v("q", 2),
		"x:3:a": v("q", 3),
	}
}

// "oth": the same columns, 2 rows, for concat.
var othShape = Shape{Columns: []string{"a", "b", "c"}, Rows: 2}

func othState() state {
	return state{
		"f":     v("title", "sales", "owner", "bob"),
		"c:a":   v("unit", "m"),
		"c:b":   v("unit", "ms"),
		"r:0":   v("flag", "z"),
		"x:1:c": v("q", 9),
	}
}

// "side": one column d, 4 rows, for bind.
var sideShape = Shape{Columns: []string{"d"}, Rows: 4}

func sideState() state {
	return state{
		"c:d":   v("unit", "kg"),
		"r:1":   v("flag", "x"),
		"r:2":   v("flag", "w"),
		"x:0:d": v("q", "d0"),
	}
}

// "dim": columns a, e and 3 rows, for joins on a.
var dimShape = Shape{Columns: []string{"a", "e"}, Rows: 3}

func dimState() state {
	return state{
		"c:e":   v("unit", "eur"),
		"r:0":   v("flag", "x"),
		"r:2":   v("src", "dim"),
		"x:2:a": v("q", 20),
		"x:1:e": v("q", "e1"),
	}
}

func newFixtureStore(t testing.TB, mk func(testing.TB) contextstore.Store) contextstore.Store {
	s := mk(t)
	load(t, s, "src", srcState())
	load(t, s, "oth", othState())
	load(t, s, "side", sideState())
	load(t, s, "dim", dimState())
	return s
}
