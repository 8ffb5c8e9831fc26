package contextstore_test

import (
	"testing"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/contextstore/internal/decoratortest"
)

// BenchmarkDecorators: docs/PERFORMANCE.md, "Observable and cached stores".
func BenchmarkDecorators(b *testing.B) {
	decoratortest.Bench(b, func(*testing.B) contextstore.Store { return contextstore.NewMemoryStore() })
}
