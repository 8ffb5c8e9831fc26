package contextstore

import (
	"context"

	"github.com/ctxframe/ctxframe/keys"
)

// Store keeps context values under keys. It does not interpret either.
//
// Every method is atomic: it succeeds whole, or returns an error and changes
// nothing. Every method validates its key first and returns the
// *keys.KeyError (keys.ErrInvalidKey) for an invalid one, having done
// nothing. Every other failure is an *Error whose Kind is one of the Err*
// sentinels, wrapping the driver's error. A Store is safe for concurrent use
// by multiple goroutines; a store shared between processes stays correct
// with several processes writing.
//
// Implementations are checked by storetest.Run.
type Store interface {
	// Set stores v under k, replacing any value there. The store keeps its
	// own copy in normal form (see Value): changing v afterwards changes
	// nothing stored. A value that cannot be carried as JSON is refused with
	// ErrInvalidValue and nothing is written. A nil v stores an empty Value.
	Set(ctx context.Context, k keys.Key, v Value) error

	// Get returns the value under k in normal form, or an error with kind
	// ErrNotFound. The caller owns the returned value.
	Get(ctx context.Context, k keys.Key) (Value, error)

	// Delete removes the value under k. Deleting a missing key is not an
	// error.
	Delete(ctx context.Context, k keys.Key) error

	// ListKeys returns every key that has a value, sorted by keys.Compare.
	ListKeys(ctx context.Context) ([]keys.Key, error)
}

// Entry is a key and its value.
type Entry struct {
	Key   keys.Key
	Value Value
}

// Mutation is one write of a batch: a Set of Value under Key; when Delete
// is true, a Delete of Key; when Merge is true, a merge of the patch Value
// into the value under Key (see MergePatch), done atomically by the store:
// two merges of different fields into one entry never lose either.
type Mutation struct {
	Key    keys.Key
	Value  Value
	Delete bool
	Merge  bool

	// owned says Value is handed over to the store (PutOwned).
	owned bool
}

// Put returns the Mutation that sets k to v. The store keeps a copy of v
// in normal form: the caller may change v afterwards.
func Put(k keys.Key, v Value) Mutation { return Mutation{Key: k, Value: v} }

// PutOwned returns the Mutation that sets k to v and hands v over to the
// store, for values made to be stored and nothing else, such as those
// UnmarshalValue decodes from a file being restored: when v is already in
// normal form (as Normalize and UnmarshalValue return it) the store checks
// it and keeps v itself, without copying it. The caller must not change v,
// or anything in it, afterwards. A value not in normal form is normalized
// as Put's is.
func PutOwned(k keys.Key, v Value) Mutation { return Mutation{Key: k, Value: v, owned: true} }

// Remove returns the Mutation that deletes k.
func Remove(k keys.Key) Mutation { return Mutation{Key: k, Delete: true} }

// Patch returns the Mutation that merges patch into the value under k: each
// field of patch replaces the field of that name, a nil field deletes it,
// other fields are kept; without a value under k, patch (minus its nil
// fields) becomes the value.
func Patch(k keys.Key, patch Value) Mutation { return Mutation{Key: k, Value: patch, Merge: true} }

// Batcher is the optional capability of applying many writes at once and
// reading many keys at once. Use the package-level Apply, SetMany,
// DeleteMany and GetMany, which fall back to the basic methods.
type Batcher interface {
	// Apply performs the mutations in order, atomically for the entries of
	// each frame: either all of a frame's mutations take effect or none do.
	// (Single-node stores make the whole batch atomic; sharded and clustered
	// stores guarantee it per frame, as each frame lives in one place.) Keys
	// and values are all validated before anything is written: one bad entry
	// refuses the whole batch with a *BatchError cause.
	Apply(ctx context.Context, ms []Mutation) error

	// GetMany returns the values of ks, in order, with nil where a key has
	// no value.
	GetMany(ctx context.Context, ks []keys.Key) ([]Value, error)
}

// FrameLister is the optional capability of listing one frame's keys without
// scanning the whole store.
type FrameLister interface {
	// ListFrame returns the keys of frameID, sorted by keys.Compare.
	ListFrame(ctx context.Context, frameID string) ([]keys.Key, error)
}

// FrameReader is the optional capability of reading all of one frame's
// entries in one call.
type FrameReader interface {
	// ReadFrame returns every entry of frameID, sorted by key.
	ReadFrame(ctx context.Context, frameID string) ([]Entry, error)
}

// FrameDropper is the optional capability of deleting all of one frame's
// entries in one atomic call.
type FrameDropper interface {
	// DropFrame deletes every entry of frameID. Dropping a frame with no
	// entries is not an error.
	DropFrame(ctx context.Context, frameID string) error
}

// FrameEnumerator is the optional capability of listing the frames that
// have context, without listing their keys.
type FrameEnumerator interface {
	// ListFrames returns the IDs of the frames that have at least one entry,
	// sorted.
	ListFrames(ctx context.Context) ([]string, error)
}
