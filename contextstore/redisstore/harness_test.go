package redisstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore/redisstore"
	"github.com/ctxframe/ctxframe/contextstore/storetest"
)

// deployment is one kind of Redis the tests run against.
type deployment struct {
	name      string
	newClient func() redis.UniversalClient
}

// singleNode is the Redis of CTXFRAME_REDIS_URL; the test is skipped (or
// fails under CI=true) when it is unset.
func singleNode(t testing.TB) deployment {
	t.Helper()
	raw := storetest.ServerEnv(t, storetest.EnvRedisURL)
	opts, err := redis.ParseURL(raw)
	require.NoError(t, err, "%s=%q: %v", storetest.EnvRedisURL, raw, err)
	opts.ContextTimeoutEnabled = true
	return deployment{name: "single", newClient: func() redis.UniversalClient { return redis.NewClient(opts) }}
}

// cluster is the Redis Cluster of CTXFRAME_REDIS_CLUSTER_ADDRS.
func cluster(t testing.TB) deployment {
	t.Helper()
	raw := storetest.ServerEnv(t, storetest.EnvRedisClusterAddrs)
	addrs := strings.Split(raw, ",")
	return deployment{name: "cluster", newClient: func() redis.UniversalClient {
		return redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs, ContextTimeoutEnabled: true})
	}}
}

// eachDeployment runs fn against the single node and the Cluster, as
// subtests.
func eachDeployment(t *testing.T, fn func(t *testing.T, d deployment)) {
	for _, c := range []struct {
		name string
		get  func(testing.TB) deployment
	}{{"single", singleNode}, {"cluster", cluster}} {
		t.Run(c.name, func(t *testing.T) { fn(t, c.get(t)) })
	}
}

// randomPrefix returns a prefix no other test run uses, so runs never see
// each other's data.
func randomPrefix(t testing.TB) string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return "ctxtest:" + hex.EncodeToString(b[:]) + ":"
}

// newStore returns an empty store under a fresh prefix; its keys are
// removed and the store closed when the test ends.
func (d deployment) newStore(t testing.TB, opts *redisstore.Options) *redisstore.Store {
	t.Helper()
	var o redisstore.Options
	if opts != nil {
		o = *opts
	}
	if o.Prefix == "" {
		o.Prefix = randomPrefix(t)
	}
	s, err := redisstore.New(d.newClient(), &o)
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = s.Close()
		d.removePrefix(t, o.Prefix)
	})
	return s
}

// removePrefix deletes every key under prefix, on every master.
func (d deployment) removePrefix(t testing.TB, prefix string) {
	t.Helper()
	err := d.eachMaster(func(ctx context.Context, c redis.Cmdable) error {
		iter := c.Scan(ctx, 0, literalPattern(prefix)+"*", 1000).Iterator()
		for iter.Next(ctx) {
			if err := c.Del(ctx, iter.Val()).Err(); err != nil {
				return err
			}
		}
		return iter.Err()
	})
	if err != nil {
		t.Errorf("cleaning up prefix %q: %v", prefix, err)
	}
}

// eachMaster runs fn on every master of the deployment (the one node of a
// single server), one after another, over a client of its own.
func (d deployment) eachMaster(fn func(ctx context.Context, c redis.Cmdable) error) error {
	client := d.newClient()
	defer client.Close()
	ctx := context.Background()
	if cc, ok := client.(*redis.ClusterClient); ok {
		var mu sync.Mutex // ForEachMaster runs fn on the masters at once
		return cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error {
			mu.Lock()
			defer mu.Unlock()
			return fn(ctx, c)
		})
	}
	return fn(ctx, client)
}

// literalPattern quotes the characters SCAN MATCH treats as a pattern.
func literalPattern(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(`*?[]\^`, s[i]) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
