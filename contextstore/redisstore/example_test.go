package redisstore_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/contextstore/redisstore"
	"github.com/ctxframe/ctxframe/keys"
)

// ParseURL shows what a store URL means without connecting anywhere.
func ExampleParseURL() {
	cfg, err := redisstore.ParseURL("redis+cluster://ana:secret@10.0.0.1:7001,10.0.0.2:7002?prefix=etl:&ttl=24h&timeout=2s")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("seed nodes:", cfg.Client.Addrs, "cluster:", cfg.Client.IsClusterMode, "user:", cfg.Client.Username)
	fmt.Println("prefix:", cfg.Store.Prefix, "frame TTL:", cfg.Store.FrameTTL, "timeout:", cfg.Store.OpTimeout)

	_, err = redisstore.ParseURL("redis://127.0.0.1:6379?pool=10")
	fmt.Println(err)
	// Output:
	// seed nodes: [10.0.0.1:7001 10.0.0.2:7002] cluster: true user: ana
	// prefix: etl: frame TTL: 24h0m0s timeout: 2s
	// contextstore: redis open: bad configuration: redisstore: unknown query parameter "pool" (known: prefix, ttl, timeout, retry, min_replicas, replica_timeout, reload, tls_ca, tls_cert, tls_key, tls_server_name, tls_insecure_skip_verify)
}

// New wraps a go-redis client you configured yourself: a single node, a
// Sentinel failover client or a Cluster client. (It needs a server, so this
// example is compiled but not run.)
func ExampleNew() {
	client := redis.NewClusterClient(&redis.ClusterOptions{
		Addrs:                 []string{"127.0.0.1:7001", "127.0.0.1:7002", "127.0.0.1:7003"},
		ContextTimeoutEnabled: true, // so OpTimeout also bounds a stalled read
	})
	s, err := redisstore.New(client, &redisstore.Options{Prefix: "etl:", FrameTTL: 7 * 24 * time.Hour})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close() // closes the client too

	ctx := context.Background()
	err = contextstore.SetMany(ctx, s, []contextstore.Entry{
		{Key: keys.Frame("sales-2026"), Value: contextstore.Value{"owner": "ana"}},
		{Key: keys.Column("sales-2026", "amount"), Value: contextstore.Value{"unit": "EUR"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	entries, err := s.ReadFrame(ctx, "sales-2026")
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range entries {
		fmt.Println(e.Key, e.Value)
	}
}

// Open through contextstore, with the backend imported for its URL
// schemes. (It needs a server, so this example is compiled but not run.)
func ExampleOpen() {
	ctx := context.Background()
	s, err := contextstore.Open(ctx, "redis://127.0.0.1:6379/0?prefix=notebook:&timeout=2s")
	if err != nil {
		log.Fatal(err)
	}
	defer contextstore.Close(s)
	if err := s.Set(ctx, keys.Column("weather", "temp"), contextstore.Value{"unit": "degC"}); err != nil {
		log.Fatal(err)
	}
}
