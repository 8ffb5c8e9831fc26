package arrow

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/adapters/framectx/framectxtest"
	"github.com/ctxframe/ctxframe/contextstore"
)

// failPoints are the store calls an operation makes, failed one at a time:
// the read of the inputs' context and the atomic commit.
var failPoints = []struct {
	name string
	arm  func(s *framectxtest.FailingStore)
}{
	{"read", func(s *framectxtest.FailingStore) { s.FailAlways(framectxtest.OpListKeys) }},
	{"commit", func(s *framectxtest.FailingStore) { s.FailApply(1) }},
}

func TestStoreFailureLeavesDataAndContextUnchanged(t *testing.T) {
	ctx := context.Background()
	for _, kind := range kinds {
		for _, tc := range propagationCases() {
			for _, fp := range failPoints {
				for _, derive := range []bool{false, true} {
					mode := "in place"
					if derive {
						mode = "new frame"
					}
					t.Run(kind.name+"/"+tc.name+"/"+fp.name+"/"+mode, func(t *testing.T) {
						mem := checkedAlloc(t)
						store := framectxtest.NewFailingStore(contextstore.NewMemoryStore())
						src := kind.bind(t, mem, store, "src", 5, srcContext())
						var other Frame
						if tc.needsOther {
							other = kind.bind(t, mem, store, "other", 3, otherContext())
						}
						op := tc.op(t, mem, other)
						if tc.policy != framectx.DefaultPolicy {
							op = op.WithPolicy(tc.policy)
						}
						before := allContext(t, store.Inner(), "src")
						beforeSchema := src.core().data.schema()
						fp.arm(store)
						var err error
						if derive {
							_, err = deriveOp(t, ctx, src, "out", op)
						} else {
							_, err = applyOp(ctx, src, op)
						}
						store.Reset()
						if tc.noWritesInPlace && !derive && fp.name == "commit" {
							// Nothing to commit: the operation succeeds and
							// the context stays as it was.
							require.NoError(t, err)
							sameContext(t, allContext(t, store.Inner(), "src"), before)
							return
						}
						if !errors.Is(err, framectxtest.ErrInjected) || !errors.Is(err, contextstore.ErrUnavailable) {
							t.Fatalf("error %v, want the injected store failure", err)
						}
						if got := columnNames(src); !slices.Equal(got, []string{"id", "name", "temp"}) {
							t.Fatalf("columns changed to %v", got)
						}
						if got := int64s(t, src, "id"); !slices.Equal(got, []int64{0, 1, 2, 3, 4}) {
							t.Fatalf("ids changed to %v", got)
						}
						if !src.core().data.schema().Equal(beforeSchema) {
							t.Fatalf("schema changed to %v", src.core().data.schema())
						}
						sameContext(t, allContext(t, store.Inner(), "src"), before)
						sameContext(t, allContext(t, store.Inner(), "out"), ctxMap{})
					})
				}
			}
		}
	}
}
