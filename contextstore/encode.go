package contextstore

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// fastEncodeDepth is how deep the one-pass encoder goes before leaving a
// value to the normalizing path.
const fastEncodeDepth = 64

const hexDigits = "0123456789abcdef"

// appendCanonical* append the canonical JSON that MarshalValue writes,
// checking the value as Normalize does, in one pass and without Normalize's
// deep copy.
// It handles the types context values are made of (maps of string to any,
// []any, strings, bools, int, int32, int64, float64, nil and a few typed
// slices); for anything else, and for anything Normalize might refuse, it
// returns b unchanged and false, and the caller lets the slow path decide.
// TestAppendCanonicalMatchesMarshalValue and FuzzAppendCanonical hold it to
// MarshalValue's bytes.
func appendCanonicalObject(b []byte, m map[string]any, depth int) ([]byte, bool) {
	if depth > fastEncodeDepth {
		return b, false
	}
	var small [16]string
	ks := small[:0]
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	b = append(b, '{')
	for i, k := range ks {
		if i > 0 {
			b = append(b, ',')
		}
		var ok bool
		if b, ok = appendCanonicalString(b, k); !ok {
			return b, false
		}
		b = append(b, ':')
		if b, ok = appendCanonicalAny(b, m[k], depth); !ok {
			return b, false
		}
	}
	return append(b, '}'), true
}

func appendCanonicalAny(b []byte, x any, depth int) ([]byte, bool) {
	switch x := x.(type) {
	case nil:
		return append(b, "null"...), true
	case bool:
		return strconv.AppendBool(b, x), true
	case string:
		return appendCanonicalString(b, x)
	case int64:
		return strconv.AppendInt(b, x, 10), true
	case int:
		return strconv.AppendInt(b, int64(x), 10), true
	case int32:
		return strconv.AppendInt(b, int64(x), 10), true
	case float64:
		return appendCanonicalFloat(b, x)
	case map[string]any:
		return appendCanonicalObject(b, x, depth+1)
	case Value:
		return appendCanonicalObject(b, x, depth+1)
	case []any:
		if depth+1 > fastEncodeDepth {
			return b, false
		}
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			var ok bool
			if b, ok = appendCanonicalAny(b, e, depth+1); !ok {
				return b, false
			}
		}
		return append(b, ']'), true
	case []string:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			var ok bool
			if b, ok = appendCanonicalString(b, e); !ok {
				return b, false
			}
		}
		return append(b, ']'), true
	case []float64:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			var ok bool
			if b, ok = appendCanonicalFloat(b, e); !ok {
				return b, false
			}
		}
		return append(b, ']'), true
	case []int64:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, e, 10)
		}
		return append(b, ']'), true
	case []int:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, int64(e), 10)
		}
		return append(b, ']'), true
	}
	return b, false
}

// appendCanonicalFloat writes f as encoding/json does, with ".0" on whole
// numbers so they read back as floats; NaN and ±Inf are refused.
func appendCanonicalFloat(b []byte, f float64) ([]byte, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return b, false
	}
	if f == 0 {
		f = 0 // write -0.0 as 0.0: the normal form has one zero
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	start := len(b)
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// 1e-07 -> 1e-7, as encoding/json writes it.
		n := len(b)
		if n-start >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
		return b, true
	}
	if !slices.Contains(b[start:], '.') {
		b = append(b, '.', '0')
	}
	return b, true
}

// appendCanonicalString writes s quoted; strings Normalize refuses
// (invalid UTF-8, U+0000) are refused.
func appendCanonicalString(b []byte, s string) ([]byte, bool) {
	if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
		return b, false
	}
	return AppendJSONString(b, s), true
}

// AppendJSONString appends s as a JSON string the way canonical JSON
// writes it: escaping only what JSON requires (quote, backslash, control
// characters), everything else as it is. Other encoders of ctxframe
// context (the Arrow metadata) use it so their text matches the store's.
func AppendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// MarshalValue encodes v as canonical JSON: object keys sorted, no
// insignificant space, floats always with a '.' or an exponent so they read
// back as floats. It returns a *ValueError when v cannot be carried.
// Backends that store bytes use it; UnmarshalValue reads it back.
func MarshalValue(v Value) ([]byte, error) {
	return AppendValue(make([]byte, 0, 128), v)
}

// AppendValue appends the canonical JSON of v to b, as MarshalValue writes
// it. Values made of the usual types are checked and written in one pass,
// with no copy; anything else (structs, other map and slice types) is
// normalized first. On error b is returned unchanged with a *ValueError.
func AppendValue(b []byte, v Value) ([]byte, error) {
	start := len(b)
	if out, ok := appendCanonicalObject(b, v, 1); ok {
		return out, nil
	}
	n, err := Normalize(v)
	if err != nil {
		return b[:start], err
	}
	return AppendNormalized(b[:start], n), nil
}

// AppendNormalized appends the canonical JSON of a value already in normal
// form (from Normalize or a store) to b.
func AppendNormalized(b []byte, v Value) []byte {
	return appendObject(b, v)
}

func appendObject(b []byte, m map[string]any) []byte {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	b = append(b, '{')
	for i, k := range ks {
		if i > 0 {
			b = append(b, ',')
		}
		b, _ = appendCanonicalString(b, k)
		b = append(b, ':')
		b = appendAny(b, m[k])
	}
	return append(b, '}')
}

func appendAny(b []byte, x any) []byte {
	switch x := x.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		return strconv.AppendBool(b, x)
	case string:
		b, _ = appendCanonicalString(b, x) // normal form: always valid
		return b
	case int64:
		return strconv.AppendInt(b, x, 10)
	case float64:
		b, _ = appendCanonicalFloat(b, x) // normal form: always finite
		return b
	case map[string]any:
		return appendObject(b, x)
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendAny(b, e)
		}
		return append(b, ']')
	}
	panic(fmt.Sprintf("contextstore: %T is not in normal form", x))
}
