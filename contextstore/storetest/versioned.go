package storetest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// The contracts of versioned frames (contextstore.Versioner) and merges.
// A store without the capability must say so with ErrUnsupported; a store
// with it must keep every one of these.
var versionedContracts = []contract{
	{"VersionedReadIsConsistent", testVersionedRead},
	{"EveryWriteChangesVersion", testEveryWriteChangesVersion},
	{"ConditionalBatchAtCurrentVersionApplies", testConditionalCurrent},
	{"ConditionalBatchAtOldVersionWritesNothing", testConditionalOld},
	{"EpochChangesOnlyWithRelayout", testEpoch},
	{"VersionsNeverGoBackAfterDrop", testVersionsAfterDrop},
	{"ConditionalIncrementsLoseNone", testConditionalIncrements},
	{"MergePatchesFields", testMergePatches},
	{"ConcurrentMergesLoseNone", testConcurrentMerges},
	{"UncheckedEmptyApplyIfReadsState", testStateRead},
	{"FrameStatesMatchVersionedReads", testFrameStates},
	{"SubsetReadSelectsExactly", testSubsetRead},
	{"RemapMovesRowsAndCells", testRemap},
}

// versioner returns s's Versioner, or checks that the helpers refuse a
// store without one and ends the subtest.
func versioner(t *testing.T, s contextstore.Store) contextstore.Versioner {
	t.Helper()
	v, ok := s.(contextstore.Versioner)
	if ok {
		return v
	}
	_, err := contextstore.ReadVersioned(bg, s, "f")
	if !errors.Is(err, contextstore.ErrUnsupported) {
		t.Fatalf("ReadVersioned on a store without Versioner must fail with ErrUnsupported, got %v", err)
	}
	_, err = contextstore.ApplyIf(bg, s, nil, []contextstore.Mutation{contextstore.Put(keys.Frame("f"), contextstore.Value{})})
	if !errors.Is(err, contextstore.ErrUnsupported) {
		t.Fatalf("ApplyIf on a store without Versioner must fail with ErrUnsupported, got %v", err)
	}
	if ks := mustList(t, s); len(ks) != 0 {
		t.Fatalf("a refused ApplyIf must write nothing, found %v", ks)
	}
	t.Skip("the store has no versioned frames; the helpers refuse it, as they must")
	return nil
}

func mustRead(t *testing.T, v contextstore.Versioner, frameID string) contextstore.Snapshot {
	t.Helper()
	snap, err := v.ReadVersioned(bg, frameID)
	if err != nil {
		t.Fatalf("ReadVersioned(%q): %v", frameID, err)
	}
	if snap.FrameID != frameID {
		t.Fatalf("ReadVersioned(%q) returned frame %q", frameID, snap.FrameID)
	}
	return snap
}

func testVersionedRead(t *testing.T, s contextstore.Store) {
	v := versioner(t, s)
	if snap := mustRead(t, v, "vr"); snap.State != (contextstore.FrameState{}) || len(snap.Entries) != 0 {
		t.Fatalf("a frame never written must read as the zero state with no entries, got %+v", snap)
	}
	ks := []keys.Key{keys.Frame("vr"), keys.Column("vr", "a"), keys.Row("vr", 2), keys.Cell("vr", 1, "a")}
	setAll(t, s, ks)
	mustSet(t, s, keys.Column("vr-other", "a"), contextstore.Value{"x": 1})
	snap := mustRead(t, v, "vr")
	if snap.State.Version == 0 {
		t.Errorf("a written frame must have a non-zero version, got %+v", snap.State)
	}
	got := make([]keys.Key, len(snap.Entries))
	for i, e := range snap.Entries {
		got[i] = e.Key
		assertValue(t, "ReadVersioned returns each entry's value", e.Value, valueFor(e.Key))
	}
	want := append([]keys.Key(nil), ks...)
	keys.Sort(want)
	assertKeys(t, "ReadVersioned returns exactly the frame's entries, sorted", got, want)

	// A reader never sees entries of one version with the state of another.
	const rounds = 40
	done := make(chan error, 1)
	go func() {
		for i := 0; i < rounds; i++ {
			ms := []contextstore.Mutation{
				contextstore.Put(keys.Frame("vr"), contextstore.Value{"i": i}),
				contextstore.Put(keys.Column("vr", "a"), contextstore.Value{"i": i}),
			}
			if err := contextstore.Apply(bg, s, ms); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	seen := make(map[uint64]int64)
	for i := 0; i < rounds; i++ {
		snap := mustRead(t, v, "vr")
		var fi, ci any
		for _, e := range snap.Entries {
			switch e.Key {
			case keys.Frame("vr"):
				fi = e.Value["i"]
			case keys.Column("vr", "a"):
				ci = e.Value["i"]
			}
		}
		if fi != ci {
			t.Fatalf("ReadVersioned saw half a batch: frame i=%v, column i=%v", fi, ci)
		}
		if n, ok := fi.(int64); ok {
			if prev, seenBefore := seen[snap.State.Version]; seenBefore && prev != n {
				t.Fatalf("version %d read with two different contents (i=%d and i=%d)", snap.State.Version, prev, n)
			}
			seen[snap.State.Version] = n
		}
	}
	if err := <-done; err != nil {
		t.Fatalf("Apply: %v", err)
	}
}

func testEveryWriteChangesVersion(t *testing.T, s contextstore.Store) {
	v := versioner(t, s)
	const id = "ev"
	k := keys.Column(id, "a")
	last := mustRead(t, v, id).State
	step := func(what string, write func() error) {
		t.Helper()
		if err := write(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		now := mustRead(t, v, id).State
		if now.Version == last.Version {
			t.Errorf("%s must change the frame's version (still %d)", what, now.Version)
		}
		if now.Epoch != last.Epoch {
			t.Errorf("%s must not change the layout epoch (%d -> %d)", what, last.Epoch, now.Epoch)
		}
		last = now
	}
	step("Set", func() error { return s.Set(bg, k, contextstore.Value{"a": 1}) })
	step("Set of the same value", func() error { return s.Set(bg, k, contextstore.Value{"a": 1}) })
	step("Apply", func() error {
		return contextstore.Apply(bg, s, []contextstore.Mutation{contextstore.Put(keys.Row(id, 0), contextstore.Value{})})
	})
	step("a merge", func() error {
		return contextstore.Apply(bg, s, []contextstore.Mutation{contextstore.Patch(k, contextstore.Value{"b": 2})})
	})
	step("Delete", func() error { return s.Delete(bg, keys.Row(id, 0)) })
	step("ApplyIf", func() error {
		_, err := v.ApplyIf(bg, []contextstore.Guard{contextstore.AtVersion(id, last)},
			[]contextstore.Mutation{contextstore.Put(k, contextstore.Value{"c": 3})})
		return err
	})
	before := last
	if err := s.Set(bg, keys.Column("ev-other", "a"), contextstore.Value{}); err != nil {
		t.Fatal(err)
	}
	if now := mustRead(t, v, id).State; now != before {
		t.Errorf("a write to another frame must leave this frame's state alone (%+v -> %+v)", before, now)
	}
	if err := contextstore.DropFrame(bg, s, id); err != nil {
		t.Fatal(err)
	}
	if now := mustRead(t, v, id); now.State != (contextstore.FrameState{}) || len(now.Entries) != 0 {
		t.Errorf("DropFrame must return the frame to the zero state with no entries, got %+v", now)
	}
}

// testStateRead: an ApplyIf whose guards check nothing, relay nothing out
// and that writes nothing reads the frames' states and changes none of
// them; caches validate their frames with it.
func testStateRead(t *testing.T, s contextstore.Store) {
	v := versioner(t, s)
	states, err := v.ApplyIf(bg, []contextstore.Guard{{FrameID: "st"}}, nil)
	if err != nil {
		t.Fatalf("state read of a frame never written: %v", err)
	}
	if len(states) != 1 || states[0] != (contextstore.FrameState{}) {
		t.Fatalf("a frame never written must read as the zero state, got %+v", states)
	}
	mustSet(t, s, keys.Column("st", "a"), contextstore.Value{"a": 1})
	mustSet(t, s, keys.Column("st2", "a"), contextstore.Value{"a": 1})
	want := []contextstore.FrameState{mustRead(t, v, "st").State, mustRead(t, v, "st2").State}
	for range 2 {
		states, err = v.ApplyIf(bg, []contextstore.Guard{{FrameID: "st"}, {FrameID: "st2"}}, nil)
		if err != nil {
			t.Fatalf("state read: %v", err)
		}
		if !slices.Equal(states, want) {
			t.Fatalf("state read returned %+v, versioned reads %+v", states, want)
		}
	}
	if now := mustRead(t, v, "st").State; now != want[0] {
		t.Fatalf("a state read must not change the frame's state (%+v -> %+v)", want[0], now)
	}
}

// testFrameStates: contextstore.FrameStates (the store's StateReader, or
// its fallback) returns what versioned reads return, for several frames,
// one never written among them, and follows every write.
func testFrameStates(t *testing.T, s contextstore.Store) {
	v := versioner(t, s)
	ids := []string{"fs1", "fs-never", "fs2"}
	check := func(when string) {
		t.Helper()
		got, err := contextstore.FrameStates(bg, s, ids)
		if err != nil {
			t.Fatalf("%s: FrameStates: %v", when, err)
		}
		want := make([]contextstore.FrameState, len(ids))
		for i, id := range ids {
			want[i] = mustRead(t, v, id).State
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%s: FrameStates = %+v, versioned reads %+v", when, got, want)
		}
	}
	check("before any write")
	mustSet(t, s, keys.Column("fs1", "a"), contextstore.Value{"a": 1})
	mustSet(t, s, keys.Row("fs2", 0), contextstore.Value{"a": 1})
	check("after writes")
	g := contextstore.AtVersion("fs2", mustRead(t, v, "fs2").State)
	g.Relayout = true
	if _, err := v.ApplyIf(bg, []contextstore.Guard{g}, nil); err != nil {
		t.Fatal(err)
	}
	check("after a relayout")
	if err := contextstore.DropFrame(bg, s, "fs1"); err != nil {
		t.Fatal(err)
	}
	check("after a drop")
	if _, err := contextstore.FrameStates(bg, s, []string{"ok", ""}); !errors.Is(err, keys.ErrInvalidKey) {
		t.Fatalf("FrameStates with an empty frame ID: want keys.ErrInvalidKey, got %v", err)
	}
}

func testConditionalCurrent(t *testing.T, s contextstore.Store) {
	v := versioner(t, s)
	mustSet(t, s, keys.Column("cc", "a"), contextstore.Value{"a": 1})
	mustSet(t, s, keys.Column("cc-in", "a"), contextstore.Value{"a": 1})
	out, in := mustRead(t, v, "cc"), mustRead(t, v, "cc-in")
	guards := []contextstore.Guard{contextstore.AtVersion("cc", out.State), contextstore.AtVersion("cc-in", in.State)}
	states, err := v.ApplyIf(bg, guards, []contextstore.Mutation{
		contextstore.Put(keys.Column("cc", "b"), contextstore.Value{"b": 2}),
		contextstore.Remove(keys.Column("cc", "a")),
	})
	if err != nil {
		t.Fatalf("ApplyIf at the current versions must apply, got %v", err)
	}
	if len(states) != 2 {
		t.Fatalf("ApplyIf must return one state per guard, got %v", states)
	}
	after := mustRead(t, v, "cc")
	if states[0] != after.State || states[0].Version == out.State.Version {
		t.Errorf("ApplyIf must return the written frame's new state: returned %+v, read %+v, before %+v", states[0], after.State, out.State)
	}
	if states[1] != in.State {
		t.Errorf("a guarded frame the batch does not write keeps its state: returned %+v, was %+v", states[1], in.State)
	}
	if _, err := s.Get(bg, keys.Column("cc", "a")); !errors.Is(err, contextstore.ErrNotFound) {
		t.Errorf("ApplyIf must apply its deletes, Get gave %v", err)
	}
	assertValue(t, "ApplyIf must apply its sets", mustGet(t, s, keys.Column("cc", "b")), contextstore.Value{"b": int64(2)})

	// A guard on a frame never written holds at the zero state.
	if _, err := v.ApplyIf(bg, []contextstore.Guard{contextstore.AtVersion("cc-new", contextstore.FrameState{})},
		[]contextstore.Mutation{contextstore.Put(keys.Frame("cc-new"), contextstore.Value{"n": 1})}); err != nil {
		t.Errorf("ApplyIf on a new frame at the zero state must apply, got %v", err)
	}
	if _, err := v.ApplyIf(bg, []contextstore.Guard{{FrameID: ""}}, nil); !errors.Is(err, keys.ErrInvalidKey) {
		t.Errorf("a guard with an empty frame ID must be a key error, got %v", err)
	}
}

func testConditionalOld(t *testing.T, s contextstore.Store) {
	v := versioner(t, s)
	k := keys.Column("co", "a")
	mustSet(t, s, k, contextstore.Value{"a": 1})
	old := mustRead(t, v, "co").State
	mustSet(t, s, k, contextstore.Value{"a": 2})
	now := mustRead(t, v, "co").State
	_, err := v.ApplyIf(bg, []contextstore.Guard{contextstore.AtVersion("co", old)}, []contextstore.Mutation{
		contextstore.Put(k, contextstore.Value{"a": 3}),
		contextstore.Put(keys.Row("co", 1), contextstore.Value{"r": 1}),
		contextstore.Patch(keys.Frame("co"), contextstore.Value{"f": 1}),
	})
	if !errors.Is(err, contextstore.ErrConflict) {
		t.Fatalf("ApplyIf at an old version must fail with ErrConflict, got %v", err)
	}
	var se *contextstore.Error
	var ce *contextstore.ConflictError
	if !errors.As(err, &se) || !errors.As(err, &ce) {
		t.Fatalf("a conflict must be a *contextstore.Error carrying a *ConflictError, got %T %v", err, err)
	}
	if ce.FrameID != "co" || ce.Got != now {
		t.Errorf("the conflict must name the frame and its current state %+v, got %+v", now, ce)
	}
	assertValue(t, "a refused ApplyIf writes nothing", mustGet(t, s, k), contextstore.Value{"a": int64(2)})
	if _, err := s.Get(bg, keys.Row("co", 1)); !errors.Is(err, contextstore.ErrNotFound) {
		t.Errorf("a refused ApplyIf must write none of its entries, Get gave %v", err)
	}
	if after := mustRead(t, v, "co").State; after != now {
		t.Errorf("a refused ApplyIf must leave the state alone: %+v -> %+v", now, after)
	}
	// One stale guard among good ones refuses the whole batch.
	mustSet(t, s, keys.Column("co-b", "a"), contextstore.Value{})
	good := mustRead(t, v, "co-b").State
	_, err = v.ApplyIf(bg, []contextstore.Guard{contextstore.AtVersion("co-b", good), contextstore.AtVersion("co", old)},
		[]contextstore.Mutation{contextstore.Put(keys.Column("co-b", "x"), contextstore.Value{})})
	if !errors.Is(err, contextstore.ErrConflict) {
		t.Fatalf("one stale guard must refuse the batch, got %v", err)
	}
	if _, err := s.Get(bg, keys.Column("co-b", "x")); !errors.Is(err, contextstore.ErrNotFound) {
		t.Errorf("a batch refused for another frame's guard must write nothing, Get gave %v", err)
	}
}

func testEpoch(t *testing.T, s contextstore.Store) {
	v := versioner(t, s)
	const id = "ep"
	mustSet(t, s, keys.Row(id, 0), contextstore.Value{"r": 0})
	st := mustRead(t, v, id).State
	mustSet(t, s, keys.Row(id, 1), contextstore.Value{"r": 1})
	if _, err := v.ApplyIf(bg, []contextstore.Guard{contextstore.AtEpoch(id, st.Epoch)},
		[]contextstore.Mutation{contextstore.Put(keys.Row(id, 2), contextstore.Value{})}); err != nil {
		t.Fatalf("an epoch guard must hold across writes that do not relayout, got %v", err)
	}
	cur := mustRead(t, v, id).State
	g := contextstore.AtVersion(id, cur)
	g.Relayout = true
	states, err := v.ApplyIf(bg, []contextstore.Guard{g}, nil)
	if err != nil {
		t.Fatalf("a relayout with no mutations must apply, got %v", err)
	}
	after := mustRead(t, v, id).State
	if after.Epoch == cur.Epoch || after.Version == cur.Version || states[0] != after {
		t.Fatalf("a relayout must advance epoch and version and return them: before %+v, after %+v, returned %+v", cur, after, states[0])
	}
	_, err = v.ApplyIf(bg, []contextstore.Guard{contextstore.AtEpoch(id, st.Epoch)},
		[]contextstore.Mutation{contextstore.Put(keys.Row(id, 0), contextstore.Value{"stale": true})})
	if !errors.Is(err, contextstore.ErrConflict) {
		t.Fatalf("a write at the epoch before a relayout must fail with ErrConflict, got %v", err)
	}
	assertValue(t, "a write refused for its epoch writes nothing", mustGet(t, s, keys.Row(id, 0)), contextstore.Value{"r": int64(0)})
}

func testVersionsAfterDrop(t *testing.T, s contextstore.Store) {
	v := versioner(t, s)
	const id = "vd"
	mustSet(t, s, keys.Frame(id), contextstore.Value{})
	g := contextstore.AtVersion(id, mustRead(t, v, id).State)
	g.Relayout = true
	if _, err := v.ApplyIf(bg, []contextstore.Guard{g}, nil); err != nil {
		t.Fatal(err)
	}
	held := mustRead(t, v, id).State
	if err := contextstore.DropFrame(bg, s, id); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Millisecond)
	for i := 0; i < 3; i++ {
		mustSet(t, s, keys.Frame(id), contextstore.Value{"i": i})
	}
	g = contextstore.AtVersion(id, mustRead(t, v, id).State)
	g.Relayout = true
	if _, err := v.ApplyIf(bg, []contextstore.Guard{g}, nil); err != nil {
		t.Fatal(err)
	}
	now := mustRead(t, v, id).State
	if now.Version <= held.Version || now.Epoch <= held.Epoch {
		t.Fatalf("a frame dropped and written again must move past every state it had: held %+v, now %+v", held, now)
	}
}

// increment adds one to the counter at k with a versioned read and a
// conditional write, retrying on conflict.
func increment(ctx context.Context, v contextstore.Versioner, k keys.Key) (conflicts int, err error) {
	for {
		snap, err := v.ReadVersioned(ctx, k.FrameID())
		if err != nil {
			return conflicts, err
		}
		var n int64
		for _, e := range snap.Entries {
			if e.Key == k {
				n, _ = e.Value["n"].(int64)
			}
		}
		_, err = v.ApplyIf(ctx, []contextstore.Guard{contextstore.AtVersion(k.FrameID(), snap.State)},
			[]contextstore.Mutation{contextstore.Put(k, contextstore.Value{"n": n + 1})})
		if errors.Is(err, contextstore.ErrConflict) {
			conflicts++
			continue
		}
		return conflicts, err
	}
}

func testConditionalIncrements(t *testing.T, s contextstore.Store) {
	v := versioner(t, s)
	const workers, each = 8, 25
	k := keys.Column("inc", "counter")
	inParallel(t, "increment", workers, each, func(_, _ int) error {
		_, err := increment(bg, v, k)
		return err
	})
	assertValue(t, "read-modify-write through ApplyIf loses no increment", mustGet(t, s, k), contextstore.Value{"n": int64(workers * each)})
}

func testMergePatches(t *testing.T, s contextstore.Store) {
	versioner(t, s) // merges are part of the capability's contract
	k := keys.Cell("mp", 3, "a")
	merge := func(patch contextstore.Value) {
		t.Helper()
		if err := contextstore.Apply(bg, s, []contextstore.Mutation{contextstore.Patch(k, patch)}); err != nil {
			t.Fatalf("merge %v: %v", patch, err)
		}
	}
	merge(contextstore.Value{"a": 1, "gone": nil})
	assertValue(t, "a merge into no value creates it without its nil fields", mustGet(t, s, k), contextstore.Value{"a": int64(1)})
	merge(contextstore.Value{"b": map[string]any{"x": 1.5}, "a": nil, "s": "é"})
	assertValue(t, "a merge replaces named fields, deletes nil ones and keeps the rest", mustGet(t, s, k),
		contextstore.Value{"b": map[string]any{"x": 1.5}, "s": "é"})
	merge(contextstore.Value{"b": map[string]any{"y": int64(2)}})
	assertValue(t, "a merge replaces a nested value whole", mustGet(t, s, k),
		contextstore.Value{"b": map[string]any{"y": int64(2)}, "s": "é"})
	err := contextstore.Apply(bg, s, []contextstore.Mutation{contextstore.Patch(k, contextstore.Value{"bad": math.NaN()})})
	if !errors.Is(err, contextstore.ErrInvalidValue) {
		t.Errorf("a merge with an invalid value must fail with ErrInvalidValue, got %v", err)
	}
	assertValue(t, "a refused merge writes nothing", mustGet(t, s, k), contextstore.Value{"b": map[string]any{"y": int64(2)}, "s": "é"})
}

func testConcurrentMerges(t *testing.T, s contextstore.Store) {
	versioner(t, s)
	const workers, each = 8, 20
	k := keys.Row("cm", 0)
	inParallel(t, "merge", workers, each, func(w, i int) error {
		f := "w" + strconv.Itoa(w) + "_" + strconv.Itoa(i)
		ms := []contextstore.Mutation{contextstore.Patch(k, contextstore.Value{f: i})}
		if i%5 == 0 { // merges into a second entry in the same batch
			ms = append(ms, contextstore.Patch(keys.Frame("cm"), contextstore.Value{f: w}))
		}
		return contextstore.Apply(bg, s, ms)
	})
	got := mustGet(t, s, k)
	frame := mustGet(t, s, keys.Frame("cm"))
	lost := 0
	for w := 0; w < workers; w++ {
		for i := 0; i < each; i++ {
			f := fmt.Sprintf("w%d_%d", w, i)
			if got[f] != int64(i) {
				lost++
			}
			if i%5 == 0 && frame[f] != int64(w) {
				lost++
			}
		}
	}
	if lost > 0 || len(got) != workers*each {
		t.Fatalf("concurrent merges of distinct fields must lose none: %d lost, %d fields present of %d", lost, len(got), workers*each)
	}
}

// inParallel runs step(w, i) for i < each in each of workers goroutines and
// fails the test with the first error; a worker stops at its first.
func inParallel(t *testing.T, what string, workers, each int, step func(w, i int) error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				if err := step(w, i); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("%s: %v", what, err)
	}
}
