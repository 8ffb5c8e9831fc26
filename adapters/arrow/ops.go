package arrow

import (
	"context"
	"errors"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/ctxframe/ctxframe/adapters/framectx"
)

// body is the Arrow data a Record or Table holds, seen through the
// operations the adapter needs. Every method that returns a body returns a
// new reference the caller releases; the receiver is left untouched.
type body interface {
	schema() *arrow.Schema
	numRows() int64
	// slice returns rows [i, j); the caller has checked the range.
	slice(i, j int64) body
	// project returns the columns at idx under schema s, whose fields are
	// those columns' (possibly renamed or re-annotated) fields.
	project(s *arrow.Schema, idx []int) body
	// chunked returns column i as a chunked array (a new reference).
	chunked(i int) *arrow.Chunked
	// array returns column i as one contiguous array (a new reference),
	// concatenating chunks when there are several.
	array(i int) (arrow.Array, error)
	// withColumns returns the same rows under schema s with columns cols
	// (one per field, each at least numRows long).
	withColumns(s *arrow.Schema, cols []*arrow.Chunked) (body, error)
	// concat returns the rows of the receiver followed by those of others
	// (bodies of the same kind whose columns line up) under schema s.
	concat(s *arrow.Schema, others []body) (body, error)
	// fromArrays returns a body of the receiver's kind holding cols (one
	// per field of s, each rows long); it retains them.
	fromArrays(s *arrow.Schema, cols []arrow.Array, rows int64) body
	// release drops the body's reference to its data.
	release()
}

// newSchemaLike returns a schema of fields with s's metadata and endianness.
func newSchemaLike(s *arrow.Schema, fields []arrow.Field) *arrow.Schema {
	md := s.Metadata()
	return arrow.NewSchemaWithEndian(fields, &md, s.Endianness())
}

// identity returns [0, 1, ..., n-1].
func identity(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// duplicateName returns a field name s holds twice, if any. Context is keyed
// by column name, so such a schema cannot be bound.
func duplicateName(s *arrow.Schema) (string, bool) {
	seen := make(map[string]bool, s.NumFields())
	for _, f := range s.Fields() {
		if seen[f.Name] {
			return f.Name, true
		}
		seen[f.Name] = true
	}
	return "", false
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
	run    func(ctx context.Context, f *frame, cfg opConfig) (*frame, *framectx.Plan, error)
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
func runOp(ctx context.Context, f *frame, to string, op Op) (*frame, Report, error) {
	rep := Report{Op: op.name}
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
	rep.Written = len(plan.Mutations)
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
