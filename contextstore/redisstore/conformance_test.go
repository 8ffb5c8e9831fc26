package redisstore_test

import (
	"testing"
	"time"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/contextstore/internal/decoratortest"
	"github.com/ctxframe/ctxframe/contextstore/redisstore"
	"github.com/ctxframe/ctxframe/contextstore/storetest"
)

func TestConformance(t *testing.T) {
	eachDeployment(t, func(t *testing.T, d deployment) {
		storetest.Run(t, func(t *testing.T) contextstore.Store { return d.newStore(t, nil) })
	})
}

// TestConformanceWithTTL runs the suite with FrameTTL set, which turns
// every single write into a MULTI/EXEC.
func TestConformanceWithTTL(t *testing.T) {
	d := singleNode(t)
	storetest.Run(t, func(t *testing.T) contextstore.Store {
		return d.newStore(t, &redisstore.Options{FrameTTL: time.Hour})
	})
}

// TestDecoratedConformance runs the suite through the telemetry and cache
// decorators on every deployment.
func TestDecoratedConformance(t *testing.T) {
	eachDeployment(t, func(t *testing.T, d deployment) {
		decoratortest.Run(t, func(t *testing.T) contextstore.Store { return d.newStore(t, nil) })
	})
}
