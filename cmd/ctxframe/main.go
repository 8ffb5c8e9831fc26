package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"strings"

	"github.com/redis/go-redis/v9/logging"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/contextstore"
	_ "github.com/ctxframe/ctxframe/contextstore/redisstore" // redis://, rediss://, redis+cluster://
	_ "github.com/ctxframe/ctxframe/contextstore/shardstore" // shard://
	_ "github.com/ctxframe/ctxframe/contextstore/sqlstore"   // sqlite:, postgres://
)

// defaultStore is where context lives when neither -store nor $CTXFRAME_STORE
// says otherwise: a SQLite file, so annotations outlive the command.
const defaultStore = "sqlite:ctxframe.db"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit statuses besides 0 (done), 1 (failed) and 2 (usage).
const (
	// exitStale: a write refused because the frame moved on: its layout
	// changed (ErrStale), or other writers kept changing it.
	exitStale = 3
	// exitNotFound: what was asked for is not in the store.
	exitNotFound = 4
)

// errUsage marks errors that are the caller's wording, for exit status 2.
var errUsage = errors.New("usage")

type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	storeURL       string // --store; else $CTXFRAME_STORE, else defaultStore (see openStore)
	store          contextstore.Store
	readOnly       bool    // the command only reads the store
	name           string  // the command running, for messages
	opts           options // its flags
	diag           diagnosis
}

// missingSQLiteFile reports whether storeURL names a SQLite file
// (sqlite:rel/path.db, sqlite:///abs/path.db) that does not exist.
func missingSQLiteFile(storeURL string) bool {
	u, err := url.Parse(storeURL)
	if err != nil || !strings.EqualFold(u.Scheme, "sqlite") {
		return false
	}
	path := u.Path
	if u.Opaque != "" {
		if path, err = url.PathUnescape(u.Opaque); err != nil {
			return false
		}
	}
	_, err = os.Stat(path)
	return errors.Is(err, os.ErrNotExist)
}

// readOnlyCommands only read the store: they must create nothing, not even
// the SQLite file of the default store.
var readOnlyCommands = map[string]bool{"frames": true, "ls": true, "get": true, "export": true, "state": true}

// openStore opens the store on first use, so commands that need none (inspect)
// never touch it. For a read-only command, a SQLite file that does not exist
// is an empty store: nothing is created.
func (e *env) openStore(ctx context.Context) (contextstore.Store, error) {
	if e.store == nil {
		if e.storeURL == "" {
			e.storeURL = os.Getenv("CTXFRAME_STORE")
		}
		if e.storeURL == "" {
			e.storeURL = defaultStore
		}
		url := e.storeURL
		if e.readOnly && missingSQLiteFile(url) {
			url = "mem://"
		}
		s, err := contextstore.Open(ctx, url, e.openOptions()...)
		if err != nil {
			return nil, err
		}
		e.store = s
	}
	return e.store, nil
}

// run is main without the process: testable, and it never exits.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	// go-redis logs every failed dial on its own; the command reports each
	// failure once, as a sentence, and stderr carries nothing else.
	logging.Disable()
	out := &checkedWriter{w: stdout}
	e := &env{stdin: stdin, stdout: out, stderr: stderr, name: "ctxframe"}
	root := newRoot(ctx, e)
	root.SetArgs(normalizeArgs(args))
	root.SetIn(stdin)
	root.SetOut(out)
	root.SetErr(stderr)
	if len(args) == 0 {
		root.SetArgs([]string{"--help"})
	}
	err := root.ExecuteContext(ctx)
	if err == nil && out.err != nil {
		err = fmt.Errorf("writing the output: %w", out.err)
	}
	if e.store != nil {
		if cerr := contextstore.Close(e.store); err == nil && cerr != nil {
			err = cerr
		}
	}
	e.diag.report(stderr)
	name := "ctxframe"
	if e.name != "ctxframe" {
		name += " " + e.name
	}
	switch {
	case err == nil:
		if len(args) == 0 {
			return 2 // a command was needed; the help went to stdout
		}
		return 0
	case isUsage(err):
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 2
	case errors.Is(err, framectx.ErrStale), errors.Is(err, contextstore.ErrConflict):
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return exitStale
	case errors.Is(err, contextstore.ErrNotFound):
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return exitNotFound
	default:
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 1
	}
}

// checkedWriter remembers the first write error, so a command whose output
// could not be written (a full disk, a closed pipe) fails instead of
// reporting success.
type checkedWriter struct {
	w   io.Writer
	err error
}

func (c *checkedWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	c.err = err
	return n, err
}
