package shardstore_test

import (
	"context"
	"fmt"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/contextstore/shardstore"
	"github.com/ctxframe/ctxframe/keys"
)

func Example() {
	ctx := context.Background()
	s, err := shardstore.New(
		shardstore.Shard{Name: "eu", Store: contextstore.NewMemoryStore()},
		shardstore.Shard{Name: "us", Store: contextstore.NewMemoryStore()},
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()

	// All of a frame's keys go to one shard, so this batch is atomic.
	_ = contextstore.SetMany(ctx, s, []contextstore.Entry{
		{Key: keys.Frame("sales"), Value: contextstore.Value{"owner": "finance"}},
		{Key: keys.Column("sales", "price"), Value: contextstore.Value{"unit": "EUR"}},
	})
	ks, _ := s.ListKeys(ctx)
	fmt.Println(ks, s.ShardFor("sales") != "")
	// Output:
	// [ctx1:{sales}f ctx1:{sales}c:price] true
}
