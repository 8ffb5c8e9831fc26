package arrow

import (
	"context"
	"errors"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/contextstore"
)

// Options configure a Record or Table. The zero Options (or nil) are valid.
type Options struct {
	// Allocator allocates the buffers operations create (Concat of records,
	// CastColumn, conversion from gota); nil means memory.DefaultAllocator.
	Allocator memory.Allocator
	// Policy is the default merge policy of Concat; framectx.DefaultPolicy
	// means framectx.Override.
	Policy framectx.Policy
	// Namespace is the OpenLineage namespace of lineage records; "" means
	// framectx.DefaultNamespace.
	Namespace string
}

// boundData is what Record and Table share: the Arrow data, the binding of
// its frame ID and the allocator. (Frame, exported, is the interface both
// satisfy.) Every operation is written once, here and in the ops_*.go
// files, and Record and Table wrap the results.
type boundData struct {
	data body
	bind *framectx.Binding
	mem  memory.Allocator
}

// newFrame binds data to frameID in store after checking that its schema
// can carry context and that the context already stored under frameID fits
// it. It takes over the caller's reference to data: on error data is
// released.
func newFrame(ctx context.Context, op string, store contextstore.Store, frameID string, data body, opts *Options) (*boundData, error) {
	f, err := bindFrame(ctx, op, store, frameID, data, opts)
	if err != nil {
		data.release()
		return nil, err
	}
	return f, nil
}

func bindFrame(ctx context.Context, op string, store contextstore.Store, frameID string, data body, opts *Options) (*boundData, error) {
	f, err := bindData(op, store, frameID, data, opts)
	if err != nil {
		return nil, err
	}
	if _, err := f.bind.Adopt(ctx, f.shape()); err != nil {
		return nil, err
	}
	return f, nil
}

// bindRestored binds data whose context a read has just restored at layout
// epoch epoch (after checking it fits the data), without reading it back.
func bindRestored(store contextstore.Store, frameID string, data body, epoch uint64, opts *Options) (*boundData, error) {
	f, err := bindData("read", store, frameID, data, opts)
	if err != nil {
		return nil, err
	}
	f.bind.AdoptWritten(epoch)
	return f, nil
}

// bindData binds data to frameID in store, at no layout epoch yet.
func bindData(op string, store contextstore.Store, frameID string, data body, opts *Options) (*boundData, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	b, err := framectx.Bind(store, frameID, &framectx.Options{Policy: o.Policy, Namespace: o.Namespace})
	if err != nil {
		return nil, err
	}
	if err := checkSchema(data.schema()); err != nil {
		return nil, opError(op, frameID, ErrInvalidArgument, err)
	}
	return &boundData{data: data, bind: b, mem: allocatorOr(o.Allocator)}, nil
}

// live returns ErrReleased, wrapped for op, once the frame was released.
func (f *boundData) live(op string) error {
	if f == nil || f.data == nil {
		return opError(op, "", ErrReleased, nil)
	}
	return nil
}

// shape returns the frame's current shape (the empty Shape once released).
func (f *boundData) shape() framectx.Shape {
	if f.data == nil {
		return framectx.Shape{}
	}
	s := f.data.schema()
	cols := make([]string, s.NumFields())
	for i := range cols {
		cols[i] = s.Field(i).Name
	}
	return framectx.Shape{Columns: cols, Rows: int(f.data.numRows())}
}

// input describes the frame as an input of a Change.
func (f *boundData) input() framectx.Input {
	return framectx.Input{FrameID: f.bind.FrameID(), Shape: f.shape()}
}

// release drops the frame's data; later operations return ErrReleased.
func (f *boundData) release() {
	if f != nil && f.data != nil {
		f.data.release()
		f.data = nil
	}
}

// commit finishes an operation whose new data is next (a reference commit
// takes over): it propagates context as ch describes, in place or into the
// frame cfg names, through framectx's one commit path (a conditional write,
// refused with ErrStale when f's layout is no longer the store's). others
// are the bindings of ch's inputs after f. In place, the frame's data is
// swapped for next only after the store accepted the change, so a failure
// leaves data and context as they were; otherwise a new frame is returned
// and f is untouched. On error next is released.
func (f *boundData) commit(ctx context.Context, next body, ch framectx.Change, cfg opConfig, others ...*framectx.Binding) (*boundData, *framectx.Plan, error) {
	out := f.bind
	if cfg.to != "" && cfg.to != f.bind.FrameID() {
		b, err := f.bind.Rebind(cfg.to)
		if err != nil {
			next.release()
			return nil, nil, err
		}
		out = b
	}
	if ch.Policy == framectx.DefaultPolicy {
		ch.Policy = cfg.policy
	}
	inputs := append([]*framectx.Binding{f.bind}, others...)
	plan, err := out.CommitKnown(ctx, inputs, func([][]contextstore.Entry) (framectx.Change, error) { return ch, nil })
	if err != nil {
		next.release()
		return nil, nil, err
	}
	if out == f.bind {
		f.data.release()
		f.data = next
		return f, plan, nil
	}
	return &boundData{data: next, bind: out, mem: f.mem}, plan, nil
}

// changeFailed turns an error of a framectx Change builder, which the
// adapter checked its arguments against beforehand, into an OpError.
func (f *boundData) changeFailed(op string, err error) error {
	return opError(op, f.bind.FrameID(), ErrInvalidArgument, err)
}

// invalid is the *OpError of an argument refused before anything changed.
func (f *boundData) invalid(op string, format string, args ...any) error {
	return opError(op, f.bind.FrameID(), ErrInvalidArgument, fmt.Errorf(format, args...))
}

var (
	errNilData    = errors.New("nil data")
	errDeriveSelf = errors.New("derive into the frame's own ID: use Apply")
)

// optsAllocator is the allocator opts names, or the default one.
func optsAllocator(opts *Options) memory.Allocator {
	if opts == nil {
		return allocatorOr(nil)
	}
	return allocatorOr(opts.Allocator)
}

// rebind replaces the frame's data with next (taking over its reference)
// after adopting the store's context for it: at epoch when given, else at
// whatever epoch the store has. On error next is released and the frame is
// left as it was.
func (f *boundData) rebind(ctx context.Context, next body, epoch *uint64) error {
	if err := f.live("rebind"); err != nil {
		next.release()
		return err
	}
	if err := checkSchema(next.schema()); err != nil {
		next.release()
		return opError("rebind", f.bind.FrameID(), ErrInvalidArgument, err)
	}
	old := f.data
	f.data = next // shape() reads the data
	shape := f.shape()
	f.data = old
	var err error
	if epoch == nil {
		_, err = f.bind.Adopt(ctx, shape)
	} else {
		_, err = f.bind.AdoptAt(ctx, shape, *epoch)
	}
	if err != nil {
		next.release()
		return err
	}
	f.data.release()
	f.data = next
	return nil
}
