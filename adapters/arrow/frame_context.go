package arrow

import (
	"github.com/ctxframe/ctxframe/adapters/framectx"
)

// frameContext holds what a Record and a Table offer alike: the context
// methods, framectx.Accessor's as on every adapter (refused with
// ErrReleased once the data is released), Release and Shape. Both embed
// it, so each method is written once.
type frameContext struct {
	framectx.Accessor
	f *boundData
}

// newFrameContext returns the frameContext of f.
func newFrameContext(f *boundData) frameContext {
	return frameContext{f: f, Accessor: framectx.NewAccessor(f.bind, func(op string) (framectx.Shape, error) {
		if err := f.live(op); err != nil {
			return framectx.Shape{}, err
		}
		return f.shape(), nil
	})}
}

// Release releases the reference to the Arrow data. Context in the store
// is kept (see DropContext). Later calls return ErrReleased; releasing twice
// does nothing.
func (c *frameContext) Release() { c.f.release() }

// Shape returns the column names and row count now (empty after Release).
func (c *frameContext) Shape() framectx.Shape { return c.f.shape() }
