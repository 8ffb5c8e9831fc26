package framectx

import (
	"context"
	"fmt"

	"github.com/ctxframe/ctxframe/contextstore"
)

// Propagate reads the entries of c's inputs and output frame from store,
// plans c (see PlanChange) and commits the plan in one contextstore.Apply:
// the output frame's context changes whole or not at all, and a failing
// store leaves it as it was. It returns the plan, whose Notes say what
// context was dropped.
//
// The read and the write are separate calls: a writer changing the same
// frames in between may be overwritten.
func Propagate(ctx context.Context, store contextstore.Store, c Change) (*Plan, error) {
	byFrame := make(map[string][]contextstore.Entry, len(c.Inputs)+1)
	read := func(frameID string) ([]contextstore.Entry, error) {
		if es, ok := byFrame[frameID]; ok {
			return es, nil
		}
		es, err := contextstore.ReadFrame(ctx, store, frameID)
		if err != nil {
			return nil, fmt.Errorf("framectx: propagate %s: reading %q: %w", c.Operation, frameID, err)
		}
		byFrame[frameID] = es
		return es, nil
	}
	inputs := make([][]contextstore.Entry, len(c.Inputs))
	for i, in := range c.Inputs {
		es, err := read(in.FrameID)
		if err != nil {
			return nil, err
		}
		inputs[i] = es
	}
	existing, err := read(c.Output)
	if err != nil {
		return nil, err
	}
	plan, err := PlanChange(c, inputs, existing)
	if err != nil {
		return nil, err
	}
	if len(plan.Mutations) == 0 {
		return plan, nil
	}
	if err := contextstore.Apply(ctx, store, plan.Mutations); err != nil {
		return nil, fmt.Errorf("framectx: propagate %s: %w", c.Operation, err)
	}
	return plan, nil
}
