// Package contextstore defines where context lives: the [Store] contract every
// backend keeps, the errors it reports, the JSON-like [Value] it stores, the
// optional capabilities a backend may add, and [Open], which opens a store from
// a URL.
//
// The four required operations (Set, Get, Delete, ListKeys) come from the
// reference API. Backends may add batches ([Batcher]), per-frame listing
// ([FrameLister]), whole-frame reads ([FrameReader]) and whole-frame drops
// ([FrameDropper]); the package-level helpers of the same names use them when
// present and fall back to the four basic calls when not, as io.Copy uses
// io.WriterTo.
//
// The in-memory store ([NewMemoryStore], URL "mem://") is the embedded default.
// Persistent and shared backends live in sub-packages and register their URL
// schemes when imported.
//
// Every backend passes the conformance suite in package storetest.
package contextstore
