package gota

import (
	"context"
	"testing"

	"github.com/go-gota/gota/dataframe"
	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/adapters/framectx/framectxtest"
	"github.com/ctxframe/ctxframe/contextstore"
)

// The shared context helpers of framectxtest, under short local names.
type ctxMap = framectxtest.Context

var (
	v           = framectxtest.V
	seed        = framectxtest.Seed
	userContext = framectxtest.UserContext
	allContext  = framectxtest.AllContext
	sameContext = framectxtest.SameContext
	diffContext = framectxtest.Diff
)

// bind loads a frame into store under frameID with context m.
func bind(t testing.TB, store contextstore.Store, frameID string, df dataframe.DataFrame, m ctxMap) *Frame {
	t.Helper()
	seed(t, store, frameID, m)
	f, err := New(context.Background(), store, frameID, df, nil)
	require.NoError(t, err)
	return f
}
