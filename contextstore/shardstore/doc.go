// Package shardstore spreads frames over several stores.
//
// A [Store] routes every key to one shard chosen by rendezvous (highest
// random weight) hashing of the key's frame ID, so all of a frame's context
// lives on one shard: a frame's batch stays atomic, a frame lists and drops in
// one shard's call, and adding a shard to N moves only about 1/(N+1) of the
// frames. The assignment depends only on the shard names and the frame ID, so
// every process that opens the same shards agrees on it.
//
// A Store is itself a full contextstore.Store and passes the conformance
// suite. Importing the package registers the "shard://" URL scheme:
//
//	shard://?store=redis://10.0.0.1:6379/0&store=redis://10.0.0.2:6379/0
//
// Shards opened from a URL are named s0, s1, ... in the order given; append new
// shards at the end to keep the existing assignment.
package shardstore
