package framectx

import (
	"reflect"

	"github.com/ctxframe/ctxframe/contextstore"
)

// equalValues reports whether two values in normal form are the same, as
// contextstore.Equal does, without reflection for the normal-form types:
// planning compares every surviving entry with its current value.
func equalValues(a, b contextstore.Value) bool {
	if len(a) != len(b) {
		return false
	}
	for k, x := range a {
		y, ok := b[k]
		if !ok || !equalAny(x, y) {
			return false
		}
	}
	return true
}

func equalAny(x, y any) bool {
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
		return ok && equalValues(x, v)
	case []any:
		v, ok := y.([]any)
		if !ok || len(v) != len(x) {
			return false
		}
		for i := range x {
			if !equalAny(x[i], v[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(x, y)
}
