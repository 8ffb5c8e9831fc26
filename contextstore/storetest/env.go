package storetest

import (
	"os"
	"testing"
)

// Environment variables through which tests find real servers. .ci/run sets
// them; a developer sets them to run the integration tests locally.
const (
	EnvRedisURL          = "CTXFRAME_REDIS_URL"           // redis://127.0.0.1:6379/0
	EnvRedisClusterAddrs = "CTXFRAME_REDIS_CLUSTER_ADDRS" // 127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003
	EnvPostgresURL       = "CTXFRAME_POSTGRES_URL"        // postgres://postgres@127.0.0.1:5432/test
	EnvRedisServerBin    = "CTXFRAME_REDIS_SERVER"        // path of redis-server, for fault tests that start their own
)

// ServerEnv returns the value of the environment variable name, which tells a
// test where its server is. When it is unset the test is skipped with a
// message saying what to set, except under CI=true, where a missing server is
// a failure: CI must run every integration test.
func ServerEnv(t testing.TB, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v != "" {
		return v
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not set: CI must run this test against a real server (see .ci/run)", name)
	}
	t.Skipf("%s is not set: skipping the test that needs a real server (set it, or run .ci/run)", name)
	return ""
}
