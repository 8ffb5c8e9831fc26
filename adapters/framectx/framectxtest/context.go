package framectxtest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// Context is one frame's context as "frame-relative key -> value"
// (keys.Key.Local: "f", "c:NAME", "r:ROW", "x:ROW:NAME"), so adapter tests
// can write their expectations as literals.
type Context map[string]contextstore.Value

// V builds a Value from alternating field names and values:
// V("unit", "degC", "n", 3).
func V(kv ...any) contextstore.Value {
	out := contextstore.Value{}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

// Seed writes c as frameID's context, in one batch.
func Seed(t testing.TB, store contextstore.Store, frameID string, c Context) {
	t.Helper()
	var ms []contextstore.Mutation
	for local, val := range c {
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

// AllContext reads frameID's context as it is stored, reserved (lineage)
// fields included.
func AllContext(t testing.TB, store contextstore.Store, frameID string) Context {
	t.Helper()
	entries, err := contextstore.ReadFrame(context.Background(), store, frameID)
	if err != nil {
		t.Fatal(err)
	}
	out := Context{}
	for _, e := range entries {
		out[e.Key.Local()] = e.Value
	}
	return out
}

// ReservedPrefix is framectx.ReservedPrefix, the prefix of the fields
// ctxframe keeps for itself. It is repeated here because framectx's own tests
// import this package; TestReservedPrefixMatchesFramectx keeps the two equal.
const ReservedPrefix = "ctxframe."

// StateField is framectx.StateField: the reserved field a user sets to mark
// context state-bound. It is the user's, so UserContext keeps it.
const StateField = ReservedPrefix + "state"

// UserContext reads frameID's context without the reserved fields ctxframe
// writes itself (lineage; StateField, the user's, stays); an entry that held
// nothing else is left out.
func UserContext(t testing.TB, store contextstore.Store, frameID string) Context {
	t.Helper()
	out := Context{}
	for local, val := range AllContext(t, store, frameID) {
		user := contextstore.Value{}
		for f, x := range val {
			if !strings.HasPrefix(f, ReservedPrefix) || f == StateField {
				user[f] = x
			}
		}
		if len(user) > 0 || len(user) == len(val) {
			out[local] = user
		}
	}
	return out
}

// SameContext fails t with a readable diff unless got equals want.
func SameContext(t testing.TB, got, want Context) {
	t.Helper()
	if diff := Diff(got, want); diff != "" {
		t.Fatalf("context differs (-got +want):\n%s", diff)
	}
}

// Diff lists the entries that differ between got and want, "" when none.
func Diff(got, want Context) string {
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
