package framectx

import (
	"strings"

	"github.com/ctxframe/ctxframe/adapters/lineage"
	"github.com/ctxframe/ctxframe/contextstore"
)

// LineageField is the reserved field of column and frame context that holds
// lineage records (see package lineage): in a column's context, the column's
// lineage.Column; in a derived frame's context, its lineage.Frame.
const LineageField = lineage.ContextField

// ReservedPrefix starts every field name ctxframe reserves for itself. Users
// should not start their own field names with it.
const ReservedPrefix = contextstore.ReservedPrefix

// DefaultNamespace is the OpenLineage namespace frames are recorded in when
// Options.Namespace is empty.
const DefaultNamespace = "ctxframe"

// IsReserved reports whether a field name is reserved for ctxframe.
func IsReserved(field string) bool { return strings.HasPrefix(field, ReservedPrefix) }

// isMachineField reports whether a reserved field is one ctxframe writes
// itself (lineage), as opposed to one the user sets (StateField), which
// travels with the user's fields.
func isMachineField(field string) bool { return IsReserved(field) && field != StateField }

// withoutReserved returns v without reserved fields, sharing v when it has
// none, and nil when it has nothing else. nil stays nil.
func withoutReserved(v contextstore.Value) contextstore.Value {
	n := 0
	for f := range v {
		if isMachineField(f) {
			n++
		}
	}
	if n == 0 {
		return v
	}
	if n == len(v) {
		// Only ctxframe's own fields: no user context, so it must not
		// take part in a merge (under override it would shadow the
		// other inputs' context).
		return nil
	}
	out := make(contextstore.Value, len(v)-n)
	for f, x := range v {
		if !isMachineField(f) {
			out[f] = x
		}
	}
	return out
}

// UserFields returns a shallow copy of v without the reserved fields ctxframe
// keeps for itself (lineage): the context people wrote, for showing or
// exporting it with lineage reported apart (see Binding.Lineage). It is
// withoutReserved's filter, always as a new, non-nil map the caller owns.
func UserFields(v contextstore.Value) contextstore.Value {
	user := withoutReserved(v)
	out := make(contextstore.Value, len(user))
	for f, x := range user {
		out[f] = x
	}
	return out
}
