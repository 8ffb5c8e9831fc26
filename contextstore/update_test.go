package contextstore_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// A writer that slips in between Update's read and its write is not
// overwritten: Update plans again on what the writer left.
func TestUpdatePlansAgainAfterAWriterInBetween(t *testing.T) {
	ctx := context.Background()
	s := contextstore.NewMemoryStore()
	require.NoError(t, s.Set(ctx, keys.Column("f", "a"), contextstore.Value{"unit": "m"}))
	calls := 0
	_, err := contextstore.Update(ctx, s, []string{"f"}, true, func(snaps []contextstore.Snapshot) ([]contextstore.Mutation, error) {
		calls++
		if calls == 1 {
			// Another process writes after the read, before the write.
			require.NoError(t, s.Set(ctx, keys.Column("f", "b"), contextstore.Value{"unit": "s"}))
		}
		// Copy every entry seen to a second frame: what was planned on
		// is exactly what lands.
		ms := []contextstore.Mutation{contextstore.Put(keys.Frame("f"), contextstore.Value{"seen": int64(len(snaps[0].Entries))})}
		return ms, nil
	})
	require.NoError(t, err)
	assert.Equal(t, 2, calls, "one conflict, one replan")
	v, err := s.Get(ctx, keys.Frame("f"))
	require.NoError(t, err)
	assert.Equal(t, contextstore.Value{"seen": int64(2)}, v, "the second plan saw the other writer's entry")
	snap, err := contextstore.ReadVersioned(ctx, s, "f")
	require.NoError(t, err)
	assert.NotZero(t, snap.State.Epoch, "relayout advanced the frame's layout epoch")
}

func TestUpdateStopsOnPlanErrorAndAfterTooManyConflicts(t *testing.T) {
	ctx := context.Background()
	s := contextstore.NewMemoryStore()
	refuse := errors.New("refused")
	_, err := contextstore.Update(ctx, s, []string{"f"}, false, func([]contextstore.Snapshot) ([]contextstore.Mutation, error) {
		return nil, refuse
	})
	require.ErrorIs(t, err, refuse)
	ks, err := s.ListKeys(ctx)
	require.NoError(t, err)
	assert.Empty(t, ks, "a refused plan writes nothing")

	calls := 0
	_, err = contextstore.Update(ctx, s, []string{"f"}, false, func([]contextstore.Snapshot) ([]contextstore.Mutation, error) {
		calls++
		require.NoError(t, s.Set(ctx, keys.Row("f", calls), contextstore.Value{"n": int64(calls)}))
		return []contextstore.Mutation{contextstore.Put(keys.Frame("f"), contextstore.Value{"x": true})}, nil
	})
	require.ErrorIs(t, err, contextstore.ErrConflict)
	assert.Equal(t, contextstore.MaxUpdateAttempts, calls)
	_, err = s.Get(ctx, keys.Frame("f"))
	require.ErrorIs(t, err, contextstore.ErrNotFound, "the guarded write never landed")
}
