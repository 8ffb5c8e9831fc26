package framectx

import (
	"context"

	"github.com/ctxframe/ctxframe/contextstore"
)

// Propagate plans c against the current entries of its inputs and output
// frame and commits the plan in one conditional write: the output frame's
// context changes whole or not at all, only if none of the frames read was
// written in between (else it reads and plans again, at most MaxAttempts
// times), and a failing store leaves it as it was. It returns the plan,
// whose Notes say what context was dropped. Layout epochs are not checked
// here (no binding says which the data matches): adapters commit through
// Binding.Commit, which checks them.
func Propagate(ctx context.Context, store contextstore.Store, c Change) (*Plan, error) {
	plan, _, err := commitChange(ctx, store, readsOf(c), c.Output, func([][]contextstore.Entry) (Change, error) { return c, nil }, true)
	return plan, err
}

// readsOf lists the frames c reads, without epoch checks.
func readsOf(c Change) []frameRead {
	ins := make([]frameRead, len(c.Inputs))
	for i, in := range c.Inputs {
		ins[i] = frameRead{frameID: in.FrameID}
	}
	return ins
}
