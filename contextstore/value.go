package contextstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Value is one piece of context: a JSON object. Stores return values in
// normal form, the shape encoding/json would give with integers kept exact:
//
//	nil, bool, string, int64, float64, []any, map[string]any
//
// Integers come back as int64 (whatever Go integer type was stored), other
// numbers as float64, and a float64 stays a float64 even when whole (2.0 is
// written "2.0"). Every backend returns the same normal form for the same
// value, so swapping backends never changes results.
type Value map[string]any

// MaxDepth is how deeply values may nest. Deeper values, and cyclic ones, are
// refused with ErrInvalidValue.
const MaxDepth = 256

// ValueError says why a value was refused and where in it the problem is.
type ValueError struct {
	Path   string // JSON-pointer-like path to the bad part, e.g. "/stats/0/mean"
	Reason string
}

func (e *ValueError) Error() string {
	if e.Path == "" {
		return e.Reason
	}
	return "at " + e.Path + ": " + e.Reason
}

// Normalize returns a deep copy of v in normal form, or a *ValueError when v
// cannot be carried as JSON. The result shares nothing with v. A nil v
// normalizes to an empty Value.
func Normalize(v Value) (Value, error) {
	n := normalizer{}
	out := make(Value, len(v))
	for k, x := range v {
		nx, err := n.value(x, 1, k)
		if err != nil {
			return nil, err
		}
		if err := checkString(k); err != nil {
			return nil, &ValueError{Path: "/" + k, Reason: "key " + err.Error()}
		}
		out[k] = nx
	}
	return out, nil
}

type normalizer struct{}

func fail(path, format string, args ...any) error {
	return &ValueError{Path: path, Reason: fmt.Sprintf(format, args...)}
}

func joinPath(path, elem string) string { return path + "/" + elem }

func checkString(s string) error {
	if !utf8.ValidString(s) {
		return errors.New("is not valid UTF-8")
	}
	if strings.IndexByte(s, 0) >= 0 {
		return errors.New("contains U+0000, which PostgreSQL jsonb cannot store")
	}
	return nil
}

func checkFloat(path string, f float64) error {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return fail(path, "%v cannot be carried as JSON", f)
	}
	return nil
}

func (n normalizer) value(x any, depth int, path string) (any, error) {
	if depth > MaxDepth {
		return nil, fail(path, "nested deeper than %d levels (a cycle?)", MaxDepth)
	}
	switch x := x.(type) {
	case nil:
		return nil, nil
	case bool:
		return x, nil
	case string:
		if err := checkString(x); err != nil {
			return nil, fail(path, "string %v", err)
		}
		return x, nil
	case int:
		return int64(x), nil
	case int64:
		return x, nil
	case int32:
		return int64(x), nil
	case int16:
		return int64(x), nil
	case int8:
		return int64(x), nil
	case uint:
		return uintValue(path, uint64(x))
	case uint64:
		return uintValue(path, x)
	case uint32:
		return int64(x), nil
	case uint16:
		return int64(x), nil
	case uint8:
		return int64(x), nil
	case float64:
		return x, checkFloat(path, x)
	case float32:
		return float64(x), checkFloat(path, float64(x))
	case json.Number:
		v, err := numberValue(string(x))
		if err != nil {
			return nil, fail(path, "%v", err)
		}
		return v, nil
	case map[string]any:
		return n.object(x, depth, path)
	case Value:
		return n.object(x, depth, path)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			v, err := n.value(e, depth+1, joinPath(path, strconv.Itoa(i)))
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case []string:
		out := make([]any, len(x))
		for i, e := range x {
			if err := checkString(e); err != nil {
				return nil, fail(joinPath(path, strconv.Itoa(i)), "string %v", err)
			}
			out[i] = e
		}
		return out, nil
	case []float64:
		out := make([]any, len(x))
		for i, e := range x {
			if err := checkFloat(joinPath(path, strconv.Itoa(i)), e); err != nil {
				return nil, err
			}
			out[i] = e
		}
		return out, nil
	case []int:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = int64(e)
		}
		return out, nil
	case []int64:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = e
		}
		return out, nil
	}
	return n.reflected(reflect.ValueOf(x), depth, path)
}

func uintValue(path string, u uint64) (any, error) {
	if u > math.MaxInt64 {
		return nil, fail(path, "integer %d is beyond int64", u)
	}
	return int64(u), nil
}

func (n normalizer) object(m map[string]any, depth int, path string) (any, error) {
	out := make(map[string]any, len(m))
	for k, e := range m {
		p := joinPath(path, k)
		if err := checkString(k); err != nil {
			return nil, fail(p, "key %v", err)
		}
		v, err := n.value(e, depth+1, p)
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}

// reflected handles what the type switch does not: other map and slice
// types, pointers, and (through encoding/json) structs, json.Marshaler and
// byte slices, so a value is stored as encoding/json would write it.
func (n normalizer) reflected(rv reflect.Value, depth int, path string) (any, error) {
	switch rv.Kind() {
	case reflect.Func, reflect.Chan, reflect.Complex64, reflect.Complex128, reflect.UnsafePointer:
		return nil, fail(path, "a %s cannot be carried as JSON", rv.Type())
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return nil, nil
		}
		if !implementsMarshaler(rv.Type()) {
			return n.value(rv.Elem().Interface(), depth+1, path)
		}
	case reflect.Map:
		if implementsMarshaler(rv.Type()) {
			break
		}
		if rv.Type().Key().Kind() != reflect.String {
			return nil, fail(path, "map keys must be strings, not %s", rv.Type().Key())
		}
		if rv.IsNil() {
			return nil, nil
		}
		out := make(map[string]any, rv.Len())
		it := rv.MapRange()
		for it.Next() {
			k := it.Key().String()
			p := joinPath(path, k)
			if err := checkString(k); err != nil {
				return nil, fail(p, "key %v", err)
			}
			v, err := n.value(it.Value().Interface(), depth+1, p)
			if err != nil {
				return nil, err
			}
			out[k] = v
		}
		return out, nil
	case reflect.Slice, reflect.Array:
		if rv.Type().Elem().Kind() == reflect.Uint8 || implementsMarshaler(rv.Type()) {
			break // encoding/json writes []byte as base64
		}
		if rv.Kind() == reflect.Slice && rv.IsNil() {
			return nil, nil
		}
		out := make([]any, rv.Len())
		for i := range out {
			v, err := n.value(rv.Index(i).Interface(), depth+1, joinPath(path, strconv.Itoa(i)))
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
	// Structs, named scalars and Marshalers: let encoding/json say what they
	// are, then read that back in normal form.
	b, err := json.Marshal(rv.Interface())
	if err != nil {
		return nil, fail(path, "%v", err)
	}
	v, err := decodeAny(b)
	if err != nil {
		return nil, fail(path, "%v", err)
	}
	return n.value(v, depth, path)
}

var marshalerType = reflect.TypeFor[json.Marshaler]()

func implementsMarshaler(t reflect.Type) bool {
	return t.Implements(marshalerType) || reflect.PointerTo(t).Implements(marshalerType)
}

// numberValue reads a JSON number: integer literals that fit int64 become
// int64, everything else float64.
func numberValue(s string) (any, error) {
	if !strings.ContainsAny(s, ".eE") {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i, nil
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, fmt.Errorf("bad number %q", s)
	}
	if math.IsInf(f, 0) {
		return nil, fmt.Errorf("number %q is out of float64 range", s)
	}
	return f, nil
}

// Clone returns a deep copy of a value in normal form. It is cheaper than
// Normalize because it trusts the types it finds.
func Clone(v Value) Value {
	if v == nil {
		return nil
	}
	out := make(Value, len(v))
	for k, x := range v {
		out[k] = cloneAny(x)
	}
	return out
}

func cloneAny(x any) any {
	switch x := x.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = cloneAny(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = cloneAny(e)
		}
		return out
	}
	return x
}

// Equal reports whether two values in normal form are the same.
func Equal(a, b Value) bool {
	return reflect.DeepEqual(map[string]any(a), map[string]any(b)) || (len(a) == 0 && len(b) == 0)
}
