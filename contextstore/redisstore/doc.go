// Package redisstore is the Redis backend of contextstore: context that
// outlives a process and is shared by every process that reaches the same
// Redis, on a single node, behind Sentinel or in a Redis Cluster.
//
// Each frame's context is one Redis hash. Its key is
//
//	PREFIX + "ctx1:{FRAME}"
//
// (the canonical key prefix of keys.Version and keys.Key.HashTag), so the
// whole frame lives on one Cluster slot; its fields are the frame-relative
// key strings of keys.Key.Local and its values the canonical JSON of
// contextstore.MarshalValue. A frame's batch is then one MULTI/EXEC on one
// key, a frame lists in one HKEYS and reads in one HGETALL, and dropping a
// frame is one UNLINK.
//
// Atomicity: Set, Delete and DropFrame touch one key and are atomic. Apply
// runs the whole batch in one MULTI/EXEC on a single node (or behind
// Sentinel); on a Cluster (or a go-redis Ring), where one transaction cannot
// span slots, it runs one MULTI/EXEC per frame, so it is atomic per frame,
// as the contextstore.Batcher contract allows.
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
