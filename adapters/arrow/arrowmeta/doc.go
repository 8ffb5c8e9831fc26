// Package arrowmeta is the codec between ctxframe context and Arrow schema
// metadata: [Encode] writes a frame's context into a schema (frame context in
// the schema metadata, column context in each field's metadata, row and cell
// context under reserved schema keys), and [Decode] reads it back, refusing
// malformed, oversized or unknown-version context with a typed [*Error].
//
// The encoding (docs/SPEC.md, section 3, "Arrow IPC context encoding") uses
// only JSON text in metadata values and only keys that start with
// [Namespace], so any Arrow implementation can read it. User metadata on
// the schema and its fields, nested children included, is carried through
// untouched.
//
// Column names that repeat in a schema: a column key names a column by name,
// so every field of that name carries the column's context on Encode, and
// Decode accepts repeated names only when their copies agree (otherwise
// [ErrMalformed]). Cell context names its column the same way.
//
// The package does no I/O; package adapters/arrow builds IPC streams and
// files on it.
package arrowmeta
