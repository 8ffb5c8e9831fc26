package contextstore_test

import (
	"context"

	"testing"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/contextstore/internal/decoratortest"
	"github.com/ctxframe/ctxframe/contextstore/storetest"
	"github.com/ctxframe/ctxframe/keys"
)

func newMemoryStore(*testing.T) contextstore.Store { return contextstore.NewMemoryStore() }

func TestMemoryStoreConformance(t *testing.T) { storetest.Run(t, newMemoryStore) }

func TestMemoryStoreDecoratedConformance(t *testing.T) { decoratortest.Run(t, newMemoryStore) }

// A store without versioned frames keeps that lack through every decorator.
func TestUnversionedDecoratedConformance(t *testing.T) {
	decoratortest.Run(t, func(*testing.T) contextstore.Store { return plainStore{contextstore.NewMemoryStore()} })
}

// plainStore is a store with the basic methods only.
type plainStore struct{ s *contextstore.MemoryStore }

func (p plainStore) Set(ctx context.Context, k keys.Key, v contextstore.Value) error {
	return p.s.Set(ctx, k, v)
}
func (p plainStore) Get(ctx context.Context, k keys.Key) (contextstore.Value, error) {
	return p.s.Get(ctx, k)
}
func (p plainStore) Delete(ctx context.Context, k keys.Key) error     { return p.s.Delete(ctx, k) }
func (p plainStore) ListKeys(ctx context.Context) ([]keys.Key, error) { return p.s.ListKeys(ctx) }
