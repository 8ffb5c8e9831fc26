package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/contextstore/redisstore"
	"github.com/ctxframe/ctxframe/keys"
)

// remapFixture writes n row entries and cells of columns a and b to frame
// f and returns a mapping that reverses the rows and keeps column a.
func remapFixture(t *testing.T, s *redisstore.Store, f string, n int) contextstore.Remap {
	t.Helper()
	var ms []contextstore.Mutation
	for row := range n {
		ms = append(ms, contextstore.Put(keys.Row(f, row), contextstore.Value{"qc": int64(row)}))
		if row%10 == 0 {
			ms = append(ms, contextstore.Put(keys.Cell(f, row, "a"), contextstore.Value{"q": int64(row)}),
				contextstore.Put(keys.Cell(f, row, "b"), contextstore.Value{"q": int64(row)}))
		}
	}
	require.NoError(t, contextstore.Apply(context.Background(), s, ms))
	sources := make([]int, n)
	for i := range sources {
		sources[i] = n - 1 - i
	}
	return contextstore.Remap{Sources: sources, Rows: n, Columns: []string{"a"}}
}

// requireReversed checks that frame f holds remapFixture's entries
// reversed, with column b's cells gone.
func requireReversed(t *testing.T, s *redisstore.Store, f string, n int) {
	t.Helper()
	snap, err := s.ReadVersioned(context.Background(), f)
	require.NoError(t, err)
	rows, cells := 0, 0
	for _, e := range snap.Entries {
		switch e.Key.Kind() {
		case keys.KindRow:
			rows++
			require.Equal(t, int64(n-1-e.Key.RowIndex()), e.Value["qc"], "%s", e.Key)
		case keys.KindCell:
			cells++
			require.Equal(t, "a", e.Key.ColumnName())
			require.Equal(t, int64(n-1-e.Key.RowIndex()), e.Value["q"], "%s", e.Key)
		}
	}
	require.Equal(t, n, rows)
	require.Equal(t, (n+9)/10, cells)
}

// TestRemapSwapLeavesNoTrace checks what the swap of prepared hashes must
// leave behind: hashes in place with the frame's TTL (none, or FrameTTL),
// never the short TTL of preparation, and no prepared hash.
func TestRemapSwapLeavesNoTrace(t *testing.T) {
	eachDeployment(t, func(t *testing.T, d deployment) {
		ctx := context.Background()
		for _, ttl := range []time.Duration{0, 2 * time.Hour} {
			t.Run(fmt.Sprint(ttl), func(t *testing.T) {
				prefix := randomPrefix(t)
				s := d.newStore(t, &redisstore.Options{Prefix: prefix, FrameTTL: ttl})
				r := remapFixture(t, s, "f", 100)
				_, n, err := s.RemapIf(ctx, nil, nil, "f", r)
				require.NoError(t, err)
				// Every row moves (n is even: none maps to itself); column a's
				// 10 cells move to rows that held none (10 written, 10
				// emptied); column b's 10 cells go.
				require.Equal(t, 100+20+10, n)
				requireReversed(t, s, "f", 100)
				raw := s.Client()
				head := hashName(prefix, "f")
				for _, name := range []string{head + ":r", head + ":x:a"} {
					got, err := raw.PTTL(ctx, name).Result()
					require.NoError(t, err)
					if ttl == 0 {
						require.Equal(t, time.Duration(-1), got, "%s must not expire", name)
					} else {
						require.InDelta(t, float64(ttl), float64(got), float64(time.Minute), "%s keeps the frame's TTL", name)
					}
				}
				exists, err := raw.Exists(ctx, head+":x:b").Result()
				require.NoError(t, err)
				require.Zero(t, exists, "the cells of a column not kept are gone")
				keysLeft, err := s.ListKeys(ctx)
				require.NoError(t, err)
				require.Len(t, keysLeft, 100+10)
				require.Empty(t, scanAll(t, d, prefix+"*:t:*"), "no prepared hash is left")
			})
		}
	})
}

// TestRemapAgainstConcurrentWriters runs a remap without guards while
// other writers keep changing the frame: the remap reads and prepares
// again until it lands, and every concurrent write survives it. A remap
// guarded at a version another writer moved writes nothing.
func TestRemapAgainstConcurrentWriters(t *testing.T) {
	eachDeployment(t, func(t *testing.T, d deployment) {
		ctx := context.Background()
		prefix := randomPrefix(t)
		s := d.newStore(t, &redisstore.Options{Prefix: prefix})
		const n = 2000
		r := remapFixture(t, s, "f", n)
		before, err := s.ReadVersioned(ctx, "f")
		require.NoError(t, err)

		stop := make(chan struct{})
		var (
			wg      sync.WaitGroup
			written int
		)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					written = i
					return
				default:
				}
				if err := s.Set(ctx, keys.Column("f", fmt.Sprint("c", i)), contextstore.Value{"i": int64(i)}); err != nil {
					t.Error(err)
					written = i
					return
				}
			}
		}()
		time.Sleep(20 * time.Millisecond) // the writer is running
		_, _, err = s.RemapIf(ctx, nil, nil, "f", r)
		close(stop)
		wg.Wait()
		require.NoError(t, err)
		requireReversed(t, s, "f", n)
		for i := range written {
			v, err := s.Get(ctx, keys.Column("f", fmt.Sprint("c", i)))
			require.NoError(t, err, "a write that ran beside the remap is lost")
			require.Equal(t, int64(i), v["i"])
		}

		// Guarded at the version before the writers: refused, nothing moved.
		_, _, err = s.RemapIf(ctx, []contextstore.Guard{contextstore.AtVersion("f", before.State)}, nil, "f", r)
		require.True(t, errors.Is(err, contextstore.ErrConflict), "got %v", err)
		requireReversed(t, s, "f", n)
		require.Empty(t, scanAll(t, d, prefix+"*:t:*"), "a refused remap leaves no prepared hash")
	})
}

// scanAll returns the names of the keys matching pattern on every master.
func scanAll(t *testing.T, d deployment, pattern string) []string {
	t.Helper()
	var names []string
	err := d.eachMaster(func(ctx context.Context, c redis.Cmdable) error {
		iter := c.Scan(ctx, 0, pattern, 1000).Iterator()
		for iter.Next(ctx) {
			names = append(names, iter.Val())
		}
		return iter.Err()
	})
	require.NoError(t, err)
	return names
}
