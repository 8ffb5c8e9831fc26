package redisstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/contextstore/internal/decoratortest"
	"github.com/ctxframe/ctxframe/contextstore/redisstore"
	"github.com/ctxframe/ctxframe/keys"
)

// Benchmarks pair the store with raw go-redis doing the same Redis work on
// the same server in the same run; docs/PERFORMANCE.md reports their
// ratios. Each has two baselines: raw go-redis moving bytes already encoded
// (the floor: the store's validation, encoding, decoding and key parsing
// all count against it), and raw go-redis plus encoding/json, which is what
// code storing the same values without the store does.

// baseline is one raw go-redis way of doing what the store does.
type baseline struct {
	name string
	run  func() error
}

// paired runs the store's operation and its baselines one after the other
// in every iteration, so a change in the machine's load hits them alike
// (the machine is shared), and reports each one's time per operation and
// the store's throughput as a fraction of each baseline's: "x-NAME" is
// NAME's time over the store's, so 0.7 means the store does 70% of the
// baseline's operations per second.
func paired(b *testing.B, store func() error, baselines ...baseline) {
	b.Helper()
	spent := make([]time.Duration, len(baselines))
	var storeSpent time.Duration
	for b.Loop() {
		for i, bl := range baselines {
			start := time.Now()
			require.NoError(b, bl.run())
			spent[i] += time.Since(start)
		}
		start := time.Now()
		require.NoError(b, store())
		storeSpent += time.Since(start)
	}
	n := float64(b.N)
	b.ReportMetric(float64(storeSpent.Nanoseconds())/n, "store-ns/op")
	for i, bl := range baselines {
		b.ReportMetric(float64(spent[i].Nanoseconds())/n, bl.name+"-ns/op")
		b.ReportMetric(float64(spent[i])/float64(storeSpent), "x-"+bl.name)
	}
}

// benchValue is typical column context.
var benchValue = contextstore.Value{
	"unit":        "degC",
	"description": "air temperature at 2 m",
	"quality":     0.97,
	"flags":       []any{"checked", "interpolated"},
	"source":      map[string]any{"station": "LEJ", "id": 10469},
}

func benchSetup(b *testing.B) (*redisstore.Store, redis.UniversalClient, string) {
	b.Helper()
	d := singleNode(b)
	prefix := randomPrefix(b)
	s := d.newStore(b, &redisstore.Options{Prefix: prefix})
	raw := d.newClient()
	b.Cleanup(func() { raw.Close() })
	return s, raw, prefix
}

// smallValue is the smallest useful context.
var smallValue = contextstore.Value{"unit": "m"}

func BenchmarkBatchWrite1000(b *testing.B) {
	b.Run("value=typical", func(b *testing.B) { benchBatchWrite(b, benchValue) })
	b.Run("value=small", func(b *testing.B) { benchBatchWrite(b, smallValue) })
}

func benchBatchWrite(b *testing.B, value contextstore.Value) {
	s, raw, prefix := benchSetup(b)
	ctx := context.Background()
	const n = 1000
	ms := make([]contextstore.Mutation, n)
	fields := make([]any, 0, 2*n)
	for i := range ms {
		k := keys.Cell("bench-batch", i, "temp")
		// Every entry its own map, as in real batches: nothing can be
		// encoded once and reused.
		v := contextstore.Clone(value)
		ms[i] = contextstore.Put(k, v)
		encoded, err := contextstore.MarshalValue(v)
		require.NoError(b, err)
		fields = append(fields, k.Local(), encoded)
	}
	rawHSET := func() error { return raw.HSet(ctx, prefix+"raw-batch", fields...).Err() }
	args := make([]any, 0, 2*n)
	rawJSON := func() error {
		args = args[:0]
		for i := range n {
			data, err := json.Marshal(ms[i].Value)
			if err != nil {
				return err
			}
			args = append(args, ms[i].Key.Local(), data)
		}
		return raw.HSet(ctx, prefix+"raw-batch-json", args...).Err()
	}
	apply := func() error { return s.Apply(ctx, ms) }
	b.Run("raw-HSET", func(b *testing.B) { loop(b, rawHSET) })
	b.Run("raw-json.Marshal+HSET", func(b *testing.B) { loop(b, rawJSON) })
	b.Run("store-Apply", func(b *testing.B) { loop(b, apply) })
	b.Run("paired", func(b *testing.B) {
		paired(b, apply, baseline{"HSET", rawHSET}, baseline{"json+HSET", rawJSON})
	})
}

func BenchmarkGet(b *testing.B) {
	s, raw, prefix := benchSetup(b)
	ctx := context.Background()
	k := keys.Column("bench-get", "temp")
	require.NoError(b, s.Set(ctx, k, benchValue))
	name := hashName(prefix, "bench-get")
	rawHGET := func() error { return raw.HGet(ctx, name, "c:temp").Err() }
	rawJSON := func() error {
		data, err := raw.HGet(ctx, name, "c:temp").Bytes()
		if err != nil {
			return err
		}
		var v map[string]any
		return json.Unmarshal(data, &v)
	}
	get := func() error { _, err := s.Get(ctx, k); return err }
	b.Run("raw-HGET", func(b *testing.B) { loop(b, rawHGET) })
	b.Run("raw-HGET+json.Unmarshal", func(b *testing.B) { loop(b, rawJSON) })
	b.Run("store-Get", func(b *testing.B) { loop(b, get) })
	b.Run("paired", func(b *testing.B) {
		paired(b, get, baseline{"HGET", rawHGET}, baseline{"HGET+json", rawJSON})
	})
}

func BenchmarkFrame10k(b *testing.B) {
	s, raw, prefix := benchSetup(b)
	ctx := context.Background()
	const n = 10000
	ms := make([]contextstore.Mutation, n)
	for i := range ms {
		ms[i] = contextstore.Put(keys.Cell("bench-frame", i, fmt.Sprint("col", i%7)), benchValue)
	}
	require.NoError(b, s.Apply(ctx, ms))
	// The frame's cells are in one hash per column (layout 2): the raw
	// baselines read the same hashes, pipelined.
	var names []string
	for c := range 7 {
		names = append(names, hashName(prefix, "bench-frame")+":x:"+fmt.Sprint("col", c))
	}
	count := func(what string, got int) error {
		if got != n {
			return fmt.Errorf("%s returned %d entries, want %d", what, got, n)
		}
		return nil
	}
	hgetall := func() ([]map[string]string, error) {
		cmds := make([]*redis.MapStringStringCmd, len(names))
		_, err := raw.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, name := range names {
				cmds[i] = p.HGetAll(ctx, name)
			}
			return nil
		})
		out := make([]map[string]string, len(cmds))
		for i, c := range cmds {
			out[i] = c.Val()
		}
		return out, err
	}
	rawHGETALL := func() error {
		ms, err := hgetall()
		if err != nil {
			return err
		}
		got := 0
		for _, m := range ms {
			got += len(m)
		}
		return count("HGETALL", got)
	}
	rawHKEYS := func() error {
		cmds := make([]*redis.StringSliceCmd, len(names))
		_, err := raw.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, name := range names {
				cmds[i] = p.HKeys(ctx, name)
			}
			return nil
		})
		if err != nil {
			return err
		}
		got := 0
		for _, c := range cmds {
			got += len(c.Val())
		}
		return count("HKEYS", got)
	}
	rawJSON := func() error {
		ms, err := hgetall()
		if err != nil {
			return err
		}
		out := make(map[string]map[string]any, n)
		for _, m := range ms {
			for f, data := range m {
				var v map[string]any
				if err := json.Unmarshal([]byte(data), &v); err != nil {
					return err
				}
				out[f] = v
			}
		}
		return count("HGETALL+json", len(out))
	}
	list := func() error {
		ks, err := s.ListFrame(ctx, "bench-frame")
		if err != nil {
			return err
		}
		return count("ListFrame", len(ks))
	}
	read := func() error {
		es, err := s.ReadFrame(ctx, "bench-frame")
		if err != nil {
			return err
		}
		return count("ReadFrame", len(es))
	}
	b.Run("raw-HGETALL", func(b *testing.B) { loop(b, rawHGETALL) })
	b.Run("raw-HKEYS", func(b *testing.B) { loop(b, rawHKEYS) })
	b.Run("raw-HGETALL+json.Unmarshal", func(b *testing.B) { loop(b, rawJSON) })
	b.Run("store-ListFrame", func(b *testing.B) { loop(b, list) })
	b.Run("store-ReadFrame", func(b *testing.B) { loop(b, read) })
	b.Run("paired-ListFrame", func(b *testing.B) {
		paired(b, list, baseline{"HGETALL", rawHGETALL}, baseline{"HKEYS", rawHKEYS})
	})
	b.Run("paired-ReadFrame", func(b *testing.B) {
		paired(b, read, baseline{"HGETALL", rawHGETALL}, baseline{"HGETALL+json", rawJSON})
	})
}

// loop runs op b.N times.
func loop(b *testing.B, op func() error) {
	b.Helper()
	for b.Loop() {
		require.NoError(b, op())
	}
}

// BenchmarkDecorators: docs/PERFORMANCE.md, "Observable and cached stores".
func BenchmarkDecorators(b *testing.B) {
	decoratortest.Bench(b, func(b *testing.B) contextstore.Store {
		s, _, _ := benchSetup(b)
		return s
	})
}
