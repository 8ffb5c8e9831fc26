package framectxtest

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

func TestFailingStore(t *testing.T) {
	ctx := context.Background()
	s := NewFailingStore(contextstore.NewMemoryStore())
	k := keys.Frame("f")
	require.NoError(t, s.Set(ctx, k, contextstore.Value{"a": 1}))
	s.FailApply(2)
	ms := []contextstore.Mutation{contextstore.Put(keys.Column("f", "x"), contextstore.Value{"b": 2}), contextstore.Remove(k)}
	if err := s.Apply(ctx, ms[:1]); err != nil {
		t.Fatalf("first Apply failed: %v", err)
	}
	err := s.Apply(ctx, ms)
	var se *contextstore.Error
	if !errors.As(err, &se) || !errors.Is(err, contextstore.ErrUnavailable) || !errors.Is(err, ErrInjected) || se.Op != "apply" {
		t.Fatalf("second Apply = %v, want the injected failure", err)
	}
	if v, err := s.Inner().Get(ctx, k); err != nil || v["a"] != int64(1) {
		t.Fatalf("failed Apply changed the store: %v, %v", v, err)
	}
	if err := s.Apply(ctx, ms); err != nil {
		t.Fatalf("third Apply failed: %v", err)
	}
	if n := s.Calls(OpApply); n != 3 {
		t.Errorf("Calls(apply) = %d, want 3", n)
	}

	ops := []struct {
		op   Op
		call func() error
	}{
		{OpSet, func() error { return s.Set(ctx, k, nil) }},
		{OpGet, func() error { _, err := s.Get(ctx, k); return err }},
		{OpDelete, func() error { return s.Delete(ctx, k) }},
		{OpListKeys, func() error { _, err := s.ListKeys(ctx); return err }},
		{OpGetMany, func() error { _, err := s.GetMany(ctx, []keys.Key{k}); return err }},
		{OpApply, func() error { return s.Apply(ctx, nil) }},
	}
	for _, o := range ops {
		s.FailAlways(o.op)
		for i := 0; i < 2; i++ {
			if err := o.call(); !errors.Is(err, ErrInjected) {
				t.Errorf("%s with FailAlways = %v", o.op, err)
			}
		}
		s.Reset()
		if err := o.call(); errors.Is(err, ErrInjected) {
			t.Errorf("%s after Reset still fails", o.op)
		}
	}
	require.NoError(t, s.Close())
	if _, err := s.Get(ctx, k); !errors.Is(err, contextstore.ErrClosed) {
		t.Errorf("Get after Close = %v, want ErrClosed", err)
	}
}
