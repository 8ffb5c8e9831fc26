// Package keys names pieces of context: the frame itself, a column, a row or a
// cell of one frame.
//
// A [Key] is a small comparable value, usable as a map key. Every key has one
// canonical string form (see [Key.String] and docs/SPEC.md) that is stable
// across processes and versions, injective for every UTF-8 name and parsed back
// exactly by [Parse]. All keys of one frame share one Redis Cluster hash tag,
// so a frame's context always lives on one slot.
package keys
