package redisstore_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/contextstore/storetest"
	"github.com/ctxframe/ctxframe/keys"
)

// The test binary re-runs itself as a writer process when these are set.
const (
	envWriterChild = "CTXFRAME_REDISSTORE_WRITER_URL"
	envWriterID    = "CTXFRAME_REDISSTORE_WRITER_ID"
	writerRounds   = 40
	writerBatch    = 5
)

// runWriterChild is the body of a writer process: it opens the store of
// envWriterChild by URL and writes batches into the shared frame and its
// own.
func runWriterChild() int {
	ctx := context.Background()
	id, _ := strconv.Atoi(os.Getenv(envWriterID))
	s, err := contextstore.Open(ctx, os.Getenv(envWriterChild))
	if err != nil {
		fmt.Fprintln(os.Stderr, "writer:", err)
		return 1
	}
	defer contextstore.Close(s)
	for r := range writerRounds {
		ms := make([]contextstore.Mutation, 0, writerBatch+1)
		for i := range writerBatch {
			ms = append(ms, contextstore.Put(keys.Cell("shared", r*writerBatch+i, fmt.Sprint("p", id)), contextstore.Value{"p": id}))
		}
		ms = append(ms, contextstore.Put(keys.Frame(fmt.Sprint("own", id)), contextstore.Value{"round": r}))
		if err := contextstore.Apply(ctx, s, ms); err != nil {
			fmt.Fprintln(os.Stderr, "writer:", err)
			return 1
		}
	}
	return 0
}

// processDeployments are the deployments the multi-process tests run on.
var processDeployments = []struct {
	name, env, scheme string
}{
	{"single", storetest.EnvRedisURL, ""},
	{"cluster", storetest.EnvRedisClusterAddrs, "redis+cluster://"},
}

// eachProcessDeployment runs test on every deployment with the URL of a
// fresh prefix there, removed when the test ends.
func eachProcessDeployment(t *testing.T, test func(t *testing.T, storeURL string)) {
	for _, c := range processDeployments {
		t.Run(c.name, func(t *testing.T) {
			raw := storetest.ServerEnv(t, c.env)
			prefix := randomPrefix(t)
			storeURL := c.scheme + raw
			if c.scheme == "" {
				storeURL = strings.TrimSuffix(raw, "/")
			}
			storeURL += "?prefix=" + url.QueryEscape(prefix)
			d := singleNode(t)
			if c.name == "cluster" {
				d = cluster(t)
			}
			t.Cleanup(func() { d.removePrefix(t, prefix) })
			test(t, storeURL)
		})
	}
}

// children are copies of the test binary run as writer processes.
type children struct {
	done chan struct{} // closed once every one has exited
	outs [][]byte
	errs []error
}

// startChildren starts procs copies of the test binary, each with env and
// its number in idEnv.
func startChildren(procs int, idEnv string, env ...string) *children {
	c := &children{done: make(chan struct{}), outs: make([][]byte, procs), errs: make([]error, procs)}
	var wg sync.WaitGroup
	for p := range procs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(append(os.Environ(), env...), idEnv+"="+strconv.Itoa(p))
			c.outs[p], c.errs[p] = cmd.CombinedOutput()
		}()
	}
	go func() {
		wg.Wait()
		close(c.done)
	}()
	return c
}

// running reports whether some child has not exited yet.
func (c *children) running() bool {
	select {
	case <-c.done:
		return false
	default:
		return true
	}
}

// wait waits for every child and fails the test unless each exited 0.
func (c *children) wait(t *testing.T) {
	<-c.done
	for p, err := range c.errs {
		require.NoError(t, err, "child %d: %s", p, c.outs[p])
	}
}

func TestSeveralProcessesWriting(t *testing.T) {
	eachProcessDeployment(t, func(t *testing.T, storeURL string) {
		const procs = 4
		startChildren(procs, envWriterID, envWriterChild+"="+storeURL).wait(t)
		reader, err := contextstore.Open(context.Background(), storeURL)
		require.NoError(t, err)
		defer contextstore.Close(reader)
		ks, err := contextstore.ListFrame(context.Background(), reader, "shared")
		require.NoError(t, err)
		if want := procs * writerRounds * writerBatch; len(ks) != want {
			t.Errorf("shared frame has %d keys after %d processes wrote, want %d", len(ks), procs, want)
		}
		for p := range procs {
			v, err := reader.Get(context.Background(), keys.Frame(fmt.Sprint("own", p)))
			if err != nil || v["round"] != int64(writerRounds-1) {
				t.Errorf("process %d's frame = %v, %v", p, v, err)
			}
		}
	})
}
