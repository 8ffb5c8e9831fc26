package redisstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
)

// Failover handling.
//
// go-redis reloads a Cluster's slot map only when a node answers MOVED or
// ASK, and on a timer (a minute by default). A master killed outright
// answers nothing: the client keeps dialling the dead address until the
// timer fires, long after a replica has taken over. The store therefore
// installs failoverHook on its client: every command that fails in a way
// that says the topology may have changed asks for a reload of the slot
// map at once, and a command that certainly did not run (the connection
// was refused, or a node said CLUSTERDOWN, TRYAGAIN, MOVED, READONLY, ...)
// is tried again, with a short pause, until the call's deadline. A write
// that may have run (the connection broke after it was sent) is never sent
// twice by the store: it fails with contextstore.ErrUnavailable and the
// caller decides, as the conditional commit path does with its guards.

// Defaults of the failover settings.
const (
	// DefaultFailoverRetry is how long one call keeps retrying a command
	// that did not reach a live master, when Options.FailoverRetry is zero:
	// long enough to ride out a Cluster failover or a restart, and never
	// past the call's own deadline (Options.OpTimeout).
	DefaultFailoverRetry = 30 * time.Second

	// DefaultReplicaTimeout bounds how long a write waits for its replicas
	// when Options.MinReplicas is set and Options.ReplicaTimeout is zero.
	DefaultReplicaTimeout = time.Second

	// DefaultTopologyReload is the periodic slot-map reload of a Cluster
	// opened by URL (parameter reload): go-redis's default is a minute.
	DefaultTopologyReload = 10 * time.Second
)

// Pauses between two tries of a command that did not run, doubling from
// the first to the last.
const (
	firstRetryPause = 20 * time.Millisecond
	lastRetryPause  = 200 * time.Millisecond
)

// failoverHook is the go-redis hook that reloads the topology and retries
// commands that did not run. It is safe for concurrent use.
type failoverHook struct {
	cluster *redis.ClusterClient // nil: nothing to reload
	budget  time.Duration        // < 0: never retry
	reloads atomic.Int64         // topology reloads asked for, for tests
}

var _ redis.Hook = (*failoverHook)(nil)

// DialHook implements redis.Hook: dialling is left as it is.
func (h *failoverHook) DialHook(next redis.DialHook) redis.DialHook { return next }

// ProcessHook implements redis.Hook.
func (h *failoverHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		return h.do(ctx, readOnly(cmd), func() error {
			cmd.SetErr(nil)
			return next(ctx, cmd)
		})
	}
}

// ProcessPipelineHook implements redis.Hook, for pipelines and MULTI/EXEC.
func (h *failoverHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		idempotent := true
		for _, c := range cmds {
			idempotent = idempotent && readOnly(c)
		}
		return h.do(ctx, idempotent, func() error {
			for _, c := range cmds {
				c.SetErr(nil)
			}
			return next(ctx, cmds)
		})
	}
}

// do runs call, and runs it again while it fails because no live master
// took it (or, when idempotent, because the connection broke), pausing
// between tries, until the retry budget or ctx runs out. The last error is
// returned as it is.
func (h *failoverHook) do(ctx context.Context, idempotent bool, call func() error) error {
	var start time.Time
	pause := firstRetryPause
	for {
		err := call()
		if err == nil || !topologyError(err) || tlsRefused(err) {
			return err
		}
		h.reload()
		if !notExecuted(err) && !idempotent {
			return err
		}
		if start.IsZero() {
			start = time.Now()
		}
		if h.budget < 0 || time.Since(start)+pause > h.budget {
			return err
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		pause = min(2*pause, lastRetryPause)
	}
}

// reload asks for a new slot map. go-redis loads it in the background, at
// most once per 200 ms however often it is asked, from whichever known
// node answers.
func (h *failoverHook) reload() {
	if h.cluster == nil {
		return
	}
	h.reloads.Add(1)
	h.cluster.ReloadState(context.Background())
}

// notExecuted reports whether err proves the command never ran: no
// connection was made, or a node refused it before running it because it
// does not (or no longer) serve the slot, or the cluster is not ready.
func notExecuted(err error) bool {
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return true
	}
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, redis.ErrPoolTimeout) {
		return true
	}
	return refusedByNode(err)
}

// refusedByNode reports whether err is a Redis reply saying this node will
// not run the command now: the slot moved or is moving, the node is a
// replica, the cluster or the master is down, the data is loading.
func refusedByNode(err error) bool {
	if redis.IsClusterDownError(err) || redis.IsTryAgainError(err) ||
		redis.IsMasterDownError(err) || redis.IsLoadingError(err) || redis.IsReadOnlyError(err) {
		return true
	}
	var re redis.Error
	if !errors.As(err, &re) {
		return false
	}
	msg := re.Error()
	return strings.HasPrefix(msg, "MOVED ") || strings.HasPrefix(msg, "ASK ")
}

// topologyError reports whether err may come from a node that died, was
// demoted or handed its slots over: worth a slot-map reload.
func topologyError(err error) bool {
	if notExecuted(err) {
		return true
	}
	var netErr net.Error
	return errors.As(err, &netErr) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// readOnlyCommands are the commands the store reads with: running one twice
// changes nothing, so it may be retried after any broken connection.
var readOnlyCommands = map[string]bool{
	"hget": true, "hmget": true, "hgetall": true, "hkeys": true, "hlen": true,
	"scan": true, "exists": true, "type": true, "ping": true, "multi": true, "exec": true,
	"cluster": true, "info": true, "role": true, "script": true,
}

func readOnly(cmd redis.Cmder) bool { return readOnlyCommands[strings.ToLower(cmd.Name())] }

// installFailover adds the failover hook to the store's client.
func (s *Store) installFailover(budget time.Duration) {
	h := &failoverHook{cluster: s.cluster, budget: budget}
	s.failover = h
	switch c := s.client.(type) {
	case *redis.ClusterClient:
		c.AddHook(h)
	case *redis.Client:
		c.AddHook(h)
	case *redis.Ring:
		c.AddHook(h)
	}
}

// replicaError is the cause of a write that reached the master but not
// enough replicas in time: it is applied, yet a failover now could lose it.
type replicaError struct {
	acked, want int64
	within      time.Duration
}

func (e *replicaError) Error() string {
	return fmt.Sprintf("redisstore: the write reached the master but %d of the %d replicas asked for acknowledged it within %v: a failover now could lose it",
		e.acked, e.want, e.within)
}

// nodeFor returns the client of the node that serves key: the slot's
// master on a Cluster, the client itself on a single node or behind
// Sentinel.
func (s *Store) nodeFor(ctx context.Context, key string) (*redis.Client, error) {
	if s.cluster != nil {
		return s.cluster.MasterForKey(ctx, key)
	}
	c, ok := s.client.(*redis.Client)
	if !ok {
		return nil, errors.New("redisstore: MinReplicas needs a single-node, Sentinel or Cluster client")
	}
	return c, nil
}

// runWrite runs writeScript with keysArg and args. With MinReplicas set, it
// sends the script and WAIT in one pipeline on one connection to the
// frame's master, so the write is acknowledged only once that many
// replicas have it. (A pipeline rather than a dedicated redis.Conn: go-redis
// v9.23's Conn shares its client's options without its lock, a data race
// when connections are set up concurrently.)
func (s *Store) runWrite(ctx context.Context, keysArg []string, args []any) ([]any, error) {
	if s.minReplicas == 0 {
		return writeScript.Run(ctx, s.client, keysArg, args...).Slice()
	}
	var reply []any
	err := s.failover.do(ctx, false, func() error {
		node, err := s.nodeFor(ctx, keysArg[0])
		if err != nil {
			return err
		}
		for loaded := false; ; loaded = true {
			pipe := node.Pipeline()
			eval := pipe.EvalSha(ctx, writeScript.Hash(), keysArg, args...)
			wait := pipe.Do(ctx, "WAIT", s.minReplicas, s.replicaTimeout.Milliseconds())
			_, _ = pipe.Exec(ctx)
			if err := eval.Err(); err != nil {
				if !loaded && redis.HasErrorPrefix(err, "NOSCRIPT") {
					// The master (a promoted replica, say) does not have the
					// script yet: nothing ran; load it and send again.
					if err := writeScript.Load(ctx, node).Err(); err != nil {
						return err
					}
					continue
				}
				return err
			}
			if reply, err = eval.Slice(); err != nil {
				return err
			}
			if code, _ := reply[0].(int64); code != 1 {
				return nil // refused by a check: nothing written, nothing to wait for
			}
			acked, err := wait.Int64()
			if err != nil {
				return fmt.Errorf("redisstore: waiting for replicas after a write: %w", err)
			}
			if acked < s.minReplicas {
				return &replicaError{acked: acked, want: s.minReplicas, within: s.replicaTimeout}
			}
			return nil
		}
	})
	return reply, err
}
