package redisstore_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/contextstore/redisstore"
	"github.com/ctxframe/ctxframe/keys"
)

// TestLayout1IsMigrated writes a frame as the first layout kept it, every
// entry in one hash, and checks that the first use of the store moves its
// rows and cells into their own hashes, state, marks, row bound and TTL
// included, and that it reads as it did.
func TestLayout1IsMigrated(t *testing.T) {
	eachDeployment(t, func(t *testing.T, d deployment) {
		ctx := context.Background()
		prefix := randomPrefix(t)
		raw := d.newClient()
		defer raw.Close()
		head := hashName(prefix, "old")
		require.NoError(t, raw.HSet(ctx, head,
			"f", `{"title":"t"}`,
			"c:a", `{"unit":"m"}`,
			"r:0", `{"qc":0}`,
			"r:2", `{"ctxframe.state":"kept","qc":2}`,
			"r:7", `{"qc":7}`,
			"x:1:a", `{"q":1}`,
			"x:3:b:1", `{"q":"b"}`,
			"bogus", `{}`,
		).Err())
		require.NoError(t, raw.HSet(ctx, head+":v", "v", "5", "e", "7").Err())
		require.NoError(t, raw.PExpire(ctx, head, time.Hour).Err())

		s := d.newStore(t, &redisstore.Options{Prefix: prefix})
		snap, err := s.ReadVersioned(ctx, "old")
		require.NoError(t, err)
		require.Equal(t, contextstore.FrameState{Version: 5, Epoch: 7}, snap.State)
		want := []contextstore.Entry{
			{Key: keys.Frame("old"), Value: contextstore.Value{"title": "t"}},
			{Key: keys.Column("old", "a"), Value: contextstore.Value{"unit": "m"}},
			{Key: keys.Row("old", 0), Value: contextstore.Value{"qc": int64(0)}},
			{Key: keys.Row("old", 2), Value: contextstore.Value{"ctxframe.state": "kept", "qc": int64(2)}},
			{Key: keys.Row("old", 7), Value: contextstore.Value{"qc": int64(7)}},
			{Key: keys.Cell("old", 1, "a"), Value: contextstore.Value{"q": int64(1)}},
			{Key: keys.Cell("old", 3, "b:1"), Value: contextstore.Value{"q": "b"}},
		}
		require.Len(t, snap.Entries, len(want))
		for i, e := range snap.Entries {
			require.Equal(t, want[i].Key, e.Key)
			require.True(t, contextstore.Equal(want[i].Value, e.Value), "%s = %v, want %v", e.Key, e.Value, want[i].Value)
		}

		// Where everything went.
		fields, err := raw.HKeys(ctx, head).Result()
		require.NoError(t, err)
		slices.Sort(fields)
		require.Equal(t, []string{"bogus", "c:a", "f"}, fields, "the head keeps the frame and column entries (and what is not an entry)")
		rows, err := raw.HKeys(ctx, head+":r").Result()
		require.NoError(t, err)
		slices.Sort(rows)
		require.Equal(t, []string{"r:0", "r:2", "r:7"}, rows)
		marks, err := raw.SMembers(ctx, head+":m").Result()
		require.NoError(t, err)
		require.Equal(t, []string{"r:2"}, marks)
		cols, err := raw.SMembers(ctx, head+":x").Result()
		require.NoError(t, err)
		slices.Sort(cols)
		require.Equal(t, []string{"a", "b:1"}, cols)
		bound, err := raw.HGet(ctx, head+":v", "b").Result()
		require.NoError(t, err)
		require.Equal(t, "8", bound, "the row bound is one past the highest row")
		for _, name := range []string{head + ":r", head + ":x:a", head + ":x:b:1", head + ":m"} {
			ttl, err := raw.PTTL(ctx, name).Result()
			require.NoError(t, err)
			require.Greater(t, ttl, 59*time.Minute, "%s keeps the frame's TTL", name)
		}
		layout, err := raw.Get(ctx, prefix+keys.Version+"layout").Result()
		require.NoError(t, err)
		require.Equal(t, "2", layout)

		// The marks index serves a subset, and past-the-end reads use the bound.
		sub, err := s.ReadSubset(ctx, "old", contextstore.Subset{RowsWith: "ctxframe.state", RowsFrom: 5})
		require.NoError(t, err)
		require.Equal(t, []keys.Key{keys.Row("old", 2), keys.Row("old", 7)}, entryKeysOf(sub.Entries))

		// A store whose layout is newer than this version is refused, not
		// misread.
		require.NoError(t, raw.Set(ctx, prefix+keys.Version+"layout", "3", 0).Err())
		newer := d.newStore(t, &redisstore.Options{Prefix: prefix})
		_, err = newer.Get(ctx, keys.Frame("old"))
		requireKind(t, err, contextstore.ErrBackend)
	})
}

func entryKeysOf(es []contextstore.Entry) []keys.Key {
	out := make([]keys.Key, len(es))
	for i, e := range es {
		out[i] = e.Key
	}
	return out
}
