package contextstore_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// The decorators' URL parameters wrap the store; the backend never sees
// them, and the store keeps its capabilities.
func TestOpenWrapsByURLParameters(t *testing.T) {
	ctx := context.Background()
	s, err := contextstore.Open(ctx, "mem://?telemetry=true&cache=100&cache_max_stale=1s")
	require.NoError(t, err)
	defer contextstore.Close(s)
	_, cached := contextstore.CacheStatsOf(s)
	assert.True(t, cached, "cache=100 puts a cache in front")
	cache := contextstore.Unwrap(s)
	require.NotNil(t, cache, "telemetry=true wraps the cache")
	_, isMem := contextstore.Unwrap(cache).(*contextstore.MemoryStore)
	assert.True(t, isMem, "the cache wraps the backend")
	assert.True(t, contextstore.Versioned(s), "the decorators keep the capabilities")

	plain, err := contextstore.Open(ctx, "mem://")
	require.NoError(t, err)
	assert.Nil(t, contextstore.Unwrap(plain), "no parameter, no decorator")

	for _, bad := range []string{"mem://?telemetry=maybe", "mem://?cache=-1", "mem://?cache=lots", "mem://?cache_max_stale=soon", "mem://?cache=10&x=1"} {
		_, err := contextstore.Open(ctx, bad)
		assert.ErrorIs(t, err, contextstore.ErrConfig, bad)
	}
}

// Options set the same from code; telemetry names the URL's scheme as the
// backend.
func TestOpenWithOptions(t *testing.T) {
	ctx := context.Background()
	tel := newTelemetry(t)
	s, err := contextstore.Open(ctx, "mem://", contextstore.WithTelemetry(contextstore.Telemetry{TracerProvider: tel.tp, MeterProvider: tel.mp}),
		contextstore.WithCache(contextstore.CacheOptions{MaxEntries: 10}))
	require.NoError(t, err)
	require.NoError(t, s.Set(ctx, keys.Frame("f"), contextstore.Value{}))
	spans := tel.spans.GetSpans()
	require.Len(t, spans, 1)
	assert.Equal(t, "mem", attrs(spans[0])[contextstore.AttrBackend].AsString())
	_, cached := contextstore.CacheStatsOf(s)
	assert.True(t, cached)
}
