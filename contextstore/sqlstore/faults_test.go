package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/contextstore/storetest"
	"github.com/ctxframe/ctxframe/keys"
)

// lockSQLite takes the write lock of s's file from another connection pool,
// as another process would, and returns the function that releases it.
func lockSQLite(t *testing.T, s *Store) (release func()) {
	t.Helper()
	var file string
	if err := s.DB().QueryRowContext(bg, "SELECT file FROM pragma_database_list WHERE name = 'main'").Scan(&file); err != nil {
		t.Fatalf("find the database file: %v", err)
	}
	dsn, err := SQLiteDSN(file, nil)
	require.NoError(t, err, "SQLiteDSN")
	other, err := sql.Open("sqlite", dsn)
	require.NoError(t, err, "open a second pool")
	tx, err := other.BeginTx(bg, nil) // BEGIN IMMEDIATE: holds the write lock
	require.NoError(t, err, "take the write lock")
	if _, err := tx.ExecContext(bg, `INSERT INTO "`+s.Table()+`" VALUES (X'6C6F636B', X'66', '{}')`); err != nil {
		t.Fatalf("write under the lock: %v", err)
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			_ = tx.Rollback()
			_ = other.Close()
		})
	}
	t.Cleanup(release)
	return release
}

func TestSQLiteLockedFileIsUnavailableThenRecovers(t *testing.T) {
	s := openTestSQLite(t, &Options{BusyTimeout: 100 * time.Millisecond})
	k := keys.Column("locked", "a")
	release := lockSQLite(t, s)

	err := s.Set(bg, k, contextstore.Value{"a": 1})
	var se *contextstore.Error
	if !errors.As(err, &se) || !errors.Is(err, contextstore.ErrUnavailable) || se.Backend != "sqlite" {
		t.Fatalf("Set while another connection holds the write lock = %v, want a sqlite ErrUnavailable", err)
	}
	if !strings.Contains(err.Error(), "locked") && !strings.Contains(err.Error(), "busy") {
		t.Errorf("the error should say the database is locked: %v", err)
	}
	// Readers are not blocked by a writer in WAL mode.
	if _, err := s.Get(bg, k); !errors.Is(err, contextstore.ErrNotFound) {
		t.Fatalf("Get while another connection writes = %v, want ErrNotFound", err)
	}
	release()
	if err := s.Set(bg, k, contextstore.Value{"a": 2}); err != nil {
		t.Fatalf("Set after the lock was released: %v", err)
	}
}

func TestSQLiteWaitHonoursContext(t *testing.T) {
	s := openTestSQLite(t, &Options{BusyTimeout: time.Minute, OpTimeout: 150 * time.Millisecond})
	lockSQLite(t, s)
	k := keys.Column("waiting", "a")

	err := s.Set(bg, k, contextstore.Value{"a": 1})
	require.ErrorIs(t, err, contextstore.ErrUnavailable, "Set past OpTimeout = %v, want ErrUnavailable", err)

	ctx, cancel := context.WithCancel(bg)
	time.AfterFunc(50*time.Millisecond, cancel)
	err = s.Apply(ctx, []contextstore.Mutation{contextstore.Put(k, nil)})
	require.ErrorIs(t, err, context.Canceled, "Apply cancelled while waiting for the lock = %v, want context.Canceled", err)
	var se *contextstore.Error
	if !errors.As(err, &se) || se.Op != "apply" {
		t.Fatalf("a cancelled call must still be a *contextstore.Error: %#v", err)
	}
}

// TestSQLiteStoresCreatingOneFileAtOnce opens several stores on one new
// file at the same moment, again and again. Switching a new file to WAL
// needs a lock SQLite does not wait for under busy_timeout, so without
// OpenSQLite's own wait some of them fail with "database is locked".
func TestSQLiteStoresCreatingOneFileAtOnce(t *testing.T) {
	dir := t.TempDir()
	for round := 0; round < 20; round++ {
		path := filepath.Join(dir, fmt.Sprintf("new-%d.db", round))
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s, err := OpenSQLite(bg, path, nil)
				if err != nil {
					errs <- err
					return
				}
				errs <- s.Close()
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err, "round %d: a store opening a new file beside others: %v", round, err)
		}
	}
}

// TestSQLiteQueuedWriterHonoursContext cancels a write that waits behind
// another write of the same store (in the store's writer queue, not in
// SQLite).
func TestSQLiteQueuedWriterHonoursContext(t *testing.T) {
	s := openTestSQLite(t, &Options{BusyTimeout: time.Minute})
	release := lockSQLite(t, s)
	first := make(chan error, 1)
	go func() { first <- s.Set(bg, keys.Column("queue", "first"), contextstore.Value{}) }()
	time.Sleep(50 * time.Millisecond) // let the first write take the queue and wait for SQLite

	ctx, cancel := context.WithTimeout(bg, 100*time.Millisecond)
	defer cancel()
	err := s.Set(ctx, keys.Column("queue", "second"), contextstore.Value{})
	require.ErrorIs(t, err, context.DeadlineExceeded, "a write queued behind another past its deadline = %v, want context.DeadlineExceeded", err)
	release()
	if err := <-first; err != nil {
		t.Fatalf("the first write, once the lock was released: %v", err)
	}
	if _, err := s.Get(bg, keys.Column("queue", "second")); !errors.Is(err, contextstore.ErrNotFound) {
		t.Fatalf("the cancelled write was written: %v", err)
	}
}

func TestPostgresLockedTableHonoursTimeoutAndContext(t *testing.T) {
	s := openTestPostgres(t, &Options{OpTimeout: 200 * time.Millisecond})
	admin := postgresAdmin(t, storetest.ServerEnv(t, storetest.EnvPostgresURL))
	tx, err := admin.BeginTx(bg, nil)
	require.NoError(t, err, "begin")
	defer tx.Rollback()
	if _, err := tx.ExecContext(bg, `LOCK TABLE "`+s.Table()+`" IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatalf("lock the table: %v", err)
	}
	k := keys.Column("locked", "a")
	_, err = s.Get(bg, k)
	var se *contextstore.Error
	if !errors.As(err, &se) || !errors.Is(err, contextstore.ErrUnavailable) || se.Backend != "postgres" {
		t.Fatalf("Get of a locked table past OpTimeout = %v, want a postgres ErrUnavailable", err)
	}
	ctx, cancel := context.WithCancel(bg)
	time.AfterFunc(50*time.Millisecond, cancel)
	if err := s.Set(ctx, k, contextstore.Value{"a": 1}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Set cancelled while the table is locked = %v, want context.Canceled", err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatalf("unlock: %v", err)
	}
	if err := s.Set(bg, k, contextstore.Value{"a": 2}); err != nil {
		t.Fatalf("Set after the table was unlocked: %v", err)
	}
	if v, err := s.Get(bg, k); err != nil || v["a"] != int64(2) {
		t.Fatalf("Get after the table was unlocked: %v, %v", v, err)
	}
}

// faultStore opens a PostgreSQL store whose connections carry an
// application_name of their own, so the test can terminate exactly them.
func faultStore(t *testing.T, opts Options) (*Store, func() int) {
	t.Helper()
	dsn := storetest.ServerEnv(t, storetest.EnvPostgresURL)
	u, err := url.Parse(dsn)
	require.NoError(t, err, "parse %s: %v", storetest.EnvPostgresURL, err)
	app := randomTable()
	q := u.Query()
	q.Set("application_name", app)
	u.RawQuery = q.Encode()
	opts.Table = randomTable()
	dropPostgresTableAtCleanup(t, dsn, opts.Table)
	s, err := OpenPostgres(bg, u.String(), &opts)
	require.NoError(t, err, "OpenPostgres")
	t.Cleanup(func() { _ = s.Close() })
	admin := postgresAdmin(t, dsn)
	terminate := func() int {
		var n int
		err := admin.QueryRowContext(bg,
			"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1", app).Scan(&n)
		if err != nil {
			t.Errorf("pg_terminate_backend: %v", err)
		}
		return n
	}
	return s, terminate
}

// warmPool makes the store open several connections, so a termination
// leaves several dead ones in its pool.
func warmPool(t *testing.T, s *Store) {
	t.Helper()
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tx, err := s.DB().BeginTx(bg, nil)
			if err != nil {
				t.Errorf("warm the pool: %v", err)
				return
			}
			time.Sleep(20 * time.Millisecond) // hold it, so the others need connections of their own
			_ = tx.Rollback()
		}()
	}
	wg.Wait()
}

func TestPostgresRecoversFromTerminatedConnections(t *testing.T) {
	s, terminate := faultStore(t, Options{})
	k := keys.Column("fault", "a")
	if err := s.Set(bg, k, contextstore.Value{"v": 1}); err != nil {
		t.Fatalf("Set: %v", err)
	}
	warmPool(t, s)
	if n := terminate(); n < 2 {
		t.Fatalf("terminated %d of the store's connections, want several", n)
	}
	// The first call after the kill meets a dead connection and is retried
	// on a new one: the caller sees no error, and nothing was reopened.
	if v, err := s.Get(bg, k); err != nil || v["v"] != int64(1) {
		t.Fatalf("first Get after pg_terminate_backend: %v, %v", v, err)
	}
	warmPool(t, s)
	terminate()
	ms := []contextstore.Mutation{contextstore.Remove(k), contextstore.Put(keys.Column("fault", "b"), contextstore.Value{"v": 2})}
	if err := s.Apply(bg, ms); err != nil {
		t.Fatalf("first Apply after pg_terminate_backend: %v", err)
	}
	got, err := s.ListFrame(bg, "fault")
	if err != nil || len(got) != 1 || got[0] != keys.Column("fault", "b") {
		t.Fatalf("ListFrame after the batch: %v, %v", got, err)
	}
}

func TestPostgresWithoutRetriesReportsTheLostConnection(t *testing.T) {
	s, terminate := faultStore(t, Options{Retries: -1})
	k := keys.Column("fault", "a")
	if err := s.Set(bg, k, contextstore.Value{"v": 1}); err != nil {
		t.Fatalf("Set: %v", err)
	}
	terminate()
	time.Sleep(100 * time.Millisecond) // pg_terminate_backend only signals: let the backend exit
	// The pool's one connection is dead but looks alive: it was used
	// within idleCheckAfter and no loss was seen yet, so it is not pinged,
	// and the Get is sent on it.
	_, err := s.Get(bg, k)
	var se *contextstore.Error
	if !errors.As(err, &se) || !errors.Is(err, contextstore.ErrUnavailable) || se.Backend != "postgres" {
		t.Fatalf("Get on a terminated connection = %v, want a postgres ErrUnavailable", err)
	}
	// database/sql dropped the dead connection; the next call opens a new one.
	if v, err := s.Get(bg, k); err != nil || v["v"] != int64(1) {
		t.Fatalf("Get after the lost connection: %v, %v", v, err)
	}
}

// TestPostgresBatchesStayAtomicUnderTermination runs writers of whole-frame
// batches (a delete and puts, so a transaction) while their connections are
// terminated again and again. Every call must return nil or a typed error,
// and every frame must end up with all of one batch, never part of one.
func TestPostgresBatchesStayAtomicUnderTermination(t *testing.T) {
	for _, retries := range []int{0, -1} {
		t.Run(fmt.Sprintf("retries=%d", retries), func(t *testing.T) {
			s, terminate := faultStore(t, Options{Retries: retries})
			const writers, width = 4, 50
			stop := make(chan struct{})
			var killed atomic.Int64
			var killer sync.WaitGroup
			killer.Add(1)
			go func() {
				defer killer.Done()
				for {
					select {
					case <-stop:
						return
					case <-time.After(15 * time.Millisecond):
						killed.Add(int64(terminate()))
					}
				}
			}()
			var wg sync.WaitGroup
			lastOK := make([]int, writers)
			failures := make([]int, writers)
			errs := make(chan error, writers)
			for w := 0; w < writers; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					frame := fmt.Sprintf("writer-%d", w)
					for round := 1; round <= 40; round++ {
						ms := []contextstore.Mutation{contextstore.Remove(keys.Column(frame, "scratch"))}
						for i := 0; i < width; i++ {
							ms = append(ms, contextstore.Put(keys.Cell(frame, i, "c"), contextstore.Value{"round": round}))
						}
						err := s.Apply(bg, ms)
						if err == nil {
							lastOK[w] = round
							continue
						}
						failures[w]++
						var se *contextstore.Error
						if !errors.As(err, &se) || !errors.Is(err, contextstore.ErrUnavailable) {
							errs <- fmt.Errorf("writer %d round %d: %v is not a typed ErrUnavailable", w, round, err)
							return
						}
					}
				}()
			}
			wg.Wait()
			close(stop)
			killer.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			if killed.Load() == 0 {
				t.Fatal("no connection was terminated: the test tested nothing")
			}
			// Check through a store of its own: the writers' pool may still
			// hold connections killed last, which a store without retries
			// reports once each.
			checker, err := OpenPostgres(bg, storetest.ServerEnv(t, storetest.EnvPostgresURL), &Options{Table: s.Table()})
			require.NoError(t, err, "open a store to check with")
			defer checker.Close()
			total := 0
			for w := 0; w < writers; w++ {
				total += failures[w]
				entries, err := checker.ReadFrame(bg, fmt.Sprintf("writer-%d", w))
				require.NoError(t, err, "ReadFrame after the faults")
				if lastOK[w] == 0 {
					continue
				}
				if len(entries) != width {
					t.Fatalf("writer %d: %d entries, want %d", w, len(entries), width)
				}
				round := entries[0].Value["round"].(int64)
				for _, e := range entries {
					if e.Value["round"] != round {
						t.Fatalf("writer %d: a half-applied batch: rounds %v and %v", w, round, e.Value["round"])
					}
				}
				// A failed call may have committed (the connection died
				// after COMMIT reached the server), so the frame holds the
				// last successful round or a later one.
				if round < int64(lastOK[w]) {
					t.Fatalf("writer %d: frame holds round %d, older than the last successful %d", w, round, lastOK[w])
				}
			}
			t.Logf("terminated %d connections; %d of %d batches failed", killed.Load(), total, writers*40)
		})
	}
}

// TestPostgresDownIsUnavailable opens a store on a port where no server
// listens: a typed ErrUnavailable, not a hang or a configuration error.
func TestPostgresDownIsUnavailable(t *testing.T) {
	_, err := OpenPostgres(bg, "postgres://postgres@127.0.0.1:1/test?connect_timeout=2", &Options{OpTimeout: 10 * time.Second})
	var se *contextstore.Error
	if !errors.As(err, &se) || !errors.Is(err, contextstore.ErrUnavailable) || se.Backend != "postgres" || se.Op != "open" {
		t.Fatalf("OpenPostgres with no server = %v, want a postgres open error of kind ErrUnavailable", err)
	}
}
