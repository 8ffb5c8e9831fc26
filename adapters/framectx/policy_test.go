package framectx

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore"
)

func TestMergeValuesPolicies(t *testing.T) {
	inputs := map[string][2]contextstore.Value{
		"equal":       {v("x", 1, "y", map[string]any{"n": []any{1, 2}}), v("x", int64(1), "y", map[string]any{"n": []any{1, 2}})},
		"disjoint":    {v("x", 1), v("y", 2)},
		"conflicting": {v("x", 1, "y", 2, "k", "a"), v("x", 1, "y", 3, "m", "b")},
	}
	type want struct {
		value    contextstore.Value
		conflict string // the conflicting field, when an error is expected
	}
	tests := []struct {
		policy Policy
		want   map[string]want
	}{
		{Drop, map[string]want{"equal": {}, "disjoint": {}, "conflicting": {}}},
		{Identical, map[string]want{
			"equal":       {value: inputs["equal"][0]},
			"disjoint":    {conflict: "x"},
			"conflicting": {conflict: "k"},
		}},
		{NoConflicts, map[string]want{
			"equal":       {value: inputs["equal"][0]},
			"disjoint":    {value: v("x", 1, "y", 2)},
			"conflicting": {conflict: "y"},
		}},
		{DropConflicts, map[string]want{
			"equal":       {value: inputs["equal"][0]},
			"disjoint":    {value: v("x", 1, "y", 2)},
			"conflicting": {value: v("x", 1, "k", "a", "m", "b")},
		}},
		{Override, map[string]want{
			"equal":       {value: inputs["equal"][0]},
			"disjoint":    {value: v("x", 1)},
			"conflicting": {value: v("x", 1, "y", 2, "k", "a")},
		}},
		{DefaultPolicy, map[string]want{ // means Override
			"equal":       {value: inputs["equal"][0]},
			"disjoint":    {value: v("x", 1)},
			"conflicting": {value: v("x", 1, "y", 2, "k", "a")},
		}},
	}
	for _, tc := range tests {
		for name, w := range tc.want {
			t.Run(tc.policy.String()+"/"+name, func(t *testing.T) {
				in := inputs[name]
				got, err := MergeValues(tc.policy, in[0], in[1])
				if w.conflict != "" {
					var mc *MergeConflictError
					if !errors.As(err, &mc) || !errors.Is(err, ErrMergeConflict) {
						t.Fatalf("MergeValues = %v, %v; want a conflict", got, err)
					}
					if mc.Field != w.conflict || mc.Inputs != [2]int{0, 1} || mc.Policy != tc.policy {
						t.Errorf("conflict = %+v, want field %q between inputs 0 and 1", mc, w.conflict)
					}
					return
				}
				require.NoError(t, err)
				if w.value == nil {
					if got != nil {
						t.Errorf("MergeValues = %v, want no context", got)
					}
					return
				}
				if !contextstore.Equal(got, w.value) {
					t.Errorf("MergeValues = %v, want %v", got, w.value)
				}
			})
		}
	}
}

func TestMergeValuesAbsentInputs(t *testing.T) {
	a := v("x", 1)
	tests := []struct {
		name string
		p    Policy
		vs   []contextstore.Value
		want contextstore.Value
	}{
		{"override skips a leading absent input", Override, []contextstore.Value{nil, a}, a},
		{"identical compares present inputs only", Identical, []contextstore.Value{a, nil, v("x", 1)}, a},
		{"no inputs", NoConflicts, nil, nil},
		{"all absent", DropConflicts, []contextstore.Value{nil, nil}, nil},
		{"an empty value is context", Override, []contextstore.Value{{}, a}, contextstore.Value{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := MergeValues(tc.p, tc.vs...)
			require.NoError(t, err)
			if (got == nil) != (tc.want == nil) || !contextstore.Equal(got, tc.want) {
				t.Errorf("MergeValues = %#v, want %#v", got, tc.want)
			}
		})
	}
	// The conflict names the inputs' positions among all values given.
	_, err := MergeValues(NoConflicts, nil, v("x", 1), nil, v("x", 2))
	var mc *MergeConflictError
	if !errors.As(err, &mc) || mc.Inputs != [2]int{1, 3} {
		t.Errorf("conflict = %v, want inputs 1 and 3", err)
	}
}

func TestMergeValuesOwnsItsResult(t *testing.T) {
	in := contextstore.Value{"m": map[string]any{"k": "v"}}
	got, err := MergeValues(Override, in)
	require.NoError(t, err)
	got["m"].(map[string]any)["k"] = "changed"
	if in["m"].(map[string]any)["k"] != "v" {
		t.Error("changing the result changed the input")
	}
}

func TestMergeValuesErrors(t *testing.T) {
	if _, err := MergeValues(Policy(42), v("x", 1)); err == nil {
		t.Error("unknown policy accepted")
	}
	if _, err := MergeValues(Override, contextstore.Value{"f": func() {}}); !errors.Is(err, contextstore.ErrInvalidValue) {
		t.Errorf("func value = %v, want ErrInvalidValue", err)
	}
}

func TestPolicyNames(t *testing.T) {
	for p := DefaultPolicy; p <= Override; p++ {
		got, err := ParsePolicy(p.String())
		if err != nil || got != p {
			t.Errorf("ParsePolicy(%q) = %v, %v", p.String(), got, err)
		}
	}
	if p, err := ParsePolicy(""); err != nil || p != DefaultPolicy {
		t.Errorf(`ParsePolicy("") = %v, %v`, p, err)
	}
	if p, err := ParsePolicy("No_Conflicts"); err != nil || p != NoConflicts {
		t.Errorf("ParsePolicy is case-sensitive: %v, %v", p, err)
	}
	if _, err := ParsePolicy("first"); err == nil {
		t.Error("unknown name accepted")
	}
	if s := Policy(42).String(); s != "Policy(42)" {
		t.Errorf("String of unknown = %q", s)
	}
}
