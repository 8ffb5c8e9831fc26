package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/contextstore/redisstore"
	"github.com/ctxframe/ctxframe/keys"
)

// hashName is the Redis key a store with prefix keeps frameID in, as the
// package doc defines it.
func hashName(prefix, frameID string) string {
	return prefix + keys.Version + keys.Frame(frameID).HashTag()
}

// requireKind fails unless err is a *contextstore.Error of the redis backend
// whose kind is kind.
func requireKind(t *testing.T, err, kind error) *contextstore.Error {
	t.Helper()
	var se *contextstore.Error
	require.ErrorAs(t, err, &se, "error %v (%T) is not a *contextstore.Error", err, err)
	if se.Backend != "redis" {
		t.Errorf("Backend = %q, want redis", se.Backend)
	}
	require.ErrorIs(t, err, kind, "error %v is not %v", err, kind)
	return se
}

func TestRoundTrip(t *testing.T) {
	eachDeployment(t, func(t *testing.T, d deployment) {
		ctx := context.Background()
		s := d.newStore(t, nil)
		ks := []keys.Key{
			keys.Frame("plain"),
			keys.Column("a{b}c", "x:y"),
			keys.Row("%7B", 12),
			keys.Cell("🙂 frame", 0, ""),
			keys.Column("}{", "{}"),
		}
		values := []contextstore.Value{
			{"unit": "m", "n": 3, "f": 2.0, "big": int64(math.MaxInt64)},
			{"nested": map[string]any{"list": []any{1, "two", 3.5, nil, true}}, "empty": map[string]any{}},
			{"unicode": "naïve — 日本語 \u2028", "quote": `"\`},
			{},
			nil,
		}
		for i, k := range ks {
			if err := s.Set(ctx, k, values[i]); err != nil {
				t.Fatalf("Set(%v): %v", k, err)
			}
		}
		for i, k := range ks {
			got, err := s.Get(ctx, k)
			require.NoError(t, err, "Get(%v): %v", k, err)
			want, err := contextstore.Normalize(values[i])
			require.NoError(t, err)
			if !contextstore.Equal(got, want) {
				t.Errorf("Get(%v) = %#v, want %#v", k, got, want)
			}
			if _, isFloat := got["f"].(float64); i == 0 && !isFloat {
				t.Errorf("2.0 came back as %T, want float64", got["f"])
			}
		}
		listed, err := s.ListKeys(ctx)
		require.NoError(t, err)
		want := slices.Clone(ks)
		keys.Sort(want)
		if !slices.Equal(listed, want) {
			t.Errorf("ListKeys = %v, want %v", listed, want)
		}
	})
}

func TestGetMissingIsNotFound(t *testing.T) {
	eachDeployment(t, func(t *testing.T, d deployment) {
		s := d.newStore(t, nil)
		k := keys.Column("f", "c")
		_, err := s.Get(context.Background(), k)
		se := requireKind(t, err, contextstore.ErrNotFound)
		if se.Key != k.String() {
			t.Errorf("error key = %q, want %q", se.Key, k.String())
		}
		if errors.Is(err, redis.Nil) {
			t.Errorf("redis.Nil leaked to the caller: %v", err)
		}
	})
}

func TestDeleteRemovesAndIsIdempotent(t *testing.T) {
	eachDeployment(t, func(t *testing.T, d deployment) {
		ctx := context.Background()
		s := d.newStore(t, nil)
		k := keys.Row("f", 1)
		if err := s.Delete(ctx, k); err != nil {
			t.Fatalf("Delete of a missing key: %v", err)
		}
		require.NoError(t, s.Set(ctx, k, contextstore.Value{"a": 1}))
		for range 2 {
			require.NoError(t, s.Delete(ctx, k))
		}
		if _, err := s.Get(ctx, k); !errors.Is(err, contextstore.ErrNotFound) {
			t.Fatalf("Get after Delete: %v", err)
		}
		frames, err := s.ListFrames(ctx)
		require.NoError(t, err)
		if len(frames) != 0 {
			t.Errorf("a frame with no entries is still listed: %v", frames)
		}
	})
}

func TestListKeysSpansAllMasters(t *testing.T) {
	eachDeployment(t, func(t *testing.T, d deployment) {
		ctx := context.Background()
		s := d.newStore(t, &redisstore.Options{ScanCount: 7}) // several SCAN pages
		var want []keys.Key
		var ms []contextstore.Mutation
		var frames []string
		for i := range 60 { // 60 frames land on every master of a 3-node Cluster
			id := fmt.Sprintf("frame-%02d", i)
			frames = append(frames, id)
			for _, k := range []keys.Key{keys.Frame(id), keys.Column(id, "b"), keys.Cell(id, i, "a")} {
				want = append(want, k)
				ms = append(ms, contextstore.Put(k, contextstore.Value{"i": i}))
			}
		}
		require.NoError(t, s.Apply(ctx, ms))
		got, err := s.ListKeys(ctx)
		require.NoError(t, err)
		keys.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("ListKeys: got %d keys, want %d\n got %v\nwant %v", len(got), len(want), got, want)
		}
		gotFrames, err := s.ListFrames(ctx)
		require.NoError(t, err)
		if !slices.Equal(gotFrames, frames) {
			t.Errorf("ListFrames = %v, want %v", gotFrames, frames)
		}
	})
}

func TestApplyIsOrderedAndGrouped(t *testing.T) {
	eachDeployment(t, func(t *testing.T, d deployment) {
		ctx := context.Background()
		s := d.newStore(t, nil)
		a, b, c := keys.Column("f1", "a"), keys.Column("f2", "b"), keys.Row("f1", 3)
		require.NoError(t, s.Set(ctx, c, contextstore.Value{"old": true}))
		err := s.Apply(ctx, []contextstore.Mutation{
			contextstore.Put(a, contextstore.Value{"v": 1}),
			contextstore.Remove(a), // set then delete: absent
			contextstore.Remove(b),
			contextstore.Put(b, contextstore.Value{"v": 2}), // delete then set: present
			contextstore.Put(c, contextstore.Value{"v": 3}),
			contextstore.Put(c, contextstore.Value{"v": 4}), // last write wins
		})
		require.NoError(t, err)
		got, err := s.GetMany(ctx, []keys.Key{a, b, c, keys.Frame("nowhere"), b})
		require.NoError(t, err)
		want := []contextstore.Value{nil, {"v": int64(2)}, {"v": int64(4)}, nil, {"v": int64(2)}}
		if len(got) != len(want) {
			t.Fatalf("GetMany returned %d values, want %d", len(got), len(want))
		}
		for i := range want {
			if (got[i] == nil) != (want[i] == nil) || !contextstore.Equal(got[i], want[i]) {
				t.Errorf("GetMany[%d] = %v, want %v", i, got[i], want[i])
			}
		}
		if err := s.Apply(ctx, nil); err != nil {
			t.Errorf("empty Apply: %v", err)
		}
		if vs, err := s.GetMany(ctx, nil); err != nil || len(vs) != 0 {
			t.Errorf("empty GetMany = %v, %v", vs, err)
		}
	})
}

func TestFrameCapabilities(t *testing.T) {
	eachDeployment(t, func(t *testing.T, d deployment) {
		ctx := context.Background()
		s := d.newStore(t, nil)
		entries := []contextstore.Entry{
			{Key: keys.Cell("f", 2, "x"), Value: contextstore.Value{"q": "bad"}},
			{Key: keys.Frame("f"), Value: contextstore.Value{"owner": "ana"}},
			{Key: keys.Column("f", "x"), Value: contextstore.Value{"unit": "kg"}},
			{Key: keys.Row("f", 10), Value: contextstore.Value{}},
			{Key: keys.Row("f", 9), Value: contextstore.Value{"n": 9}},
			{Key: keys.Column("other", "x"), Value: contextstore.Value{"unit": "s"}},
		}
		require.NoError(t, contextstore.SetMany(ctx, s, entries))
		wantKeys := []keys.Key{keys.Frame("f"), keys.Column("f", "x"), keys.Row("f", 9), keys.Row("f", 10), keys.Cell("f", 2, "x")}
		got, err := s.ListFrame(ctx, "f")
		require.NoError(t, err)
		if !slices.Equal(got, wantKeys) {
			t.Errorf("ListFrame = %v, want %v", got, wantKeys)
		}
		read, err := s.ReadFrame(ctx, "f")
		require.NoError(t, err)
		if len(read) != len(wantKeys) {
			t.Fatalf("ReadFrame returned %d entries, want %d", len(read), len(wantKeys))
		}
		for i, e := range read {
			if e.Key != wantKeys[i] {
				t.Errorf("ReadFrame[%d].Key = %v, want %v", i, e.Key, wantKeys[i])
			}
			want, _ := s.Get(ctx, e.Key)
			if !contextstore.Equal(e.Value, want) {
				t.Errorf("ReadFrame[%d].Value = %v, want %v", i, e.Value, want)
			}
		}
		require.NoError(t, s.DropFrame(ctx, "f"))
		if err := s.DropFrame(ctx, "f"); err != nil {
			t.Errorf("dropping an empty frame: %v", err)
		}
		all, err := s.ListKeys(ctx)
		require.NoError(t, err)
		if !slices.Equal(all, []keys.Key{keys.Column("other", "x")}) {
			t.Errorf("after DropFrame ListKeys = %v", all)
		}
		if got, err := s.ListFrame(ctx, "f"); err != nil || len(got) != 0 {
			t.Errorf("ListFrame of a dropped frame = %v, %v", got, err)
		}
	})
}

func TestPrefixesIsolateStores(t *testing.T) {
	eachDeployment(t, func(t *testing.T, d deployment) {
		ctx := context.Background()
		s1, s2 := d.newStore(t, nil), d.newStore(t, nil)
		k := keys.Frame("shared-name")
		require.NoError(t, s1.Set(ctx, k, contextstore.Value{"who": 1}))
		if _, err := s2.Get(ctx, k); !errors.Is(err, contextstore.ErrNotFound) {
			t.Errorf("the other prefix sees the key: %v", err)
		}
		if ks, err := s2.ListKeys(ctx); err != nil || len(ks) != 0 {
			t.Errorf("the other prefix lists %v, %v", ks, err)
		}

		// SCAN MATCH patterns treat * ? [ ] \ specially; a prefix holding
		// them is still one literal namespace.
		base := randomPrefix(t)
		globby := d.newStore(t, &redisstore.Options{Prefix: base + `*?[ab]\:`})
		plain := d.newStore(t, &redisstore.Options{Prefix: base + `xya\:`})
		require.NoError(t, plain.Set(ctx, k, contextstore.Value{"who": "plain"}))
		require.NoError(t, globby.Set(ctx, keys.Frame("mine"), contextstore.Value{"who": "globby"}))
		got, err := globby.ListKeys(ctx)
		if err != nil || !slices.Equal(got, []keys.Key{keys.Frame("mine")}) {
			t.Errorf("a prefix with glob characters lists %v, %v", got, err)
		}
	})
}

func TestFrameTTLIsRefreshedByWrites(t *testing.T) {
	eachDeployment(t, func(t *testing.T, d deployment) {
		ctx := context.Background()
		prefix := randomPrefix(t)
		s := d.newStore(t, &redisstore.Options{Prefix: prefix, FrameTTL: time.Hour})
		raw := s.Client() // the store's own client, for what the store does not expose
		name := hashName(prefix, "f")
		writes := map[string]func() error{
			"Set":    func() error { return s.Set(ctx, keys.Column("f", "a"), contextstore.Value{"a": 1}) },
			"Apply":  func() error { return contextstore.SetMany(ctx, s, []contextstore.Entry{{Key: keys.Frame("f")}}) },
			"Delete": func() error { return s.Delete(ctx, keys.Column("f", "missing")) },
		}
		for _, op := range []string{"Set", "Apply", "Delete"} {
			if op != "Set" {
				// Shorten the TTL behind the store's back; the write must
				// put it back to FrameTTL.
				require.NoError(t, raw.PExpire(ctx, name, time.Minute).Err())
			}
			if err := writes[op](); err != nil {
				t.Fatalf("%s: %v", op, err)
			}
			ttl, err := raw.PTTL(ctx, name).Result()
			require.NoError(t, err)
			if ttl <= 59*time.Minute || ttl > time.Hour {
				t.Errorf("after %s the frame's TTL is %v, want about 1h", op, ttl)
			}
		}
		// Row and cell entries live in hashes (and sets) of their own: a
		// write to any part of the frame refreshes them all.
		require.NoError(t, contextstore.SetMany(ctx, s, []contextstore.Entry{
			{Key: keys.Row("f", 3), Value: contextstore.Value{"ctxframe.state": "x"}},
			{Key: keys.Cell("f", 3, "a"), Value: contextstore.Value{"q": 1}},
		}))
		parts := []string{name, name + ":r", name + ":m", name + ":x", name + ":x:a", name + ":v"}
		for _, part := range parts {
			require.NoError(t, raw.PExpire(ctx, part, time.Minute).Err())
		}
		require.NoError(t, s.Set(ctx, keys.Frame("f"), contextstore.Value{"b": 2}))
		for _, part := range parts {
			ttl, err := raw.PTTL(ctx, part).Result()
			require.NoError(t, err)
			if ttl <= 59*time.Minute || ttl > time.Hour {
				t.Errorf("after a write to the frame, %s has TTL %v, want about 1h", part, ttl)
			}
		}

		short := d.newStore(t, &redisstore.Options{FrameTTL: 50 * time.Millisecond})
		k := keys.Frame("fleeting")
		require.NoError(t, short.Set(ctx, k, contextstore.Value{"a": 1}))
		deadline := time.Now().Add(10 * time.Second)
		for {
			_, err := short.Get(ctx, k)
			if errors.Is(err, contextstore.ErrNotFound) {
				break
			}
			require.NoError(t, err)
			if time.Now().After(deadline) {
				t.Fatal("the frame did not expire")
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}

func TestForeignDataInTheNamespace(t *testing.T) {
	eachDeployment(t, func(t *testing.T, d deployment) {
		ctx := context.Background()
		prefix := randomPrefix(t)
		s := d.newStore(t, &redisstore.Options{Prefix: prefix})
		raw := d.newClient()
		defer raw.Close()
		good := hashName(prefix, "good")
		for _, err := range []error{
			raw.Set(ctx, prefix+"junk", "x", 0).Err(),
			raw.Set(ctx, hashName(prefix, "string"), "x", 0).Err(),
			raw.HSet(ctx, prefix+keys.Version+"{bad%zz}", "f", "{}").Err(),
			raw.HSet(ctx, prefix+keys.Version+"{x}tail", "f", "{}").Err(),
			raw.HSet(ctx, good, "f", `{"ok":true}`, "bogus-field", "{}", "c:corrupt", "not json", "r:1", `[1]`).Err(),
		} {
			require.NoError(t, err)
		}
		got, err := s.ListKeys(ctx)
		require.NoError(t, err)
		want := []keys.Key{keys.Frame("good"), keys.Column("good", "corrupt"), keys.Row("good", 1)}
		if !slices.Equal(got, want) {
			t.Errorf("ListKeys = %v, want %v", got, want)
		}
		frames, err := s.ListFrames(ctx)
		require.NoError(t, err)
		if !slices.Equal(frames, []string{"good"}) {
			t.Errorf("ListFrames = %v, want [good]", frames)
		}
		if v, err := s.Get(ctx, keys.Frame("good")); err != nil || v["ok"] != true {
			t.Errorf("Get(good) = %v, %v", v, err)
		}
		for _, k := range []keys.Key{keys.Column("good", "corrupt"), keys.Row("good", 1)} {
			_, err := s.Get(ctx, k)
			requireKind(t, err, contextstore.ErrBackend)
			_, err = s.GetMany(ctx, []keys.Key{k})
			requireKind(t, err, contextstore.ErrBackend)
		}
		_, err = s.ReadFrame(ctx, "good")
		requireKind(t, err, contextstore.ErrBackend)
		_, err = s.Get(ctx, keys.Frame("string"))
		requireKind(t, err, contextstore.ErrBackend)
	})
}

func TestBadInputChangesNothing(t *testing.T) {
	eachDeployment(t, func(t *testing.T, d deployment) {
		ctx := context.Background()
		s := d.newStore(t, nil)
		good := keys.Column("f", "good")
		require.NoError(t, s.Set(ctx, good, contextstore.Value{"v": 1}))
		bad := keys.Row("f", -1)
		if err := s.Set(ctx, bad, contextstore.Value{}); !errors.Is(err, keys.ErrInvalidKey) {
			t.Errorf("Set with a bad key: %v", err)
		}
		if err := s.Set(ctx, keys.Column("f", "nan"), contextstore.Value{"x": math.NaN()}); err != nil {
			requireKind(t, err, contextstore.ErrInvalidValue)
		} else {
			t.Error("Set of NaN succeeded")
		}
		err := s.Apply(ctx, []contextstore.Mutation{
			contextstore.Remove(good),
			contextstore.Put(keys.Column("f", "new"), contextstore.Value{"v": 2}),
			contextstore.Put(keys.Column("f", "inf"), contextstore.Value{"v": math.Inf(1)}),
		})
		requireKind(t, err, contextstore.ErrInvalidValue)
		var be *contextstore.BatchError
		if !errors.As(err, &be) || len(be.Failures) != 1 || be.Failures[0].Index != 2 {
			t.Errorf("batch error %v does not name entry 2", err)
		}
		if err := s.Apply(ctx, []contextstore.Mutation{contextstore.Remove(good), contextstore.Remove(keys.Key{})}); !errors.Is(err, keys.ErrInvalidKey) {
			t.Errorf("batch with a zero key: %v", err)
		}
		got, err := s.ListKeys(ctx)
		require.NoError(t, err)
		if !slices.Equal(got, []keys.Key{good}) {
			t.Errorf("refused writes changed the store: %v", got)
		}
		for _, id := range []string{"", "\xff"} {
			if _, err := s.ListFrame(ctx, id); !errors.Is(err, keys.ErrInvalidKey) {
				t.Errorf("ListFrame(%q): %v", id, err)
			}
			if _, err := s.ReadFrame(ctx, id); !errors.Is(err, keys.ErrInvalidKey) {
				t.Errorf("ReadFrame(%q): %v", id, err)
			}
			if err := s.DropFrame(ctx, id); !errors.Is(err, keys.ErrInvalidKey) {
				t.Errorf("DropFrame(%q): %v", id, err)
			}
		}
		if _, err := s.GetMany(ctx, []keys.Key{good, bad}); !errors.Is(err, keys.ErrInvalidKey) {
			t.Errorf("GetMany with a bad key: %v", err)
		}
	})
}

// TestBadInputNeedsNoServer shows validation happens before any network
// call: against an address where nothing listens, bad input is still
// refused as bad input, not as an unreachable server.
func TestBadInputNeedsNoServer(t *testing.T) {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1})
	s, err := redisstore.New(client, &redisstore.Options{OpTimeout: time.Second})
	require.NoError(t, err)
	defer s.Close()
	ctx := context.Background()
	if err := s.Set(ctx, keys.Cell("", 0, "c"), nil); !errors.Is(err, keys.ErrInvalidKey) {
		t.Errorf("Set: %v", err)
	}
	if err := s.Set(ctx, keys.Frame("f"), contextstore.Value{"c": make(chan int)}); !errors.Is(err, contextstore.ErrInvalidValue) {
		t.Errorf("Set: %v", err)
	}
	if _, err := s.Get(ctx, keys.Key{}); !errors.Is(err, keys.ErrInvalidKey) {
		t.Errorf("Get: %v", err)
	}
	if err := s.Delete(ctx, keys.Row("f", -2)); !errors.Is(err, keys.ErrInvalidKey) {
		t.Errorf("Delete: %v", err)
	}
	if err := s.Apply(ctx, []contextstore.Mutation{contextstore.Put(keys.Frame("f"), contextstore.Value{"x": math.Inf(-1)})}); !errors.Is(err, contextstore.ErrInvalidValue) {
		t.Errorf("Apply: %v", err)
	}
	// And a good call against it is unavailable, not a hang.
	err = s.Set(ctx, keys.Frame("f"), nil)
	requireKind(t, err, contextstore.ErrUnavailable)
}

func TestCancelledContext(t *testing.T) {
	eachDeployment(t, func(t *testing.T, d deployment) {
		s := d.newStore(t, nil)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		k := keys.Frame("f")
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
		for name, call := range calls {
			err := call()
			var se *contextstore.Error
			if !errors.Is(err, context.Canceled) || !errors.As(err, &se) {
				t.Errorf("%s with a cancelled context: %v", name, err)
			}
		}
		if ks, err := s.ListKeys(context.Background()); err != nil || len(ks) != 0 {
			t.Errorf("cancelled writes changed the store: %v, %v", ks, err)
		}

		// A cause given by the caller is kept beside context.Canceled.
		why := errors.New("user pressed stop")
		cctx, stop := context.WithCancelCause(context.Background())
		stop(why)
		err := s.Set(cctx, k, nil)
		if !errors.Is(err, context.Canceled) || !errors.Is(err, why) {
			t.Errorf("Set with a context cancelled for a cause: %v", err)
		}
	})
}

func TestUseAfterClose(t *testing.T) {
	eachDeployment(t, func(t *testing.T, d deployment) {
		s := d.newStore(t, nil)
		ctx := context.Background()
		require.NoError(t, s.Close())
		if err := s.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
		k := keys.Frame("f")
		for name, call := range map[string]func() error{
			"Set":        func() error { return s.Set(ctx, k, nil) },
			"Get":        func() error { _, err := s.Get(ctx, k); return err },
			"Delete":     func() error { return s.Delete(ctx, k) },
			"ListKeys":   func() error { _, err := s.ListKeys(ctx); return err },
			"Apply":      func() error { return s.Apply(ctx, []contextstore.Mutation{contextstore.Remove(k)}) },
			"GetMany":    func() error { _, err := s.GetMany(ctx, []keys.Key{k}); return err },
			"ListFrame":  func() error { _, err := s.ListFrame(ctx, "f"); return err },
			"ReadFrame":  func() error { _, err := s.ReadFrame(ctx, "f"); return err },
			"DropFrame":  func() error { return s.DropFrame(ctx, "f") },
			"ListFrames": func() error { _, err := s.ListFrames(ctx); return err },
		} {
			if err := call(); !errors.Is(err, contextstore.ErrClosed) {
				t.Errorf("%s after Close: %v", name, err)
			}
		}
	})
}

func TestConcurrentGoroutines(t *testing.T) {
	eachDeployment(t, func(t *testing.T, d deployment) {
		ctx := context.Background()
		s := d.newStore(t, nil)
		const workers, each = 8, 40
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					k := keys.Cell("shared", i, fmt.Sprint("w", w))
					var err error
					if i%2 == 0 {
						err = s.Set(ctx, k, contextstore.Value{"w": w, "i": i})
					} else {
						err = s.Apply(ctx, []contextstore.Mutation{
							contextstore.Put(k, contextstore.Value{"w": w, "i": i}),
							contextstore.Put(keys.Frame(fmt.Sprint("own", w)), contextstore.Value{"last": i}),
						})
					}
					if err == nil {
						_, err = s.Get(ctx, k)
					}
					if err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		ks, err := s.ListFrame(ctx, "shared")
		require.NoError(t, err)
		if len(ks) != workers*each {
			t.Errorf("frame has %d keys, want %d", len(ks), workers*each)
		}
		for w := range workers {
			v, err := s.Get(ctx, keys.Frame(fmt.Sprint("own", w)))
			if err != nil || v["last"] != int64(each-1) {
				t.Errorf("worker %d's frame = %v, %v", w, v, err)
			}
		}
	})
}

func TestNewRefusesBadOptions(t *testing.T) {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer client.Close()
	for name, o := range map[string]redisstore.Options{
		"brace in prefix": {Prefix: "a{b"},
		"negative ttl":    {FrameTTL: -time.Second},
		"sub-ms ttl":      {FrameTTL: time.Microsecond},
		"negative count":  {ScanCount: -1},
	} {
		if _, err := redisstore.New(client, &o); !errors.Is(err, contextstore.ErrConfig) {
			t.Errorf("%s: New = %v, want ErrConfig", name, err)
		}
	}
	if _, err := redisstore.New(nil, nil); !errors.Is(err, contextstore.ErrConfig) {
		t.Errorf("nil client: %v", err)
	}
}

// A batch larger than one script call's argument chunk (7000) is written
// whole, sets and deletes in order.
func TestLargeBatchInOneFrame(t *testing.T) {
	eachDeployment(t, func(t *testing.T, d deployment) {
		ctx := context.Background()
		s := d.newStore(t, nil)
		const n = 9000
		var ms []contextstore.Mutation
		for i := range n {
			ms = append(ms, contextstore.Put(keys.Row("big", i), contextstore.Value{"i": i}))
		}
		for i := 0; i < n; i += 2 {
			ms = append(ms, contextstore.Remove(keys.Row("big", i)))
		}
		ms = append(ms, contextstore.Put(keys.Row("big", 0), contextstore.Value{"back": true}))
		require.NoError(t, s.Apply(ctx, ms))
		es, err := s.ReadFrame(ctx, "big")
		require.NoError(t, err)
		if len(es) != n/2+1 {
			t.Fatalf("after %d sets and %d deletes %d entries remain, want %d", n, n/2, len(es), n/2+1)
		}
		if v, err := s.Get(ctx, keys.Row("big", 0)); err != nil || v["back"] != true {
			t.Fatalf("the last write of a key must win: %v, %v", v, err)
		}
		if v, err := s.Get(ctx, keys.Row("big", 8999)); err != nil || v["i"] != int64(8999) {
			t.Fatalf("row 8999 = %v, %v", v, err)
		}
	})
}
