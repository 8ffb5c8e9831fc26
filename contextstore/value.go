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

// Error returns the reason, after the path when there is one.
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
	out, err := normalizeObject(v, 1)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// The normalizer builds a ValueError's path only once something fails, on
// the way back up, so valid values cost no string building.

func fail(format string, args ...any) *ValueError {
	return &ValueError{Reason: fmt.Sprintf(format, args...)}
}

// within prefixes the path of a failure inside a container element.
func within(err error, elem string) error {
	if ve, ok := err.(*ValueError); ok {
		ve.Path = "/" + elem + ve.Path
	}
	return err
}

func checkString(s string) error {
	if !utf8.ValidString(s) {
		return errors.New("is not valid UTF-8")
	}
	if strings.IndexByte(s, 0) >= 0 {
		return errors.New("contains U+0000, which PostgreSQL jsonb cannot store")
	}
	return nil
}

func checkFloat(f float64) error {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return fail("%v cannot be carried as JSON", f)
	}
	return nil
}

// normalize returns x in normal form. Scalars already in normal form are
// returned as the same interface value, which saves re-boxing them.
func normalize(x any, depth int) (any, error) {
	if depth > MaxDepth {
		return nil, fail("nested deeper than %d levels (a cycle?)", MaxDepth)
	}
	switch v := x.(type) {
	case nil, bool, int64:
		return x, nil
	case string:
		if err := checkString(v); err != nil {
			return nil, fail("string %v", err)
		}
		return x, nil
	case float64:
		if err := checkFloat(v); err != nil {
			return nil, err
		}
		if v == 0 {
			return 0.0, nil // -0.0 too: PostgreSQL jsonb keeps no sign on zero
		}
		return x, nil
	case int:
		return int64(v), nil
	case int32:
		return int64(v), nil
	case int16:
		return int64(v), nil
	case int8:
		return int64(v), nil
	case uint:
		return uintValue(uint64(v))
	case uint64:
		return uintValue(v)
	case uint32:
		return int64(v), nil
	case uint16:
		return int64(v), nil
	case uint8:
		return int64(v), nil
	case float32:
		return float64(v) + 0, checkFloat(float64(v)) // + 0 turns -0 into 0
	case json.Number:
		n, err := numberValue(string(v))
		if err != nil {
			return nil, fail("%v", err)
		}
		return n, nil
	case map[string]any:
		return normalizeObject(v, depth+1)
	case Value:
		return normalizeObject(v, depth+1)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			n, err := normalize(e, depth+1)
			if err != nil {
				return nil, within(err, strconv.Itoa(i))
			}
			out[i] = n
		}
		return out, nil
	case []string:
		out := make([]any, len(v))
		for i, e := range v {
			if err := checkString(e); err != nil {
				return nil, within(fail("string %v", err), strconv.Itoa(i))
			}
			out[i] = e
		}
		return out, nil
	case []float64:
		out := make([]any, len(v))
		for i, e := range v {
			if err := checkFloat(e); err != nil {
				return nil, within(err, strconv.Itoa(i))
			}
			out[i] = e
		}
		return out, nil
	case []int:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = int64(e)
		}
		return out, nil
	case []int64:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = e
		}
		return out, nil
	}
	return reflected(reflect.ValueOf(x), depth)
}

func uintValue(u uint64) (any, error) {
	if u > math.MaxInt64 {
		return nil, fail("integer %d is beyond int64", u)
	}
	return int64(u), nil
}

func normalizeObject(m map[string]any, depth int) (map[string]any, error) {
	out := make(map[string]any, len(m))
	for k, e := range m {
		if err := checkString(k); err != nil {
			return nil, within(fail("key %v", err), k)
		}
		v, err := normalize(e, depth)
		if err != nil {
			return nil, within(err, k)
		}
		out[k] = v
	}
	return out, nil
}

// isNormalObject reports whether m is in normal form, as normalizeObject
// would return it, so it can be kept without a copy (PutOwned). It
// allocates nothing.
func isNormalObject(m map[string]any, depth int) bool {
	if m == nil {
		return false
	}
	for k, e := range m {
		if checkString(k) != nil || !isNormal(e, depth) {
			return false
		}
	}
	return true
}

// isNormal reports whether x is in normal form, as normalize would return
// it.
func isNormal(x any, depth int) bool {
	if depth > MaxDepth {
		return false
	}
	switch v := x.(type) {
	case nil, bool, int64:
		return true
	case string:
		return checkString(v) == nil
	case float64:
		return checkFloat(v) == nil && (v != 0 || !math.Signbit(v))
	case map[string]any:
		return isNormalObject(v, depth+1)
	case []any:
		for _, e := range v {
			if !isNormal(e, depth+1) {
				return false
			}
		}
		return true
	}
	return false
}

// reflected handles what the type switch does not: other map and slice
// types, pointers, and (through encoding/json) structs, json.Marshaler and
// byte slices, so a value is stored as encoding/json would write it.
func reflected(rv reflect.Value, depth int) (any, error) {
	switch rv.Kind() {
	case reflect.Func, reflect.Chan, reflect.Complex64, reflect.Complex128, reflect.UnsafePointer:
		return nil, fail("a %s cannot be carried as JSON", rv.Type())
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return nil, nil
		}
		if !implementsMarshaler(rv.Type()) {
			return normalize(rv.Elem().Interface(), depth+1)
		}
	case reflect.Map:
		if implementsMarshaler(rv.Type()) {
			break
		}
		if rv.Type().Key().Kind() != reflect.String {
			return nil, fail("map keys must be strings, not %s", rv.Type().Key())
		}
		if rv.IsNil() {
			return nil, nil
		}
		out := make(map[string]any, rv.Len())
		it := rv.MapRange()
		for it.Next() {
			k := it.Key().String()
			if err := checkString(k); err != nil {
				return nil, within(fail("key %v", err), k)
			}
			v, err := normalize(it.Value().Interface(), depth+1)
			if err != nil {
				return nil, within(err, k)
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
			v, err := normalize(rv.Index(i).Interface(), depth+1)
			if err != nil {
				return nil, within(err, strconv.Itoa(i))
			}
			out[i] = v
		}
		return out, nil
	}
	// Structs, named scalars and Marshalers: let encoding/json say what they
	// are, then read that back in normal form.
	b, err := json.Marshal(rv.Interface())
	if err != nil {
		return nil, fail("%v", err)
	}
	v, err := decodeAny(b)
	if err != nil {
		return nil, fail("%v", err)
	}
	return normalize(v, depth)
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
	if f == 0 {
		f = 0 // -0.0 reads as 0.0, as every backend returns it
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

// Equal reports whether two values in normal form are the same (a nil and
// an empty Value are). It compares the normal-form types directly, without
// reflection: planning compares every surviving entry with its current
// value. One map compared with itself, as a plan made from shared reads
// (ReadVersionedShared) compares an entry that only moved, is equal at
// once.
func Equal(a, b Value) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) > 0 && reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer() {
		return true
	}
	for k, x := range a {
		y, ok := b[k]
		if !ok || !EqualJSON(x, y) {
			return false
		}
	}
	return true
}

// EqualJSON reports whether two JSON-like values in normal form (nil, bool,
// string, int64, float64, []any, map[string]any) are the same; other types
// are compared with reflect.DeepEqual. An int64 never equals a float64.
func EqualJSON(x, y any) bool {
	switch x := x.(type) {
	case nil:
		return y == nil
	case bool:
		v, ok := y.(bool)
		return ok && v == x
	case string:
		v, ok := y.(string)
		return ok && v == x
	case int64:
		v, ok := y.(int64)
		return ok && v == x
	case float64:
		v, ok := y.(float64)
		return ok && v == x
	case map[string]any:
		v, ok := y.(map[string]any)
		return ok && Equal(x, v)
	case []any:
		v, ok := y.([]any)
		if !ok || len(v) != len(x) {
			return false
		}
		for i := range x {
			if !EqualJSON(x[i], v[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(x, y)
}
