package redisstore_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// ownCluster is a Redis Cluster a test builds from its own redis-server
// processes on free loopback ports: masters, each with its replicas, a
// short node timeout so failures are noticed within a second or two, and
// every node's append-only file synced on every write.
type ownCluster struct {
	t        testing.TB
	nodes    []*ownServer
	ids      []string
	masterOf []int // index of each node's master, -1 for a master
	clients  map[int]*redis.Client
}

// startOwnCluster starts masters × (1 + replicas) nodes, joins them, gives
// the masters equal slot ranges and waits until every node reports the
// cluster healthy and every replica is in sync.
func startOwnCluster(t testing.TB, masters, replicas int) *ownCluster {
	t.Helper()
	c := &ownCluster{t: t, clients: map[int]*redis.Client{}}
	n := masters * (1 + replicas)
	for i := range n {
		c.nodes = append(c.nodes, startOwnServer(t,
			"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
			"--cluster-node-timeout", "1000", "--cluster-replica-validity-factor", "0"))
		c.masterOf = append(c.masterOf, -1)
		if i >= masters {
			c.masterOf[i] = (i - masters) % masters
		}
	}
	ctx := context.Background()
	for i := range c.nodes {
		id, err := c.client(i).Do(ctx, "CLUSTER", "MYID").Text()
		require.NoError(t, err)
		c.ids = append(c.ids, id)
	}
	for i := 1; i < n; i++ {
		require.NoError(t, c.client(0).ClusterMeet(ctx, "127.0.0.1", strconv.Itoa(c.nodes[i].port)).Err())
	}
	c.waitFor(15*time.Second, "every node knows every other", func() bool {
		for i := range c.nodes {
			if c.info(i, "cluster", "cluster_known_nodes") != strconv.Itoa(n) {
				return false
			}
		}
		return true
	})
	per := 16384 / masters
	for m := range masters {
		lo, hi := m*per, (m+1)*per-1
		if m == masters-1 {
			hi = 16383
		}
		require.NoError(t, c.client(m).ClusterAddSlotsRange(ctx, lo, hi).Err())
	}
	for i := masters; i < n; i++ {
		c.waitFor(15*time.Second, "replica attached", func() bool {
			return c.client(i).ClusterReplicate(ctx, c.ids[c.masterOf[i]]).Err() == nil
		})
	}
	c.waitHealthy()
	return c
}

// client returns a plain client of node i, closed when the test ends.
func (c *ownCluster) client(i int) *redis.Client {
	if cl := c.clients[i]; cl != nil {
		return cl
	}
	cl := redis.NewClient(&redis.Options{Addr: c.nodes[i].addr(), MaxRetries: -1, DialTimeout: time.Second, ReadTimeout: time.Second})
	c.clients[i] = cl
	c.t.Cleanup(func() { _ = cl.Close() })
	return cl
}

// info returns one field of a node's INFO section, "" when the node does
// not answer.
func (c *ownCluster) info(i int, section, field string) string {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	var text string
	var err error
	if section == "cluster" {
		text, err = c.client(i).ClusterInfo(ctx).Result()
	} else {
		text, err = c.client(i).Info(ctx, section).Result()
	}
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), field+":"); ok {
			return v
		}
	}
	return ""
}

// role returns "master" or "slave" as node i reports it, "" when it does
// not answer.
func (c *ownCluster) role(i int) string { return c.info(i, "replication", "role") }

// waitHealthy waits until every live node says cluster_state:ok and every
// replica's link to its master is up.
func (c *ownCluster) waitHealthy() {
	c.t.Helper()
	c.waitFor(30*time.Second, "cluster healthy", func() bool {
		for i, node := range c.nodes {
			if node.cmd == nil {
				continue
			}
			if c.info(i, "cluster", "cluster_state") != "ok" {
				return false
			}
			if c.role(i) == "slave" && c.info(i, "replication", "master_link_status") != "up" {
				return false
			}
		}
		return true
	})
}

// seeds returns every node's address, comma-separated, for a cluster URL.
func (c *ownCluster) seeds() string {
	addrs := make([]string, len(c.nodes))
	for i, n := range c.nodes {
		addrs[i] = n.addr()
	}
	return strings.Join(addrs, ",")
}

// masterServing returns the index of the node that is master of key's
// slot now.
func (c *ownCluster) masterServing(key string) int {
	c.t.Helper()
	live := c.live()
	slot, err := c.client(live).ClusterKeySlot(context.Background(), key).Result()
	require.NoError(c.t, err)
	shards, err := c.client(live).ClusterShards(context.Background()).Result()
	require.NoError(c.t, err)
	for _, sh := range shards {
		for _, r := range sh.Slots {
			if int64(r.Start) > slot || slot > int64(r.End) {
				continue
			}
			for _, node := range sh.Nodes {
				if node.Role != "master" || node.Health != "online" {
					continue
				}
				for i, n := range c.nodes {
					if int(node.Port) == n.port {
						return i
					}
				}
			}
		}
	}
	c.t.Fatalf("no node serves slot %d of %q", slot, key)
	return -1
}

// live returns the index of a node that runs.
func (c *ownCluster) live() int {
	for i, n := range c.nodes {
		if n.cmd != nil {
			return i
		}
	}
	c.t.Fatal("no node of the cluster runs")
	return -1
}

func (c *ownCluster) waitFor(limit time.Duration, what string, ok func() bool) {
	c.t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			var logs strings.Builder
			for i, n := range c.nodes {
				fmt.Fprintf(&logs, "--- node %d (%s) ---\n%s\n", i, n.addr(), tail(n.log(), 1500))
			}
			c.t.Fatalf("%s: not within %v\n%s", what, limit, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}
