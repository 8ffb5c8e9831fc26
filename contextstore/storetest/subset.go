package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// testSubsetRead checks ReadSubset, served natively (SubsetReader) or by
// the fallback: every subset returns exactly the entries of a whole read
// that it selects, in key order, with the whole frame's state, and nothing
// of another frame; a write anywhere in the frame changes that state.
func testSubsetRead(t *testing.T, s contextstore.Store) {
	v := versioner(t, s)
	const f = "subset"
	// Column names that look like key syntax, and rows past the frame's
	// end of 10 rows, past 100 and past 1000 (orders of magnitude that sort
	// differently as text).
	cols := []string{"a", "b:1", "c", "x:2:y", ""}
	var ms []contextstore.Mutation
	ms = append(ms, contextstore.Put(keys.Frame(f), contextstore.Value{"title": "t"}))
	for i, c := range cols {
		ms = append(ms, contextstore.Put(keys.Column(f, c), contextstore.Value{"unit": int64(i)}))
	}
	for _, r := range []int{0, 1, 2, 5, 9, 10, 11, 99, 100, 1000} {
		row := contextstore.Value{"qc": int64(r)}
		if r%3 == 0 {
			row["mark"] = nil
		}
		if r%4 == 0 {
			row[reservedMark] = true
		}
		ms = append(ms, contextstore.Put(keys.Row(f, r), row))
		for i, c := range cols {
			if (r+i)%2 == 0 || r >= 10 {
				ms = append(ms, contextstore.Put(keys.Cell(f, r, c), contextstore.Value{"q": fmt.Sprint(r, c)}))
			}
		}
	}
	ms = append(ms, contextstore.Put(keys.Column("subset2", "a"), contextstore.Value{"other": true}),
		contextstore.Put(keys.Cell("subset2", 3, "a"), contextstore.Value{"other": true}))
	if err := contextstore.Apply(bg, s, ms); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	whole := mustRead(t, v, f)

	subsets := map[string]contextstore.Subset{
		"nothing":                    {},
		"frame":                      {Frame: true},
		"columns":                    {Columns: true},
		"rows":                       {Rows: true},
		"cells of one column":        {Cells: []string{"b:1"}},
		"cells of two columns":       {Cells: []string{"x:2:y", ""}},
		"cells of a missing column":  {Cells: []string{"zz"}},
		"every cell":                 {AllCellsExcept: true},
		"cells of all but two":       {Cells: []string{"a", "c"}, AllCellsExcept: true},
		"past row 10":                {RowsFrom: 10},
		"past row 2000":              {RowsFrom: 2000},
		"a rename's":                 {Frame: true, Columns: true, Cells: []string{"a", "c", "x:2:y", ""}, AllCellsExcept: true, RowsFrom: 10},
		"a select's with marks":      {Frame: true, Columns: true, Rows: true, Cells: []string{"a"}, RowsFrom: 11},
		"rows with a reserved mark":  {RowsWith: reservedMark},
		"reserved marks and past 10": {RowsWith: reservedMark, RowsFrom: 10},
		"marked rows":                {RowsWith: "mark"},
		"marked rows and past 10":    {RowsWith: "mark", RowsFrom: 10},
		"rows with a field none has": {RowsWith: "nothing"},
		"frame with a probe":         {Frame: true, Columns: true, AnyRow: true},
		"a probe only":               {AnyRow: true},
		"rows and a probe":           {Rows: true, AnyRow: true},
		"a probe and past 2000":      {RowsFrom: 2000, AnyRow: true},
		"everything":                 {Frame: true, Columns: true, Rows: true, AllCellsExcept: true},
	}
	check := func(when string, whole contextstore.Snapshot) {
		t.Helper()
		for name, sub := range subsets {
			checkSubset(t, s, f, when+", "+name, sub, whole)
		}
	}
	check("as written", whole)
	if len(subsets["every cell"].Filter(whole.Entries)) == 0 || len(subsets["past row 10"].Filter(whole.Entries)) == 0 ||
		len(subsets["marked rows"].Filter(whole.Entries)) == 0 || len(subsets["rows with a reserved mark"].Filter(whole.Entries)) == 0 {
		t.Fatal("the fixture must hold cells, rows past 10 and marked rows")
	}
	// Marks come and go with writes: an overwrite without the mark, a
	// delete, a merge that adds one, a merge that removes one.
	if err := contextstore.Apply(bg, s, []contextstore.Mutation{
		contextstore.Put(keys.Row(f, 0), contextstore.Value{"qc": "unmarked"}),
		contextstore.Remove(keys.Row(f, 4)),
		contextstore.Patch(keys.Row(f, 5), contextstore.Value{reservedMark: true}),
		contextstore.Patch(keys.Row(f, 100), contextstore.Value{reservedMark: nil}),
		contextstore.Put(keys.Row(f, 7), contextstore.Value{reservedMark: "new"}),
	}); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	check("after writes", mustRead(t, v, f))
	// Entries far past the frame's end, written after the first reads, are
	// found past it (a store that bounds where rows end keeps the bound
	// current), and found no more once deleted.
	mustSet(t, s, keys.Cell(f, 3000, "c"), contextstore.Value{"far": true})
	mustSet(t, s, keys.Row(f, 2500), contextstore.Value{"far": true})
	check("after far writes", mustRead(t, v, f))
	if len(subsets["past row 2000"].Filter(mustRead(t, v, f).Entries)) != 2 {
		t.Fatal("the fixture must hold two entries past row 2000")
	}
	if err := contextstore.Apply(bg, s, []contextstore.Mutation{contextstore.Remove(keys.Cell(f, 3000, "c")), contextstore.Remove(keys.Row(f, 2500))}); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	check("after far deletes", mustRead(t, v, f))

	// The returned values are the caller's.
	got, err := contextstore.ReadSubset(bg, s, f, contextstore.Subset{Frame: true})
	if err != nil || len(got.Entries) != 1 {
		t.Fatalf("ReadSubset(frame): %v, %d entries", err, len(got.Entries))
	}
	got.Entries[0].Value["title"] = "changed"
	assertValue(t, "a subset's values are copies", mustGet(t, s, keys.Frame(f)), contextstore.Value{"title": "t"})

	// A write to an entry outside a subset still changes the state it reports.
	before, err := contextstore.ReadSubset(bg, s, f, contextstore.Subset{Columns: true})
	if err != nil {
		t.Fatal(err)
	}
	mustSet(t, s, keys.Cell(f, 5, "zz"), contextstore.Value{"late": true})
	after, err := contextstore.ReadSubset(bg, s, f, contextstore.Subset{Columns: true})
	if err != nil {
		t.Fatal(err)
	}
	if after.State.Version == before.State.Version {
		t.Fatal("a write outside the subset must change the frame's version a subset read reports")
	}

	// A frame without row context: the probe finds nothing.
	mustSet(t, s, keys.Column("norows", "a"), contextstore.Value{"unit": "m"})
	noRows, err := contextstore.ReadSubset(bg, s, "norows", contextstore.Subset{Frame: true, Columns: true, AnyRow: true})
	if err != nil || len(noRows.Entries) != 1 {
		t.Fatalf("ReadSubset(AnyRow) of a frame without row context: %v, %v", err, entryKeys(noRows.Entries))
	}

	// A frame with no entries: an empty subset at the zero state.
	empty, err := contextstore.ReadSubset(bg, s, "never-written", contextstore.Subset{Frame: true, Columns: true, Rows: true, AllCellsExcept: true})
	if err != nil || len(empty.Entries) != 0 || empty.State != (contextstore.FrameState{}) {
		t.Fatalf("ReadSubset of a frame never written: %v, %d entries, state %+v", err, len(empty.Entries), empty.State)
	}
	if _, err := contextstore.ReadSubset(bg, s, "", contextstore.Subset{Frame: true}); !errors.Is(err, keys.ErrInvalidKey) {
		t.Fatalf("ReadSubset with an empty frame ID must fail with keys.ErrInvalidKey, got %v", err)
	}
}

// reservedMark is a reserved field some row entries carry: stores may
// index rows by it.
const reservedMark = contextstore.ReservedPrefix + "state"

// checkSubset checks one subset read against the whole frame's entries.
// AnyRow's entry may be any row or cell entry of the frame: it is checked
// apart, then the rest as without AnyRow.
func checkSubset(t *testing.T, s contextstore.Store, f, name string, sub contextstore.Subset, whole contextstore.Snapshot) {
	t.Helper()
	got, err := contextstore.ReadSubset(bg, s, f, sub)
	if err != nil {
		t.Fatalf("%s: ReadSubset: %v", name, err)
	}
	if got.FrameID != f || got.State != whole.State {
		t.Fatalf("%s: ReadSubset returned frame %q at %+v, want %q at %+v", name, got.FrameID, got.State, f, whole.State)
	}
	if sub.AnyRow {
		sub.AnyRow = false
		rest := sub.Filter(whole.Entries)
		hasRows := slices.ContainsFunc(whole.Entries, func(e contextstore.Entry) bool { return e.Key.HasRow() })
		if !hasRows || slices.ContainsFunc(rest, func(e contextstore.Entry) bool { return e.Key.HasRow() }) {
			// Nothing to add: the frame has no row context, or the
			// subset returns some anyway.
		} else {
			if len(got.Entries) != len(rest)+1 {
				t.Fatalf("%s: ReadSubset returned %d entries, want %d and one row or cell entry", name, len(got.Entries), len(rest))
			}
			probe := got.Entries[len(got.Entries)-1]
			i := slices.IndexFunc(whole.Entries, func(e contextstore.Entry) bool { return e.Key == probe.Key })
			if !probe.Key.HasRow() || i < 0 {
				t.Fatalf("%s: AnyRow returned %s, not a row or cell entry of the frame", name, probe.Key)
			}
			assertValue(t, name, probe.Value, whole.Entries[i].Value)
			got.Entries = got.Entries[:len(got.Entries)-1]
		}
	}
	want := sub.Filter(whole.Entries)
	if len(got.Entries) != len(want) {
		t.Fatalf("%s: ReadSubset returned %d entries, want %d: got %v", name, len(got.Entries), len(want), entryKeys(got.Entries))
	}
	for i := range want {
		if got.Entries[i].Key != want[i].Key {
			t.Fatalf("%s: entry %d is %s, want %s (entries must come sorted by key)", name, i, got.Entries[i].Key, want[i].Key)
		}
		assertValue(t, name, got.Entries[i].Value, want[i].Value)
	}
}

func entryKeys(es []contextstore.Entry) []keys.Key {
	ks := make([]keys.Key, len(es))
	for i, e := range es {
		ks[i] = e.Key
	}
	return ks
}
