package sqlstore

import (
	"errors"
	"fmt"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// errCorrupt marks a row the store cannot have written: a key or value that
// does not parse. It is reported with kind contextstore.ErrBackend.
var errCorrupt = errors.New("sqlstore: corrupt row")

// decodeKey rebuilds the key of a row from its frame ID and frame-relative
// key.
func decodeKey(frameID string, local []byte) (keys.Key, error) {
	k, err := keys.ParseLocal(frameID, string(local))
	if err != nil {
		return keys.Key{}, fmt.Errorf("%w: key %q of frame %q: %v", errCorrupt, local, frameID, err)
	}
	return k, nil
}

// decodeValue reads a stored value back into normal form.
func decodeValue(raw []byte) (contextstore.Value, error) {
	v, err := contextstore.UnmarshalValue(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: value: %v", errCorrupt, err)
	}
	return v, nil
}
