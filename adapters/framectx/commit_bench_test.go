package framectx

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore"
	_ "github.com/ctxframe/ctxframe/contextstore/redisstore" // redis:// for Open
	_ "github.com/ctxframe/ctxframe/contextstore/sqlstore"   // sqlite:// for Open
	"github.com/ctxframe/ctxframe/contextstore/storetest"
	"github.com/ctxframe/ctxframe/keys"
)

// BenchmarkCommitPaired compares the conditional commit path with the
// unconditional one it replaced, alternating them in one loop on the same
// store: an in-place rename of one column of a frame with frame and 100
// column entries (read, plan, write), and a 1000-entry batch (write only,
// guarded by the layout epoch as a binding's annotation writes are).
// "xcond" is the ratio of their times.
func BenchmarkCommitPaired(b *testing.B) {
	stores := map[string]func(b *testing.B) contextstore.Store{
		"mem": func(*testing.B) contextstore.Store { return contextstore.NewMemoryStore() },
		"sqlite": func(b *testing.B) contextstore.Store {
			return benchOpen(b, "sqlite://"+filepath.Join(b.TempDir(), "bench.db"))
		},
		"redis": func(b *testing.B) contextstore.Store {
			u := storetest.ServerEnv(b, storetest.EnvRedisURL)
			return benchOpen(b, u+"?prefix=bench"+fmt.Sprint(time.Now().UnixNano())+":")
		},
	}
	for _, name := range []string{"mem", "sqlite", "redis"} {
		b.Run(name+"/rename100", func(b *testing.B) {
			s := stores[name](b)
			ctx := context.Background()
			cols := make([]string, 100)
			var ms []contextstore.Mutation
			ms = append(ms, contextstore.Put(keys.Frame("u"), contextstore.Value{"title": "bench"}),
				contextstore.Put(keys.Frame("c"), contextstore.Value{"title": "bench"}))
			for i := range cols {
				cols[i] = fmt.Sprintf("col%02d", i)
				v := contextstore.Value{"unit": "m", "description": "a column of the benchmark frame"}
				ms = append(ms, contextstore.Put(keys.Column("u", cols[i]), v), contextstore.Put(keys.Column("c", cols[i]), v))
			}
			require.NoError(b, contextstore.Apply(ctx, s, ms))
			renamed := append([]string{"renamed"}, cols[1:]...)
			change := func(id string, from, to []string, old, new string) Change {
				c, err := RenameChange(Input{FrameID: id, Shape: Shape{Columns: from, Rows: 10}}, id, map[string]string{old: new})
				require.NoError(b, err)
				return c
			}
			var spent [2]time.Duration
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				from, to, old, nw := cols, renamed, "col00", "renamed"
				if i%2 == 1 {
					from, to, old, nw = renamed, cols, "renamed", "col00"
				}
				start := time.Now()
				require.NoError(b, unconditionalPropagate(ctx, s, change("u", from, to, old, nw)))
				spent[0] += time.Since(start)
				start = time.Now()
				if _, err := Propagate(ctx, s, change("c", from, to, old, nw)); err != nil {
					b.Fatal(err)
				}
				spent[1] += time.Since(start)
			}
			reportPair(b, spent)
		})
		b.Run(name+"/batch1000", func(b *testing.B) {
			s := stores[name](b)
			ctx := context.Background()
			batch := func(id string, round int) []contextstore.Mutation {
				ms := make([]contextstore.Mutation, 1000)
				for i := range ms {
					ms[i] = contextstore.Put(keys.Row(id, i), contextstore.Value{"quality": "ok", "round": round, "checked_by": "qc-service"})
				}
				return ms
			}
			var spent [2]time.Duration
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				start := time.Now()
				require.NoError(b, contextstore.Apply(ctx, s, batch("u", i)))
				spent[0] += time.Since(start)
				start = time.Now()
				// As a binding writes: guarded by the layout epoch it holds.
				g := contextstore.AtEpoch("c", 0)
				if _, err := contextstore.ApplyIf(ctx, s, []contextstore.Guard{g}, batch("c", i)); err != nil {
					b.Fatal(err)
				}
				spent[1] += time.Since(start)
			}
			reportPair(b, spent)
		})
	}
}

// unconditionalPropagate is the commit path before versioned frames: read,
// plan, write with nothing checking the frame in between. It is the
// baseline the conditional path is measured against.
func unconditionalPropagate(ctx context.Context, s contextstore.Store, c Change) error {
	existing, err := contextstore.ReadFrame(ctx, s, c.Output)
	if err != nil {
		return err
	}
	plan, err := PlanChange(c, [][]contextstore.Entry{existing}, existing)
	if err != nil {
		return err
	}
	return contextstore.Apply(ctx, s, plan.Mutations)
}

func reportPair(b *testing.B, spent [2]time.Duration) {
	b.ReportMetric(float64(spent[0].Nanoseconds())/float64(b.N), "ns/unconditional")
	b.ReportMetric(float64(spent[1].Nanoseconds())/float64(b.N), "ns/conditional")
	b.ReportMetric(float64(spent[1])/float64(spent[0]), "xcond")
}

func benchOpen(b *testing.B, url string) contextstore.Store {
	s, err := contextstore.Open(context.Background(), url)
	require.NoError(b, err)
	b.Cleanup(func() { contextstore.Close(s) })
	return s
}
