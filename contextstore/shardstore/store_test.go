package shardstore_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/contextstore/internal/decoratortest"
	"github.com/ctxframe/ctxframe/contextstore/shardstore"
	"github.com/ctxframe/ctxframe/contextstore/storetest"
	"github.com/ctxframe/ctxframe/keys"
)

func memShards(n int) []shardstore.Shard {
	shards := make([]shardstore.Shard, n)
	for i := range shards {
		shards[i] = shardstore.Shard{Name: fmt.Sprintf("node-%d", i), Store: contextstore.NewMemoryStore()}
	}
	return shards
}

func newShardedStore(t *testing.T) contextstore.Store {
	s, err := shardstore.New(memShards(3)...)
	require.NoError(t, err)
	return s
}

func TestConformance(t *testing.T) { storetest.Run(t, newShardedStore) }

func TestDecoratedConformance(t *testing.T) { decoratortest.Run(t, newShardedStore) }

func TestFrameLivesOnOneShard(t *testing.T) {
	ctx := context.Background()
	shards := memShards(4)
	s, err := shardstore.New(shards...)
	require.NoError(t, err)
	for f := 0; f < 200; f++ {
		frame := fmt.Sprintf("frame-%d", f)
		err := s.Apply(ctx, []contextstore.Mutation{
			contextstore.Put(keys.Frame(frame), contextstore.Value{}),
			contextstore.Put(keys.Column(frame, "a"), contextstore.Value{}),
			contextstore.Put(keys.Cell(frame, 9, "a"), contextstore.Value{}),
		})
		require.NoError(t, err)
		holders := 0
		for _, sh := range shards {
			ks, _ := contextstore.ListFrame(ctx, sh.Store, frame)
			if len(ks) == 3 {
				holders++
				if sh.Name != s.ShardFor(frame) {
					t.Fatalf("frame %s is on %s, ShardFor says %s", frame, sh.Name, s.ShardFor(frame))
				}
			} else if len(ks) != 0 {
				t.Fatalf("frame %s is split: %d keys on %s", frame, len(ks), sh.Name)
			}
		}
		if holders != 1 {
			t.Fatalf("frame %s is on %d shards, want 1", frame, holders)
		}
	}
}

// Rendezvous hashing: frames spread evenly, and a new shard takes about
// 1/(N+1) of the frames, all of them from the old shards to the new one.
func TestBalanceAndMinimalMovement(t *testing.T) {
	const frames = 20000
	four, _ := shardstore.New(memShards(4)...)
	five, _ := shardstore.New(memShards(5)...)
	counts := map[string]int{}
	moved := 0
	for i := 0; i < frames; i++ {
		id := fmt.Sprintf("dataset/%d", i)
		before, after := four.ShardFor(id), five.ShardFor(id)
		counts[before]++
		if before != after {
			moved++
			if after != "node-4" {
				t.Fatalf("frame %s moved between old shards %s -> %s", id, before, after)
			}
		}
	}
	for name, n := range counts {
		if n < frames/4*85/100 || n > frames/4*115/100 {
			t.Errorf("shard %s holds %d of %d frames, want about %d (within 15%%)", name, n, frames, frames/4)
		}
	}
	if share := float64(moved) / frames; share < 0.17 || share > 0.23 {
		t.Errorf("adding a 5th shard moved %.1f%% of frames, want about 20%%", 100*share)
	}
}

func TestAssignmentIsStable(t *testing.T) {
	// Pinned: processes of every version must agree on where a frame lives.
	s, _ := shardstore.New(memShards(3)...)
	got := []string{s.ShardFor("weather"), s.ShardFor("sales"), s.ShardFor("🧪")}
	want := []string{"node-2", "node-2", "node-1"}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("assignment changed: got %v, want %v; changing it strands existing data", got, want)
		}
	}
}

func TestNewRejectsBadShards(t *testing.T) {
	m := contextstore.NewMemoryStore()
	for name, shards := range map[string][]shardstore.Shard{
		"none":       nil,
		"empty name": {{Name: "", Store: m}},
		"nil store":  {{Name: "a"}},
		"duplicate":  {{Name: "a", Store: m}, {Name: "a", Store: m}},
	} {
		if _, err := shardstore.New(shards...); !errors.Is(err, contextstore.ErrConfig) {
			t.Errorf("%s: New = %v, want ErrConfig", name, err)
		}
	}
}

func TestOpenURL(t *testing.T) {
	ctx := context.Background()
	s, err := contextstore.Open(ctx, "shard://?store=mem://&store=mem://")
	require.NoError(t, err)
	ss := s.(*shardstore.Store)
	if n := len(ss.Shards()); n != 2 || ss.Shards()[1].Name != "s1" {
		t.Fatalf("opened %d shards: %+v", n, ss.Shards())
	}
	require.NoError(t, s.Set(ctx, keys.Frame("x"), contextstore.Value{"a": 1}))
	for _, bad := range []string{"shard://", "shard://?store=mem://&x=1", "shard://host?store=mem://", "shard://?store=nosuch://"} {
		if _, err := contextstore.Open(ctx, bad); !errors.Is(err, contextstore.ErrConfig) {
			t.Errorf("Open(%q) = %v, want ErrConfig", bad, err)
		}
	}
}
