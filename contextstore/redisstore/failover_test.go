package redisstore_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/contextstore/redisstore"
	"github.com/ctxframe/ctxframe/keys"
)

// recoveryBound is how soon after the fault is over (a replica promoted, a
// server restarted) the store must serve again, without being reopened.
const recoveryBound = 10 * time.Second

// faultLoad is a steady batch load against a store through a fault: each
// writer applies batches that write, in every frame, a pair of entries
// that must always agree (all or nothing per frame) and one entry of its
// own per batch (so a lost acknowledged write shows as a missing entry). A
// reader checks the pairs while the load runs.
type faultLoad struct {
	t       *testing.T
	s       *redisstore.Store
	frames  []string
	writers int

	mu        sync.Mutex
	acked     [][]int     // per writer: the batch numbers acknowledged
	successes []time.Time // when each acknowledged batch returned
	failures  atomic.Int64
	torn      atomic.Int64 // pairs seen disagreeing: a frame half-written
	stop      atomic.Bool
	wg        sync.WaitGroup
}

func newFaultLoad(t *testing.T, s *redisstore.Store, frames []string, writers int) *faultLoad {
	return &faultLoad{t: t, s: s, frames: frames, writers: writers, acked: make([][]int, writers)}
}

func pairA(w int) string { return fmt.Sprintf("w%d-a", w) }
func pairB(w int) string { return fmt.Sprintf("w%d-b", w) }

func (l *faultLoad) start() {
	ctx := context.Background()
	for w := range l.writers {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for n := 1; !l.stop.Load(); n++ {
				var ms []contextstore.Mutation
				for _, f := range l.frames {
					ms = append(ms,
						contextstore.Put(keys.Column(f, pairA(w)), contextstore.Value{"n": n}),
						contextstore.Put(keys.Cell(f, n, fmt.Sprint("w", w)), contextstore.Value{"acked": true}),
						contextstore.Put(keys.Column(f, pairB(w)), contextstore.Value{"n": n}))
				}
				if err := l.s.Apply(ctx, ms); err != nil {
					l.failures.Add(1)
					time.Sleep(5 * time.Millisecond)
					continue
				}
				l.mu.Lock()
				l.acked[w] = append(l.acked[w], n)
				l.successes = append(l.successes, time.Now())
				l.mu.Unlock()
			}
		}()
	}
	l.wg.Add(1)
	go func() { // the reader
		defer l.wg.Done()
		for !l.stop.Load() {
			for _, f := range l.frames {
				entries, err := l.s.ReadFrame(ctx, f)
				if err != nil {
					continue
				}
				l.torn.Add(int64(tornPairs(entries, l.writers)))
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()
}

// tornPairs counts the writers whose pair of entries disagrees in one read
// of a frame.
func tornPairs(entries []contextstore.Entry, writers int) int {
	got := map[string]any{}
	for _, e := range entries {
		if e.Key.Kind() == keys.KindColumn {
			got[e.Key.ColumnName()] = e.Value["n"]
		}
	}
	torn := 0
	for w := range writers {
		if got[pairA(w)] != got[pairB(w)] {
			torn++
		}
	}
	return torn
}

// firstSuccessAfter returns how long after at the first batch was
// acknowledged, or false if none was.
func (l *faultLoad) firstSuccessAfter(at time.Time) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, ts := range l.successes {
		if ts.After(at) {
			return ts.Sub(at), true
		}
	}
	return 0, false
}

// waitSuccessAfter waits up to limit for a batch acknowledged after at.
func (l *faultLoad) waitSuccessAfter(at time.Time, limit time.Duration) (time.Duration, bool) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if d, ok := l.firstSuccessAfter(at); ok {
			return d, true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return 0, false
}

// finish stops the load and checks, on a fresh read of every frame, that no
// acknowledged batch is missing and no pair is torn.
func (l *faultLoad) finish() {
	t := l.t
	l.stop.Store(true)
	l.wg.Wait()
	ctx := context.Background()
	lost := 0
	acked := 0
	for _, f := range l.frames {
		entries, err := l.s.ReadFrame(ctx, f)
		require.NoError(t, err, "reading frame %s after the fault", f)
		assert.Zero(t, tornPairs(entries, l.writers), "frame %s is half-written after the fault", f)
		have := map[keys.Key]bool{}
		for _, e := range entries {
			have[e.Key] = true
		}
		for w, ns := range l.acked {
			for _, n := range ns {
				acked++
				if !have[keys.Cell(f, n, fmt.Sprint("w", w))] {
					lost++
				}
			}
		}
	}
	t.Logf("%d batches acknowledged (%d entries checked), %d failed, %d torn reads, %d lost",
		len(l.successes), acked, l.failures.Load(), l.torn.Load(), lost)
	assert.Zero(t, lost, "acknowledged writes lost")
	assert.Zero(t, l.torn.Load(), "reads saw a frame half-written")
	assert.NotZero(t, len(l.successes), "no batch was acknowledged at all")
}

// TestClusterFailover kills a master of a Cluster (SIGKILL) under a steady
// batch load: a replica takes over, and the same store, not reopened,
// serves again within recoveryBound of the promotion, with nothing
// acknowledged lost and no frame half-written. Each master has two
// replicas and the store asks for one (min_replicas=1), so what it
// acknowledged survives the master's death and the new master still has a
// replica to acknowledge new writes.
func TestClusterFailover(t *testing.T) {
	c := startOwnCluster(t, 3, 2)
	ctx := context.Background()
	s, err := redisstore.Open(ctx, "redis+cluster://"+c.seeds()+"?timeout=2s&min_replicas=1&replica_timeout=500ms&prefix="+randomPrefix(t))
	require.NoError(t, err)
	defer s.Close()

	frames := []string{"orders", "stations", "readings", "lineage", "flags", "units"}
	victim := c.masterServing(keys.Frame(frames[0]).HashTag())
	load := newFaultLoad(t, s, frames, 4)
	load.start()
	time.Sleep(time.Second)

	killed := time.Now()
	c.nodes[victim].crash()
	promoted := -1
	c.waitFor(20*time.Second, "a replica of the killed master promoted", func() bool {
		for i, m := range c.masterOf {
			if m == victim && c.role(i) == "master" {
				promoted = i
				return true
			}
		}
		return false
	})
	promotedAt := time.Now()
	t.Logf("master %d killed; replica %d promoted %v later", victim, promoted, promotedAt.Sub(killed).Round(time.Millisecond))

	d, ok := load.waitSuccessAfter(promotedAt, recoveryBound+5*time.Second)
	require.True(t, ok, "no batch acknowledged within %v of the promotion", recoveryBound+5*time.Second)
	t.Logf("first batch acknowledged %v after the promotion", d.Round(time.Millisecond))
	assert.LessOrEqual(t, d, recoveryBound, "service back too late after the promotion")
	require.Equal(t, promoted, c.masterServing(keys.Frame(frames[0]).HashTag()), "the promoted replica serves the frame's slot")
	time.Sleep(time.Second) // keep writing on the new topology
	load.finish()
}

// TestClusterMasterRestart kills a master of a Cluster without replicas and
// restarts it: the same store serves again within recoveryBound of the
// restart, and the append-only file (synced on every write) keeps what was
// acknowledged.
func TestClusterMasterRestart(t *testing.T) {
	c := startOwnCluster(t, 3, 0)
	ctx := context.Background()
	s, err := redisstore.Open(ctx, "redis+cluster://"+c.seeds()+"?timeout=2s&prefix="+randomPrefix(t))
	require.NoError(t, err)
	defer s.Close()

	frames := []string{"orders", "stations", "readings", "lineage"}
	victim := c.masterServing(keys.Frame(frames[0]).HashTag())
	load := newFaultLoad(t, s, frames, 4)
	load.start()
	time.Sleep(time.Second)

	c.nodes[victim].crash()
	time.Sleep(2 * time.Second) // long enough for the others to mark it failed
	c.nodes[victim].start()
	restartedAt := time.Now()

	d, ok := load.waitSuccessAfter(restartedAt, recoveryBound+5*time.Second)
	require.True(t, ok, "no batch acknowledged within %v of the restart", recoveryBound+5*time.Second)
	t.Logf("first batch acknowledged %v after the restart", d.Round(time.Millisecond))
	assert.LessOrEqual(t, d, recoveryBound, "service back too late after the restart")
	time.Sleep(time.Second)
	load.finish()
}

// TestSingleNodeRestart restarts a single Redis under the same load.
func TestSingleNodeRestart(t *testing.T) {
	srv := startOwnServer(t)
	ctx := context.Background()
	s, err := redisstore.Open(ctx, srv.url()+"?timeout=2s")
	require.NoError(t, err)
	defer s.Close()

	load := newFaultLoad(t, s, []string{"orders", "stations", "readings"}, 4)
	load.start()
	time.Sleep(time.Second)

	srv.crash()
	time.Sleep(time.Second)
	srv.start()
	restartedAt := time.Now()

	d, ok := load.waitSuccessAfter(restartedAt, recoveryBound+5*time.Second)
	require.True(t, ok, "no batch acknowledged within %v of the restart", recoveryBound+5*time.Second)
	t.Logf("first batch acknowledged %v after the restart", d.Round(time.Millisecond))
	assert.LessOrEqual(t, d, recoveryBound, "service back too late after the restart")
	time.Sleep(500 * time.Millisecond)
	load.finish()
}

// TestMinReplicasUnmet asks a server with no replica for one: the write is
// applied on the master but not acknowledged, and says why.
func TestMinReplicasUnmet(t *testing.T) {
	srv := startOwnServer(t)
	ctx := context.Background()
	s, err := redisstore.Open(ctx, srv.url()+"?min_replicas=1&replica_timeout=100ms")
	require.NoError(t, err)
	defer s.Close()
	k := keys.Column("f", "c")
	err = s.Set(ctx, k, contextstore.Value{"v": 1})
	require.ErrorIs(t, err, contextstore.ErrUnavailable)
	require.ErrorContains(t, err, "0 of the 1 replicas")
	v, err := s.Get(ctx, k)
	require.NoError(t, err, "the master applied the write it could not get replicated")
	require.Equal(t, contextstore.Value{"v": int64(1)}, v)
}

func TestParseURLFailoverParameters(t *testing.T) {
	cfg, err := redisstore.ParseURL("redis+cluster://h1:1,h2:2?retry=3s&min_replicas=1&replica_timeout=250ms&reload=2s")
	require.NoError(t, err)
	assert.Equal(t, 3*time.Second, cfg.Store.FailoverRetry)
	assert.Equal(t, 1, cfg.Store.MinReplicas)
	assert.Equal(t, 250*time.Millisecond, cfg.Store.ReplicaTimeout)
	assert.Equal(t, 2*time.Second, cfg.TopologyReload)

	cfg, err = redisstore.ParseURL("redis+cluster://h1:1?retry=0s")
	require.NoError(t, err)
	assert.Negative(t, cfg.Store.FailoverRetry, "retry=0s turns retrying off")
	assert.Equal(t, redisstore.DefaultTopologyReload, cfg.TopologyReload)

	for _, raw := range []string{
		"redis://h:1?reload=1s", // a single node has no slot map
		"redis://h:1?retry=soon",
		"redis://h:1?retry=-1s",
		"redis://h:1?min_replicas=-1",
		"redis://h:1?min_replicas=two",
		"redis://h:1?replica_timeout=0s",
		"redis+cluster://h:1?reload=0s",
	} {
		_, err := redisstore.ParseURL(raw)
		assert.ErrorIs(t, err, contextstore.ErrConfig, "ParseURL(%q)", raw)
	}
}
