package redisstore

import (
	"context"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

var _ contextstore.Remapper = (*Store)(nil)

// RemapIf implements contextstore.Remapper with one writeScript call: the
// guards are checked, ms written, and the frame's rows hash and each kept
// column's cells hash re-keyed on the server, values untouched (a cell
// hash of a column not kept is deleted). The mapping goes to Redis as the
// script's arguments, 8 to 10 bytes a row; the values never leave it. The
// script holds the server for the remap's length, as any script does: on
// a frame of a million row entries, about a second.
func (s *Store) RemapIf(ctx context.Context, guards []contextstore.Guard, ms []contextstore.Mutation, frameID string, r contextstore.Remap) ([]contextstore.FrameState, int, error) {
	if err := contextstore.ValidateGuards(guards); err != nil {
		return nil, 0, err
	}
	if err := contextstore.ValidateRemap("remapif", backend, frameID, r); err != nil {
		return nil, 0, err
	}
	return s.commitRemap(ctx, "remapif", keys.Frame(frameID), guards, ms, "", frameID, &r)
}
