package framectx

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// Policy says how context is combined when several inputs feed one output
// (frame context of concatenated or joined frames, column context of a
// column present in several inputs, row context of a joined row). The
// policies are xarray's combine_attrs. The zero Policy means "the default":
// the Binding's Options.Policy, and Override when that is unset too.
type Policy int

// The merge policies.
const (
	// DefaultPolicy defers to the Binding's default (Override if none).
	DefaultPolicy Policy = iota
	// Drop: the output gets no context.
	Drop
	// Identical: every input must have the same context; any difference is
	// a *MergeConflictError.
	Identical
	// NoConflicts: the union of the inputs' fields; a field with different
	// values in two inputs is a *MergeConflictError.
	NoConflicts
	// DropConflicts: the union of the inputs' fields, leaving out every
	// field that has different values in two inputs.
	DropConflicts
	// Override: the first input's context wins.
	Override
)

var policyNames = [...]string{"default", "drop", "identical", "no_conflicts", "drop_conflicts", "override"}

// String returns the xarray name: "drop", "identical", "no_conflicts",
// "drop_conflicts", "override" (and "default" for DefaultPolicy).
func (p Policy) String() string {
	if p >= 0 && int(p) < len(policyNames) {
		return policyNames[p]
	}
	return "Policy(" + strconv.Itoa(int(p)) + ")"
}

// ParsePolicy reads a policy name as String writes it; "" is DefaultPolicy.
func ParsePolicy(s string) (Policy, error) {
	if s == "" {
		return DefaultPolicy, nil
	}
	if i := slices.Index(policyNames[:], strings.ToLower(s)); i >= 0 {
		return Policy(i), nil
	}
	return 0, fmt.Errorf("framectx: unknown merge policy %q", s)
}

// resolve returns p, or def when p is DefaultPolicy, or Override.
func (p Policy) resolve(def Policy) Policy {
	if p != DefaultPolicy {
		return p
	}
	if def != DefaultPolicy {
		return def
	}
	return Override
}

// ErrMergeConflict is matched (errors.Is) by every *MergeConflictError.
var ErrMergeConflict = errors.New("framectx: merge conflict")

// MergeConflictError reports inputs whose context a policy refuses to
// combine. Field is the first conflicting field in sorted order; Key is the
// output entry being merged when the error comes from propagation (the zero
// Key from MergeValues).
type MergeConflictError struct {
	Policy Policy
	Key    keys.Key
	Field  string
	// Inputs are the positions, among the values merged, of the two values
	// that disagree.
	Inputs [2]int
}

// Error describes the conflict.
func (e *MergeConflictError) Error() string {
	var b strings.Builder
	b.WriteString("framectx: merge conflict under policy ")
	b.WriteString(e.Policy.String())
	if e.Key.Kind() != 0 {
		b.WriteString(" at ")
		b.WriteString(e.Key.String())
	}
	b.WriteString(": field ")
	b.WriteString(strconv.Quote(e.Field))
	fmt.Fprintf(&b, " differs between inputs %d and %d", e.Inputs[0], e.Inputs[1])
	return b.String()
}

// Unwrap returns ErrMergeConflict.
func (e *MergeConflictError) Unwrap() error { return ErrMergeConflict }

// MergeValues combines the context values of several inputs under policy p
// (DefaultPolicy means Override). A nil value stands for an input without
// context and takes no part: Override picks the first non-nil value,
// Identical compares only the present ones. The result is a new value in
// normal form that shares nothing with vs, or nil when there is no context
// (all inputs nil, or policy Drop). Values that cannot be carried as JSON are
// refused with an error matching contextstore.ErrInvalidValue; conflicts are
// a *MergeConflictError.
//
// Fields named in reservedFields (LineageField) are compared and merged like
// any other here; propagation removes them before merging.
func MergeValues(p Policy, vs ...contextstore.Value) (contextstore.Value, error) {
	p = p.resolve(DefaultPolicy)
	if p < Drop || p > Override {
		return nil, fmt.Errorf("framectx: unknown merge policy %d", int(p))
	}
	present := make([]contextstore.Value, 0, len(vs))
	positions := make([]int, 0, len(vs))
	for i, v := range vs {
		if v == nil {
			continue
		}
		n, err := contextstore.Normalize(v)
		if err != nil {
			return nil, fmt.Errorf("framectx: merge input %d: %w: %w", i, contextstore.ErrInvalidValue, err)
		}
		present = append(present, n)
		positions = append(positions, i)
	}
	return mergeNormalized(p, present, positions)
}

// mergeNormalized merges values already in normal form that the caller
// does not use afterwards; positions name them in errors.
func mergeNormalized(p Policy, vs []contextstore.Value, positions []int) (contextstore.Value, error) {
	if p == Drop || len(vs) == 0 {
		return nil, nil
	}
	first := vs[0]
	switch p {
	case Override:
		return first, nil
	case Identical:
		for i := 1; i < len(vs); i++ {
			if field, differ := firstDifference(first, vs[i]); differ {
				return nil, &MergeConflictError{Policy: p, Field: field, Inputs: [2]int{positions[0], positions[i]}}
			}
		}
		return first, nil
	}
	out := make(contextstore.Value, len(first))
	from := make(map[string]int, len(first))
	var dropped map[string]bool
	for i, v := range vs {
		for _, name := range sortedFields(v) {
			x := v[name]
			if dropped[name] {
				continue
			}
			prev, seen := out[name]
			if !seen {
				out[name] = x
				from[name] = i
				continue
			}
			if contextstore.EqualJSON(prev, x) {
				continue
			}
			if p == NoConflicts {
				return nil, &MergeConflictError{Policy: p, Field: name, Inputs: [2]int{positions[from[name]], positions[i]}}
			}
			if dropped == nil {
				dropped = map[string]bool{}
			}
			dropped[name] = true
			delete(out, name)
		}
	}
	return out, nil
}

// firstDifference returns the first field, in sorted order, whose value
// differs between a and b.
func firstDifference(a, b contextstore.Value) (string, bool) {
	names := sortedFields(a)
	for _, n := range sortedFields(b) {
		if _, ok := a[n]; !ok {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	for _, n := range names {
		x, okA := a[n]
		y, okB := b[n]
		if okA != okB || !contextstore.EqualJSON(x, y) {
			return n, true
		}
	}
	return "", false
}

func sortedFields(v contextstore.Value) []string {
	names := make([]string, 0, len(v))
	for n := range v {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
