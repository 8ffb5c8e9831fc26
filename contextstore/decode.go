package contextstore

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"unicode/utf8"
)

// UnmarshalValue decodes a JSON object into a Value in normal form. It
// returns a *ValueError for anything else (not JSON, not an object, trailing
// data, nesting deeper than MaxDepth, strings with U+0000, numbers beyond
// float64). It takes a string or a byte slice, so a backend that holds a
// string (a Redis reply) decodes it without a copy.
//
// Canonical JSON, what MarshalValue writes, is read in one pass straight into
// normal form; anything unusual goes through encoding/json, which defines the
// result (TestFastDecodeAgreesWithUnmarshalValue and FuzzFastDecode hold the fast
// path to it).
func UnmarshalValue[T ~string | ~[]byte](data T) (Value, error) {
	s := string(data) // no copy for a string; one for a byte slice
	if v, ok := fastDecode(s); ok {
		return v, nil
	}
	return unmarshalSlow([]byte(s))
}

// fastDepth is how deep fastDecode goes before leaving a value to the full
// decoder; context values are rarely more than a few levels deep.
const fastDepth = 32

// fastDecode decodes a JSON object straight into normal form, with no
// intermediate tree and no second walk. It gives up (ok false) on anything
// unusual: invalid JSON, invalid UTF-8, U+0000, surrogate escapes, numbers
// beyond float64, deep nesting. It must return exactly what
// UnmarshalValue returns whenever it returns ok;
// TestFastDecodeAgreesWithUnmarshalValue and FuzzFastDecode hold it to that.
func fastDecode(data string) (Value, bool) {
	d := fastDecoder{data: data}
	d.space()
	if d.pos >= len(d.data) || d.data[d.pos] != '{' {
		return nil, false
	}
	m, ok := d.object(1)
	if !ok {
		return nil, false
	}
	d.space()
	if d.pos != len(d.data) {
		return nil, false
	}
	return m, true
}

// fastDecoder reads a string, so strings without escapes come out as
// substrings of it, with no copy.
type fastDecoder struct {
	data string
	pos  int
}

func (d *fastDecoder) space() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// object reads an object; d.data[d.pos] is '{'.
func (d *fastDecoder) object(depth int) (map[string]any, bool) {
	if depth > fastDepth {
		return nil, false
	}
	d.pos++
	m := make(map[string]any)
	d.space()
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		return m, true
	}
	for {
		d.space()
		if d.pos >= len(d.data) || d.data[d.pos] != '"' {
			return nil, false
		}
		k, ok := d.str()
		if !ok {
			return nil, false
		}
		d.space()
		if d.pos >= len(d.data) || d.data[d.pos] != ':' {
			return nil, false
		}
		d.pos++
		v, ok := d.value(depth)
		if !ok {
			return nil, false
		}
		m[k] = v
		d.space()
		if d.pos >= len(d.data) {
			return nil, false
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
		case '}':
			d.pos++
			return m, true
		default:
			return nil, false
		}
	}
}

// array reads an array; d.data[d.pos] is '['.
func (d *fastDecoder) array(depth int) ([]any, bool) {
	if depth > fastDepth {
		return nil, false
	}
	d.pos++
	a := []any{}
	d.space()
	if d.pos < len(d.data) && d.data[d.pos] == ']' {
		d.pos++
		return a, true
	}
	for {
		v, ok := d.value(depth)
		if !ok {
			return nil, false
		}
		a = append(a, v)
		d.space()
		if d.pos >= len(d.data) {
			return nil, false
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
		case ']':
			d.pos++
			return a, true
		default:
			return nil, false
		}
	}
}

func (d *fastDecoder) value(depth int) (any, bool) {
	d.space()
	if d.pos >= len(d.data) {
		return nil, false
	}
	switch c := d.data[d.pos]; {
	case c == '{':
		return d.object(depth + 1)
	case c == '[':
		return d.array(depth + 1)
	case c == '"':
		return d.str()
	case c == '-' || (c >= '0' && c <= '9'):
		return d.number()
	}
	for _, lit := range [...]struct {
		text  string
		value any
	}{{"true", true}, {"false", false}, {"null", nil}} {
		if len(d.data)-d.pos >= len(lit.text) && d.data[d.pos:d.pos+len(lit.text)] == lit.text {
			d.pos += len(lit.text)
			return lit.value, true
		}
	}
	return nil, false
}

// str reads a string; d.data[d.pos] is '"'.
func (d *fastDecoder) str() (string, bool) {
	d.pos++
	start := d.pos
	// The common case: no escapes, so the string is the bytes as they are.
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		if c == '"' {
			raw := d.data[start:d.pos]
			d.pos++
			if !utf8.ValidString(raw) {
				return "", false
			}
			return raw, true
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			return "", false
		}
		d.pos++
	}
	buf := append([]byte(nil), d.data[start:d.pos]...)
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		switch {
		case c == '"':
			d.pos++
			if !utf8.Valid(buf) {
				return "", false
			}
			return string(buf), true
		case c < 0x20:
			return "", false
		case c != '\\':
			buf = append(buf, c)
			d.pos++
			continue
		}
		if d.pos+1 >= len(d.data) {
			return "", false
		}
		d.pos += 2
		switch d.data[d.pos-1] {
		case '"', '\\', '/':
			buf = append(buf, d.data[d.pos-1])
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			if d.pos+4 > len(d.data) {
				return "", false
			}
			r, err := strconv.ParseUint(d.data[d.pos:d.pos+4], 16, 32)
			// U+0000 is refused and surrogates need pairing rules:
			// both are left to the full decoder.
			if err != nil || r == 0 || (r >= 0xD800 && r <= 0xDFFF) {
				return "", false
			}
			d.pos += 4
			buf = utf8.AppendRune(buf, rune(r))
		default:
			return "", false
		}
	}
	return "", false
}

// number reads a JSON number into int64 or float64, as
// UnmarshalValue does.
func (d *fastDecoder) number() (any, bool) {
	start := d.pos
	if d.data[d.pos] == '-' {
		d.pos++
	}
	digits := func() int {
		n := 0
		for d.pos < len(d.data) && d.data[d.pos] >= '0' && d.data[d.pos] <= '9' {
			d.pos++
			n++
		}
		return n
	}
	intStart := d.pos
	n := digits()
	if n == 0 || (n > 1 && d.data[intStart] == '0') {
		return nil, false
	}
	isFloat := false
	if d.pos < len(d.data) && d.data[d.pos] == '.' {
		isFloat = true
		d.pos++
		if digits() == 0 {
			return nil, false
		}
	}
	if d.pos < len(d.data) && (d.data[d.pos] == 'e' || d.data[d.pos] == 'E') {
		isFloat = true
		d.pos++
		if d.pos < len(d.data) && (d.data[d.pos] == '+' || d.data[d.pos] == '-') {
			d.pos++
		}
		if digits() == 0 {
			return nil, false
		}
	}
	text := d.data[start:d.pos]
	if !isFloat {
		if i, err := strconv.ParseInt(text, 10, 64); err == nil {
			return i, true
		}
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsInf(f, 0) {
		return nil, false
	}
	if f == 0 {
		f = 0 // -0.0 reads as 0.0, as in numberValue
	}
	return f, true
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
