package redisstore

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// The URL schemes the package registers with contextstore.Open.
const (
	SchemeRedis      = "redis"          // one node: redis://[user:pass@]host:port[/db]
	SchemeRedisTLS   = "rediss"         // the same over TLS
	SchemeCluster    = "redis+cluster"  // a Cluster: redis+cluster://[user:pass@]h1:p1,h2:p2,...
	SchemeClusterTLS = "rediss+cluster" // the same over TLS
)

// The query parameters a store URL may carry.
const (
	queryPrefix         = "prefix"
	queryTTL            = "ttl"
	queryTimeout        = "timeout"
	queryRetry          = "retry"
	queryMinReplicas    = "min_replicas"
	queryReplicaTimeout = "replica_timeout"
	queryReload         = "reload"
	knownQueryParamList = queryPrefix + ", " + queryTTL + ", " + queryTimeout + ", " + queryRetry + ", " +
		queryMinReplicas + ", " + queryReplicaTimeout + ", " + queryReload + ", " + knownTLSParamList
)

// Config is what a store URL says: how to reach Redis and how the Store
// behaves. ParseURL makes one; Open uses it.
type Config struct {
	Client redis.UniversalOptions // addresses, credentials, database, TLS, timeouts
	Store  Options                // prefix, frame TTL, operation timeout, failover

	// TopologyReload is how often a Cluster client reloads its slot map
	// when nothing fails (a failure reloads it at once). Zero for a single
	// node.
	TopologyReload time.Duration
}

// ParseURL reads a store URL:
//
//	redis://[user:password@]host:port[/db][?params]
//	rediss://[user:password@]host:port[/db][?params]            (TLS)
//	redis+cluster://[user:password@]host:port,host:port,...[?params]
//	rediss+cluster://[user:password@]host:port,host:port,...[?params] (TLS)
//
// The query parameters are prefix (Options.Prefix), ttl (Options.FrameTTL,
// a Go duration such as 24h), timeout (Options.OpTimeout, a Go duration),
// retry (Options.FailoverRetry; 0s disables it), min_replicas and
// replica_timeout (Options.MinReplicas, Options.ReplicaTimeout), reload
// (Config.TopologyReload, cluster forms only; default
// DefaultTopologyReload) and, on the TLS schemes only, tls_ca, tls_cert,
// tls_key, tls_server_name and tls_insecure_skip_verify (see tlsConfig);
// any other parameter fails with contextstore.ErrConfig. The cluster forms
// list seed nodes (IPv4 or host names; the client discovers the rest) and
// take no database. The client is set to honour each call's deadline, so
// OpTimeout bounds reads from a stalled server as well.
func ParseURL(rawURL string) (*Config, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Error quotes the whole URL, password included: keep only the
		// reason.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, configError(fmt.Errorf("redisstore: bad URL: %w", err))
	}
	return parseURL(u)
}

func parseURL(u *url.URL) (*Config, error) {
	scheme := strings.ToLower(u.Scheme)
	switch scheme {
	case SchemeRedis, SchemeRedisTLS, SchemeCluster, SchemeClusterTLS:
	default:
		return nil, configError(fmt.Errorf("redisstore: unknown scheme %q (want %s, %s, %s or %s)",
			u.Scheme, SchemeRedis, SchemeRedisTLS, SchemeCluster, SchemeClusterTLS))
	}
	cfg := &Config{}
	q := u.Query()
	tlsParams := takeTLSParams(q)
	if err := parseQuery(q, cfg); err != nil {
		return nil, configError(err)
	}
	isCluster := scheme == SchemeCluster || scheme == SchemeClusterTLS
	if cfg.TopologyReload != 0 && !isCluster {
		return nil, configError(fmt.Errorf("redisstore: %s= is for the cluster schemes only", queryReload))
	}
	if isCluster && cfg.TopologyReload == 0 {
		cfg.TopologyReload = DefaultTopologyReload
	}
	if err := cfg.Store.check(); err != nil {
		return nil, configError(err)
	}
	if u.Host == "" {
		return nil, configError(fmt.Errorf("redisstore: URL %s names no host", contextstore.RedactURL(u.String())))
	}
	if u.Fragment != "" {
		return nil, configError(fmt.Errorf("redisstore: URL %s has a fragment, which means nothing here", contextstore.RedactURL(u.String())))
	}
	bare := *u
	bare.RawQuery = ""
	switch scheme {
	case SchemeRedis, SchemeRedisTLS:
		if strings.Contains(u.Host, ",") {
			return nil, configError(fmt.Errorf("redisstore: URL %s lists several hosts; use %s:// for a Cluster", contextstore.RedactURL(u.String()), SchemeCluster))
		}
		bare.Scheme = scheme
		opts, err := redis.ParseURL(bare.String())
		if err != nil {
			return nil, configError(fmt.Errorf("redisstore: URL %s: %w", contextstore.RedactURL(u.String()), err))
		}
		cfg.Client = redis.UniversalOptions{
			Addrs:     []string{opts.Addr},
			Username:  opts.Username,
			Password:  opts.Password,
			DB:        opts.DB,
			TLSConfig: opts.TLSConfig,
		}
	case SchemeCluster, SchemeClusterTLS:
		if u.Path != "" && u.Path != "/" {
			return nil, configError(fmt.Errorf("redisstore: URL %s: a Cluster has no database, so no path", contextstore.RedactURL(u.String())))
		}
		addrs := strings.Split(u.Host, ",")
		for _, a := range addrs {
			if a == "" {
				return nil, configError(fmt.Errorf("redisstore: URL %s has an empty address in its host list", contextstore.RedactURL(u.String())))
			}
		}
		bare.Scheme = strings.TrimSuffix(scheme, "+cluster")
		bare.Host, bare.Path = addrs[0], ""
		q := url.Values{}
		for _, a := range addrs[1:] {
			q.Add("addr", a)
		}
		bare.RawQuery = q.Encode()
		opts, err := redis.ParseClusterURL(bare.String())
		if err != nil {
			return nil, configError(fmt.Errorf("redisstore: URL %s: %w", contextstore.RedactURL(u.String()), err))
		}
		cfg.Client = redis.UniversalOptions{
			Addrs:         opts.Addrs,
			Username:      opts.Username,
			Password:      opts.Password,
			TLSConfig:     opts.TLSConfig,
			IsClusterMode: true,
		}
	}
	cfg.Client.ContextTimeoutEnabled = true
	if err := applyTLSParams(tlsParams, scheme == SchemeRedisTLS || scheme == SchemeClusterTLS, &cfg.Client); err != nil {
		return nil, configError(err)
	}
	return cfg, nil
}

// parseQuery reads the store's query parameters into cfg and refuses any
// other.
func parseQuery(q url.Values, cfg *Config) error {
	o := &cfg.Store
	for name, vals := range q {
		if len(vals) != 1 {
			return fmt.Errorf("redisstore: query parameter %q given %d times", name, len(vals))
		}
		val := vals[0]
		switch name {
		case queryPrefix:
			o.Prefix = val
		case queryTTL:
			d, err := time.ParseDuration(val)
			if err != nil || d < 0 {
				return fmt.Errorf("redisstore: ttl=%q is not a duration >= 0 such as 24h", val)
			}
			o.FrameTTL = d
		case queryTimeout:
			d, err := time.ParseDuration(val)
			if err != nil || d <= 0 {
				return fmt.Errorf("redisstore: timeout=%q is not a duration > 0 such as 2s", val)
			}
			o.OpTimeout = d
		case queryRetry:
			d, err := time.ParseDuration(val)
			if err != nil || d < 0 {
				return fmt.Errorf("redisstore: retry=%q is not a duration >= 0 such as 10s (0s: no retry)", val)
			}
			o.FailoverRetry = d
			if d == 0 {
				o.FailoverRetry = -1
			}
		case queryMinReplicas:
			n, err := strconv.Atoi(val)
			if err != nil || n < 0 {
				return fmt.Errorf("redisstore: min_replicas=%q is not a whole number >= 0", val)
			}
			o.MinReplicas = n
		case queryReplicaTimeout:
			d, err := time.ParseDuration(val)
			if err != nil || d <= 0 {
				return fmt.Errorf("redisstore: replica_timeout=%q is not a duration > 0 such as 500ms", val)
			}
			o.ReplicaTimeout = d
		case queryReload:
			d, err := time.ParseDuration(val)
			if err != nil || d <= 0 {
				return fmt.Errorf("redisstore: reload=%q is not a duration > 0 such as 5s", val)
			}
			cfg.TopologyReload = d
		default:
			return fmt.Errorf("redisstore: unknown query parameter %q (known: %s)", name, knownQueryParamList)
		}
	}
	return nil
}

// Open opens the store a URL names (see ParseURL) and checks that Redis
// answers. A server that does not answer in time fails with
// contextstore.ErrUnavailable, refused credentials with
// contextstore.ErrConfig.
func Open(ctx context.Context, rawURL string) (*Store, error) {
	cfg, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	return openConfig(ctx, cfg)
}

func openConfig(ctx context.Context, cfg *Config) (*Store, error) {
	var client redis.UniversalClient
	if cfg.Client.IsClusterMode {
		opts := cfg.Client.Cluster()
		opts.ClusterStateReloadInterval = cfg.TopologyReload
		client = redis.NewClusterClient(opts)
	} else {
		client = redis.NewUniversalClient(&cfg.Client)
	}
	s, err := New(client, &cfg.Store)
	if err != nil {
		_ = client.Close()
		return nil, err
	}
	// Ping before anything else touches the store, so that refused
	// credentials and TLS are told apart from other failures.
	octx, cancel, err := s.checked(ctx, "open", keys.Key{})
	if err != nil {
		_ = s.Close()
		return nil, err
	}
	defer cancel()
	if err := s.client.Ping(octx).Err(); err != nil {
		_ = s.Close()
		if redis.IsAuthError(err) || redis.IsPermissionError(err) {
			return nil, configError(fmt.Errorf("redisstore: Redis refused the credentials: %w", err))
		}
		if tlsRefused(err) {
			return nil, configError(fmt.Errorf("redisstore: TLS handshake refused: %w", err))
		}
		e := &contextstore.Error{Op: "open", Backend: backend, Kind: kindOf(err), Err: err}
		if ctxErr := contextstore.ContextError(ctx); ctxErr != nil {
			e.Kind, e.Err = nil, fmt.Errorf("%w (%w)", ctxErr, err)
		}
		return nil, e
	}
	if err := s.ready(octx); err != nil {
		_ = s.Close()
		return nil, s.fail(ctx, "open", keys.Key{}, err)
	}
	return s, nil
}

func init() {
	open := func(ctx context.Context, u *url.URL) (contextstore.Store, error) {
		cfg, err := parseURL(u)
		if err != nil {
			return nil, err
		}
		return openConfig(ctx, cfg)
	}
	for _, scheme := range []string{SchemeRedis, SchemeRedisTLS, SchemeCluster, SchemeClusterTLS} {
		contextstore.Register(scheme, open)
	}
}
