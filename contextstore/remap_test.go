package contextstore_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// A remap's row count is the caller's word: a huge one allocates nothing
// by itself, and a source outside it is refused before anything changes.
func TestRemapBoundsWhatItAllocates(t *testing.T) {
	ctx := context.Background()
	s := contextstore.NewMemoryStore()
	require.NoError(t, s.Set(ctx, keys.Row("f", 3), contextstore.Value{"q": int64(3)}))
	require.NoError(t, s.Set(ctx, keys.Cell("f", 1<<40, "a"), contextstore.Value{"far": true}))
	snap, err := s.ReadVersioned(ctx, "f")
	require.NoError(t, err)

	r := contextstore.Remap{Sources: []int{-1, 3, 1 << 40}, Rows: 1 << 50, Columns: []string{"a"}}
	_, n, err := s.RemapIf(ctx, []contextstore.Guard{contextstore.AtVersion("f", snap.State)}, nil, "f", r)
	require.NoError(t, err)
	require.Equal(t, 4, n, "row 3 to 1, the cell to 2: two written, two vacated")
	got, err := contextstore.ReadFrame(ctx, s, "f")
	require.NoError(t, err)
	require.Equal(t, []keys.Key{keys.Row("f", 1), keys.Cell("f", 2, "a")}, []keys.Key{got[0].Key, got[1].Key})

	_, _, err = s.RemapIf(ctx, nil, nil, "f", contextstore.Remap{Sources: []int{-2}, Rows: 1})
	require.ErrorIs(t, err, contextstore.ErrInvalidValue)
	_, _, err = s.RemapIf(ctx, nil, nil, "f", contextstore.Remap{Sources: []int{0}, Rows: -1})
	require.ErrorIs(t, err, contextstore.ErrInvalidValue)
}
