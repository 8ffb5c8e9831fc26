package redisstore

import (
	"context"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/ctxframe/ctxframe/contextstore"
)

// BenchmarkPlanRemap is RemapIf's work in the client for a frame of 1M row
// entries as read (a sort's permutation): parsing the fields, re-keying,
// naming the new fields. It needs no server.
func BenchmarkPlanRemap(b *testing.B) {
	const n = 1_000_000
	all := make([]redis.KeyValue, n)
	for i := range n {
		all[i] = redis.KeyValue{Key: "r:" + strconv.Itoa(i), Value: `{"qc":"ok","score":` + strconv.Itoa(i) + `,"source":"qc-job-7"}`}
	}
	read := hashReads{pairs: []*redis.KeyValueSliceCmd{
		redis.NewKeyValueSliceCmd(context.Background()),
		redis.NewKeyValueSliceCmd(context.Background()),
	}}
	read.pairs[1].SetVal(all)
	sources := rand.Perm(n)
	r := contextstore.Remap{Sources: sources, Rows: n}
	b.ReportAllocs()
	for b.Loop() {
		moved := 0
		_, err := planRemap(read, nil, nil, r, func(_, _, _ string) { moved++ })
		if err != nil || moved != n {
			b.Fatalf("%d entries, %v", moved, err)
		}
	}
}
