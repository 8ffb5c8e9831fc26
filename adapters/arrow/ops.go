package arrow

import (
	"context"
	"errors"
	"fmt"
	"github.com/ctxframe/ctxframe/contextstore"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/ctxframe/ctxframe/adapters/framectx"
)

// identity returns [0, 1, ..., n-1].
func identity(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// Op is one operation on Arrow data together with the way it moves
// context, built by Slice, Take, Filter, Select, Drop, Rename, SetColumn,
// SetChunkedColumn, CastColumn, WithSchemaMetadata, WithFieldMetadata and
// Concat, and run by Apply (in place) or Derive (into a new frame ID) of a
// Record or a Table. An Op holds its arguments only (arrays and frames it
// names are borrowed: keep them alive until the Op has run); it may be
// applied to several frames.
type Op struct {
	name   string
	policy framectx.Policy
	run    func(ctx context.Context, f *boundData, cfg opConfig) (*boundData, *framectx.Plan, error)
}

// WithPolicy returns o with the merge policy for context that several
// inputs feed into one output (Concat): frame and column context, and the
// Arrow key/value metadata of the schema and of each field.
// framectx.DefaultPolicy, the default, uses the frame's Options.Policy.
func (o Op) WithPolicy(p framectx.Policy) Op { o.policy = p; return o }

// String returns the operation's name, as lineage records it.
func (o Op) String() string { return o.name }

// Report says what an operation did to context.
type Report = framectx.Report

// opConfig is how an Op runs: into which frame ID ("" for in place) and
// with which merge policy.
type opConfig struct {
	to     string
	policy framectx.Policy
}

// runOp runs op on f, in place when to is "" and into frame ID to
// otherwise.
func runOp(ctx context.Context, f *boundData, to string, op Op) (_ *boundData, rep Report, err error) {
	rep = Report{Op: op.name}
	output := to
	if output == "" {
		output = f.bind.FrameID()
	}
	ctx, end := contextstore.StartOperation(ctx, f.bind.Store(), "arrow."+op.name, output)
	defer func() { end(err) }()
	if op.run == nil {
		return nil, rep, opError("apply", "", ErrInvalidArgument, errors.New("zero Op: build one with Slice, Rename, Sort and the other constructors"))
	}
	if err := f.live(op.name); err != nil {
		return nil, rep, err
	}
	out, plan, err := op.run(ctx, f, opConfig{to: to, policy: op.policy})
	if err != nil {
		return nil, rep, err
	}
	rep.Written = plan.Written()
	rep.Notes = plan.Notes
	return out, rep, nil
}

// recovered runs fn, turning a panic inside arrow-go's compute kernels into
// an error: an input the kernels do not expect must not bring the program
// down.
func recovered(fn func() (arrow.Array, error)) (out arrow.Array, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, panicError{r}
		}
	}()
	return fn()
}

// errRowCount reports a compute kernel whose result has an unexpected
// number of rows.
var errRowCount = errors.New("arrow-go returned a column of the wrong length")

// panicError is a panic inside arrow-go, recovered and reported as an error.
type panicError struct{ v any }

func (e panicError) Error() string { return fmt.Sprintf("arrow-go panicked: %v", e.v) }
