package contextstore

import "github.com/ctxframe/ctxframe/keys"

// MergePatch returns cur with patch merged in: each field of patch replaces
// the field of that name, a field whose value in patch is nil deletes it,
// fields not in patch are kept. cur may be nil (no value yet). Both must be
// in normal form; the result shares their field values and is in normal
// form too. Every backend merges with it, so a merge means the same
// everywhere.
func MergePatch(cur, patch Value) Value {
	out := make(Value, len(cur)+len(patch))
	for f, x := range cur {
		out[f] = x
	}
	for f, x := range patch {
		if x == nil {
			delete(out, f)
		} else {
			out[f] = x
		}
	}
	return out
}

// FoldBatch reduces a validated batch to one mutation per key, in the order
// the keys first appear, with the effect of running the batch in order: a
// later Set or Delete replaces what came before, a merge after a Set or a
// Delete becomes a Set of the merged value, and merges in a row become one
// merge of their combined patch (nil fields kept, so they still delete).
// Backends that write each key once (SQL upserts, Redis scripts) use it.
func FoldBatch(ms []Mutation) []Mutation {
	at := make(map[keys.Key]int, len(ms))
	out := make([]Mutation, 0, len(ms))
	for _, m := range ms {
		i, seen := at[m.Key]
		if !seen {
			at[m.Key] = len(out)
			out = append(out, m)
			continue
		}
		prev := &out[i]
		switch {
		case !m.Merge:
			*prev = m
		case prev.Merge:
			combined := make(Value, len(prev.Value)+len(m.Value))
			for f, x := range prev.Value {
				combined[f] = x
			}
			for f, x := range m.Value {
				combined[f] = x
			}
			prev.Value = combined
		case prev.Delete:
			*prev = Put(m.Key, MergePatch(nil, m.Value))
		default:
			*prev = Put(m.Key, MergePatch(prev.Value, m.Value))
		}
	}
	return out
}
