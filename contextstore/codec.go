package contextstore

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// MarshalValue encodes v as canonical JSON: object keys sorted, no
// insignificant space, floats always with a '.' or an exponent so they read
// back as floats. It returns a *ValueError when v cannot be carried.
// Backends that store bytes use it; UnmarshalValue reads it back.
func MarshalValue(v Value) ([]byte, error) {
	n, err := Normalize(v)
	if err != nil {
		return nil, err
	}
	return AppendNormalized(make([]byte, 0, 64), n), nil
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
		b = appendString(b, k)
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
		return appendString(b, x)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case float64:
		return appendFloat(b, x)
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

func appendFloat(b []byte, f float64) []byte {
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
		return b
	}
	if bytes.IndexByte(b[start:], '.') < 0 {
		b = append(b, '.', '0')
	}
	return b
}

const hex = "0123456789abcdef"

func appendString(b []byte, s string) []byte {
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
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// UnmarshalValue decodes a JSON object into a Value in normal form. It
// returns a *ValueError for anything else (not JSON, not an object, trailing
// data, nesting deeper than MaxDepth).
func UnmarshalValue(data []byte) (Value, error) {
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
	if depth := nestingDepth(data); depth > MaxDepth {
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

// nestingDepth counts bracket depth outside strings, so a hostile document
// is refused before the decoder builds it.
func nestingDepth(data []byte) int {
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
