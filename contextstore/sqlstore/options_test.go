package sqlstore

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestOptionsDefaults(t *testing.T) {
	got, err := (*Options)(nil).resolved()
	require.NoError(t, err, "nil options")
	want := Options{Table: DefaultTable, OpTimeout: DefaultOpTimeout, BusyTimeout: DefaultBusyTimeout, Retries: DefaultRetries, MaxConns: DefaultMaxConns}
	if got != want {
		t.Fatalf("defaults %+v, want %+v", got, want)
	}
}

// TestOptionsResolveOnce checks that resolving twice (Open resolves, then
// the store does) keeps "disabled" disabled instead of turning it back
// into a default.
func TestOptionsResolveOnce(t *testing.T) {
	in := Options{Table: "t", OpTimeout: -1, Retries: -1, BusyTimeout: time.Millisecond, MaxConns: 3}
	once, err := in.resolved()
	require.NoError(t, err)
	twice, err := once.resolved()
	require.NoError(t, err)
	if once != in || twice != in {
		t.Fatalf("resolved %+v then %+v, want %+v both times", once, twice, in)
	}
}
