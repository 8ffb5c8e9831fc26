package contextstore_test

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore"
)

func TestMarshalValueIsCanonical(t *testing.T) {
	v := contextstore.Value{"b": 2.0, "a": []any{int64(1), "x\n\"", nil, true}, "c": map[string]any{"z": 1e-7, "y": 1e21}}
	b, err := contextstore.MarshalValue(v)
	require.NoError(t, err)
	want := `{"a":[1,"x\n\"",null,true],"b":2.0,"c":{"y":1e+21,"z":1e-7}}`
	if string(b) != want {
		t.Fatalf("MarshalValue = %s\nwant %s", b, want)
	}
	if !json.Valid(b) {
		t.Fatal("MarshalValue wrote invalid JSON")
	}
}

// Normalize (what the memory store keeps) and a JSON round trip (what every
// other backend does) must agree, or swapping backends would change results.
func TestNormalizeAgreesWithJSONRoundTrip(t *testing.T) {
	type owner struct {
		Name  string    `json:"name"`
		Since time.Time `json:"since"`
	}
	values := []contextstore.Value{
		{"i": 1, "f": 1.0, "f32": float32(0.1), "big": int64(math.MaxInt64), "neg0": math.Copysign(0, -1)},
		{"nested": map[string]any{"l": []any{[]any{}, map[string]any{}}, "s": []string{"x"}}},
		{"owner": owner{"ana", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}, "bytes": []byte("hi"), "ptr": &[]int{1}},
		{"m": map[string]int{"a": 1}, "u": uint64(42), "n": json.Number("12.50"), "ni": json.Number("7")},
		{"whole floats": []float64{3e15, 1e20, 1e21, 5e-324, -2}},
	}
	for _, v := range values {
		n, err := contextstore.Normalize(v)
		require.NoError(t, err, "Normalize(%v): %v", v, err)
		b, err := contextstore.MarshalValue(v)
		require.NoError(t, err, "MarshalValue(%v): %v", v, err)
		back, err := contextstore.UnmarshalValue(b)
		require.NoError(t, err, "UnmarshalValue(%s): %v", b, err)
		if !contextstore.Equal(n, back) {
			t.Errorf("Normalize and a JSON round trip disagree:\n normalize %#v\n roundtrip %#v\n json %s", n, back, b)
		}
	}
}

func TestUnmarshalValueRejects(t *testing.T) {
	bad := map[string]string{
		"not JSON":       `{"a":`,
		"array":          `[1]`,
		"string":         `"x"`,
		"trailing data":  `{} {}`,
		"huge number":    `{"a":1e999}`,
		"too deep":       strings.Repeat(`{"a":`, contextstore.MaxDepth+1) + "1" + strings.Repeat("}", contextstore.MaxDepth+1),
		"invalid UTF-8":  "{\"a\":\"\xff\"}",
		"U+0000 escaped": `{"a":"\u0000"}`,
	}
	for name, s := range bad {
		_, err := contextstore.UnmarshalValue([]byte(s))
		var ve *contextstore.ValueError
		assert.ErrorAs(t, err, &ve, "%s: UnmarshalValue = %v, want a *ValueError", name, err)
	}
	v, err := contextstore.UnmarshalValue([]byte(`{"big":123456789012345678901234567890,"i":-9223372036854775808}`))
	if err != nil || v["big"] != 1.2345678901234568e29 || v["i"] != int64(math.MinInt64) {
		t.Fatalf("integers beyond int64 must read as float64, others as int64: %#v, %v", v, err)
	}
}

func TestValueErrorNamesThePath(t *testing.T) {
	_, err := contextstore.Normalize(contextstore.Value{"stats": []any{map[string]any{"mean": math.NaN()}}})
	if err == nil || !strings.Contains(err.Error(), "/stats/0/mean") {
		t.Fatalf("error must point at /stats/0/mean, got %v", err)
	}
}

func TestCloneIsDeep(t *testing.T) {
	v := contextstore.Value{"m": map[string]any{"l": []any{int64(1)}}}
	c := contextstore.Clone(v)
	c["m"].(map[string]any)["l"].([]any)[0] = int64(2)
	if v["m"].(map[string]any)["l"].([]any)[0] != int64(1) {
		t.Fatal("Clone shares nested values")
	}
	if contextstore.Clone(nil) != nil {
		t.Fatal("Clone(nil) must be nil")
	}
}

func FuzzUnmarshalValue(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":[1,2.5,"x",null,true,{"b":{}}]}`, `{"a":1e400}`, `{"a":"\ud800"}`, `[[[[`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := contextstore.UnmarshalValue(data)
		if err != nil {
			return
		}
		// Whatever decodes must encode and decode to the same value.
		b, err := contextstore.MarshalValue(v)
		require.NoError(t, err, "decoded %q but cannot encode it: %v", data, err)
		back, err := contextstore.UnmarshalValue(b)
		if err != nil || !contextstore.Equal(v, back) {
			t.Fatalf("round trip of %q changed it: %#v -> %s -> %#v (%v)", data, v, b, back, err)
		}
	})
}

func TestEqualJSON(t *testing.T) {
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
		if got := contextstore.EqualJSON(p.a, p.b); got != p.same {
			t.Errorf("EqualJSON(%#v, %#v) = %v", p.a, p.b, got)
		}
	}
}

func TestEqualTreatsNilAndEmptyAlike(t *testing.T) {
	if !contextstore.Equal(nil, contextstore.Value{}) || contextstore.Equal(contextstore.Value{"a": int64(1)}, contextstore.Value{"a": 1.0}) || !contextstore.Equal(contextstore.Value{"a": []any{"x"}}, contextstore.Value{"a": []any{"x"}}) {
		t.Fatal("Equal disagrees with the normal form")
	}
}

// A value is equal to itself at once, and only the same map is: a copy
// with one field changed is not.
func TestEqualSameMap(t *testing.T) {
	v := contextstore.Value{"unit": "m", "tags": []any{"a", int64(1)}}
	require.True(t, contextstore.Equal(v, v))
	w := contextstore.Clone(v)
	require.True(t, contextstore.Equal(v, w))
	w["unit"] = "cm"
	require.False(t, contextstore.Equal(v, w))
	require.False(t, contextstore.Equal(w, v))
}
