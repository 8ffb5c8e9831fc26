package contextstore

import (
	"math"
	"reflect"
	"testing"
)

// sameExactly is reflect.DeepEqual that also tells 0.0 from -0.0.
func sameExactly(a, b any) bool {
	if !reflect.DeepEqual(a, b) {
		return false
	}
	switch a := a.(type) {
	case float64:
		return math.Signbit(a) == math.Signbit(b.(float64))
	case map[string]any:
		for k, e := range a {
			if !sameExactly(e, b.(map[string]any)[k]) {
				return false
			}
		}
	case Value:
		return sameExactly(map[string]any(a), map[string]any(b.(Value)))
	case []any:
		for i, e := range a {
			if !sameExactly(e, b.([]any)[i]) {
				return false
			}
		}
	}
	return true
}

// checkIsNormal holds isNormalObject, which lets a store keep a value
// handed over with PutOwned without copying it, to Normalize: whatever
// Normalize returns is normal, and a value said to be normal is exactly
// what Normalize would have made of it.
func checkIsNormal(t *testing.T, v Value) {
	t.Helper()
	n, err := Normalize(v)
	if err != nil {
		if isNormalObject(v, 1) {
			t.Fatalf("%#v is refused by Normalize (%v) but taken as normal", v, err)
		}
		return
	}
	if !isNormalObject(n, 1) {
		t.Fatalf("Normalize returned %#v, which is not taken as normal", n)
	}
	if isNormalObject(v, 1) && !sameExactly(map[string]any(v), map[string]any(n)) {
		t.Fatalf("%#v is taken as normal but Normalize makes it %#v", v, n)
	}
}

func TestIsNormalAgreesWithNormalize(t *testing.T) {
	deep := map[string]any{}
	for range MaxDepth + 1 {
		deep = map[string]any{"d": deep}
	}
	cyclic := map[string]any{}
	cyclic["self"] = cyclic
	for _, v := range []Value{
		{"i": int64(1), "f": 1.5, "s": "x", "b": true, "n": nil, "l": []any{int64(1), "y", []any{}, map[string]any{}}},
		{"int": 1}, {"f32": float32(0.5)}, {"neg0": math.Copysign(0, -1)}, {"nan": math.NaN()}, {"inf": math.Inf(1)},
		{"nested Value": Value{"a": int64(1)}}, {"strings": []string{"a"}}, {"bad utf8": "\xff"}, {"nul": "a\x00"},
		{"\xff": int64(1)}, {"deep": deep}, {"cyclic": cyclic}, {}, nil,
	} {
		checkIsNormal(t, v)
	}
	for _, doc := range decodeCorpus {
		if v, err := UnmarshalValue(doc); err == nil {
			checkIsNormal(t, v)
		}
	}
}

// FuzzIsNormal checks isNormalObject on whatever UnmarshalValue decodes,
// which is what a restore hands over with PutOwned.
func FuzzIsNormal(f *testing.F) {
	for _, doc := range decodeCorpus {
		f.Add(doc)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		if v, err := UnmarshalValue(doc); err == nil {
			checkIsNormal(t, v)
		}
	})
}
