package arrow

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/contextstore"
)

// Frame is a *Record or a *Table: Arrow data bound to a frame ID. Concat
// takes its operands as Frames, and adapters/gotaarrow converts either.
// Only this package implements it.
type Frame interface {
	FrameID() string
	Shape() framectx.Shape
	Binding() *framectx.Binding
	core() *boundData
}

// Concat stacks the rows of others under the frame's: frames of the same
// kind (Records with a Record, Tables with a Table) whose columns have the
// same names and types in the same order, bound in the same store. Frame
// and column context are merged by the policy (see Op.WithPolicy), and so
// is the Arrow key/value metadata of the schema and of each field, so that
// no metadata is lost unless the policy says so; row and cell context moves
// to the rows' new positions (offset by the rows before them). Records are
// copied into new buffers; Tables share their chunks. The others are never
// changed.
func Concat(others ...Frame) Op {
	others = slices.Clone(others)
	return Op{name: "concat", run: func(ctx context.Context, f *boundData, cfg opConfig) (*boundData, *framectx.Plan, error) {
		return f.concat(ctx, others, cfg)
	}}
}

func (f *boundData) concat(ctx context.Context, others []Frame, cfg opConfig) (*boundData, *framectx.Plan, error) {
	s := f.data.schema()
	inputs := []framectx.Input{f.input()}
	binds := make([]*framectx.Binding, len(others))
	bodies := make([]body, len(others))
	for k, other := range others {
		if other == nil || other.core() == nil {
			return nil, nil, f.invalid("concat", "operand %d is nil", k)
		}
		o := other.core()
		if err := o.live("concat"); err != nil {
			return nil, nil, err
		}
		if reflect.TypeOf(o.data) != reflect.TypeOf(f.data) {
			return nil, nil, f.invalid("concat", "frame %q: cannot concatenate a Record and a Table", o.bind.FrameID())
		}
		if !sameStore(f.bind.Store(), o.bind.Store()) {
			return nil, nil, f.invalid("concat", "frame %q is bound in another store", o.bind.FrameID())
		}
		if err := columnsLineUp(s, o.data.schema()); err != nil {
			return nil, nil, f.invalid("concat", "frame %q: %w", o.bind.FrameID(), err)
		}
		inputs = append(inputs, o.input())
		binds[k] = o.bind
		bodies[k] = o.data
	}
	policy := cfg.policy
	if policy == framectx.DefaultPolicy {
		policy = f.bind.Policy()
	}
	merged, err := mergedSchema(policy, s, bodies)
	if err != nil {
		return nil, nil, err
	}
	ch, err := framectx.ConcatRowsChange(inputs, "", policy)
	if err != nil {
		return nil, nil, f.changeFailed("concat", err)
	}
	next, err := f.data.concat(merged, bodies)
	if err != nil {
		return nil, nil, opError("concat", f.bind.FrameID(), ErrArrow, err)
	}
	return f.commit(ctx, next, ch, cfg, binds...)
}

// columnsLineUp reports why b's columns do not line up with a's.
func columnsLineUp(a, b *arrow.Schema) error {
	if a.NumFields() != b.NumFields() {
		return errors.New("different number of columns")
	}
	for i := range a.NumFields() {
		fa, fb := a.Field(i), b.Field(i)
		if fa.Name != fb.Name {
			return fmt.Errorf("column %d is %q, want %q", i, fb.Name, fa.Name)
		}
		if !arrow.TypeEqual(fa.Type, fb.Type) {
			return fmt.Errorf("column %q is %s, want %s", fa.Name, fb.Type, fa.Type)
		}
	}
	return nil
}

// mergedSchema is the schema of a concatenation: the first schema's fields,
// each nullable when any input's is, with the Arrow metadata of the schema
// and of every field merged by policy.
func mergedSchema(p framectx.Policy, s *arrow.Schema, others []body) (*arrow.Schema, error) {
	all := make([]*arrow.Schema, len(others)+1)
	all[0] = s
	for k, o := range others {
		all[k+1] = o.schema()
	}
	fields := s.Fields()
	for i := range fields {
		mds := make([]arrow.Metadata, len(all))
		for k, sk := range all {
			fk := sk.Field(i)
			mds[k] = fk.Metadata
			fields[i].Nullable = fields[i].Nullable || fk.Nullable
		}
		md, err := mergeMetadata(p, mds)
		if err != nil {
			return nil, fmt.Errorf("arrow: concat: metadata of field %q: %w", fields[i].Name, err)
		}
		fields[i].Metadata = md
	}
	mds := make([]arrow.Metadata, len(all))
	for k, sk := range all {
		mds[k] = sk.Metadata()
	}
	md, err := mergeMetadata(p, mds)
	if err != nil {
		return nil, fmt.Errorf("arrow: concat: schema metadata: %w", err)
	}
	return arrow.NewSchemaWithEndian(fields, &md, s.Endianness()), nil
}

// mergeMetadata merges Arrow key/value metadata with framectx.MergeValues:
// an input without metadata takes no part, as an input without context.
func mergeMetadata(p framectx.Policy, mds []arrow.Metadata) (arrow.Metadata, error) {
	vs := make([]contextstore.Value, len(mds))
	for k, md := range mds {
		if md.Len() == 0 {
			continue
		}
		v := make(contextstore.Value, md.Len())
		for j, key := range md.Keys() {
			v[key] = md.Values()[j]
		}
		vs[k] = v
	}
	m, err := framectx.MergeValues(p, vs...)
	if err != nil {
		return arrow.Metadata{}, err
	}
	kv := make(map[string]string, len(m))
	for key, x := range m {
		if str, ok := x.(string); ok {
			kv[key] = str
		}
	}
	if len(kv) == 0 {
		return arrow.Metadata{}, nil
	}
	return arrow.MetadataFrom(kv), nil
}

// sameStore reports whether a and b are the same store. Stores of a type
// that cannot be compared are never the same, rather than panicking.
func sameStore(a, b contextstore.Store) bool {
	if reflect.TypeOf(a) != reflect.TypeOf(b) || !reflect.TypeOf(a).Comparable() {
		return false
	}
	return a == b
}
