// Package framectxtest helps test adapters built on framectx: FailingStore
// wraps a contextstore.Store and fails chosen calls, so a test can check
// that an operation whose commit fails leaves frame and context unchanged.
package framectxtest
