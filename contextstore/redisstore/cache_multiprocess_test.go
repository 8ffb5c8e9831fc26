package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// The test binary re-runs itself as a counting writer when these are set.
const (
	envCounterChild = "CTXFRAME_REDISSTORE_COUNTER_URL"
	envCounterID    = "CTXFRAME_REDISSTORE_COUNTER_ID"
	counterRounds   = 60
)

var (
	counterKey = keys.Column("counter", "n")
	ackFrame   = "acks"
)

// runCounterChild increments the shared counter counterRounds times, each
// by a versioned read-modify-write, and after each acknowledged increment
// records the value it wrote in its own ack entry.
func runCounterChild() int {
	ctx := context.Background()
	id := os.Getenv(envCounterID)
	s, err := contextstore.Open(ctx, os.Getenv(envCounterChild))
	if err != nil {
		fmt.Fprintln(os.Stderr, "counter:", err)
		return 1
	}
	defer contextstore.Close(s)
	for range counterRounds {
		var wrote int64
		increment := func(snaps []contextstore.Snapshot) ([]contextstore.Mutation, error) {
			wrote = 1
			for _, e := range snaps[0].Entries {
				if e.Key == counterKey {
					wrote = e.Value["n"].(int64) + 1
				}
			}
			return []contextstore.Mutation{contextstore.Put(counterKey, contextstore.Value{"n": wrote})}, nil
		}
		_, err := contextstore.Update(ctx, s, []string{counterKey.FrameID()}, false, increment)
		// Every conflict is another writer's increment landing: Update
		// gives up after MaxUpdateAttempts of them, which a slow (race
		// detector) writer among fast ones can meet; nothing was written,
		// so it simply tries again.
		for errors.Is(err, contextstore.ErrConflict) {
			time.Sleep(time.Duration(rand.IntN(1000)) * time.Microsecond)
			_, err = contextstore.Update(ctx, s, []string{counterKey.FrameID()}, false, increment)
		}
		if err == nil {
			err = s.Set(ctx, keys.Column(ackFrame, "w"+id), contextstore.Value{"n": wrote})
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "counter:", err)
			return 1
		}
	}
	return 0
}

// TestCacheUnderSeveralWriterProcesses reads a counter through a cache
// (checking every read) while writer processes increment it: before each
// cached read the reader looks up, past any cache, the highest value a
// writer has acknowledged; the cached read must never return less. No
// read may be staler than the rule, and no increment may be lost.
func TestCacheUnderSeveralWriterProcesses(t *testing.T) {
	eachProcessDeployment(t, func(t *testing.T, storeURL string) {
		ctx := context.Background()
		direct, err := contextstore.Open(ctx, storeURL)
		require.NoError(t, err)
		defer contextstore.Close(direct)
		cached, err := contextstore.Open(ctx, storeURL+"&cache=1000")
		require.NoError(t, err)
		defer contextstore.Close(cached)

		const procs = 3
		writers := startChildren(procs, envCounterID, envCounterChild+"="+storeURL)
		reads, stale, seen := 0, 0, int64(0)
		for writers.running() {
			acks, err := contextstore.ReadFrame(ctx, direct, ackFrame)
			require.NoError(t, err)
			var acked int64
			for _, e := range acks {
				acked = max(acked, e.Value["n"].(int64))
			}
			v, err := cached.Get(ctx, counterKey)
			if acked == 0 && err != nil {
				continue // nothing written yet
			}
			require.NoError(t, err)
			n := v["n"].(int64)
			reads++
			if n < acked {
				stale++
				t.Errorf("cached read returned %d after a writer acknowledged %d", n, acked)
			}
			seen = max(seen, n)
		}
		writers.wait(t)
		v, err := cached.Get(ctx, counterKey)
		require.NoError(t, err)
		assert.EqualValues(t, procs*counterRounds, v["n"], "no increment lost")
		stats, _ := contextstore.CacheStatsOf(cached)
		t.Logf("%d cached reads, %d staler than the rule; cache %+v; highest value seen while writing %d", reads, stale, stats, seen)
		assert.Zero(t, stale)
		assert.Positive(t, reads)
		assert.Greater(t, stats.Misses, uint64(1), "the cache saw the writers' changes")
	})
}
