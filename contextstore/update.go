package contextstore

import (
	"context"
	"errors"
)

// MaxUpdateAttempts bounds how often Update reads and plans again after
// another writer changed one of its frames between its read and its write.
const MaxUpdateAttempts = 16

// Update is the read-plan-write cycle every whole-frame write of ctxframe
// goes through (restoring a file's context, copying or importing frames):
// it reads each of frames with ReadVersioned, asks plan for the mutations
// given the snapshots (in the order of frames), and applies them in one
// ApplyIf guarded by the versions read, so a writer in between is never
// overwritten blindly. With relayout, the guards also relay the frames out:
// bindings of their old data go stale, as the data they describe is new.
// On a conflict it reads and plans again, up to MaxUpdateAttempts times,
// then returns the conflict. plan's own error ends the update with nothing
// written. It returns each frame's state after the write, in the order of
// frames: a caller binding data to what it wrote holds that layout epoch
// without reading the frame back.
func Update(ctx context.Context, s Store, frames []string, relayout bool, plan func(snaps []Snapshot) ([]Mutation, error)) ([]FrameState, error) {
	var (
		err    error
		states []FrameState
	)
	snaps := make([]Snapshot, len(frames))
	guards := make([]Guard, len(frames))
	for attempt := 0; attempt < MaxUpdateAttempts; attempt++ {
		if attempt > 0 {
			for _, id := range frames {
				NoteRetry(ctx, s, id, attempt)
			}
		}
		for i, id := range frames {
			if snaps[i], err = ReadVersioned(ctx, s, id); err != nil {
				return nil, err
			}
			guards[i] = AtVersion(id, snaps[i].State)
			guards[i].Relayout = relayout
		}
		ms, perr := plan(snaps)
		if perr != nil {
			return nil, perr
		}
		if states, err = ApplyIf(ctx, s, guards, ms); !errors.Is(err, ErrConflict) {
			return states, err
		}
	}
	return nil, err
}
