package shardstore

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

func init() { contextstore.Register("shard", openURL) }

// openURL opens "shard://?store=URL&store=URL...": each store by its own URL
// through contextstore.Open, named s0, s1, ... in order.
func openURL(ctx context.Context, u *url.URL) (contextstore.Store, error) {
	configErr := func(err error) error {
		return contextstore.NewError("open", backend, keys.Key{}, contextstore.ErrConfig, err)
	}
	if u.Host != "" || (u.Path != "" && u.Path != "/") {
		return nil, configErr(fmt.Errorf("shardstore: shard:// takes no host or path, got %q", u.Redacted()))
	}
	q := u.Query()
	for name := range q {
		if name != "store" {
			return nil, configErr(fmt.Errorf("shardstore: unknown parameter %q (only store=URL)", name))
		}
	}
	urls := q["store"]
	if len(urls) == 0 {
		return nil, configErr(errors.New("shardstore: shard:// needs at least one store=URL parameter"))
	}
	shards := make([]Shard, 0, len(urls))
	closeAll := func() {
		for _, sh := range shards {
			_ = contextstore.Close(sh.Store)
		}
	}
	for i, raw := range urls {
		st, err := contextstore.Open(ctx, raw)
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("shardstore: shard s%d: %w", i, err)
		}
		shards = append(shards, Shard{Name: "s" + strconv.Itoa(i), Store: st})
	}
	s, err := New(shards...)
	if err != nil {
		closeAll()
		return nil, err
	}
	return s, nil
}
