package contextstore

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every combination of optional capabilities survives both decorators
// exactly, and the narrowed store still unwraps to the store it wraps.
func TestNarrowKeepsExactlyTheCapabilities(t *testing.T) {
	full := Instrument(NewMemoryStore(), Telemetry{}).(interface{ decorator() Decorator }).decorator()
	for mask := range uint(1 << capabilityCount) {
		inner := narrowTo(full, mask)
		require.Equal(t, mask, capabilityMask(inner), "narrowTo(%b)", mask)
		for name, wrapped := range map[string]Store{
			"Instrument": Instrument(inner, Telemetry{}),
			"Cache":      Cache(inner, CacheOptions{}),
		} {
			assert.Equal(t, mask, capabilityMask(wrapped), "%s of a store with capabilities %07b", name, mask)
			assert.Equal(t, inner, Unwrap(wrapped), "%s must unwrap to the store it wraps", name)
		}
	}
	assert.Nil(t, Unwrap(NewMemoryStore()), "a store that decorates nothing unwraps to nil")
}

// narrow_gen.go is what the generator writes today.
func TestNarrowGenIsCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the generator with go run")
	}
	out := filepath.Join(t.TempDir(), "narrow_gen.go")
	cmd := exec.Command("go", "run", "./internal/gennarrow", out)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Run())
	want, err := os.ReadFile(out)
	require.NoError(t, err)
	got, err := os.ReadFile("narrow_gen.go")
	require.NoError(t, err)
	assert.True(t, bytes.Equal(want, got), "narrow_gen.go is stale: run go generate ./contextstore")
}
