package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/contextstore/redisstore"
	"github.com/ctxframe/ctxframe/keys"
)

// faultTimeout is the OpTimeout of the fault tests, and noHang the slack a
// call may take beyond it before the test calls it a hang: generous, as the
// machine is shared, but far below "forever".
const (
	faultTimeout = 400 * time.Millisecond
	noHang       = 3 * time.Second
)

// everyCall runs each store method once and reports its error and how long
// it took.
func everyCall(ctx context.Context, s *redisstore.Store) map[string]struct {
	err     error
	elapsed time.Duration
} {
	k := keys.Column("f", "c")
	calls := map[string]func() error{
		"Set":        func() error { return s.Set(ctx, k, contextstore.Value{"a": 1}) },
		"Get":        func() error { _, err := s.Get(ctx, k); return err },
		"Delete":     func() error { return s.Delete(ctx, k) },
		"ListKeys":   func() error { _, err := s.ListKeys(ctx); return err },
		"Apply":      func() error { return s.Apply(ctx, []contextstore.Mutation{contextstore.Put(k, nil)}) },
		"GetMany":    func() error { _, err := s.GetMany(ctx, []keys.Key{k}); return err },
		"ListFrame":  func() error { _, err := s.ListFrame(ctx, "f"); return err },
		"ReadFrame":  func() error { _, err := s.ReadFrame(ctx, "f"); return err },
		"DropFrame":  func() error { return s.DropFrame(ctx, "f") },
		"ListFrames": func() error { _, err := s.ListFrames(ctx); return err },
	}
	out := make(map[string]struct {
		err     error
		elapsed time.Duration
	}, len(calls))
	for name, call := range calls {
		start := time.Now()
		err := call()
		out[name] = struct {
			err     error
			elapsed time.Duration
		}{err, time.Since(start)}
	}
	return out
}

func requireAllUnavailable(t *testing.T, s *redisstore.Store, state string) {
	t.Helper()
	for name, r := range everyCall(context.Background(), s) {
		var se *contextstore.Error
		if !errors.As(r.err, &se) || !errors.Is(r.err, contextstore.ErrUnavailable) {
			t.Errorf("%s with the server %s: %v, want a *contextstore.Error of kind ErrUnavailable", name, state, r.err)
		}
		if r.elapsed > faultTimeout+noHang {
			t.Errorf("%s with the server %s took %v; OpTimeout is %v", name, state, r.elapsed, faultTimeout)
		}
	}
}

func TestServerDownAndBack(t *testing.T) {
	srv := startOwnServer(t)
	ctx := context.Background()
	s, err := redisstore.Open(ctx, srv.url()+"?timeout="+faultTimeout.String())
	require.NoError(t, err)
	defer s.Close()
	before := keys.Frame("kept")
	require.NoError(t, s.Set(ctx, before, contextstore.Value{"v": 1}))

	srv.crash()
	requireAllUnavailable(t, s, "down")
	// A batch refused while the server is down wrote nothing.
	batch := []contextstore.Mutation{
		contextstore.Put(keys.Frame("b1"), contextstore.Value{"v": 1}),
		contextstore.Put(keys.Frame("b2"), contextstore.Value{"v": 2}),
		contextstore.Remove(before),
	}
	if err := s.Apply(ctx, batch); !errors.Is(err, contextstore.ErrUnavailable) {
		t.Fatalf("Apply with the server down: %v", err)
	}

	srv.start()
	// The same Store, not reopened, works again; the data acknowledged
	// before the crash is there, the refused batch is not.
	got, err := s.ListKeys(ctx)
	require.NoError(t, err, "ListKeys after the restart")
	if len(got) != 1 || got[0] != before {
		t.Errorf("after the restart ListKeys = %v, want [%v]", got, before)
	}
	if err := s.Apply(ctx, batch); err != nil {
		t.Fatalf("Apply after the restart: %v", err)
	}
	if v, err := s.Get(ctx, keys.Frame("b2")); err != nil || v["v"] != int64(2) {
		t.Errorf("Get after the restart = %v, %v", v, err)
	}
}

func TestHungServer(t *testing.T) {
	srv := startOwnServer(t)
	ctx := context.Background()
	s, err := redisstore.Open(ctx, srv.url()+"?timeout="+faultTimeout.String())
	require.NoError(t, err)
	defer s.Close()
	srv.freeze()
	requireAllUnavailable(t, s, "hung")

	// The caller's own cancellation wins over the store's timeout and is
	// reported as such.
	cctx, cancel := context.WithCancel(ctx)
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err = s.Get(cctx, keys.Frame("f"))
	var se *contextstore.Error
	if !errors.Is(err, context.Canceled) || !errors.As(err, &se) {
		t.Errorf("Get cancelled while the server hangs: %v", err)
	}
	if errors.Is(err, contextstore.ErrUnavailable) {
		t.Errorf("a cancelled call is reported as unavailable: %v", err)
	}

	srv.thaw()
	if err := s.Set(ctx, keys.Frame("f"), contextstore.Value{"back": true}); err != nil {
		t.Fatalf("Set after the server came back: %v", err)
	}
}

// TestBatchSurvivesCrashWhole kills the server while large batches are in
// flight: after the restart each batch is there whole or not at all, and
// every batch that was acknowledged is there.
func TestBatchSurvivesCrashWhole(t *testing.T) {
	srv := startOwnServer(t)
	ctx := context.Background()
	// The hook says when the batch is handed to the connection, so the
	// crash lands while it is in flight rather than before it is sent.
	sending := make(chan struct{}, 1)
	client := redis.NewClient(&redis.Options{Addr: srv.addr(), ContextTimeoutEnabled: true, MaxRetries: -1})
	client.AddHook(sendHook{sending})
	s, err := redisstore.New(client, &redisstore.Options{OpTimeout: 5 * time.Second})
	require.NoError(t, err)
	defer s.Close()
	const frames, perFrame = 4, 2500
	for round := range 8 {
		var batch []contextstore.Mutation
		for f := range frames {
			id := fmt.Sprintf("round%d-frame%d", round, f)
			for i := range perFrame {
				batch = append(batch, contextstore.Put(keys.Row(id, i), contextstore.Value{"i": i, "pad": "0123456789abcdef"}))
			}
		}
		// Warm the pipeline connection, so the batch is cut on the wire,
		// not by a dial to a dead port.
		require.NoError(t, s.Apply(ctx, []contextstore.Mutation{contextstore.Put(keys.Frame("warm"), nil)}))
		<-sending
		done := make(chan error, 1)
		go func() { done <- s.Apply(ctx, batch) }()
		<-sending
		time.Sleep(time.Duration(round) * 3 * time.Millisecond)
		srv.crash()
		applyErr := <-done
		srv.start()
		n := 0
		for f := range frames {
			ks, err := s.ListFrame(ctx, fmt.Sprintf("round%d-frame%d", round, f))
			require.NoError(t, err, "round %d: %v\n%s", round, err, srv.log())
			n += len(ks)
		}
		if n != 0 && n != frames*perFrame {
			t.Fatalf("round %d: %d of %d entries survived the crash: the batch was split", round, n, frames*perFrame)
		}
		if applyErr == nil && n == 0 {
			t.Fatalf("round %d: Apply succeeded but its entries are lost", round)
		}
		if applyErr != nil && !errors.Is(applyErr, contextstore.ErrUnavailable) {
			t.Errorf("round %d: Apply cut by a crash: %v, want ErrUnavailable", round, applyErr)
		}
		t.Logf("round %d: Apply error %v; %d entries after the restart", round, applyErr, n)
	}
}

// sendHook signals on its channel each time a write (a script call or a
// transaction) is about to be written to the connection.
type sendHook struct{ sending chan<- struct{} }

func (sendHook) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h sendHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if name := cmd.Name(); name == "evalsha" || name == "eval" {
			select {
			case h.sending <- struct{}{}:
			default:
			}
		}
		return next(ctx, cmd)
	}
}
func (h sendHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		select {
		case h.sending <- struct{}{}:
		default:
		}
		return next(ctx, cmds)
	}
}
