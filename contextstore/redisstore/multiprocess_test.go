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

func TestSeveralProcessesWriting(t *testing.T) {
	for _, c := range []struct {
		name, env, scheme string
	}{
		{"single", storetest.EnvRedisURL, ""},
		{"cluster", storetest.EnvRedisClusterAddrs, "redis+cluster://"},
	} {
		t.Run(c.name, func(t *testing.T) {
			raw := storetest.ServerEnv(t, c.env)
			prefix := randomPrefix(t)
			storeURL := c.scheme + raw
			if c.scheme == "" {
				storeURL = strings.TrimSuffix(raw, "/")
			}
			storeURL += "?prefix=" + url.QueryEscape(prefix)
			var d deployment
			if c.name == "single" {
				d = singleNode(t)
			} else {
				d = cluster(t)
			}
			t.Cleanup(func() { d.removePrefix(t, prefix) })

			const procs = 4
			var wg sync.WaitGroup
			outs := make([][]byte, procs)
			errs := make([]error, procs)
			for p := range procs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					cmd := exec.Command(os.Args[0], "-test.run=^$")
					cmd.Env = append(os.Environ(), envWriterChild+"="+storeURL, envWriterID+"="+strconv.Itoa(p))
					outs[p], errs[p] = cmd.CombinedOutput()
				}()
			}
			wg.Wait()
			for p := range procs {
				if errs[p] != nil {
					t.Fatalf("writer %d: %v\n%s", p, errs[p], outs[p])
				}
			}
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
}
