package contextstore

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"unicode/utf8"
)

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

// unmarshalSlow is UnmarshalValue through encoding/json: the reference for
// the fast decoder, and the path for anything it leaves.
func unmarshalSlow(data []byte) (Value, error) {
	x, err := decodeAny(data)
	if err != nil {
		return nil, &ValueError{Reason: err.Error()}
	}
	m, ok := x.(map[string]any)
	if !ok {
		return nil, &ValueError{Reason: fmt.Sprintf("JSON %s is not an object", jsonKind(x))}
	}
	v, err := Normalize(m)
	if err != nil {
		return nil, err
	}
	return v, nil
}

func jsonKind(x any) string {
	switch x.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case []any:
		return "array"
	}
	return "number"
}

// decodeAny decodes one JSON document with numbers in normal form.
func decodeAny(data []byte) (any, error) {
	if !utf8.Valid(data) {
		return nil, errors.New("JSON is not valid UTF-8")
	}
	if depth := NestingDepth(data); depth > MaxDepth {
		return nil, fmt.Errorf("JSON nested deeper than %d levels", MaxDepth)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var x any
	if err := dec.Decode(&x); err != nil {
		return nil, fmt.Errorf("bad JSON: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("bad JSON: data after the value")
	}
	return numbersToNormal(x)
}

// NestingDepth returns the deepest bracket nesting of JSON text outside
// strings, found without decoding it, so that a hostile document is
// refused before a decoder builds it.
func NestingDepth[T string | []byte](data T) int {
	depth, max, inString := 0, 0, false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if inString {
			if c == '\\' {
				i++
			} else if c == '"' {
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
			if depth > max {
				max = depth
			}
		case '}', ']':
			depth--
		}
	}
	return max
}

func numbersToNormal(x any) (any, error) {
	switch x := x.(type) {
	case json.Number:
		return numberValue(string(x))
	case map[string]any:
		for k, e := range x {
			v, err := numbersToNormal(e)
			if err != nil {
				return nil, err
			}
			x[k] = v
		}
	case []any:
		for i, e := range x {
			v, err := numbersToNormal(e)
			if err != nil {
				return nil, err
			}
			x[i] = v
		}
	}
	return x, nil
}
