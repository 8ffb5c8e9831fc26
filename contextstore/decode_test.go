package contextstore

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// decodeCorpus holds documents fastDecode must read exactly as
// UnmarshalValue does, or leave to it.
var decodeCorpus = []string{
	`{}`, ` { } `, `{"a":1}`, `{"a":-0}`, `{"a":-0.0}`, `{"a":2.0}`, `{"a":1e3}`, `{"a":1E-7}`, `{"a":1.5e+300}`,
	`{"a":9223372036854775807}`, `{"a":9223372036854775808}`, `{"a":-9223372036854775808}`, `{"a":-9223372036854775809}`,
	`{"a":123456789012345678901234567890}`, `{"a":1e400}`, `{"a":-1e400}`, `{"a":01}`, `{"a":1.}`, `{"a":.5}`, `{"a":-}`,
	`{"a":1e}`, `{"a":+1}`, `{"a":0x10}`, `{"a":NaN}`, `{"a":Infinity}`,
	`{"s":"plain","t":true,"f":false,"n":null}`, `{"s":"naïve 日本 🙂"}`, `{"s":"\"\\\/\b\f\n\r\t"}`,
	`{"s":"\u00e9\u2028\uFFFF"}`, `{"s":"\u0000"}`, `{"s":"a\u0000b"}`, `{"s":"\ud83d\ude42"}`, `{"s":"\ud83d"}`, `{"s":"\ude42x"}`,
	`{"s":"\x"}`, `{"s":"\u12"}`, `{"s":"\u12G4"}`, "{\"s\":\"tab\there\"}", "{\"s\":\"nul\x00\"}", "{\"s\":\"\xff\"}",
	"{\"\xff\":1}", `{"a":1,"a":2}`, `{"a":{"a":{"a":[1,[2,[3,{}]]]}}}`, `{"l":[]}`, `{"l":[1,"x",null,true,1.5,{"k":[]}]}`,
	`{"a":1,}`, `{"a":1 "b":2}`, `{"a" 1}`, `{a:1}`, `{"a":1}x`, `{"a":1}{}`, `[]`, `[1]`, `"s"`, `1`, `null`, ``, ` `,
	`{`, `{"a":`, `{"a":[1,2`, `{"a":tru}`, `{"a":nul}`, `{"a":[1,]}`, `{"a":[,1]}`,
	"{\"a\" :\n[ 1 ,\t2 ]\r}",
	`{"x":` + strings.Repeat(`[`, 40) + strings.Repeat(`]`, 40) + `}`,
	`{"x":` + strings.Repeat(`[`, 300) + strings.Repeat(`]`, 300) + `}`,
	`{"x":` + strings.Repeat(`{"y":`, 30) + `1` + strings.Repeat(`}`, 30) + `}`,
}

// agree checks fastDecode against UnmarshalValue on one
// document.
func agree(t *testing.T, doc string) {
	t.Helper()
	fast, ok := fastDecode(doc)
	want, err := unmarshalSlow([]byte(doc))
	if !ok {
		return // the full decoder decides; nothing to compare
	}
	require.NoError(t, err, "fastDecode accepted %q, which UnmarshalValue refuses: %v", doc, err)
	if !reflect.DeepEqual(map[string]any(fast), map[string]any(want)) {
		t.Fatalf("fastDecode(%q) = %#v, UnmarshalValue gives %#v", doc, fast, want)
	}
	for k, v := range want { // DeepEqual takes -0.0 for 0.0; the sign must match too
		if f, isFloat := v.(float64); isFloat && math.Signbit(f) != math.Signbit(fast[k].(float64)) {
			t.Fatalf("fastDecode(%q) loses the sign of %v", doc, f)
		}
	}
}

func TestFastDecodeAgreesWithUnmarshalValue(t *testing.T) {
	accepted := 0
	for _, doc := range decodeCorpus {
		agree(t, doc)
		if _, ok := fastDecode(doc); ok {
			accepted++
		}
	}
	// The fast path must actually take the common documents.
	for _, doc := range []string{`{}`, `{"a":1}`, `{"s":"naïve 日本 🙂"}`, `{"l":[1,"x",null,true,1.5,{"k":[]}]}`, `{"s":"\"\\\/\b\f\n\r\t"}`} {
		if _, ok := fastDecode(doc); !ok {
			t.Errorf("fastDecode left the common document %q to the slow path", doc)
		}
	}
	t.Logf("fast path took %d of %d corpus documents", accepted, len(decodeCorpus))
}

// TestFastDecodeReadsWhatMarshalValueWrites round-trips values through the
// encoder the store writes with.
func TestFastDecodeReadsWhatMarshalValueWrites(t *testing.T) {
	values := []Value{
		{"unit": "degC", "q": 0.97, "n": int64(-3), "big": int64(math.MaxInt64), "small": int64(math.MinInt64)},
		{"f": 2.0, "tiny": 1e-7, "huge": 1e300, "neg": math.Copysign(0, -1), "ctl": "\x01\x1f\"\\\n", "uni": "\u2028🙂"},
		{"nested": map[string]any{"l": []any{nil, true, false, "x", []any{}, map[string]any{}}}},
	}
	for _, v := range values {
		data, err := slowMarshal(v)
		require.NoError(t, err)
		if _, ok := fastDecode(string(data)); !ok {
			t.Errorf("fastDecode left canonical JSON %s to the slow path", data)
		}
		agree(t, string(data))
	}
}

func FuzzFastDecode(f *testing.F) {
	for _, doc := range decodeCorpus {
		f.Add(doc)
	}
	f.Fuzz(func(t *testing.T, doc string) { agree(t, doc) })
}
