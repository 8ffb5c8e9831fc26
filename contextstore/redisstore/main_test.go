package redisstore_test

import (
	"os"
	"testing"

	"github.com/redis/go-redis/v9/logging"
)

func TestMain(m *testing.M) {
	// go-redis logs every failed dial; the fault tests cause many on
	// purpose, and their outcome is asserted, not logged.
	logging.Disable()
	if os.Getenv(envWriterChild) != "" {
		os.Exit(runWriterChild())
	}
	if os.Getenv(envCounterChild) != "" {
		os.Exit(runCounterChild())
	}
	os.Exit(m.Run())
}
