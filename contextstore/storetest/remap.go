package storetest

import (
	"errors"
	"slices"
	"testing"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// testRemap checks a native Remapper (a store without one skips): the
// batch and the re-keying apply together, exactly as a reference re-keying
// of the frame's entries, reserved rows and all; a failed guard or a bad
// remap changes nothing.
func testRemap(t *testing.T, s contextstore.Store) {
	v := versioner(t, s)
	r, ok := contextstore.RemapperOf(s)
	if !ok {
		t.Skip("the store has no Remapper: the adapters move rows through batches")
	}
	const f = "remap"
	var ms []contextstore.Mutation
	ms = append(ms, contextstore.Put(keys.Frame(f), contextstore.Value{"title": "t"}),
		contextstore.Put(keys.Column(f, "a"), contextstore.Value{"unit": "m"}),
		contextstore.Put(keys.Cell("other", 1, "a"), contextstore.Value{"other": true}))
	for row := range 10 {
		val := contextstore.Value{"qc": int64(row)}
		if row%3 == 0 {
			val[reservedMark] = true
		}
		ms = append(ms, contextstore.Put(keys.Row(f, row), val))
		if row%2 == 0 {
			ms = append(ms, contextstore.Put(keys.Cell(f, row, "a"), contextstore.Value{"q": int64(row)}))
		}
	}
	ms = append(ms, contextstore.Put(keys.Cell(f, 4, "b:1"), contextstore.Value{"q": "b"}),
		contextstore.Put(keys.Cell(f, 2, "gone"), contextstore.Value{"stale": true}),
		contextstore.Put(keys.Row(f, 15), contextstore.Value{"stale": true}))
	if err := contextstore.Apply(bg, s, ms); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	before := mustRead(t, v, f)
	remap := contextstore.Remap{Sources: []int{3, -1, 0, 0, 9, 4, 7}, Rows: 10, Columns: []string{"a", "b:1"}}
	head := []contextstore.Mutation{contextstore.Put(keys.Column(f, "a"), contextstore.Value{"unit": "km"})}

	// Refused: a guard that fails, a source past the frame's rows.
	old := contextstore.AtVersion(f, before.State)
	old.Version--
	if _, _, err := r.RemapIf(bg, []contextstore.Guard{old}, head, f, remap); !errors.Is(err, contextstore.ErrConflict) {
		t.Fatalf("RemapIf at an old version must fail with ErrConflict, got %v", err)
	}
	bad := contextstore.Remap{Sources: []int{0, 10}, Rows: 10, Columns: []string{"a"}}
	if _, _, err := r.RemapIf(bg, []contextstore.Guard{contextstore.AtVersion(f, before.State)}, head, f, bad); !errors.Is(err, contextstore.ErrInvalidValue) {
		t.Fatalf("RemapIf with a source past the rows must fail with ErrInvalidValue, got %v", err)
	}
	if again := mustRead(t, v, f); again.State != before.State || len(again.Entries) != len(before.Entries) {
		t.Fatalf("a refused RemapIf must change nothing: state %+v -> %+v, %d -> %d entries", before.State, again.State, len(before.Entries), len(again.Entries))
	}

	// The reference: the head as written, then every row and cell entry of
	// a kept column taken from its source row.
	want := map[keys.Key]contextstore.Value{}
	old2 := map[keys.Key]contextstore.Value{}
	for _, e := range before.Entries {
		old2[e.Key] = e.Value
		if !e.Key.HasRow() {
			want[e.Key] = e.Value
		}
	}
	want[keys.Column(f, "a")] = contextstore.Value{"unit": "km"}
	for i, src := range remap.Sources {
		if src < 0 {
			continue
		}
		if val, ok := old2[keys.Row(f, src)]; ok {
			want[keys.Row(f, i)] = val
		}
		for _, col := range remap.Columns {
			if val, ok := old2[keys.Cell(f, src, col)]; ok {
				want[keys.Cell(f, i, col)] = val
			}
		}
	}
	// Every row and cell value differs from every other, so an entry that
	// changed is one the remap wrote.
	written := 0
	for k := range old2 {
		if k.HasRow() && !sameValue(want[k], old2[k]) {
			written++
		}
	}
	for k := range want {
		if k.HasRow() && old2[k] == nil {
			written++
		}
	}

	g := contextstore.AtVersion(f, before.State)
	g.Relayout = true
	states, n, err := r.RemapIf(bg, []contextstore.Guard{g}, head, f, remap)
	if err != nil {
		t.Fatalf("RemapIf: %v", err)
	}
	after := mustRead(t, v, f)
	if states[0] != after.State || after.State.Version == before.State.Version || after.State.Epoch == before.State.Epoch {
		t.Fatalf("RemapIf returned %+v; the frame went from %+v to %+v: version and epoch must advance", states[0], before.State, after.State)
	}
	if len(after.Entries) != len(want) {
		t.Fatalf("after RemapIf the frame has %d entries, want %d: %v", len(after.Entries), len(want), entryKeys(after.Entries))
	}
	for _, e := range after.Entries {
		w, ok := want[e.Key]
		if !ok {
			t.Fatalf("after RemapIf the frame holds %s, which nothing moved there", e.Key)
		}
		assertValue(t, "RemapIf "+e.Key.String(), e.Value, w)
	}
	if n != written {
		t.Fatalf("RemapIf says it wrote %d entries; %d changed", n, written)
	}
	marked, err := contextstore.ReadSubset(bg, s, f, contextstore.Subset{RowsWith: reservedMark})
	if err != nil {
		t.Fatal(err)
	}
	wantMarked := contextstore.Subset{RowsWith: reservedMark}.Filter(after.Entries)
	if !slices.EqualFunc(marked.Entries, wantMarked, func(a, b contextstore.Entry) bool { return a.Key == b.Key }) {
		t.Fatalf("the marked rows after RemapIf are %v, want %v", entryKeys(marked.Entries), entryKeys(wantMarked))
	}
	if len(wantMarked) == 0 {
		t.Fatal("the fixture must keep marked rows")
	}
	assertValue(t, "another frame", mustGet(t, s, keys.Cell("other", 1, "a")), contextstore.Value{"other": true})
}

// sameValue reports whether a and b are equal values or both absent.
func sameValue(a, b contextstore.Value) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return contextstore.Equal(a, b)
}
