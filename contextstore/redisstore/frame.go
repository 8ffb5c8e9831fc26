package redisstore

import (
	"context"
	"fmt"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// ListFrame implements contextstore.FrameLister with one HKEYS.
func (s *Store) ListFrame(ctx context.Context, frameID string) ([]keys.Key, error) {
	fk := keys.Frame(frameID)
	if err := fk.Validate(); err != nil {
		return nil, err
	}
	octx, cancel, err := s.begin(ctx, "listframe", fk)
	if err != nil {
		return nil, err
	}
	defer cancel()
	fields, err := s.client.HKeys(octx, s.frameKey(frameID)).Result()
	if err != nil {
		return nil, s.fail(ctx, "listframe", fk, err)
	}
	return sortedFields(frameID, fields), nil
}

// sortedFields returns the keys of frameID's hash fields, sorted, skipping
// fields that are not frame-relative key strings (see the package doc).
func sortedFields(frameID string, fields []string) []keys.Key {
	ks := make([]keys.Key, 0, len(fields))
	for _, f := range fields {
		if k, err := keys.ParseLocal(frameID, f); err == nil {
			ks = append(ks, k)
		}
	}
	out := make([]keys.Key, len(ks))
	for i, j := range frameOrder(ks) {
		out[i] = ks[j]
	}
	return out
}

// ReadFrame implements contextstore.FrameReader with one HGETALL.
func (s *Store) ReadFrame(ctx context.Context, frameID string) ([]contextstore.Entry, error) {
	fk := keys.Frame(frameID)
	if err := fk.Validate(); err != nil {
		return nil, err
	}
	octx, cancel, err := s.begin(ctx, "readframe", fk)
	if err != nil {
		return nil, err
	}
	defer cancel()
	all, err := s.client.HGetAll(octx, s.frameKey(frameID)).Result()
	if err != nil {
		return nil, s.fail(ctx, "readframe", fk, err)
	}
	out, err := decodeFrame(frameID, all)
	if err != nil {
		return nil, contextstore.NewError("readframe", backend, fk, contextstore.ErrBackend, err)
	}
	return out, nil
}

// decodeFrame turns a frame's hash into its entries, sorted, skipping
// fields that are not frame-relative key strings.
func decodeFrame(frameID string, all map[string]string) ([]contextstore.Entry, error) {
	ks := make([]keys.Key, 0, len(all))
	vs := make([]string, 0, len(all))
	for field, data := range all {
		if k, err := keys.ParseLocal(frameID, field); err == nil {
			ks = append(ks, k)
			vs = append(vs, data)
		}
	}
	out := make([]contextstore.Entry, len(ks))
	for i, j := range frameOrder(ks) {
		v, err := decodeValue(vs[j])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ks[j], err)
		}
		out[i] = contextstore.Entry{Key: ks[j], Value: v}
	}
	return out, nil
}

// DropFrame implements contextstore.FrameDropper with one writeScript call
// that deletes the frame's hash and its state: the frame is back at the
// zero state.
func (s *Store) DropFrame(ctx context.Context, frameID string) error {
	fk := keys.Frame(frameID)
	if err := fk.Validate(); err != nil {
		return err
	}
	_, err := s.commit(ctx, "dropframe", fk, nil, nil, frameID)
	return err
}

// decodeValue reads a stored value back into normal form.
func decodeValue(data string) (contextstore.Value, error) {
	v, err := contextstore.UnmarshalValue(data)
	if err != nil {
		return nil, fmt.Errorf("redisstore: stored value is not a JSON object: %w", err)
	}
	return v, nil
}
