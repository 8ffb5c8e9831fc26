package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/contextstore/storetest"
	"github.com/ctxframe/ctxframe/keys"
)

// TestSwapRefusesWhatIsNotThere checks the two refusals of a remap's swap
// that RemapIf cannot provoke on purpose: a prepared hash that expired
// before the swap, and row entries written between the read and the swap.
// Either way nothing is written and the error says which, so RemapIf
// prepares again.
func TestSwapRefusesWhatIsNotThere(t *testing.T) {
	opts, err := redis.ParseURL(storetest.ServerEnv(t, storetest.EnvRedisURL))
	if err != nil {
		t.Fatal(err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	prefix := "ctxtest:" + hex.EncodeToString(b[:]) + ":"
	s, err := New(redis.NewClient(opts), &Options{Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	t.Cleanup(func() {
		_ = s.DropFrame(ctx, "f")
		_ = s.client.Del(ctx, s.layoutKey()).Err()
		_ = s.Close()
	})
	if err := s.Set(ctx, keys.Row("f", 0), contextstore.Value{"qc": 1}); err != nil {
		t.Fatal(err)
	}
	before, err := s.ReadVersioned(ctx, "f")
	if err != nil {
		t.Fatal(err)
	}
	fk := keys.Frame("f")
	for _, c := range []struct {
		name  string
		swap  *swap
		cause error
	}{
		{"prepared hash gone", &swap{levels: "1", rows: s.frameKey("f") + ":t:gone:r"}, errSwapLost},
		{"rows written since the read", &swap{levels: "0"}, errLevelsMoved},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.commitSwap(ctx, "remapif", fk, nil, []contextstore.Mutation{contextstore.Put(keys.Frame("f"), contextstore.Value{"x": 1})}, "", "f", c.swap)
			if !errors.Is(err, contextstore.ErrConflict) || !errors.Is(err, c.cause) {
				t.Fatalf("got %v, want a conflict caused by %v", err, c.cause)
			}
			after, err := s.ReadVersioned(ctx, "f")
			if err != nil {
				t.Fatal(err)
			}
			if after.State != before.State || len(after.Entries) != 1 {
				t.Fatalf("a refused swap wrote: %+v -> %+v, %d entries", before.State, after.State, len(after.Entries))
			}
		})
	}
}
