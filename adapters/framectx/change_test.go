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
