// Package storetest is the conformance suite every contextstore.Store
// backend passes. [Run] runs each contract of the store as a subtest with a
// fresh store, and failure messages name the broken contract.
//
// It also holds what integration tests share: [ServerEnv] finds a real server
// from the environment, skipping locally when none is set and failing under
// CI=true.
package storetest
