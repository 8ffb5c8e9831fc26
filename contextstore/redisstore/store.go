package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// backend is the Backend name in every *contextstore.Error of this package.
const backend = "redis"

// DefaultOpTimeout bounds every call when Options.OpTimeout is zero.
const DefaultOpTimeout = 5 * time.Second

// DefaultScanCount is the COUNT hint of SCAN when Options.ScanCount is zero:
// large, so listing a big keyspace takes few round trips.
const DefaultScanCount = 1000

// Options configure a Store. The zero value (and a nil *Options) means the
// defaults.
type Options struct {
	// Prefix namespaces the store's Redis keys: every key starts with it.
	// It must not contain '{' or '}', which would move the Cluster hash tag
	// off the frame. Default "".
	Prefix string

	// FrameTTL, when positive, makes every key of a frame expire FrameTTL after
	// the last write to that frame (every write refreshes it). Default 0:
	// frames never expire.
	FrameTTL time.Duration

	// OpTimeout bounds every call, so a dead server never hangs the caller;
	// a call that runs out of time fails with contextstore.ErrUnavailable.
	// The client's own timeouts apply as well: with a client made outside
	// this package, set its ContextTimeoutEnabled so a stalled read also
	// stops at OpTimeout. The bound is per call, so ListKeys over a very
	// large keyspace may need more than the default. Default
	// DefaultOpTimeout; negative disables it.
	OpTimeout time.Duration

	// ScanCount is the COUNT hint of the SCAN that ListKeys and ListFrames
	// run on every master. Default DefaultScanCount.
	ScanCount int

	// FailoverRetry bounds how long one call keeps retrying a command that
	// did not reach a live master (connection refused, CLUSTERDOWN,
	// TRYAGAIN, MOVED, READONLY, LOADING, ...), asking for a new Cluster
	// slot map at every failure, so a call made during a failover or a
	// restart succeeds as soon as the new master serves. The call's own
	// deadline (OpTimeout, or the caller's) bounds it as well. A write that
	// may have run is never retried. Default DefaultFailoverRetry; negative
	// disables retrying (the slot map is still reloaded at once).
	FailoverRetry time.Duration

	// MinReplicas, when positive, makes every write wait (Redis WAIT) until
	// that many replicas of its master have it before it is acknowledged,
	// so a failover cannot lose an acknowledged write. A write that reaches
	// fewer replicas within ReplicaTimeout fails with
	// contextstore.ErrUnavailable although the master applied it. Needs a
	// single-node, Sentinel or Cluster client. Default 0: writes are
	// acknowledged by the master alone, and Redis's asynchronous
	// replication can lose the last ones when a master dies.
	MinReplicas int

	// ReplicaTimeout bounds the wait for MinReplicas. Default
	// DefaultReplicaTimeout.
	ReplicaTimeout time.Duration
}

// check returns why o cannot be used, or nil.
func (o *Options) check() error {
	switch {
	case strings.ContainsAny(o.Prefix, "{}"):
		return fmt.Errorf("redisstore: prefix %q contains '{' or '}', which would break the Cluster hash tag", o.Prefix)
	case o.FrameTTL < 0:
		return fmt.Errorf("redisstore: negative frame TTL %v", o.FrameTTL)
	case o.FrameTTL > 0 && o.FrameTTL < time.Millisecond:
		return fmt.Errorf("redisstore: frame TTL %v is below Redis's 1ms resolution", o.FrameTTL)
	case o.ScanCount < 0:
		return fmt.Errorf("redisstore: negative scan count %d", o.ScanCount)
	case o.MinReplicas < 0:
		return fmt.Errorf("redisstore: negative MinReplicas %d", o.MinReplicas)
	case o.ReplicaTimeout < 0:
		return fmt.Errorf("redisstore: negative ReplicaTimeout %v", o.ReplicaTimeout)
	}
	return nil
}

// Store is a contextstore.Store kept in Redis. It is safe for concurrent use
// and shared correctly by every process that opens the same Redis with the
// same prefix.
type Store struct {
	client    redis.UniversalClient
	cluster   *redis.ClusterClient // non-nil when client is a Cluster client
	prefix    string
	ttl       time.Duration
	timeout   time.Duration
	scanCount int64
	closed    atomic.Bool

	migrated  atomic.Bool // the store is in layoutVersion (see ready)
	migrating sync.Mutex

	failover       *failoverHook
	minReplicas    int64
	replicaTimeout time.Duration
}

// Compile-time checks of the capabilities Store offers.
var (
	_ contextstore.Store           = (*Store)(nil)
	_ contextstore.Batcher         = (*Store)(nil)
	_ contextstore.FrameLister     = (*Store)(nil)
	_ contextstore.FrameReader     = (*Store)(nil)
	_ contextstore.FrameDropper    = (*Store)(nil)
	_ contextstore.FrameEnumerator = (*Store)(nil)
)

// New returns a Store over client: a *redis.Client, a Sentinel-backed
// failover client, a *redis.ClusterClient or a *redis.Ring. The Store takes
// ownership of the client: Close closes it, and New adds a hook to it that
// reloads a Cluster's slot map at once when a node fails and retries what
// did not run (see Options.FailoverRetry). A nil opts means the defaults.
// An invalid option fails with contextstore.ErrConfig.
func New(client redis.UniversalClient, opts *Options) (*Store, error) {
	if client == nil {
		return nil, configError(errors.New("redisstore: nil client"))
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	if err := o.check(); err != nil {
		return nil, configError(err)
	}
	if o.OpTimeout == 0 {
		o.OpTimeout = DefaultOpTimeout
	}
	if o.ScanCount == 0 {
		o.ScanCount = DefaultScanCount
	}
	if o.FailoverRetry == 0 {
		o.FailoverRetry = DefaultFailoverRetry
	}
	if o.ReplicaTimeout == 0 {
		o.ReplicaTimeout = DefaultReplicaTimeout
	}
	if _, ring := client.(*redis.Ring); ring && o.MinReplicas > 0 {
		return nil, configError(errors.New("redisstore: MinReplicas needs a single-node, Sentinel or Cluster client, not a Ring"))
	}
	s := &Store{
		client:         client,
		prefix:         o.Prefix,
		ttl:            o.FrameTTL,
		timeout:        o.OpTimeout,
		scanCount:      int64(o.ScanCount),
		minReplicas:    int64(o.MinReplicas),
		replicaTimeout: o.ReplicaTimeout,
	}
	s.cluster, _ = client.(*redis.ClusterClient)
	s.installFailover(o.FailoverRetry)
	return s, nil
}

// Client returns the client the store uses, for callers that need Redis
// directly (monitoring, their own keys). Writing to the store's keys behind
// its back voids its guarantees.
func (s *Store) Client() redis.UniversalClient { return s.client }

// Close closes the store and its client. Later calls fail with
// contextstore.ErrClosed; closing twice is not an error.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	if err := s.client.Close(); err != nil && !errors.Is(err, redis.ErrClosed) {
		return contextstore.NewError("close", backend, keys.Key{}, contextstore.ErrBackend, err)
	}
	return nil
}

// begin runs the checks every operation starts with, after the key and value
// are validated, and returns the context bounded by OpTimeout, once the
// store is in its layout (see ready).
func (s *Store) begin(ctx context.Context, op string, k keys.Key) (context.Context, context.CancelFunc, error) {
	octx, cancel, err := s.checked(ctx, op, k)
	if err != nil {
		return nil, nil, err
	}
	if err := s.ready(octx); err != nil {
		cancel()
		return nil, nil, s.fail(ctx, op, k, err)
	}
	return octx, cancel, nil
}

// checked is begin without the layout: the call checks and OpTimeout.
func (s *Store) checked(ctx context.Context, op string, k keys.Key) (context.Context, context.CancelFunc, error) {
	if err := contextstore.CheckCall(ctx, s.closed.Load(), op, backend, k); err != nil {
		return nil, nil, err
	}
	if s.timeout < 0 {
		return ctx, func() {}, nil
	}
	octx, cancel := context.WithTimeoutCause(ctx, s.timeout, errOpTimeout)
	return octx, cancel, nil
}

func configError(err error) error {
	return contextstore.NewError("open", backend, keys.Key{}, contextstore.ErrConfig, err)
}
