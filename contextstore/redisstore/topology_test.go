package redisstore_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/contextstore/redisstore"
	"github.com/ctxframe/ctxframe/contextstore/storetest"
)

// sentinelMaster is the name the test's Sentinel monitors its master by.
const sentinelMaster = "ctxframe-test"

// startSentinel starts a Sentinel monitoring master, on a free loopback
// port, and returns its address once it reports the master.
func startSentinel(t *testing.T, master *ownServer) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	dir := t.TempDir()
	conf := filepath.Join(dir, "sentinel.conf") // Sentinel rewrites it: it must be writable
	body := fmt.Sprintf("port %d\nbind 127.0.0.1\ndir %s\nlogfile %s\nsentinel monitor %s %s %d 1\nsentinel down-after-milliseconds %s 5000\n",
		port, dir, filepath.Join(dir, "sentinel.log"), sentinelMaster, "127.0.0.1", master.port, sentinelMaster)
	require.NoError(t, os.WriteFile(conf, []byte(body), 0o600))
	cmd := exec.Command(master.bin, conf, "--sentinel")
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	addr := "127.0.0.1:" + strconv.Itoa(port)
	sc := redis.NewSentinelClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer sc.Close()
	deadline := time.Now().Add(15 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		got, err := sc.GetMasterAddrByName(ctx, sentinelMaster).Result()
		cancel()
		if err == nil && len(got) == 2 && got[1] == strconv.Itoa(master.port) {
			return addr
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "sentinel.log"))
			t.Fatalf("Sentinel on %s does not report the master: %v %v\n%s", addr, got, err, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestConformanceThroughSentinel runs the suite on a store whose client
// finds its master through Sentinel.
func TestConformanceThroughSentinel(t *testing.T) {
	master := startOwnServer(t)
	sentinel := startSentinel(t, master)
	storetest.Run(t, func(t *testing.T) contextstore.Store {
		client := redis.NewFailoverClient(&redis.FailoverOptions{
			MasterName:            sentinelMaster,
			SentinelAddrs:         []string{sentinel},
			ContextTimeoutEnabled: true,
		})
		s, err := redisstore.New(client, &redisstore.Options{Prefix: randomPrefix(t)})
		require.NoError(t, err)
		return s
	})
}

// TestConformanceOnRing runs the suite on a go-redis Ring of two servers:
// frames spread over the shards by hash tag, as on a Cluster.
func TestConformanceOnRing(t *testing.T) {
	a, b := startOwnServer(t), startOwnServer(t)
	storetest.Run(t, func(t *testing.T) contextstore.Store {
		ring := redis.NewRing(&redis.RingOptions{
			Addrs:                 map[string]string{"a": a.addr(), "b": b.addr()},
			ContextTimeoutEnabled: true,
		})
		s, err := redisstore.New(ring, &redisstore.Options{Prefix: randomPrefix(t)})
		require.NoError(t, err)
		return s
	})
}
