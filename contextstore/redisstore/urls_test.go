package redisstore_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/contextstore/redisstore"
	"github.com/ctxframe/ctxframe/keys"
)

func TestParseURL(t *testing.T) {
	for _, c := range []struct {
		url     string
		addrs   []string
		user    string
		pass    string
		db      int
		tls     bool
		cluster bool
		prefix  string
		ttl     time.Duration
		timeout time.Duration
	}{
		{url: "redis://127.0.0.1:6379", addrs: []string{"127.0.0.1:6379"}},
		{url: "redis://localhost", addrs: []string{"localhost:6379"}},
		{url: "redis://ana:s%3Acret@10.0.0.1:6380/3", addrs: []string{"10.0.0.1:6380"}, user: "ana", pass: "s:cret", db: 3},
		{url: "redis://:pw@h:1/0?prefix=app%3A&ttl=24h&timeout=2s", addrs: []string{"h:1"}, pass: "pw", prefix: "app:", ttl: 24 * time.Hour, timeout: 2 * time.Second},
		{url: "rediss://h:6380/1", addrs: []string{"h:6380"}, db: 1, tls: true},
		{url: "REDIS://h:1", addrs: []string{"h:1"}},
		{url: "redis+cluster://h1:7001,h2:7002,h3:7003", addrs: []string{"h1:7001", "h2:7002", "h3:7003"}, cluster: true},
		{url: "redis+cluster://u:p@h1:7001/?prefix=x", addrs: []string{"h1:7001"}, user: "u", pass: "p", cluster: true, prefix: "x"},
		{url: "rediss+cluster://h1:7001,h2:7002?ttl=90s", addrs: []string{"h1:7001", "h2:7002"}, tls: true, cluster: true, ttl: 90 * time.Second},
	} {
		t.Run(c.url, func(t *testing.T) {
			cfg, err := redisstore.ParseURL(c.url)
			require.NoError(t, err)
			o := cfg.Client
			if !slices.Equal(o.Addrs, c.addrs) || o.Username != c.user || o.Password != c.pass || o.DB != c.db {
				t.Errorf("client options: addrs %v user %q pass %q db %d; want %v %q %q %d", o.Addrs, o.Username, o.Password, o.DB, c.addrs, c.user, c.pass, c.db)
			}
			if (o.TLSConfig != nil) != c.tls || o.IsClusterMode != c.cluster {
				t.Errorf("TLS %v cluster %v, want %v %v", o.TLSConfig != nil, o.IsClusterMode, c.tls, c.cluster)
			}
			if !o.ContextTimeoutEnabled {
				t.Error("the client does not honour call deadlines, so OpTimeout would not bound reads")
			}
			so := cfg.Store
			if so.Prefix != c.prefix || so.FrameTTL != c.ttl || so.OpTimeout != c.timeout {
				t.Errorf("store options %+v, want prefix %q ttl %v timeout %v", so, c.prefix, c.ttl, c.timeout)
			}
		})
	}
}

func TestParseURLRefusesBadURLs(t *testing.T) {
	for _, raw := range []string{
		"redis://h:1?pool_size=10",        // unknown parameter, even one go-redis knows
		"redis://h:1?prefix=a&prefix=b",   // given twice
		"redis://h:1?ttl=soon",            // not a duration
		"redis://h:1?ttl=-1s",             // negative
		"redis://h:1?timeout=0s",          // zero timeout
		"redis://h:1?prefix=a%7Bb",        // brace in prefix
		"redis://h:1/notadb",              // bad database
		"redis://h1:1,h2:2",               // several hosts without +cluster
		"redis+cluster://h1:1,,h2:2",      // empty address
		"redis+cluster://h1:1/2",          // a Cluster has no database
		"redis://",                        // no host
		"http://h:1",                      // not Redis
		"redis://h:1#frag",                // fragment
		"redis://h:port",                  // bad port
		"redis://user:secret@h:1?bogus=1", // unknown parameter, with a password
		"redis://%zz",                     // not a URL
	} {
		cfg, err := redisstore.ParseURL(raw)
		if !errors.Is(err, contextstore.ErrConfig) {
			t.Errorf("ParseURL(%q) = %+v, %v; want an ErrConfig error", raw, cfg, err)
			continue
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("ParseURL(%q): the error shows the password: %v", raw, err)
		}
	}
}

func TestOpenThroughContextstore(t *testing.T) {
	if !slices.Contains(contextstore.Schemes(), "redis+cluster") {
		t.Fatalf("schemes registered: %v", contextstore.Schemes())
	}
	ctx := context.Background()
	if _, err := contextstore.Open(ctx, "redis://127.0.0.1:6379?nope=1"); !errors.Is(err, contextstore.ErrConfig) {
		t.Errorf("unknown parameter through contextstore.Open: %v", err)
	}
	// Nothing listens on port 1: Open fails as unavailable, in bounded time.
	_, err := contextstore.Open(ctx, "redis://127.0.0.1:1?timeout=300ms")
	requireKind(t, err, contextstore.ErrUnavailable)

	// Refused credentials are a configuration error, not an outage.
	srv := startOwnServer(t, "--requirepass", "right")
	for _, u := range []string{"redis://:wrong@" + srv.addr(), "redis://" + srv.addr()} {
		_, err := contextstore.Open(ctx, u)
		requireKind(t, err, contextstore.ErrConfig)
	}
	s, err := contextstore.Open(ctx, "redis://:right@"+srv.addr()+"?prefix=p")
	require.NoError(t, err)
	k := keys.Column("opened", "by-url")
	require.NoError(t, s.Set(ctx, k, contextstore.Value{"ok": true}))
	if v, err := s.Get(ctx, k); err != nil || v["ok"] != true {
		t.Errorf("Get = %v, %v", v, err)
	}
	require.NoError(t, contextstore.Close(s))
}
