package contextstore_test

import (
	"context"
	"errors"
	"math"
	"net/url"
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/contextstore/storetest"
	"github.com/ctxframe/ctxframe/keys"
)

// basicStore hides every optional capability of the store it wraps, so the
// package helpers must fall back to the four basic calls.
type basicStore struct{ s contextstore.Store }

func (b basicStore) Set(ctx context.Context, k keys.Key, v contextstore.Value) error {
	return b.s.Set(ctx, k, v)
}
func (b basicStore) Get(ctx context.Context, k keys.Key) (contextstore.Value, error) {
	return b.s.Get(ctx, k)
}
func (b basicStore) Delete(ctx context.Context, k keys.Key) error { return b.s.Delete(ctx, k) }
func (b basicStore) ListKeys(ctx context.Context) ([]keys.Key, error) {
	return b.s.ListKeys(ctx)
}

// The helpers' fallbacks must keep the whole contract too.
func TestHelpersFallBackToTheBasicCalls(t *testing.T) {
	storetest.Run(t, func(*testing.T) contextstore.Store { return basicStore{contextstore.NewMemoryStore()} })
}

// WithLocalVersions gives a store of basic calls versioned frames that keep
// the whole contract for writers in one process.
func TestLocalVersionsKeepTheContract(t *testing.T) {
	storetest.Run(t, func(*testing.T) contextstore.Store {
		return contextstore.WithLocalVersions(basicStore{contextstore.NewMemoryStore()})
	})
}

// failingStore fails one Set: the one after setsLeft successful calls.
type failingStore struct {
	basicStore
	setsLeft int
}

var errInjected = errors.New("injected failure")

func (f *failingStore) Set(ctx context.Context, k keys.Key, v contextstore.Value) error {
	f.setsLeft--
	if f.setsLeft == -1 {
		return errInjected
	}
	return f.basicStore.Set(ctx, k, v)
}

func TestApplyFallbackRollsBack(t *testing.T) {
	ctx := context.Background()
	mem := contextstore.NewMemoryStore()
	a, b, c := keys.Column("f", "a"), keys.Column("f", "b"), keys.Column("f", "c")
	require.NoError(t, mem.Set(ctx, a, contextstore.Value{"v": "old a"}))
	require.NoError(t, mem.Set(ctx, c, contextstore.Value{"v": "old c"}))
	fs := &failingStore{basicStore: basicStore{mem}, setsLeft: 1}
	err := contextstore.Apply(ctx, fs, []contextstore.Mutation{
		contextstore.Put(a, contextstore.Value{"v": "new a"}),
		contextstore.Remove(c),
		contextstore.Put(b, contextstore.Value{"v": "new b"}), // fails
	})
	require.ErrorIs(t, err, errInjected, "Apply must report the store's failure, got %v", err)
	all, _ := contextstore.ReadFrame(ctx, mem, "f")
	if len(all) != 2 || all[0].Value["v"] != "old a" || all[1].Value["v"] != "old c" {
		t.Fatalf("a failed fallback batch must be undone, store holds %v", all)
	}
}

func TestErrorMatchesKindAndCause(t *testing.T) {
	cause := errors.New("connection reset")
	err := error(contextstore.NewError("get", "redis", keys.Column("f", "a"), contextstore.ErrUnavailable, cause))
	var se *contextstore.Error
	if !errors.Is(err, contextstore.ErrUnavailable) || !errors.Is(err, cause) || !errors.As(err, &se) {
		t.Fatalf("errors.Is/As must see kind and cause: %v", err)
	}
	if se.Key != "ctx1:{f}c:a" || se.Op != "get" || se.Backend != "redis" {
		t.Fatalf("error fields: %+v", se)
	}
	want := `contextstore: redis get "ctx1:{f}c:a": backend unavailable: connection reset`
	if err.Error() != want {
		t.Fatalf("message %q, want %q", err, want)
	}
}

func TestOpen(t *testing.T) {
	ctx := context.Background()
	s, err := contextstore.Open(ctx, "mem://")
	require.NoError(t, err)
	if _, ok := s.(*contextstore.MemoryStore); !ok {
		t.Fatalf("mem:// opened a %T", s)
	}
	for _, u := range []string{"mem://host", "mem://?x=1", "nosuch://x", "::bad"} {
		if _, err := contextstore.Open(ctx, u); !errors.Is(err, contextstore.ErrConfig) {
			t.Errorf("Open(%q) = %v, want ErrConfig", u, err)
		}
	}
}

func TestRegisterTwicePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("registering a scheme twice must panic")
		}
	}()
	contextstore.Register("mem", func(context.Context, *url.URL) (contextstore.Store, error) { return nil, nil })
}

// TestPutOwnedKeepsTheValueHandedOver checks PutOwned on the memory store:
// a value in normal form is kept as it is (the very map, no copy), one
// that is not is kept normalized as Put keeps it, and one that cannot be
// stored is refused as Put refuses it, with nothing written.
func TestPutOwnedKeepsTheValueHandedOver(t *testing.T) {
	ctx := context.Background()
	s := contextstore.NewMemoryStore()
	normal, err := contextstore.UnmarshalValue(`{"unit":"degC","q":[0.5,1,null]}`)
	require.NoError(t, err)
	require.NoError(t, contextstore.Apply(ctx, s, []contextstore.Mutation{
		contextstore.PutOwned(keys.Column("f", "t"), normal),
		contextstore.PutOwned(keys.Column("f", "u"), contextstore.Value{"n": 1, "f": float32(0.5)}),
	}))
	snap, err := contextstore.ReadVersionedShared(ctx, s, "f")
	require.NoError(t, err)
	require.Len(t, snap.Entries, 2)
	require.Equal(t, reflect.ValueOf(normal).UnsafePointer(), reflect.ValueOf(snap.Entries[0].Value).UnsafePointer(),
		"a value handed over in normal form is copied")
	require.Equal(t, contextstore.Value{"n": int64(1), "f": 0.5}, snap.Entries[1].Value)

	err = contextstore.Apply(ctx, s, []contextstore.Mutation{
		contextstore.PutOwned(keys.Column("f", "v"), contextstore.Value{"ok": true}),
		contextstore.PutOwned(keys.Column("f", "w"), contextstore.Value{"nan": math.NaN()}),
	})
	require.ErrorIs(t, err, contextstore.ErrInvalidValue)
	after, err := contextstore.ReadVersionedShared(ctx, s, "f")
	require.NoError(t, err)
	require.Equal(t, snap.State, after.State)
	require.Len(t, after.Entries, 2)
}
