// Package redisstore is the Redis backend of contextstore: context that
// outlives a process and is shared by every process that reaches the same
// Redis, on a single node, behind Sentinel or in a Redis Cluster.
//
// Each frame's context is a few Redis keys under the frame's hash tag
// (layout 2): its head hash
//
//	PREFIX + "ctx1:{FRAME}"
//
// (the canonical key prefix of keys.Version and keys.Key.HashTag) holds
// its frame and column entries; the head's name plus ":r" its row entries,
// plus ":x:" and a column name that column's cell entries; ":x" is the set
// of columns with cells, ":m" the set of rows whose values carry a
// contextstore.ReservedPrefix field, ":v" the state (version, layout
// epoch, row bound). Fields are the frame-relative key strings of
// keys.Key.Local and values the canonical JSON of
// contextstore.MarshalValue. The whole frame lives on one Cluster slot, a
// write of any part of it is one script call, and an operation reads only
// the hashes it needs (ReadSubset). Stores written by the first layout, one
// hash a frame, are moved to this one on first use (see
// docs/stores-redis.md).
//
// Atomicity: every write is one Lua script call. Apply runs the whole
// batch in one call on a single node (or behind Sentinel); on a Cluster
// (or a go-redis Ring), where one script cannot span slots, it runs one
// call per frame, so it is atomic per frame, as the contextstore.Batcher
// contract allows.
//
// Namespace: keys whose names carry the store's prefix but are not in the
// form above are skipped by ListKeys and ListFrames (they may belong to
// someone else sharing the prefix), and so are hash fields that are not
// frame-relative key strings and keys that are not hashes. Reading a value
// that is not canonical JSON fails with contextstore.ErrBackend.
//
// Importing the package registers the URL schemes "redis", "rediss",
// "redis+cluster" and "rediss+cluster" with contextstore.Open; see ParseURL
// and docs/stores-redis.md.
package redisstore
