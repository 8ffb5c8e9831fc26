package arrowmeta

import "github.com/ctxframe/ctxframe/contextstore"

// Defaults for a zero Limits.
const (
	// DefaultMaxBytes bounds the total size of the namespace's keys and
	// values in one schema: 64 MiB.
	DefaultMaxBytes = 64 << 20
	// DefaultMaxEntries bounds the number of context entries in one schema.
	DefaultMaxEntries = 4 << 20
)

// MaxDepth is how deeply a context value may nest, as in the store
// (contextstore.MaxDepth). Deeper values are refused with ErrTooLarge.
const MaxDepth = contextstore.MaxDepth

// Limits bounds what Decode accepts from untrusted metadata, and what Encode
// agrees to write, so nobody writes what a default reader refuses. A zero
// field means its default; a negative field means no limit.
type Limits struct {
	// MaxBytes bounds the summed length of every namespace key and value in
	// the schema and its fields, checked before anything is parsed.
	MaxBytes int64
	// MaxEntries bounds the number of entries (frame, column, row and cell
	// context together), checked while parsing.
	MaxEntries int
}

func (l Limits) maxBytes() int64 {
	switch {
	case l.MaxBytes == 0:
		return DefaultMaxBytes
	case l.MaxBytes < 0:
		return -1
	}
	return l.MaxBytes
}

func (l Limits) maxEntries() int {
	switch {
	case l.MaxEntries == 0:
		return DefaultMaxEntries
	case l.MaxEntries < 0:
		return -1
	}
	return l.MaxEntries
}
