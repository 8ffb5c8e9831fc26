package storetest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// NewStore returns a fresh, empty store for one subtest. It may call t.Skip or
// t.Fatal. The suite closes the store when the subtest ends (unless the
// subtest closed it itself); the harness cleans up anything else (a Redis
// prefix, a SQL table, a file) with t.Cleanup.
type NewStore func(t *testing.T) contextstore.Store

// Run runs every contract of the store conformance suite as a subtest, each
// with a fresh store from newStore. A backend's conformance test is one line:
//
//	func TestConformance(t *testing.T) { storetest.Run(t, newTestStore) }
func Run(t *testing.T, newStore NewStore) {
	t.Helper()
	for _, c := range append(contracts[:len(contracts):len(contracts)], versionedContracts...) {
		t.Run(c.name, func(t *testing.T) {
			s := newStore(t)
			t.Cleanup(func() { _ = contextstore.Close(s) })
			c.run(t, s)
		})
	}
}

type contract struct {
	name string
	run  func(t *testing.T, s contextstore.Store)
}

var contracts = []contract{
	{"SetThenGet", testSetThenGet},
	{"SetOverwrites", testSetOverwrites},
	{"GetMissingIsNotFound", testGetMissing},
	{"DeleteRemoves", testDeleteRemoves},
	{"DeleteMissingIsNoError", testDeleteMissing},
	{"ValueFidelity", testValueFidelity},
	{"NegativeZeroIsZero", testNegativeZero},
	{"LargeValue", testLargeValue},
	{"Isolation", testIsolation},
	{"InvalidValuesRefused", testInvalidValues},
	{"InvalidKeysRefused", testInvalidKeys},
	{"UnusualKeysRoundTrip", testUnusualKeys},
	{"ListKeysExactAndComplete", testListKeys},
	{"FrameListingReadingAndDrop", testFrames},
	{"BatchAppliesAll", testBatch},
	{"BatchWithInvalidEntryWritesNothing", testBatchInvalid},
	{"BatchIsAtomicForReaders", testBatchAtomicForReaders},
	{"ConcurrentWritersLoseNothing", testConcurrent},
	{"CancelledContext", testCancelled},
	{"UseAfterClose", testUseAfterClose},
}

var bg = context.Background()

// ---- basic operations ----

func testSetThenGet(t *testing.T, s contextstore.Store) {
	k := keys.Column("weather", "temp")
	v := contextstore.Value{"unit": "degC", "description": "air temperature"}
	mustSet(t, s, k, v)
	got := mustGet(t, s, k)
	assertValue(t, "Get must return what Set stored", got, v)
}

func testSetOverwrites(t *testing.T, s contextstore.Store) {
	k := keys.Frame("weather")
	mustSet(t, s, k, contextstore.Value{"owner": "ana", "old": true})
	mustSet(t, s, k, contextstore.Value{"owner": "ben"})
	got := mustGet(t, s, k)
	assertValue(t, "Set must replace the whole value, not merge", got, contextstore.Value{"owner": "ben"})
}

func testGetMissing(t *testing.T, s contextstore.Store) {
	_, err := s.Get(bg, keys.Row("weather", 3))
	if !errors.Is(err, contextstore.ErrNotFound) {
		t.Fatalf("Get of a missing key must fail with ErrNotFound, got %v", err)
	}
	var se *contextstore.Error
	if !errors.As(err, &se) {
		t.Fatalf("Get of a missing key must return a *contextstore.Error, got %T", err)
	}
	if se.Op == "" || se.Backend == "" {
		t.Errorf("the store error must name its op and backend, got %+v", se)
	}
}

func testDeleteRemoves(t *testing.T, s contextstore.Store) {
	k := keys.Cell("weather", 2, "temp")
	other := keys.Cell("weather", 2, "wind")
	mustSet(t, s, k, contextstore.Value{"flag": "outlier"})
	mustSet(t, s, other, contextstore.Value{"flag": "ok"})
	if err := s.Delete(bg, k); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := s.Get(bg, k); !errors.Is(err, contextstore.ErrNotFound) {
		t.Fatalf("Get after Delete must be ErrNotFound, got %v", err)
	}
	assertValue(t, "Delete must not touch other keys", mustGet(t, s, other), contextstore.Value{"flag": "ok"})
	assertKeys(t, "ListKeys after Delete", mustList(t, s), []keys.Key{other})
}

func testDeleteMissing(t *testing.T, s contextstore.Store) {
	if err := s.Delete(bg, keys.Column("nothing-here", "x")); err != nil {
		t.Fatalf("Delete of a missing key must not be an error, got %v", err)
	}
	k := keys.Column("f", "x")
	mustSet(t, s, k, contextstore.Value{"a": 1})
	for i := 0; i < 2; i++ {
		if err := s.Delete(bg, k); err != nil {
			t.Fatalf("Delete #%d must succeed (Delete is idempotent), got %v", i+1, err)
		}
	}
}

// ---- values ----

// fidelityCases are values with the normal form every backend must return.
func fidelityCases() []struct {
	name     string
	in, want contextstore.Value
} {
	type c = struct {
		name     string
		in, want contextstore.Value
	}
	return []c{
		{name: "ints of every Go type become int64",
			in:   contextstore.Value{"int": 1, "i8": int8(-8), "i16": int16(16), "i32": int32(-32), "i64": int64(64), "u": uint(7), "u8": uint8(8), "u32": uint32(32), "u64": uint64(64)},
			want: contextstore.Value{"int": int64(1), "i8": int64(-8), "i16": int64(16), "i32": int64(-32), "i64": int64(64), "u": int64(7), "u8": int64(8), "u32": int64(32), "u64": int64(64)}},
		{name: "large int64 stay exact",
			in:   contextstore.Value{"max": int64(math.MaxInt64), "min": int64(math.MinInt64), "2^53+1": int64(1<<53 + 1), "zero": 0},
			want: contextstore.Value{"max": int64(math.MaxInt64), "min": int64(math.MinInt64), "2^53+1": int64(1<<53 + 1), "zero": int64(0)}},
		{name: "floats stay floats, whole ones too",
			in:   contextstore.Value{"pi": math.Pi, "two": 2.0, "neg": -0.5, "tiny": 5e-324, "huge": 1e300, "big": 1e21, "e15": 3e15, "f32": float32(0.25), "small": 1e-7, "maxf": math.MaxFloat64},
			want: contextstore.Value{"pi": math.Pi, "two": 2.0, "neg": -0.5, "tiny": 5e-324, "huge": 1e300, "big": 1e21, "e15": 3e15, "f32": 0.25, "small": 1e-7, "maxf": math.MaxFloat64}},
		{name: "bools and nulls",
			in:   contextstore.Value{"t": true, "f": false, "null": nil},
			want: contextstore.Value{"t": true, "f": false, "null": nil}},
		{name: "nested maps and lists",
			in: contextstore.Value{"stats": map[string]any{"mean": 1.5, "n": 10, "hist": []any{1, 2, []any{3.5, "x"}}}, "tags": []string{"a", "b"},
				"owners": []any{map[string]any{"name": "ana"}}, "ints": []int{1, 2}, "floats": []float64{0.5}},
			want: contextstore.Value{"stats": map[string]any{"mean": 1.5, "n": int64(10), "hist": []any{int64(1), int64(2), []any{3.5, "x"}}}, "tags": []any{"a", "b"},
				"owners": []any{map[string]any{"name": "ana"}}, "ints": []any{int64(1), int64(2)}, "floats": []any{0.5}}},
		{name: "unicode and escapes",
			in:   contextstore.Value{"emoji": "🌡️ temp", "cjk": "気温", "rtl": "درجة", "quote": `a "b" \c`, "ctl": "tab\tnl\ncr\r\x01\x1f", "ключ": "значение", "": "empty key", "sep": "a:b{c}d%7B"},
			want: contextstore.Value{"emoji": "🌡️ temp", "cjk": "気温", "rtl": "درجة", "quote": `a "b" \c`, "ctl": "tab\tnl\ncr\r\x01\x1f", "ключ": "значение", "": "empty key", "sep": "a:b{c}d%7B"}},
		{name: "empty map", in: contextstore.Value{}, want: contextstore.Value{}},
		{name: "nil map stores an empty map", in: nil, want: contextstore.Value{}},
		{name: "empty containers inside",
			in:   contextstore.Value{"m": map[string]any{}, "l": []any{}, "s": ""},
			want: contextstore.Value{"m": map[string]any{}, "l": []any{}, "s": ""}},
		{name: "structs are stored as encoding/json writes them",
			in: contextstore.Value{"owner": struct {
				Name string `json:"name"`
				Age  int    `json:"age"`
			}{"ana", 41}, "ptr": new(int)},
			want: contextstore.Value{"owner": map[string]any{"name": "ana", "age": int64(41)}, "ptr": int64(0)}},
	}
}

func testValueFidelity(t *testing.T, s contextstore.Store) {
	for i, c := range fidelityCases() {
		k := keys.Column("fidelity", fmt.Sprintf("c%02d", i))
		mustSet(t, s, k, c.in)
		got := mustGet(t, s, k)
		assertValue(t, "value fidelity: "+c.name, got, c.want)
		// Through the batch path too: batches must store the same normal form.
		kb := keys.Column("fidelity-batch", fmt.Sprintf("c%02d", i))
		if err := contextstore.SetMany(bg, s, []contextstore.Entry{{Key: kb, Value: c.in}}); err != nil {
			t.Fatalf("SetMany(%s): %v", c.name, err)
		}
		vs, err := contextstore.GetMany(bg, s, []keys.Key{kb})
		if err != nil {
			t.Fatalf("GetMany(%s): %v", c.name, err)
		}
		assertValue(t, "value fidelity through batches: "+c.name, vs[0], c.want)
	}
}

// PostgreSQL jsonb keeps no sign on zero, so the normal form has one zero:
// every backend must return -0.0 as 0.0, or backends would disagree.
func testNegativeZero(t *testing.T, s contextstore.Store) {
	k := keys.Column("zero", "a")
	mustSet(t, s, k, contextstore.Value{"z": math.Copysign(0, -1), "l": []any{math.Copysign(0, -1)}, "f32": float32(math.Copysign(0, -1))})
	got := mustGet(t, s, k)
	for _, z := range []any{got["z"], got["l"].([]any)[0], got["f32"]} {
		f, ok := z.(float64)
		if !ok || f != 0 || math.Signbit(f) {
			t.Errorf("-0.0 must come back as float64 0.0 (no sign), got %#v", z)
		}
	}
}

func testLargeValue(t *testing.T, s contextstore.Store) {
	big := strings.Repeat("ctxframe ", (1<<20)/9+1)[:1<<20]
	list := make([]any, 10000)
	for i := range list {
		list[i] = int64(i)
	}
	k := keys.Frame("large")
	v := contextstore.Value{"blob": big, "list": list}
	mustSet(t, s, k, v)
	assertValue(t, "a 1 MiB value must come back whole", mustGet(t, s, k), v)
}

func testIsolation(t *testing.T, s contextstore.Store) {
	k := keys.Column("iso", "a")
	inner := map[string]any{"n": 1}
	list := []any{"x"}
	v := contextstore.Value{"inner": inner, "list": list, "top": "t"}
	mustSet(t, s, k, v)
	v["top"] = "changed"
	inner["n"] = 2
	list[0] = "changed"
	want := contextstore.Value{"inner": map[string]any{"n": int64(1)}, "list": []any{"x"}, "top": "t"}
	assertValue(t, "changing a map after Set must not change what is stored", mustGet(t, s, k), want)

	got := mustGet(t, s, k)
	got["top"] = "mutated"
	got["inner"].(map[string]any)["n"] = int64(99)
	got["list"].([]any)[0] = "mutated"
	assertValue(t, "changing what Get returned must not change what is stored", mustGet(t, s, k), want)
}

func invalidValues() map[string]contextstore.Value {
	cycle := map[string]any{}
	cycle["self"] = cycle
	return map[string]contextstore.Value{
		"NaN":               {"x": math.NaN()},
		"+Inf":              {"x": math.Inf(1)},
		"-Inf":              {"x": math.Inf(-1)},
		"nested NaN":        {"x": []any{map[string]any{"y": math.NaN()}}},
		"func":              {"x": func() {}},
		"channel":           {"x": make(chan int)},
		"complex":           {"x": complex(1, 2)},
		"cyclic map":        {"x": cycle},
		"non-string keys":   {"x": map[int]any{1: "a"}},
		"invalid UTF-8":     {"x": "\xff\xfe"},
		"invalid UTF-8 key": {"\xff": 1},
		"U+0000":            {"x": "a\x00b"},
		"uint64 overflow":   {"x": uint64(math.MaxUint64)},
		"float32 NaN":       {"x": float32(math.NaN())},
	}
}

func testInvalidValues(t *testing.T, s contextstore.Store) {
	existing := keys.Column("invalid", "existing")
	good := contextstore.Value{"ok": true}
	mustSet(t, s, existing, good)
	for name, v := range invalidValues() {
		fresh := keys.Column("invalid", "fresh "+name)
		for _, k := range []keys.Key{existing, fresh} {
			err := s.Set(bg, k, v)
			if !errors.Is(err, contextstore.ErrInvalidValue) {
				t.Errorf("Set of a value with %s must fail with ErrInvalidValue, got %v", name, err)
				continue
			}
			var se *contextstore.Error
			if !errors.As(err, &se) {
				t.Errorf("Set of a value with %s must return a *contextstore.Error, got %T", name, err)
			}
		}
		if _, err := s.Get(bg, fresh); !errors.Is(err, contextstore.ErrNotFound) {
			t.Errorf("a refused Set (%s) must write nothing, but Get found %v", name, err)
		}
	}
	assertValue(t, "a refused Set must leave the old value", mustGet(t, s, existing), good)
	assertKeys(t, "refused Sets must add no keys", mustList(t, s), []keys.Key{existing})
}

func invalidKeys() map[string]keys.Key {
	return map[string]keys.Key{
		"zero key":             {},
		"empty frame":          keys.Column("", "a"),
		"negative row":         keys.Row("f", -1),
		"negative cell row":    keys.Cell("f", -5, "a"),
		"invalid UTF-8 column": keys.Column("f", "\xff"),
		"invalid UTF-8 frame":  keys.Frame("\xc3"),
	}
}

func testInvalidKeys(t *testing.T, s contextstore.Store) {
	for name, k := range invalidKeys() {
		check := func(op string, err error) {
			if !errors.Is(err, keys.ErrInvalidKey) {
				t.Errorf("%s with an invalid key (%s) must fail with keys.ErrInvalidKey, got %v", op, name, err)
			}
		}
		check("Set", s.Set(bg, k, contextstore.Value{"a": 1}))
		_, err := s.Get(bg, k)
		check("Get", err)
		check("Delete", s.Delete(bg, k))
		check("Apply", contextstore.Apply(bg, s, []contextstore.Mutation{contextstore.Put(k, contextstore.Value{})}))
		_, err = contextstore.GetMany(bg, s, []keys.Key{k})
		check("GetMany", err)
	}
	assertKeys(t, "invalid keys must write nothing", mustList(t, s), nil)
}

func unusualKeys() []keys.Key {
	long := strings.Repeat("long-name-", 1000)
	frames := []string{"plain", "with:colon", "with{brace}", "}{", "%7B", "per%cent", "emoji 🧪", "new\nline", "nul\x00byte", "ctx1:{x}f", "a", "a:b", " "}
	var ks []keys.Key
	for _, f := range frames {
		ks = append(ks, keys.Frame(f), keys.Column(f, ""), keys.Column(f, "c:x"), keys.Column(f, "x:1:y"),
			keys.Column(f, "{}"), keys.Column(f, `"quoted"`), keys.Column(f, "🦀"), keys.Column(f, long),
			keys.Column(f, "nul\x00col"), keys.Row(f, 0), keys.Row(f, math.MaxInt32), keys.Cell(f, 0, ""),
			keys.Cell(f, 12, "a:b"), keys.Cell(f, 1, "1"))
	}
	return ks
}

func testUnusualKeys(t *testing.T, s contextstore.Store) {
	ks := unusualKeys()
	for i, k := range ks {
		mustSet(t, s, k, contextstore.Value{"i": i})
	}
	for i, k := range ks {
		got, err := s.Get(bg, k)
		if err != nil {
			t.Fatalf("Get(%q) of an unusual but valid key: %v", k, err)
		}
		assertValue(t, fmt.Sprintf("unusual key %q", k), got, contextstore.Value{"i": int64(i)})
	}
	want := slices.Clone(ks)
	keys.Sort(want)
	assertKeys(t, "ListKeys must return unusual keys exactly", mustList(t, s), want)
}

// ---- listing ----

func testListKeys(t *testing.T, s contextstore.Store) {
	var want []keys.Key
	frames := []string{"list-a", "list-b", "list-a:b", "list-c"}
	for fi, f := range frames {
		want = append(want, keys.Frame(f))
		for i := 0; i < 2500-1; i++ {
			switch i % 3 {
			case 0:
				want = append(want, keys.Column(f, fmt.Sprintf("col-%d-%d", fi, i)))
			case 1:
				want = append(want, keys.Row(f, i))
			default:
				want = append(want, keys.Cell(f, i, fmt.Sprintf("c%d", i%7)))
			}
		}
	}
	setAll(t, s, want)
	keys.Sort(want)
	assertKeys(t, "ListKeys must return every key exactly once, sorted", mustList(t, s), want)

	// Delete a third and list again: nothing stale may remain.
	var gone, kept []keys.Key
	for i, k := range want {
		if i%3 == 0 {
			gone = append(gone, k)
		} else {
			kept = append(kept, k)
		}
	}
	if err := contextstore.DeleteMany(bg, s, gone); err != nil {
		t.Fatalf("DeleteMany: %v", err)
	}
	assertKeys(t, "ListKeys after deleting a third", mustList(t, s), kept)
}

func testFrames(t *testing.T, s contextstore.Store) {
	// Frame IDs that are prefixes or escapes of each other must not leak into
	// each other's listings.
	frames := []string{"f", "f:", "f}", "f%", "ff", "f\x00"}
	byFrame := map[string][]keys.Key{}
	var all []keys.Key
	for _, f := range frames {
		ks := []keys.Key{keys.Frame(f), keys.Column(f, "a"), keys.Row(f, 1), keys.Cell(f, 1, "a")}
		byFrame[f] = ks
		all = append(all, ks...)
	}
	setAll(t, s, all)
	for _, f := range frames {
		got, err := contextstore.ListFrame(bg, s, f)
		if err != nil {
			t.Fatalf("ListFrame(%q): %v", f, err)
		}
		assertKeys(t, fmt.Sprintf("ListFrame(%q) must list exactly that frame's keys, sorted", f), got, byFrame[f])
		entries, err := contextstore.ReadFrame(bg, s, f)
		if err != nil {
			t.Fatalf("ReadFrame(%q): %v", f, err)
		}
		var entryKeys []keys.Key
		for _, e := range entries {
			entryKeys = append(entryKeys, e.Key)
			assertValue(t, fmt.Sprintf("ReadFrame(%q) value of %q", f, e.Key), e.Value, valueFor(e.Key))
		}
		assertKeys(t, fmt.Sprintf("ReadFrame(%q) must return that frame's entries, sorted", f), entryKeys, byFrame[f])
	}
	ids, err := contextstore.ListFrames(bg, s)
	if err != nil {
		t.Fatalf("ListFrames: %v", err)
	}
	wantIDs := slices.Clone(frames)
	slices.Sort(wantIDs)
	if !slices.Equal(ids, wantIDs) {
		t.Fatalf("ListFrames must list every frame with context, sorted:\n got %q\nwant %q", ids, wantIDs)
	}

	if err := contextstore.DropFrame(bg, s, "f"); err != nil {
		t.Fatalf("DropFrame: %v", err)
	}
	if err := contextstore.DropFrame(bg, s, "never-had-context"); err != nil {
		t.Fatalf("DropFrame of a frame without context must not be an error, got %v", err)
	}
	got, err := contextstore.ListFrame(bg, s, "f")
	if err != nil {
		t.Fatalf("ListFrame after DropFrame: %v", err)
	}
	assertKeys(t, "DropFrame must remove every entry of the frame", got, nil)
	var rest []keys.Key
	for _, f := range frames[1:] {
		rest = append(rest, byFrame[f]...)
	}
	keys.Sort(rest)
	assertKeys(t, "DropFrame must leave other frames alone", mustList(t, s), rest)
}

// ---- batches ----

func testBatch(t *testing.T, s contextstore.Store) {
	a, b, c := keys.Column("batch", "a"), keys.Row("batch", 1), keys.Cell("batch", 1, "a")
	other := keys.Frame("batch-other")
	mustSet(t, s, c, contextstore.Value{"old": true})
	err := contextstore.Apply(bg, s, []contextstore.Mutation{
		contextstore.Put(a, contextstore.Value{"v": 1}),
		contextstore.Put(b, contextstore.Value{"v": 2}),
		contextstore.Remove(c),
		contextstore.Put(a, contextstore.Value{"v": 3}), // later mutations win
		contextstore.Put(other, contextstore.Value{"v": 4}),
	})
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	vs, err := contextstore.GetMany(bg, s, []keys.Key{a, b, c, other, keys.Row("batch", 99)})
	if err != nil {
		t.Fatalf("GetMany: %v", err)
	}
	if len(vs) != 5 {
		t.Fatalf("GetMany must return one value per key, got %d", len(vs))
	}
	assertValue(t, "Apply: the last mutation of a key wins", vs[0], contextstore.Value{"v": int64(3)})
	assertValue(t, "Apply: set", vs[1], contextstore.Value{"v": int64(2)})
	if vs[2] != nil {
		t.Errorf("Apply: a Remove must delete the key, GetMany found %v", vs[2])
	}
	assertValue(t, "Apply across frames", vs[3], contextstore.Value{"v": int64(4)})
	if vs[4] != nil {
		t.Errorf("GetMany must return nil for a missing key, got %v", vs[4])
	}
	if err := contextstore.Apply(bg, s, nil); err != nil {
		t.Errorf("an empty batch must succeed, got %v", err)
	}
}

func testBatchInvalid(t *testing.T, s contextstore.Store) {
	keep := keys.Column("atomic", "keep")
	mustSet(t, s, keep, contextstore.Value{"v": "before"})
	ms := []contextstore.Mutation{
		contextstore.Put(keep, contextstore.Value{"v": "after"}),
		contextstore.Put(keys.Column("atomic", "new"), contextstore.Value{"v": 1}),
		contextstore.Put(keys.Column("atomic", "bad"), contextstore.Value{"v": math.NaN()}),
		contextstore.Remove(keep),
	}
	err := contextstore.Apply(bg, s, ms)
	if !errors.Is(err, contextstore.ErrInvalidValue) {
		t.Fatalf("a batch with a NaN must fail with ErrInvalidValue, got %v", err)
	}
	var be *contextstore.BatchError
	if !errors.As(err, &be) || len(be.Failures) != 1 || be.Failures[0].Index != 2 {
		t.Fatalf("the batch error must name the bad entry's position (2), got %v", err)
	}
	assertValue(t, "a refused batch must change nothing", mustGet(t, s, keep), contextstore.Value{"v": "before"})
	assertKeys(t, "a refused batch must add nothing", mustList(t, s), []keys.Key{keep})

	err = contextstore.Apply(bg, s, []contextstore.Mutation{
		contextstore.Put(keys.Column("atomic", "x"), contextstore.Value{}),
		contextstore.Put(keys.Row("atomic", -1), contextstore.Value{}),
	})
	if !errors.Is(err, keys.ErrInvalidKey) {
		t.Fatalf("a batch with an invalid key must fail with keys.ErrInvalidKey, got %v", err)
	}
	assertKeys(t, "a batch with an invalid key must add nothing", mustList(t, s), []keys.Key{keep})
}

func testBatchAtomicForReaders(t *testing.T, s contextstore.Store) {
	if _, ok := s.(contextstore.Batcher); !ok {
		t.Skip("the store has no Batcher: batches fall back to single calls, which readers may see half done")
	}
	const n, rounds = 20, 30
	frame := "atomic-readers"
	ks := make([]keys.Key, n)
	for i := range ks {
		ks[i] = keys.Cell(frame, i, "v")
	}
	write := func(round int) error {
		ms := make([]contextstore.Mutation, n)
		for i, k := range ks {
			ms[i] = contextstore.Put(k, contextstore.Value{"round": round})
		}
		return contextstore.Apply(bg, s, ms)
	}
	if err := write(0); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	var wg sync.WaitGroup
	done := make(chan struct{})
	errs := make(chan error, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			entries, err := contextstore.ReadFrame(bg, s, frame)
			if err != nil {
				errs <- err
				return
			}
			if len(entries) != n {
				errs <- fmt.Errorf("a reader saw %d of %d entries of a batch", len(entries), n)
				return
			}
			first := entries[0].Value["round"]
			for _, e := range entries {
				if e.Value["round"] != first {
					errs <- fmt.Errorf("a reader saw a half-applied batch: rounds %v and %v", first, e.Value["round"])
					return
				}
			}
		}
	}()
	for r := 1; r <= rounds; r++ {
		if err := write(r); err != nil {
			close(done)
			wg.Wait()
			t.Fatalf("Apply round %d: %v", r, err)
		}
	}
	close(done)
	wg.Wait()
	select {
	case err := <-errs:
		t.Fatalf("batch atomicity (per frame): %v", err)
	default:
	}
}

// ---- concurrency ----

func testConcurrent(t *testing.T, s contextstore.Store) {
	const workers, perWorker = 16, 40
	shared := keys.Frame("concurrent-shared")
	var wg sync.WaitGroup
	errs := make(chan error, workers*2)
	for w := 0; w < workers; w++ {
		wg.Add(2)
		go func() { // writer: its own keys, plus contention on one shared key
			defer wg.Done()
			for i := 0; i < perWorker; i++ {
				k := keys.Cell(fmt.Sprintf("concurrent-%d", w%4), w*perWorker+i, "c")
				if err := s.Set(bg, k, contextstore.Value{"w": w, "i": i}); err != nil {
					errs <- err
					return
				}
				if err := s.Set(bg, shared, contextstore.Value{"w": w, "i": i, "pad": strings.Repeat("x", w)}); err != nil {
					errs <- err
					return
				}
			}
		}()
		go func() { // reader
			defer wg.Done()
			for i := 0; i < perWorker; i++ {
				v, err := s.Get(bg, shared)
				if err != nil && !errors.Is(err, contextstore.ErrNotFound) {
					errs <- err
					return
				}
				if err == nil {
					w, ok := v["w"].(int64)
					if !ok || v["pad"] != strings.Repeat("x", int(w)) {
						errs <- fmt.Errorf("a reader saw a torn value %v", v)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent use: %v", err)
	}
	for w := 0; w < workers; w++ {
		for i := 0; i < perWorker; i++ {
			k := keys.Cell(fmt.Sprintf("concurrent-%d", w%4), w*perWorker+i, "c")
			v, err := s.Get(bg, k)
			if err != nil {
				t.Fatalf("lost update: Get(%q) after concurrent writes: %v", k, err)
			}
			assertValue(t, "concurrent writes", v, contextstore.Value{"w": int64(w), "i": int64(i)})
		}
	}
	if n := len(mustList(t, s)); n != workers*perWorker+1 {
		t.Fatalf("after concurrent writes ListKeys must hold %d keys, got %d", workers*perWorker+1, n)
	}
}

// ---- context and lifecycle ----

func testCancelled(t *testing.T, s contextstore.Store) {
	ctx, cancel := context.WithCancel(bg)
	cancel()
	k := keys.Column("cancelled", "a")
	check := func(op string, err error) {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context must fail with context.Canceled, got %v", op, err)
		}
	}
	check("Set", s.Set(ctx, k, contextstore.Value{"a": 1}))
	_, err := s.Get(ctx, k)
	check("Get", err)
	check("Delete", s.Delete(ctx, k))
	_, err = s.ListKeys(ctx)
	check("ListKeys", err)
	check("Apply", contextstore.Apply(ctx, s, []contextstore.Mutation{contextstore.Put(k, contextstore.Value{})}))
	_, err = contextstore.GetMany(ctx, s, []keys.Key{k})
	check("GetMany", err)
	_, err = contextstore.ReadFrame(ctx, s, "cancelled")
	check("ReadFrame", err)
	_, err = contextstore.ListFrame(ctx, s, "cancelled")
	check("ListFrame", err)
	_, err = contextstore.ListFrames(ctx, s)
	check("ListFrames", err)
	check("DropFrame", contextstore.DropFrame(ctx, s, "cancelled"))
	if v, ok := s.(contextstore.Versioner); ok {
		_, err = v.ReadVersioned(ctx, "cancelled")
		check("ReadVersioned", err)
		_, err = v.ApplyIf(ctx, nil, []contextstore.Mutation{contextstore.Put(k, contextstore.Value{})})
		check("ApplyIf", err)
	}
	assertKeys(t, "operations with a cancelled context must write nothing", mustList(t, s), nil)
}

func testUseAfterClose(t *testing.T, s contextstore.Store) {
	c, ok := s.(io.Closer)
	if !ok {
		t.Skip("the store is not an io.Closer")
	}
	k := keys.Column("closed", "a")
	mustSet(t, s, k, contextstore.Value{"a": 1})
	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	check := func(op string, err error) {
		if !errors.Is(err, contextstore.ErrClosed) {
			t.Errorf("%s after Close must fail with ErrClosed, got %v", op, err)
		}
	}
	check("Set", s.Set(bg, k, contextstore.Value{"a": 2}))
	_, err := s.Get(bg, k)
	check("Get", err)
	check("Delete", s.Delete(bg, k))
	_, err = s.ListKeys(bg)
	check("ListKeys", err)
	check("Apply", contextstore.Apply(bg, s, []contextstore.Mutation{contextstore.Remove(k)}))
	_, err = contextstore.GetMany(bg, s, []keys.Key{k})
	check("GetMany", err)
	_, err = contextstore.ReadFrame(bg, s, "closed")
	check("ReadFrame", err)
	_, err = contextstore.ListFrame(bg, s, "closed")
	check("ListFrame", err)
	_, err = contextstore.ListFrames(bg, s)
	check("ListFrames", err)
	check("DropFrame", contextstore.DropFrame(bg, s, "closed"))
	if v, ok := s.(contextstore.Versioner); ok {
		_, err = v.ReadVersioned(bg, "closed")
		check("ReadVersioned", err)
		_, err = v.ApplyIf(bg, nil, []contextstore.Mutation{contextstore.Remove(k)})
		check("ApplyIf", err)
	}
}

// ---- helpers ----

func valueFor(k keys.Key) contextstore.Value {
	return contextstore.Value{"key": strconv.Quote(k.String())} // quoted: a frame ID may hold U+0000
}

func setAll(t *testing.T, s contextstore.Store, ks []keys.Key) {
	t.Helper()
	const chunk = 1000
	for start := 0; start < len(ks); start += chunk {
		end := min(start+chunk, len(ks))
		entries := make([]contextstore.Entry, 0, end-start)
		for _, k := range ks[start:end] {
			entries = append(entries, contextstore.Entry{Key: k, Value: valueFor(k)})
		}
		if err := contextstore.SetMany(bg, s, entries); err != nil {
			t.Fatalf("SetMany: %v", err)
		}
	}
}

func mustSet(t *testing.T, s contextstore.Store, k keys.Key, v contextstore.Value) {
	t.Helper()
	if err := s.Set(bg, k, v); err != nil {
		t.Fatalf("Set(%q): %v", k, err)
	}
}

func mustGet(t *testing.T, s contextstore.Store, k keys.Key) contextstore.Value {
	t.Helper()
	v, err := s.Get(bg, k)
	if err != nil {
		t.Fatalf("Get(%q): %v", k, err)
	}
	return v
}

func mustList(t *testing.T, s contextstore.Store) []keys.Key {
	t.Helper()
	ks, err := s.ListKeys(bg)
	if err != nil {
		t.Fatalf("ListKeys: %v", err)
	}
	return ks
}

func assertValue(t *testing.T, contract string, got, want contextstore.Value) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: got no value, want %v", contract, want)
		return
	}
	if !contextstore.Equal(got, want) {
		t.Errorf("%s:\n got %s\nwant %s", contract, describe(got), describe(want))
	}
}

func assertKeys(t *testing.T, contract string, got, want []keys.Key) {
	t.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if slices.Equal(got, want) {
		return
	}
	missing, extra := diffKeys(got, want)
	t.Errorf("%s: got %d keys, want %d; missing %d (first: %q), unexpected %d (first: %q), or out of order",
		contract, len(got), len(want), len(missing), first(missing), len(extra), first(extra))
}

func diffKeys(got, want []keys.Key) (missing, extra []keys.Key) {
	g := make(map[keys.Key]int, len(got))
	for _, k := range got {
		g[k]++
	}
	for _, k := range want {
		if g[k] == 0 {
			missing = append(missing, k)
		} else {
			g[k]--
		}
	}
	for k, n := range g {
		for ; n > 0; n-- {
			extra = append(extra, k)
		}
	}
	return missing, extra
}

func first(ks []keys.Key) string {
	if len(ks) == 0 {
		return ""
	}
	return ks[0].String()
}

// describe prints a value with its Go types, since the suite's point is that
// int64 and float64 must not be confused.
func describe(v any) string {
	switch v := v.(type) {
	case contextstore.Value:
		return describe(map[string]any(v))
	case map[string]any:
		ks := make([]string, 0, len(v))
		for k := range v {
			ks = append(ks, k)
		}
		slices.Sort(ks)
		parts := make([]string, len(ks))
		for i, k := range ks {
			parts[i] = fmt.Sprintf("%q: %s", k, describe(v[k]))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = describe(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case string:
		if len(v) > 60 {
			return fmt.Sprintf("%q...(%d bytes)", v[:60], len(v))
		}
		return fmt.Sprintf("%q", v)
	}
	return fmt.Sprintf("%T(%v)", v, v)
}

// RunDecorated runs the suite on stores from newStore, each wrapped by
// wrap (a decorator such as contextstore.Instrument or contextstore.Cache),
// and first checks that the wrapped store offers exactly the optional
// capabilities of the store it wraps: a decorator must neither hide one nor
// pretend to one.
func RunDecorated(t *testing.T, newStore NewStore, wrap func(contextstore.Store) contextstore.Store) {
	t.Helper()
	t.Run("SameCapabilities", func(t *testing.T) {
		inner := newStore(t)
		t.Cleanup(func() { _ = contextstore.Close(inner) })
		want, got := capabilities(inner), capabilities(wrap(inner))
		if !slices.Equal(want, got) {
			t.Fatalf("the decorated store has capabilities %v, the store it wraps %v", got, want)
		}
	})
	Run(t, func(t *testing.T) contextstore.Store { return wrap(newStore(t)) })
}

// capabilities lists the optional interfaces s implements.
func capabilities(s contextstore.Store) []string {
	var out []string
	for _, c := range []struct {
		name string
		has  bool
	}{
		{"Batcher", is[contextstore.Batcher](s)},
		{"FrameLister", is[contextstore.FrameLister](s)},
		{"FrameReader", is[contextstore.FrameReader](s)},
		{"FrameDropper", is[contextstore.FrameDropper](s)},
		{"FrameEnumerator", is[contextstore.FrameEnumerator](s)},
		{"Versioner", is[contextstore.Versioner](s)},
		{"StateReader", is[contextstore.StateReader](s)},
		{"io.Closer", is[io.Closer](s)},
	} {
		if c.has {
			out = append(out, c.name)
		}
	}
	return out
}

func is[T any](s contextstore.Store) bool {
	_, ok := s.(T)
	return ok
}
