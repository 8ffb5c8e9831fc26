package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/contextstore/storetest"
	"github.com/ctxframe/ctxframe/keys"
)

// newInternalStore opens a store on CTXFRAME_REDIS_URL under a prefix of
// its own, whose frame "f" and layout marker go when the test ends.
func newInternalStore(t *testing.T) *Store {
	t.Helper()
	opts, err := redis.ParseURL(storetest.ServerEnv(t, storetest.EnvRedisURL))
	if err != nil {
		t.Fatal(err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	s, err := New(redis.NewClient(opts), &Options{Prefix: "ctxtest:" + hex.EncodeToString(b[:]) + ":"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		_ = s.DropFrame(ctx, "f")
		_ = s.client.Del(ctx, s.layoutKey()).Err()
		_ = s.Close()
	})
	return s
}

// TestSwapRefusesWhatIsNotThere checks the two refusals of a remap's swap
// that RemapIf cannot provoke on purpose: a prepared hash that expired
// before the swap, and row entries written between the read and the swap.
// Either way nothing is written and the error says which, so RemapIf
// prepares again.
func TestSwapRefusesWhatIsNotThere(t *testing.T) {
	s := newInternalStore(t)
	ctx := context.Background()
	if err := s.Set(ctx, keys.Row("f", 0), contextstore.Value{"qc": 1}); err != nil {
		t.Fatal(err)
	}
	before, err := s.ReadVersioned(ctx, "f")
	if err != nil {
		t.Fatal(err)
	}
	fk := keys.Frame("f")
	// A prepared hash holding one field where the client wrote two: a
	// chunk that never arrived.
	short := s.frameKey("f") + ":t:short:r"
	if err := s.client.HSet(ctx, short, "r:0", `{"qc":2}`).Err(); err != nil {
		t.Fatal(err)
	}
	defer s.client.Del(ctx, short)
	for _, c := range []struct {
		name  string
		swap  *swap
		cause error
	}{
		{"prepared hash gone", &swap{levels: "1", rows: s.frameKey("f") + ":t:gone:r", rowsN: 1}, errSwapLost},
		{"prepared hash short of a chunk", &swap{levels: "1", rows: short, rowsN: 2}, errSwapLost},
		{"prepared cells short of a chunk", &swap{levels: "1", cells: []preparedCells{{column: "a", hash: short, n: 2}}}, errSwapLost},
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

// TestPrepareStopsAtTheFirstFailedWrite checks a remap's preparation when
// a write fails halfway (here a prepared hash's name is taken by a string,
// so its HSETs fail): finish returns that error once the writers stopped,
// the re-keying that goes on meanwhile neither blocks nor writes further,
// and discard removes what was prepared.
func TestPrepareStopsAtTheFirstFailedWrite(t *testing.T) {
	s := newInternalStore(t)
	ctx := context.Background()

	p := s.prepare(ctx, "f")
	// The cells of column a are prepared first and fine; the rows' hash
	// name is taken.
	for row := range 3 * preparedChunk {
		p.add("a", "x:"+strconv.Itoa(row)+":a", `{"q":1}`)
	}
	if err := s.client.Set(ctx, p.base+":r", "taken", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	defer s.client.Del(ctx, p.base+":r")
	for row := range 20 * preparedChunk {
		p.add("", "r:"+strconv.Itoa(row), `{"qc":1}`)
	}
	w, err := p.finish()
	if err == nil || !strings.Contains(err.Error(), "WRONGTYPE") {
		t.Fatalf("finish returned %v, want the failed HSET's error", err)
	}
	if w.rows != p.base+":r" || len(w.cells) != 1 || w.cells[0].column != "a" {
		t.Fatalf("the swap names %q and %+v", w.rows, w.cells)
	}
	if ttl := s.client.PTTL(ctx, w.cells[0].hash).Val(); ttl <= 0 || ttl > preparedTTL {
		t.Fatalf("a prepared hash has TTL %v, want at most %v", ttl, preparedTTL)
	}
	s.discard(ctx, w)
	if n := s.client.Exists(ctx, w.cells[0].hash).Val(); n != 0 {
		t.Fatal("discard left a prepared hash")
	}
}

// TestPrepareStopsWithItsContext checks a preparation whose context ends
// halfway (the call's deadline): chunks left unwritten are not a prepared
// hash to swap in, so finish says the context ended.
func TestPrepareStopsWithItsContext(t *testing.T) {
	s := newInternalStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	p := s.prepare(ctx, "f")
	// Ended between two writes: no write fails, every chunk is dropped.
	cancel()
	for row := range 10 * preparedChunk {
		p.add("", "r:"+strconv.Itoa(row), `{"qc":1}`)
	}
	w, err := p.finish()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("finish after the context ended returned %v, want context.Canceled", err)
	}
	s.discard(context.Background(), w)
	if n := s.client.Exists(context.Background(), w.rows).Val(); n != 0 {
		t.Fatal("discard left a prepared hash")
	}
}
