package framectx

import (
	"testing"

	"github.com/ctxframe/ctxframe/adapters/lineage"
	"github.com/ctxframe/ctxframe/keys"
)

func TestOutputColumnConstructors(t *testing.T) {
	tests := []struct {
		name     string
		col      OutputColumn
		identity bool
		sources  []Source // lineage sources
	}{
		{"carried", Carried(1, "a"), true, []Source{From(1, "a")}},
		{"renamed", Renamed(0, "a", "b"), true, []Source{From(0, "a")}},
		{"merged", Merged("k", From(0, "k"), From(1, "k")), true, []Source{From(0, "k"), From(1, "k")}},
		{"replaced with an identity becomes a transformation", Replaced(0, "a", lineage.Identity(), From(0, "b")), false, []Source{From(0, "b")}},
		{"derived with the zero transformation becomes one", Derived("d", lineage.Transformation{}, From(0, "a")), false, []Source{From(0, "a")}},
		{"a constant column", Derived("c", lineage.Transformation{}), true, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.col.Transformation.IsIdentity(); got != tc.identity {
				t.Errorf("identity = %v, want %v (%+v)", got, tc.identity, tc.col.Transformation)
			}
			got := tc.col.lineageSources()
			if len(got) != len(tc.sources) {
				t.Fatalf("lineage sources = %v, want %v", got, tc.sources)
			}
			for i := range got {
				if got[i] != tc.sources[i] {
					t.Errorf("lineage sources = %v, want %v", got, tc.sources)
				}
			}
		})
	}
	if r := Replaced(0, "a", lineage.Identity(), From(0, "b")); r.Transformation.Subtype != lineage.SubtypeTransformation || len(r.Carry) != 1 {
		t.Errorf("Replaced = %+v", r)
	}
}

func TestNoteString(t *testing.T) {
	n := Note{Input: 1, Kind: keys.KindCell, Count: 3, Reason: "unknown mapping"}
	if got, want := n.String(), "input 1: 3 cell entries dropped: unknown mapping"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
}

func TestEqualValues(t *testing.T) {
	type pair struct {
		a, b any
		same bool
	}
	pairs := []pair{
		{nil, nil, true}, {nil, false, false},
		{true, true, true}, {true, false, false},
		{"x", "x", true}, {"x", int64(1), false},
		{int64(1), int64(1), true}, {int64(1), 1.0, false},
		{1.5, 1.5, true}, {1.5, 2.5, false},
		{[]any{int64(1), "a"}, []any{int64(1), "a"}, true},
		{[]any{int64(1)}, []any{int64(1), int64(2)}, false},
		{[]any{int64(1)}, []any{int64(2)}, false},
		{map[string]any{"k": []any{}}, map[string]any{"k": []any{}}, true},
		{map[string]any{"k": 1.0}, map[string]any{"j": 1.0}, false},
		{[]string{"odd"}, []string{"odd"}, true}, // not normal form: falls back to reflection
	}
	for _, p := range pairs {
		if got := equalAny(p.a, p.b); got != p.same {
			t.Errorf("equalAny(%#v, %#v) = %v", p.a, p.b, got)
		}
	}
}
