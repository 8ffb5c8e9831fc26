package redisstore_test

import (
	"context"
	"crypto/tls"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore/storetest"
)

// ownServer is a redis-server a test starts, stops and restarts itself, on
// a free loopback port, with its data in a temp dir. It keeps an
// append-only file synced on every write, so what was acknowledged before a
// crash is there after the restart, and a transaction cut short is dropped
// whole.
type ownServer struct {
	t    testing.TB
	bin  string
	dir  string
	port int
	args []string    // extra redis-server arguments
	tls  *tls.Config // how start reaches a server that speaks TLS only
	cmd  *exec.Cmd
}

// startOwnServer starts a server; without a redis-server binary the test is
// skipped, or fails under CI=true.
func startOwnServer(t testing.TB, args ...string) *ownServer {
	t.Helper()
	return startOwnServerTLS(t, nil, args...)
}

// startOwnServerTLS is startOwnServer for a server whose port speaks TLS:
// args must move redis-server's plain port off (--port 0) and name the TLS
// files, the TLS port being the server's port (see tlsPortArgs).
func startOwnServerTLS(t testing.TB, tc *tls.Config, args ...string) *ownServer {
	t.Helper()
	bin := os.Getenv(storetest.EnvRedisServerBin)
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("redis-server"); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("no redis-server on PATH and %s unset: CI must run the fault tests", storetest.EnvRedisServerBin)
			}
			t.Skipf("no redis-server on PATH: set %s to run the fault tests", storetest.EnvRedisServerBin)
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	s := &ownServer{t: t, bin: bin, dir: t.TempDir(), port: port, args: args, tls: tc}
	s.start()
	t.Cleanup(func() {
		if s.cmd != nil {
			_ = s.cmd.Process.Signal(syscall.SIGCONT)
			_ = s.cmd.Process.Kill()
			_ = s.cmd.Wait()
		}
	})
	return s
}

func (s *ownServer) addr() string { return "127.0.0.1:" + strconv.Itoa(s.port) }

func (s *ownServer) url() string { return "redis://" + s.addr() + "/0" }

// start (re)starts the server on its port and waits until it answers.
func (s *ownServer) start() {
	s.t.Helper()
	args := append([]string{
		"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1",
		"--dir", s.dir, "--save", "",
		"--appendonly", "yes", "--appendfsync", "always",
		"--logfile", filepath.Join(s.dir, "redis.log"),
	}, s.args...)
	for i, a := range args {
		if a == tlsPortPlaceholder {
			args[i] = strconv.Itoa(s.port)
		}
	}
	s.cmd = exec.Command(s.bin, args...)
	if err := s.cmd.Start(); err != nil {
		s.t.Fatalf("starting %s: %v", s.bin, err)
	}
	c := redis.NewClient(&redis.Options{Addr: s.addr(), MaxRetries: -1, TLSConfig: s.tls})
	defer c.Close()
	deadline := time.Now().Add(15 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil || redis.IsAuthError(err) {
			return // it answers, if only to refuse
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("redis-server on %s does not answer: %v\n%s", s.addr(), err, s.log())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// tlsPortPlaceholder stands, in a server's arguments, for its port.
const tlsPortPlaceholder = "{port}"

// crash kills the server at once, as a power cut or OOM kill would.
func (s *ownServer) crash() {
	s.t.Helper()
	_ = s.cmd.Process.Signal(syscall.SIGCONT)
	if err := s.cmd.Process.Kill(); err != nil {
		s.t.Fatal(err)
	}
	_ = s.cmd.Wait()
	s.cmd = nil
}

// freeze stops the process without closing its sockets: connections are
// accepted by the kernel but nothing answers, as with a hung server.
func (s *ownServer) freeze() {
	s.t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		s.t.Fatal(err)
	}
}

// thaw resumes a frozen server.
func (s *ownServer) thaw() {
	s.t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		s.t.Fatal(err)
	}
}

// log returns the server's log, for failure messages.
func (s *ownServer) log() string {
	b, err := os.ReadFile(filepath.Join(s.dir, "redis.log"))
	if err != nil {
		return err.Error()
	}
	return string(b)
}
