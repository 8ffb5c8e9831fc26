package contextstore

import (
	"context"
	"errors"
	"io"
	"slices"

	"github.com/ctxframe/ctxframe/keys"
)

// Apply performs ms on s: through s's Batcher when it has one (atomic per
// frame), and otherwise one call at a time after validating every entry, then
// undoing the calls already made if a later one fails. The fallback is
// all-or-nothing against failures of the store, but other writers may see
// the batch half done while it runs, and its merges are a Get then a Set.
func Apply(ctx context.Context, s Store, ms []Mutation) error {
	if b, ok := s.(Batcher); ok {
		return b.Apply(ctx, ms)
	}
	if len(ms) == 0 {
		return ctx.Err()
	}
	normalized, err := ValidateBatch(ms)
	if err != nil {
		return NewError("apply", "", keys.Key{}, batchKind(err), err)
	}
	// Remember what each key held so a failure can put it back.
	type undo struct {
		key   keys.Key
		value Value // nil: the key was absent
	}
	var undos []undo
	seen := make(map[keys.Key]bool, len(normalized))
	rollback := func() {
		// Undo with a context that outlives a cancelled ctx: a half-applied
		// batch is worse than a late return.
		uctx := context.WithoutCancel(ctx)
		for i := len(undos) - 1; i >= 0; i-- {
			u := undos[i]
			if u.value == nil {
				_ = s.Delete(uctx, u.key)
			} else {
				_ = s.Set(uctx, u.key, u.value)
			}
		}
	}
	for _, m := range normalized {
		if !seen[m.Key] {
			seen[m.Key] = true
			old, err := s.Get(ctx, m.Key)
			if err != nil && !errors.Is(err, ErrNotFound) {
				rollback()
				return err
			}
			undos = append(undos, undo{m.Key, old})
		}
		switch {
		case m.Delete:
			err = s.Delete(ctx, m.Key)
		case m.Merge:
			var cur Value
			if cur, err = s.Get(ctx, m.Key); err == nil || errors.Is(err, ErrNotFound) {
				err = s.Set(ctx, m.Key, MergePatch(cur, m.Value))
			}
		default:
			err = s.Set(ctx, m.Key, m.Value)
		}
		if err != nil {
			rollback()
			return err
		}
	}
	return nil
}

// ValidateBatch checks every mutation's key and value and returns the batch
// with values in normal form, or a *BatchError naming every bad entry.
// Backends call it before writing anything.
func ValidateBatch(ms []Mutation) ([]Mutation, error) {
	out := make([]Mutation, len(ms))
	var be BatchError
	for i, m := range ms {
		if err := m.Key.Validate(); err != nil {
			be.Failures = append(be.Failures, BatchFailure{Index: i, Key: m.Key, Err: err})
			continue
		}
		out[i] = m
		if m.Delete {
			out[i].Value = nil
			continue
		}
		if m.owned && isNormalObject(m.Value, 1) {
			continue // handed over in normal form: kept as it is
		}
		v, err := Normalize(m.Value)
		if err != nil {
			be.Failures = append(be.Failures, BatchFailure{Index: i, Key: m.Key, Err: err})
			continue
		}
		out[i].Value = v
	}
	if len(be.Failures) > 0 {
		return nil, &be
	}
	return out, nil
}

// batchKind is the kind of a refused batch: a key error when any key was
// bad, else ErrInvalidValue.
func batchKind(err error) error {
	if errors.Is(err, keys.ErrInvalidKey) {
		return keys.ErrInvalidKey
	}
	return ErrInvalidValue
}

// BatchErrorKind returns the kind for an *Error wrapping the *BatchError of
// ValidateBatch: keys.ErrInvalidKey when any key was bad, else
// ErrInvalidValue.
func BatchErrorKind(err error) error { return batchKind(err) }

// SetMany sets every entry, atomically per frame (see Apply).
func SetMany(ctx context.Context, s Store, entries []Entry) error {
	ms := make([]Mutation, len(entries))
	for i, e := range entries {
		ms[i] = Put(e.Key, e.Value)
	}
	return Apply(ctx, s, ms)
}

// DeleteMany deletes every key, atomically per frame (see Apply).
func DeleteMany(ctx context.Context, s Store, ks []keys.Key) error {
	ms := make([]Mutation, len(ks))
	for i, k := range ks {
		ms[i] = Remove(k)
	}
	return Apply(ctx, s, ms)
}

// GetMany returns the values of ks in order, nil where a key has no value,
// through s's Batcher when it has one and one Get at a time otherwise.
func GetMany(ctx context.Context, s Store, ks []keys.Key) ([]Value, error) {
	if b, ok := s.(Batcher); ok {
		return b.GetMany(ctx, ks)
	}
	out := make([]Value, len(ks))
	for i, k := range ks {
		v, err := s.Get(ctx, k)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// ListFrame returns frameID's keys, sorted, through s's FrameLister when it
// has one and by filtering ListKeys otherwise.
func ListFrame(ctx context.Context, s Store, frameID string) ([]keys.Key, error) {
	if err := keys.Frame(frameID).Validate(); err != nil {
		return nil, err
	}
	if l, ok := s.(FrameLister); ok {
		return l.ListFrame(ctx, frameID)
	}
	all, err := s.ListKeys(ctx)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(k keys.Key) bool { return k.FrameID() != frameID }), nil
}

// ReadFrame returns all of frameID's entries, sorted by key, through s's
// FrameReader when it has one and by ListFrame and GetMany otherwise. An
// entry deleted between the two calls is left out.
func ReadFrame(ctx context.Context, s Store, frameID string) ([]Entry, error) {
	if err := keys.Frame(frameID).Validate(); err != nil {
		return nil, err
	}
	if r, ok := s.(FrameReader); ok {
		return r.ReadFrame(ctx, frameID)
	}
	ks, err := ListFrame(ctx, s, frameID)
	if err != nil {
		return nil, err
	}
	vs, err := GetMany(ctx, s, ks)
	if err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(ks))
	for i, k := range ks {
		if vs[i] != nil {
			out = append(out, Entry{Key: k, Value: vs[i]})
		}
	}
	return out, nil
}

// DropFrame deletes all of frameID's entries, through s's FrameDropper when
// it has one and by ListFrame and DeleteMany otherwise.
func DropFrame(ctx context.Context, s Store, frameID string) error {
	if err := keys.Frame(frameID).Validate(); err != nil {
		return err
	}
	if d, ok := s.(FrameDropper); ok {
		return d.DropFrame(ctx, frameID)
	}
	ks, err := ListFrame(ctx, s, frameID)
	if err != nil {
		return err
	}
	return DeleteMany(ctx, s, ks)
}

// ListFrames returns the IDs of the frames that have context, sorted,
// through s's FrameEnumerator when it has one and from ListKeys otherwise.
func ListFrames(ctx context.Context, s Store) ([]string, error) {
	if e, ok := s.(FrameEnumerator); ok {
		return e.ListFrames(ctx)
	}
	all, err := s.ListKeys(ctx)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, k := range all { // sorted by frame first
		if len(ids) == 0 || ids[len(ids)-1] != k.FrameID() {
			ids = append(ids, k.FrameID())
		}
	}
	return ids, nil
}

// Close closes s if it is an io.Closer; stores without resources need no
// closing.
func Close(s Store) error {
	if c, ok := s.(io.Closer); ok {
		return c.Close()
	}
	return nil
}
