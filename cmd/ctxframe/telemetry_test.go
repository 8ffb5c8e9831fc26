package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// --trace prints every store call under its operation, --metrics a table of
// store time and entries; stdout is the command's own, unchanged; no value
// and no URL appear in either.
func TestTraceAndMetricsSummaries(t *testing.T) {
	c := newCtl(t)
	c.ok("set", "sales/col/price", `{"unit":"EUR","secret":"hunter2"}`)
	plain := c.ok("get", "sales/col/price")

	out, errOut, code := c.run("", "--trace", "--metrics", "get", "sales/col/price")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, plain, out, "the summary goes to stderr only")
	assert.Regexp(t, regexp.MustCompile(`(?m)^trace: \d+ spans$`), errOut)
	assert.Regexp(t, regexp.MustCompile(`(?m)^  contextstore\.get +\S+ +sqlite, frame "sales", 1 entries$`), errOut)
	assert.Regexp(t, regexp.MustCompile(`(?m)^store: 2 calls, \S+$`), errOut, "get and close")
	assert.Regexp(t, regexp.MustCompile(`(?m)^ +sqlite +get +1 +\S+ +1 +0 +0$`), errOut)
	assert.Contains(t, errOut, "conflicts 0, retries 0")
	assert.NotContains(t, errOut, "hunter2")
	assert.NotContains(t, errOut, c.store[len("sqlite:"):], "no path of the store")

	_, errOut, code = c.run("", "--metrics", "get", "sales/col/missing")
	require.Equal(t, exitNotFound, code)
	assert.Regexp(t, regexp.MustCompile(`(?m)^ +sqlite +get +1 +\S+ +0 +0 +0$`), errOut, "a miss is no error")

	t.Setenv("CTXFRAME_METRICS", "1")
	_, errOut, code = c.run("", "copy", "--from", c.store, "--to", "mem://", "sales")
	require.Equal(t, 0, code, errOut)
	assert.Regexp(t, regexp.MustCompile(`(?m)^ +mem +applyif +1 +\S+ +0 +1 +0$`), errOut, "$CTXFRAME_METRICS turns it on; both stores of copy report")
	assert.Regexp(t, regexp.MustCompile(`(?m)^ +sqlite +readframe +1 `), errOut)
	assert.False(t, strings.Contains(errOut, "trace:"), "only what was asked for")
}
