package framectxtest_test

import (
	"testing"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/adapters/framectx/framectxtest"
	"github.com/ctxframe/ctxframe/contextstore"
)

func TestReservedPrefixMatchesFramectx(t *testing.T) {
	if framectxtest.StateField != framectx.StateField {
		t.Fatalf("framectxtest.StateField %q != framectx.StateField %q", framectxtest.StateField, framectx.StateField)
	}
	if framectxtest.ReservedPrefix != framectx.ReservedPrefix {
		t.Fatalf("framectxtest.ReservedPrefix %q != framectx.ReservedPrefix %q", framectxtest.ReservedPrefix, framectx.ReservedPrefix)
	}
}

func TestSeedAndUserContext(t *testing.T) {
	store := contextstore.NewMemoryStore()
	framectxtest.Seed(t, store, "f", framectxtest.Context{
		"f":     framectxtest.V("owner", "ana", framectx.LineageField, map[string]any{"op": "x"}),
		"c:a":   framectxtest.V(framectx.LineageField, map[string]any{"op": "x"}),
		"r:1":   framectxtest.V(),
		"x:1:a": framectxtest.V("flag", true),
	})
	framectxtest.SameContext(t, framectxtest.UserContext(t, store, "f"), framectxtest.Context{
		"f":     framectxtest.V("owner", "ana"),
		"r:1":   framectxtest.V(),
		"x:1:a": framectxtest.V("flag", true),
	})
	if d := framectxtest.Diff(framectxtest.Context{"f": framectxtest.V("a", 1)}, framectxtest.Context{"f": framectxtest.V("a", 2)}); d == "" {
		t.Fatal("Diff must report a differing value")
	}
}
