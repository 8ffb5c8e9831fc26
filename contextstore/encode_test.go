package contextstore

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// appendCanonical is the one-pass encoder as AppendValue uses it: on
// failure the buffer is returned as it was.
func appendCanonical(b []byte, v Value) ([]byte, bool) {
	start := len(b)
	out, ok := appendCanonicalObject(b, v, 1)
	if !ok {
		return b[:start], false
	}
	return out, true
}

// slowMarshal is the reference encoder: normalize, then write.
func slowMarshal(v Value) ([]byte, error) {
	n, err := Normalize(v)
	if err != nil {
		return nil, err
	}
	return AppendNormalized(nil, n), nil
}

// matchesMarshalValue checks the one-pass encoder against the reference on
// one value and reports whether the fast path took it.
func matchesMarshalValue(t *testing.T, v Value) bool {
	t.Helper()
	got, ok := appendCanonical([]byte("junk"), v)
	want, err := slowMarshal(v)
	if !ok {
		if !bytes.Equal(got, []byte("junk")) {
			t.Fatalf("appendCanonical gave up on %#v but left %q in the buffer", v, got)
		}
		return false
	}
	require.NoError(t, err, "appendCanonical accepted %#v, which MarshalValue refuses: %v", v, err)
	if !bytes.Equal(got[4:], want) {
		t.Fatalf("appendCanonical(%#v) = %s, MarshalValue gives %s", v, got[4:], want)
	}
	return true
}

func TestAppendCanonicalMatchesMarshalValue(t *testing.T) {
	floats := []float64{0, math.Copysign(0, -1), 1, 2, -2.5, 0.1, 1e-6, 9.99e-7, 1e-7, 1e20, 1e21, 123456789e15,
		math.MaxFloat64, math.SmallestNonzeroFloat64, -1e-300, 3.14159, math.NaN(), math.Inf(1), math.Inf(-1)}
	strs := []string{"", "plain", "q\"b\\s", "\n\r\t\x01\x1f\x7f", "naïve 日本 🙂", "\u2028<>&", "\xff", "a\x00b", "é"}
	fixed := []Value{
		nil, {}, {"a": nil}, {"m": map[string]any(nil)}, {"l": []any(nil)}, {"s": []string(nil)},
		{"typed": []string{"x", "y"}, "fs": []float64{1, 2.5}, "is": []int{1, -2}, "i64": []int64{math.MinInt64}},
		{"v": Value{"inner": true}}, {"i": int32(-7), "n": math.MaxInt, "u": uint(3)},
		{"deep": nest(70)}, {"deepish": nest(20)}, {"bad": []string{"ok", "\xff"}}, {"bad": []float64{math.NaN()}},
		{"\xff": 1}, {"st": struct{ A int }{1}}, {"f32": float32(1.5)}, {"ch": make(chan int)},
	}
	for _, f := range floats {
		fixed = append(fixed, Value{"f": f, "l": []any{f}})
	}
	for _, s := range strs {
		fixed = append(fixed, Value{"s": s, s: 1})
	}
	for _, v := range fixed {
		matchesMarshalValue(t, v)
	}
	// Random values use only the types the fast path handles, shallowly:
	// it must take exactly those MarshalValue accepts.
	rng := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		v := randomValue(rng, strs, floats, 0)
		took := matchesMarshalValue(t, v)
		if _, err := slowMarshal(v); took != (err == nil) {
			t.Fatalf("fast path took %v, MarshalValue error %v, for %#v", took, err, v)
		}
	}
	for _, v := range []Value{{}, {"unit": "m", "q": 0.5, "n": 3, "l": []any{"a", 1}, "m": map[string]any{"k": true}}} {
		if !matchesMarshalValue(t, v) {
			t.Errorf("the fast path left the common value %v to contextstore", v)
		}
	}
}

func nest(n int) map[string]any {
	m := map[string]any{"leaf": 1}
	for range n {
		m = map[string]any{"n": m, "l": []any{1}}
	}
	return m
}

func randomValue(rng *rand.Rand, strs []string, floats []float64, depth int) map[string]any {
	m := make(map[string]any)
	for range rng.IntN(6) {
		m[strs[rng.IntN(len(strs))]] = randomAny(rng, strs, floats, depth+1)
	}
	return m
}

func randomAny(rng *rand.Rand, strs []string, floats []float64, depth int) any {
	switch n := rng.IntN(10); {
	case n == 0 && depth < 5:
		return randomValue(rng, strs, floats, depth)
	case n == 1 && depth < 5:
		l := make([]any, rng.IntN(4))
		for i := range l {
			l[i] = randomAny(rng, strs, floats, depth+1)
		}
		return l
	case n == 2:
		return strs[rng.IntN(len(strs))]
	case n == 3:
		return floats[rng.IntN(len(floats))]
	case n == 4:
		return rng.Int64() - rng.Int64()
	case n == 5:
		return rng.IntN(2) == 0
	case n == 6:
		return nil
	case n == 7:
		return rng.NormFloat64() * math.Pow(10, float64(rng.IntN(60)-30))
	}
	return strings.Repeat("x", rng.IntN(3))
}

func FuzzAppendCanonical(f *testing.F) {
	f.Add("plain", 1.5, int64(3))
	f.Add("\x00\xff\"\\\n", math.Inf(1), int64(math.MinInt64))
	f.Add("🙂\u2028", 1e21, int64(-1))
	f.Add("", 1e-7, int64(0))
	f.Fuzz(func(t *testing.T, s string, fl float64, i int64) {
		matchesMarshalValue(t, Value{"s": s, s: fl, "i": i, "l": []any{s, fl, i, map[string]any{s: s}}})
	})
}
