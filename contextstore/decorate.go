package contextstore

import "io"

//go:generate go run ./internal/gennarrow

// Decorator is a store wrapped around another to add something to every
// call (telemetry, a cache, ...). It implements Store and every optional
// capability, falling back on the package-level helpers where the wrapped
// store lacks one; Narrow then shows it through exactly the capabilities of
// the store it wraps, so that wrapping never hides a capability (a Batcher
// stays a Batcher) and never pretends to one (a store without versioned
// frames does not become a Versioner).
type Decorator interface {
	Store
	Batcher
	FrameLister
	FrameReader
	FrameDropper
	FrameEnumerator
	Versioner
	StateReader
	io.Closer
	// Unwrap returns the store the decorator wraps.
	Unwrap() Store
}

// Narrow returns d with exactly the optional capabilities of inner, the
// store d wraps. The result's Unwrap returns inner.
func Narrow(d Decorator, inner Store) Store {
	return narrowTo(d, capabilityMask(inner))
}

// Unwrap returns the store that s decorates, or nil when s is not a
// decorator's.
func Unwrap(s Store) Store {
	if u, ok := s.(interface{ Unwrap() Store }); ok {
		return u.Unwrap()
	}
	return nil
}

// core is in every narrowed store: it keeps Unwrap and lets this package
// find the decorator again (decoratorOf).
type core struct{ d Decorator }

// Unwrap returns the store the decorator wraps.
func (c core) Unwrap() Store { return c.d.Unwrap() }

func (c core) decorator() Decorator { return c.d }

// findDecorator returns the first decorator of type D on the chain from s
// inward (s itself, the store it wraps, ...).
func findDecorator[D Decorator](s Store) (D, bool) {
	for s != nil {
		n, ok := s.(interface{ decorator() Decorator })
		if !ok {
			break
		}
		d := n.decorator()
		if found, ok := d.(D); ok {
			return found, true
		}
		s = d.Unwrap()
	}
	var zero D
	return zero, false
}
