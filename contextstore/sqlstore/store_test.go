package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// forEachBackend runs test on a fresh store of every dialect.
func forEachBackend(t *testing.T, test func(t *testing.T, s *Store)) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) { test(t, b.open(t, nil)) })
	}
}

// TestNumbersSurviveTheDatabase checks the numbers jsonb rewrites (it keeps
// numerics, not float64s, and prints exponents out in full) come back in
// normal form from both dialects.
func TestNumbersSurviveTheDatabase(t *testing.T) {
	v := contextstore.Value{
		"whole float":   2.0,
		"max int":       int64(math.MaxInt64),
		"min int":       int64(math.MinInt64),
		"tiny":          1e-7,
		"huge":          1e300,
		"just huge":     1e21,
		"big float":     1e18,
		"tenth":         0.1,
		"negative":      -12.5,
		"nested":        map[string]any{"list": []any{int64(1), 1.0, "1", nil, true}},
		"smallest":      5e-324,
		"largest float": math.MaxFloat64,
	}
	forEachBackend(t, func(t *testing.T, s *Store) {
		k := keys.Column("numbers", "x")
		if err := s.Set(bg, k, v); err != nil {
			t.Fatalf("Set: %v", err)
		}
		got, err := s.Get(bg, k)
		require.NoError(t, err, "Get")
		for name, want := range v {
			if fmt.Sprintf("%T %#v", got[name], got[name]) != fmt.Sprintf("%T %#v", normal(want), normal(want)) {
				t.Errorf("%s: stored %T %v, got back %T %v", name, want, want, got[name], got[name])
			}
		}
	})
}

// normal returns x as Normalize would.
func normal(x any) any {
	v, err := contextstore.Normalize(contextstore.Value{"x": x})
	if err != nil {
		panic(err)
	}
	return v["x"]
}

// TestKeysWithNULBytes checks that frame IDs and names holding U+0000 (keys
// allow them) are distinct, listed exactly and read back: they are stored as
// bytes, not text.
func TestKeysWithNULBytes(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *Store) {
		ks := []keys.Key{
			keys.Column("f\x00", "a"),
			keys.Column("f", "a\x00"),
			keys.Column("f", "a"),
			keys.Cell("f", 1, "\x00"),
			keys.Frame("\x00"),
		}
		for i, k := range ks {
			if err := s.Set(bg, k, contextstore.Value{"i": i}); err != nil {
				t.Fatalf("Set(%q): %v", k, err)
			}
		}
		for i, k := range ks {
			v, err := s.Get(bg, k)
			if err != nil || v["i"] != int64(i) {
				t.Fatalf("Get(%q) = %v, %v; want i=%d", k, v, err, i)
			}
		}
		got, err := s.ListKeys(bg)
		require.NoError(t, err, "ListKeys")
		want := append([]keys.Key(nil), ks...)
		keys.Sort(want)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("ListKeys = %q, want %q", got, want)
		}
		frames, err := s.ListFrames(bg)
		require.NoError(t, err, "ListFrames")
		if fmt.Sprintf("%q", frames) != fmt.Sprintf("%q", []string{"\x00", "f", "f\x00"}) {
			t.Fatalf("ListFrames = %q", frames)
		}
	})
}

// TestLargeBatchAcrossChunks applies a batch bigger than one SQLite
// statement can carry, with repeated keys (the last mutation wins) and
// deletes, then reads it back with GetMany, duplicates and misses included.
func TestLargeBatchAcrossChunks(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *Store) {
		const n = 2500
		var ms []contextstore.Mutation
		for i := 0; i < n; i++ {
			ms = append(ms, contextstore.Put(keys.Cell("big", i, "c"), contextstore.Value{"v": i}))
		}
		if err := s.Apply(bg, ms); err != nil {
			t.Fatalf("first Apply: %v", err)
		}
		ms = ms[:0]
		for i := 0; i < n; i++ {
			k := keys.Cell("big", i, "c")
			switch i % 3 {
			case 0: // deleted
				ms = append(ms, contextstore.Remove(k))
			case 1: // overwritten twice: the second write wins
				ms = append(ms, contextstore.Put(k, contextstore.Value{"v": -1}), contextstore.Put(k, contextstore.Value{"v": i * 10}))
			case 2: // deleted, then written again
				ms = append(ms, contextstore.Remove(k), contextstore.Put(k, contextstore.Value{"v": i * 100}))
			}
		}
		if err := s.Apply(bg, ms); err != nil {
			t.Fatalf("second Apply: %v", err)
		}
		ask := []keys.Key{keys.Column("big", "missing")}
		for i := 0; i < n; i++ {
			ask = append(ask, keys.Cell("big", i, "c"))
		}
		ask = append(ask, keys.Cell("big", 1, "c")) // asked twice
		vs, err := s.GetMany(bg, ask)
		require.NoError(t, err, "GetMany")
		if len(vs) != len(ask) {
			t.Fatalf("GetMany returned %d values for %d keys", len(vs), len(ask))
		}
		if vs[0] != nil {
			t.Errorf("GetMany of a missing key = %v, want nil", vs[0])
		}
		for i := 0; i < n; i++ {
			got := vs[i+1]
			var want contextstore.Value
			switch i % 3 {
			case 1:
				want = contextstore.Value{"v": int64(i * 10)}
			case 2:
				want = contextstore.Value{"v": int64(i * 100)}
			}
			if !contextstore.Equal(got, want) || (want == nil) != (got == nil) {
				t.Fatalf("key %d: got %v, want %v", i, got, want)
			}
		}
		last := vs[len(vs)-1]
		if !contextstore.Equal(last, contextstore.Value{"v": int64(10)}) {
			t.Fatalf("a key asked twice: got %v", last)
		}
		last["v"] = "changed"
		if vs[2]["v"] != int64(10) {
			t.Fatal("GetMany returned one map for a key asked twice: changing one changed the other")
		}
		ks, err := s.ListFrame(bg, "big")
		require.NoError(t, err, "ListFrame")
		if want := n - (n+2)/3; len(ks) != want {
			t.Fatalf("ListFrame has %d keys, want %d", len(ks), want)
		}
	})
}

// poisonColumn is the column name the test trigger refuses.
const poisonColumn = "poison"

// addPoisonTrigger makes the database itself refuse to store the column
// poisonColumn, so a test can see a batch fail in the middle of a statement.
func addPoisonTrigger(t *testing.T, s *Store) {
	t.Helper()
	table := s.Table()
	var stmts []string
	switch s.Dialect() {
	case SQLite:
		stmts = []string{`CREATE TRIGGER poison BEFORE INSERT ON "` + table + `" WHEN NEW.entry_key = CAST('c:` + poisonColumn + `' AS BLOB)
			BEGIN SELECT RAISE(ABORT, 'poisoned'); END`}
	case Postgres:
		stmts = []string{
			`CREATE FUNCTION "` + table + `_poison"() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN IF NEW.entry_key = convert_to('c:` + poisonColumn + `', 'UTF8') THEN RAISE EXCEPTION 'poisoned'; END IF; RETURN NEW; END $$`,
			`CREATE TRIGGER poison BEFORE INSERT ON "` + table + `" FOR EACH ROW EXECUTE FUNCTION "` + table + `_poison"()`,
		}
		t.Cleanup(func() {
			_, _ = s.DB().ExecContext(bg, `DROP FUNCTION IF EXISTS "`+table+`_poison"() CASCADE`)
		})
	}
	for _, q := range stmts {
		if _, err := s.DB().ExecContext(bg, q); err != nil {
			t.Fatalf("create trigger: %v", err)
		}
	}
}

// TestBatchFailingInTheDatabaseChangesNothing checks all-or-nothing where
// validation cannot help: the database refuses the last row of a batch that
// also deletes and overwrites.
func TestBatchFailingInTheDatabaseChangesNothing(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *Store) {
		addPoisonTrigger(t, s)
		before := contextstore.Value{"v": "before"}
		for i := 0; i < 3; i++ {
			if err := s.Set(bg, keys.Cell("aon", i, "c"), before); err != nil {
				t.Fatalf("Set: %v", err)
			}
		}
		ms := []contextstore.Mutation{
			contextstore.Remove(keys.Cell("aon", 0, "c")),
			contextstore.Put(keys.Cell("aon", 1, "c"), contextstore.Value{"v": "after"}),
		}
		for i := 0; i < 1200; i++ {
			ms = append(ms, contextstore.Put(keys.Cell("aon-new", i, "c"), contextstore.Value{"v": i}))
		}
		ms = append(ms, contextstore.Put(keys.Column("zzz", poisonColumn), contextstore.Value{}))
		err := s.Apply(bg, ms)
		var se *contextstore.Error
		if !errors.As(err, &se) || !errors.Is(err, contextstore.ErrBackend) || se.Backend != string(s.Dialect()) {
			t.Fatalf("Apply refused by the database = %v, want a %s *contextstore.Error of kind ErrBackend", err, s.Dialect())
		}
		if !strings.Contains(err.Error(), "poisoned") {
			t.Errorf("the error should carry the database's message: %v", err)
		}
		ks, err := s.ListKeys(bg)
		require.NoError(t, err, "ListKeys")
		if len(ks) != 3 {
			t.Fatalf("after a failed batch the store holds %d keys, want the 3 from before: %v", len(ks), ks)
		}
		for i := 0; i < 3; i++ {
			v, err := s.Get(bg, keys.Cell("aon", i, "c"))
			if err != nil || !contextstore.Equal(v, before) {
				t.Fatalf("key %d after a failed batch: %v, %v; want %v", i, v, err, before)
			}
		}
	})
}

// TestCorruptRowsAreBackendErrors writes rows the store cannot have written
// and checks reads report them as ErrBackend, not as panics or bad keys.
func TestCorruptRowsAreBackendErrors(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *Store) {
		insert := `INSERT INTO "` + s.Table() + `" (frame_id, entry_key, entry_value) VALUES (?, ?, ?)`
		if s.Dialect() == Postgres {
			insert = `INSERT INTO "` + s.Table() + `" (frame_id, entry_key, entry_value) VALUES ($1, $2, $3::text::jsonb)`
		}
		if _, err := s.DB().ExecContext(bg, insert, []byte("bad"), []byte("c:list"), `[1, 2]`); err != nil {
			t.Fatalf("insert a value that is not an object: %v", err)
		}
		if _, err := s.DB().ExecContext(bg, insert, []byte("bad"), []byte("q:what"), `{}`); err != nil {
			t.Fatalf("insert an unknown key form: %v", err)
		}
		_, err := s.Get(bg, keys.Column("bad", "list"))
		assert.ErrorIs(t, err, contextstore.ErrBackend, "Get of a stored JSON array = %v, want ErrBackend", err)
		_, err = s.ListKeys(bg)
		if !errors.Is(err, contextstore.ErrBackend) || errors.Is(err, keys.ErrInvalidKey) {
			t.Errorf("ListKeys over an unparsable key = %v, want ErrBackend (and not a caller's key error)", err)
		}
		_, err = s.ReadFrame(bg, "bad")
		assert.ErrorIs(t, err, contextstore.ErrBackend, "ReadFrame over corrupt rows = %v, want ErrBackend", err)
	})
}

// TestErrorsNameTheBackend checks the *contextstore.Error fields of a miss.
func TestErrorsNameTheBackend(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *Store) {
		k := keys.Row("errors", 7)
		_, err := s.Get(bg, k)
		var se *contextstore.Error
		require.ErrorAs(t, err, &se, "Get of a missing key = %v, want *contextstore.Error", err)
		if se.Op != "get" || se.Backend != string(s.Dialect()) || se.Key != k.String() || se.Kind != contextstore.ErrNotFound {
			t.Fatalf("error fields = %+v", *se)
		}
		if !strings.HasPrefix(err.Error(), "contextstore: "+string(s.Dialect())+" get") {
			t.Fatalf("error text %q", err)
		}
	})
}

// TestCloseIsIdempotent checks Close twice, and that a store from New
// leaves the *sql.DB open for its owner.
func TestCloseIsIdempotent(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *Store) {
		shared, err := New(bg, s.DB(), s.Dialect(), &Options{Table: s.Table()})
		require.NoError(t, err, "New over the same database")
		if err := shared.Set(bg, keys.Frame("shared"), contextstore.Value{"a": 1}); err != nil {
			t.Fatalf("Set through New's store: %v", err)
		}
		if err := shared.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if err := shared.Close(); err != nil {
			t.Fatalf("second Close: %v", err)
		}
		if err := shared.Set(bg, keys.Frame("shared"), nil); !errors.Is(err, contextstore.ErrClosed) {
			t.Fatalf("Set after Close = %v, want ErrClosed", err)
		}
		v, err := s.Get(bg, keys.Frame("shared"))
		if err != nil || v["a"] != int64(1) {
			t.Fatalf("the owner's store after New's store closed: %v, %v", v, err)
		}
	})
}

// TestEveryCallAfterCloseOrCancel covers the calls the conformance suite
// leaves out of its Close and cancellation contracts.
func TestEveryCallAfterCloseOrCancel(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *Store) {
		k := keys.Column("calls", "a")
		if err := s.Set(bg, k, contextstore.Value{"a": 1}); err != nil {
			t.Fatalf("Set: %v", err)
		}
		calls := map[string]func(ctx context.Context) error{
			"GetMany": func(ctx context.Context) error {
				_, err := s.GetMany(ctx, []keys.Key{k})
				return err
			},
			"ListFrame": func(ctx context.Context) error {
				_, err := s.ListFrame(ctx, "calls")
				return err
			},
			"ListFrames": func(ctx context.Context) error {
				_, err := s.ListFrames(ctx)
				return err
			},
			"ReadFrame": func(ctx context.Context) error {
				_, err := s.ReadFrame(ctx, "calls")
				return err
			},
			"DropFrame": func(ctx context.Context) error { return s.DropFrame(ctx, "calls") },
			"Apply":     func(ctx context.Context) error { return s.Apply(ctx, nil) },
		}
		cancelled, cancel := context.WithCancel(bg)
		cancel()
		for name, call := range calls {
			if err := call(cancelled); !errors.Is(err, context.Canceled) {
				t.Errorf("%s with a cancelled context = %v, want context.Canceled", name, err)
			}
		}
		if v, err := s.Get(bg, k); err != nil || v["a"] != int64(1) {
			t.Fatalf("cancelled calls changed the store: %v, %v", v, err)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		for name, call := range calls {
			err := call(bg)
			var se *contextstore.Error
			if !errors.Is(err, contextstore.ErrClosed) || !errors.As(err, &se) || se.Backend != string(s.Dialect()) {
				t.Errorf("%s after Close = %v, want a %s ErrClosed", name, err, s.Dialect())
			}
		}
	})
}
