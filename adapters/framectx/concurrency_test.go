package framectx

import (
	"context"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore"
)

// TestConcurrentUse shares one Binding and one store between goroutines
// that each derive and rename their own frame; run with -race.
func TestConcurrentUse(t *testing.T) {
	ctx := context.Background()
	s := contextstore.NewMemoryStore()
	load(t, s, "src", srcState())
	b, err := Bind(s, "src", nil)
	require.NoError(t, err)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out := "out" + strconv.Itoa(g)
			c, err := RowsChange(srcIn, out, IndexRows([]int{3, 2, 1, 0}), "sort", "")
			if err == nil {
				_, err = b.Propagate(ctx, c)
			}
			if err == nil {
				outIn := Input{FrameID: out, Shape: srcShape}
				c, err = RenameChange(outIn, out, map[string]string{"a": "z"})
				if err == nil {
					_, err = b.Propagate(ctx, c)
				}
			}
			if err == nil {
				_, err = b.Get(ctx, srcShape, ColumnRef("a"))
			}
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	src := srcState()
	for g := 0; g < 8; g++ {
		got := stripped(read(t, s, "out"+strconv.Itoa(g)))
		assertState(t, "out"+strconv.Itoa(g), got, state{
			"f": src["f"], "c:z": src["c:a"], "c:b": src["c:b"], "c:c": src["c:c"],
			"r:2": src["r:1"], "r:0": src["r:3"],
			"x:3:z": src["x:0:a"], "x:1:b": src["x:2:b"], "x:0:z": src["x:3:a"],
		})
	}
	assertState(t, "src", read(t, s, "src"), srcState())
}
