package contextstore

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
