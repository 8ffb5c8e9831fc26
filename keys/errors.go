package keys

import (
	"errors"
	"strconv"
)

// Kinds of key error, matched with errors.Is.
var (
	// ErrInvalidKey reports a key that is malformed: an empty frame ID, a
	// negative row, a name that is not UTF-8, or a string that is not a
	// canonical key.
	ErrInvalidKey = errors.New("keys: invalid key")

	// ErrNotInFrame reports a well-formed key that names a column or row the
	// frame does not have (an unknown column, a row out of range). Adapters
	// return it; the store never does, as it does not interpret keys.
	ErrNotInFrame = errors.New("keys: not in frame")
)

// KeyError is the error for a bad key (the reference API's ContextKeyError).
// Kind is ErrInvalidKey or ErrNotInFrame; errors.Is matches it.
type KeyError struct {
	Input  string // the key or reference as the caller gave it, quoted in messages
	Reason string // what is wrong with it
	Kind   error  // ErrInvalidKey or ErrNotInFrame
}

// Error returns "keys: KIND "INPUT": REASON".
func (e *KeyError) Error() string {
	kind := e.Kind
	if kind == nil {
		kind = ErrInvalidKey
	}
	return kind.Error() + " " + strconv.Quote(e.Input) + ": " + e.Reason
}

// Unwrap returns the kind, so errors.Is(err, ErrInvalidKey) works.
func (e *KeyError) Unwrap() error {
	if e.Kind == nil {
		return ErrInvalidKey
	}
	return e.Kind
}

func invalid(input, reason string) error {
	return &KeyError{Input: input, Reason: reason, Kind: ErrInvalidKey}
}
