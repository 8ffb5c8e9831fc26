package framectx

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/adapters/framectx/framectxtest"
	"github.com/ctxframe/ctxframe/adapters/lineage"
	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

var (
	srcIn  = Input{FrameID: "src", Shape: srcShape}
	othIn  = Input{FrameID: "oth", Shape: othShape}
	sideIn = Input{FrameID: "side", Shape: sideShape}
	dimIn  = Input{FrameID: "dim", Shape: dimShape}
)

// innerJoin is src ⋈ dim on a: left rows 0, 1, 3 match right rows 2, 0, 1.
func innerJoin(out string, rows RowMapping) (Change, error) {
	return Change{
		Inputs: []Input{srcIn, dimIn},
		Output: out,
		Columns: []OutputColumn{
			Merged("a", From(0, "a"), From(1, "a")),
			Carried(0, "b"),
			Carried(0, "c"),
			Carried(1, "e"),
		},
		Rows:      rows,
		Policy:    Override,
		Operation: "inner_join",
		Indirect: []IndirectSource{
			{Source: From(0, "a"), Transformation: lineage.Indirect(lineage.SubtypeJoin, "a = a")},
			{Source: From(1, "a"), Transformation: lineage.Indirect(lineage.SubtypeJoin, "a = a")},
		},
	}, nil
}

type propagationCase struct {
	name   string
	change func(out string) (Change, error)
	want   state // src after the change in place
	notes  []Note
}

func propagationCases() []propagationCase {
	src := srcState()
	return []propagationCase{
		{
			name: "rename a to z",
			change: func(out string) (Change, error) {
				return RenameChange(srcIn, out, map[string]string{"a": "z"})
			},
			want: state{
				"f": src["f"], "c:z": src["c:a"], "c:b": src["c:b"], "c:c": src["c:c"],
				"r:1": src["r:1"], "r:3": src["r:3"],
				"x:0:z": src["x:0:a"], "x:2:b": src["x:2:b"], "x:3:z": src["x:3:a"],
			},
		},
		{
			name: "select c, a",
			change: func(out string) (Change, error) {
				return SelectChange(srcIn, out, []string{"c", "a"})
			},
			want: state{
				"f": src["f"], "c:a": src["c:a"], "c:c": src["c:c"],
				"r:1": src["r:1"], "r:3": src["r:3"],
				"x:0:a": src["x:0:a"], "x:3:a": src["x:3:a"],
			},
		},
		{
			name: "drop a",
			change: func(out string) (Change, error) {
				return DropChange(srcIn, out, []string{"a"})
			},
			want: state{
				"f": src["f"], "c:b": src["c:b"], "c:c": src["c:c"],
				"r:1": src["r:1"], "r:3": src["r:3"], "x:2:b": src["x:2:b"],
			},
		},
		{
			name: "subset with a repeated row",
			change: func(out string) (Change, error) {
				return RowsChange(srcIn, out, IndexRows([]int{3, 1, 1, 0}), "subset", lineage.SubtypeFilter)
			},
			want: state{
				"f": src["f"], "c:a": src["c:a"], "c:b": src["c:b"], "c:c": src["c:c"],
				"r:0": src["r:3"], "x:0:a": src["x:3:a"],
				"r:1": src["r:1"], "r:2": src["r:1"],
				"x:3:a": src["x:0:a"],
			},
		},
		{
			name: "filter through a lazy mapping",
			change: func(out string) (Change, error) {
				return RowsChange(srcIn, out, LazyRows(2, func() (RowMapping, error) {
					return IndexRows([]int{0, 2}), nil
				}), "filter", lineage.SubtypeFilter, "b")
			},
			want: state{
				"f": src["f"], "c:a": src["c:a"], "c:b": src["c:b"], "c:c": src["c:c"],
				"x:0:a": src["x:0:a"], "x:1:b": src["x:2:b"],
			},
		},
		{
			name: "slice rows 1 and 2",
			change: func(out string) (Change, error) {
				return RowsChange(srcIn, out, SliceRows(0, 1, 2), "slice", lineage.SubtypeFilter)
			},
			want: state{
				"f": src["f"], "c:a": src["c:a"], "c:b": src["c:b"], "c:c": src["c:c"],
				"r:0": src["r:1"], "x:1:b": src["x:2:b"],
			},
		},
		{
			name: "sort permutation",
			change: func(out string) (Change, error) {
				return RowsChange(srcIn, out, IndexRows([]int{2, 0, 3, 1}), "sort", lineage.SubtypeSort, "b")
			},
			want: state{
				"f": src["f"], "c:a": src["c:a"], "c:b": src["c:b"], "c:c": src["c:c"],
				"x:0:b": src["x:2:b"], "x:1:a": src["x:0:a"],
				"r:2": src["r:3"], "x:2:a": src["x:3:a"], "r:3": src["r:1"],
			},
		},
		{
			name: "replace a's values",
			change: func(out string) (Change, error) {
				return ReplaceChange(srcIn, out, "a", lineage.Direct(lineage.SubtypeTransformation, "a*b"), "a", "b")
			},
			want: state{
				"f":   src["f"],
				"c:a": with(src["c:a"], LineageField, lin("ctxframe", "DIRECT", "TRANSFORMATION", "a*b", "src", "a", "src", "b")),
				"c:b": src["c:b"], "c:c": src["c:c"],
				"r:1": src["r:1"], "r:3": src["r:3"], "x:2:b": src["x:2:b"],
			},
		},
		{
			name: "add a derived column",
			change: func(out string) (Change, error) {
				return AddChange(srcIn, out, "d", lineage.Direct(lineage.SubtypeAggregation, "sum(a)"), "a")
			},
			want: state{
				"f": src["f"], "c:a": src["c:a"], "c:b": src["c:b"], "c:c": src["c:c"],
				"c:d": v(LineageField, lin("ctxframe", "DIRECT", "AGGREGATION", "sum(a)", "src", "a")),
				"r:1": src["r:1"], "r:3": src["r:3"],
				"x:0:a": src["x:0:a"], "x:2:b": src["x:2:b"], "x:3:a": src["x:3:a"],
			},
		},
		{
			name: "concat rows, drop_conflicts",
			change: func(out string) (Change, error) {
				return ConcatRowsChange([]Input{srcIn, othIn}, out, DropConflicts)
			},
			want: state{
				"f":   v("title", "sales", "owner", "bob"),
				"c:a": v("unit", "m", LineageField, lin("ctxframe", "DIRECT", "IDENTITY", "concat", "src", "a", "oth", "a")),
				"c:b": v(LineageField, lin("ctxframe", "DIRECT", "IDENTITY", "concat", "src", "b", "oth", "b")),
				"c:c": v("desc", "c", LineageField, lin("ctxframe", "DIRECT", "IDENTITY", "concat", "src", "c", "oth", "c")),
				"r:1": src["r:1"], "r:3": src["r:3"], "r:4": v("flag", "z"),
				"x:0:a": src["x:0:a"], "x:2:b": src["x:2:b"], "x:3:a": src["x:3:a"], "x:5:c": v("q", 9),
			},
		},
		{
			name: "bind columns, no_conflicts",
			change: func(out string) (Change, error) {
				return BindColumnsChange([]Input{srcIn, sideIn}, out, NoConflicts)
			},
			want: state{
				"f": src["f"], "c:a": src["c:a"], "c:b": src["c:b"], "c:c": src["c:c"],
				"c:d": v("unit", "kg", LineageField, lin("ctxframe", "DIRECT", "IDENTITY", "bind", "side", "d")),
				"r:1": v("flag", "x"), "r:2": v("flag", "w"), "r:3": src["r:3"],
				"x:0:a": src["x:0:a"], "x:2:b": src["x:2:b"], "x:3:a": src["x:3:a"], "x:0:d": v("q", "d0"),
			},
		},
		{
			name: "inner join, row mapping known",
			change: func(out string) (Change, error) {
				return innerJoin(out, IndexRows([]int{0, 1, 3}, []int{2, 0, 1}))
			},
			want: state{
				"f":   src["f"],
				"c:a": v("unit", "m", LineageField, lin("ctxframe", "DIRECT", "IDENTITY", "inner_join", "src", "a", "dim", "a")),
				"c:b": src["c:b"], "c:c": src["c:c"],
				"c:e": v("unit", "eur", LineageField, lin("ctxframe", "DIRECT", "IDENTITY", "inner_join", "dim", "e")),
				"r:0": v("src", "dim"), "x:0:a": v("q", 0),
				"r:1": v("flag", "x"),
				"r:2": v("flag", "y"), "x:2:a": v("q", 3), "x:2:e": v("q", "e1"),
			},
		},
		{
			name: "inner join, row mapping unknown",
			change: func(out string) (Change, error) {
				return innerJoin(out, nil)
			},
			want: state{
				"f":   src["f"],
				"c:a": v("unit", "m", LineageField, lin("ctxframe", "DIRECT", "IDENTITY", "inner_join", "src", "a", "dim", "a")),
				"c:b": src["c:b"], "c:c": src["c:c"],
				"c:e": v("unit", "eur", LineageField, lin("ctxframe", "DIRECT", "IDENTITY", "inner_join", "dim", "e")),
			},
			notes: []Note{
				{Input: 0, Kind: keys.KindRow, Count: 2, Reason: "the operation's row mapping is unknown"},
				{Input: 0, Kind: keys.KindCell, Count: 3, Reason: "the operation's row mapping is unknown"},
				{Input: 1, Kind: keys.KindRow, Count: 2, Reason: "the operation's row mapping is unknown"},
				{Input: 1, Kind: keys.KindCell, Count: 2, Reason: "the operation's row mapping is unknown"},
			},
		},
	}
}

func TestPropagationInPlace(t *testing.T) {
	for _, sk := range storeKinds {
		for _, tc := range propagationCases() {
			t.Run(sk.name+"/"+tc.name, func(t *testing.T) {
				ctx := context.Background()
				s := newFixtureStore(t, sk.make)
				c, err := tc.change("src")
				require.NoError(t, err)
				plan, err := Propagate(ctx, s, c)
				require.NoError(t, err, "Propagate")
				assertState(t, "src", read(t, s, "src"), tc.want)
				if !slices.Equal(plan.Notes, tc.notes) {
					t.Errorf("notes = %v, want %v", plan.Notes, tc.notes)
				}
				for _, other := range []struct {
					id   string
					want state
				}{{"oth", othState()}, {"side", sideState()}, {"dim", dimState()}} {
					assertState(t, other.id+" (another input)", read(t, s, other.id), other.want)
				}
				// Planning again finds nothing left to do.
				again, err := Propagate(ctx, s, identityOf(t, c))
				require.NoError(t, err)
				if len(again.Mutations) != 0 {
					t.Errorf("identity change after %s rewrote %d entries", tc.name, len(again.Mutations))
				}
			})
		}
	}
}

// identityOf is the change that keeps c's output as it is.
func identityOf(t *testing.T, c Change) Change {
	t.Helper()
	cols := make([]string, len(c.Columns))
	for i, col := range c.Columns {
		cols[i] = col.Name
	}
	n := 0
	if c.Rows != nil {
		n = c.Rows.Len()
	}
	return Change{
		Inputs:  []Input{{FrameID: c.Output, Shape: Shape{Columns: cols, Rows: n}}},
		Output:  c.Output,
		Columns: columnsCarried(cols),
		Rows:    SameRows(n),
	}
}

func columnsCarried(names []string) []OutputColumn {
	out := make([]OutputColumn, len(names))
	for i, n := range names {
		out[i] = Carried(0, n)
	}
	return out
}

func TestPropagationToNewFrame(t *testing.T) {
	for _, sk := range storeKinds {
		for _, tc := range propagationCases() {
			t.Run(sk.name+"/"+tc.name, func(t *testing.T) {
				ctx := context.Background()
				s := newFixtureStore(t, sk.make)
				load(t, s, "out", state{"r:99": v("stale", true)}) // replaced wholesale
				c, err := tc.change("out")
				require.NoError(t, err)
				if _, err := Propagate(ctx, s, c); err != nil {
					t.Fatalf("Propagate: %v", err)
				}
				assertState(t, "src (left unchanged)", read(t, s, "src"), srcState())
				got := read(t, s, "out")
				assertState(t, "out without lineage", stripped(got), stripped(tc.want))

				var inputs []any
				for _, in := range c.Inputs {
					inputs = append(inputs, map[string]any{"namespace": "ctxframe", "name": in.FrameID})
				}
				frameLin, ok := got["f"][LineageField].(map[string]any)
				if !ok {
					t.Fatalf("out has no frame lineage: %v", got["f"])
				}
				if !sameField(frameLin["inputs"], inputs) || frameLin["operation"] != c.Operation {
					t.Errorf("frame lineage = %v, want inputs %v and operation %q", frameLin, inputs, c.Operation)
				}
				for _, col := range c.Columns {
					if len(col.lineageSources()) == 0 {
						continue
					}
					rec, err := lineage.ColumnFromValue(got["c:"+col.Name][LineageField])
					require.NoError(t, err, "column %q lineage: %v", col.Name, err)
					srcs := col.lineageSources()
					if len(rec.InputFields) != len(srcs) {
						t.Fatalf("column %q lineage has %d inputs, want %d", col.Name, len(rec.InputFields), len(srcs))
					}
					for i, f := range rec.InputFields {
						s := srcs[i]
						want := lineage.InputField{
							Namespace: "ctxframe", Name: c.Inputs[s.Input].FrameID, Field: s.Column,
						}
						if f.Namespace != want.Namespace || f.Name != want.Name || f.Field != want.Field {
							t.Errorf("column %q lineage input %d = %+v, want %+v", col.Name, i, f, want)
						}
					}
				}
			})
		}
	}
}

func TestPropagationFailureChangesNothing(t *testing.T) {
	for _, tc := range propagationCases() {
		for _, out := range []string{"src", "out"} {
			t.Run(tc.name+"/to "+out, func(t *testing.T) {
				ctx := context.Background()
				fs := framectxtest.NewFailingStore(contextstore.NewMemoryStore())
				load(t, fs, "src", srcState())
				load(t, fs, "oth", othState())
				load(t, fs, "side", sideState())
				load(t, fs, "dim", dimState())
				c, err := tc.change(out)
				require.NoError(t, err)
				fs.FailApply(1)
				_, err = Propagate(ctx, fs, c)
				if !errors.Is(err, contextstore.ErrUnavailable) || !errors.Is(err, framectxtest.ErrInjected) {
					t.Fatalf("Propagate error = %v, want the injected failure", err)
				}
				assertState(t, "src", read(t, fs, "src"), srcState())
				assertState(t, "out", read(t, fs, "out"), state{})
				// The same change then succeeds.
				if _, err := Propagate(ctx, fs, c); err != nil {
					t.Fatalf("Propagate after the failure: %v", err)
				}
			})
		}
	}
}

func TestPropagationReadFailure(t *testing.T) {
	ctx := context.Background()
	fs := framectxtest.NewFailingStore(contextstore.NewMemoryStore())
	load(t, fs, "src", srcState())
	c, err := RenameChange(srcIn, "src", map[string]string{"a": "z"})
	require.NoError(t, err)
	fs.FailAlways(framectxtest.OpListKeys)
	if _, err := Propagate(ctx, fs, c); !errors.Is(err, framectxtest.ErrInjected) {
		t.Fatalf("error = %v, want the injected failure", err)
	}
	if n := fs.Calls(framectxtest.OpApply); n != 1 { // the fixture's load only
		t.Errorf("Apply called %d times, want only the fixture's", n)
	}
	fs.Reset()
	assertState(t, "src", read(t, fs, "src"), srcState())
}

func TestPlanRewritesOnlyTouchedEntries(t *testing.T) {
	s := newFixtureStore(t, storeKinds[0].make)
	entries := func(id string) []contextstore.Entry {
		es, err := contextstore.ReadFrame(context.Background(), s, id)
		require.NoError(t, err)
		return es
	}
	tests := []struct {
		name   string
		change Change
		want   []string // keys of the mutations, in order, "-" for a delete
	}{
		{
			name: "rename",
			change: func() Change {
				c, _ := RenameChange(srcIn, "src", map[string]string{"a": "z"})
				return c
			}(),
			want: []string{"-c:a", "+c:z", "-x:0:a", "-x:3:a", "+x:0:z", "+x:3:z"},
		},
		{
			name: "sort that moves rows 1 and 3 only",
			change: func() Change {
				c, _ := RowsChange(srcIn, "src", IndexRows([]int{0, 3, 2, 1}), "sort", lineage.SubtypeSort)
				return c
			}(),
			// row 1 <-> row 3: flags swap, the cell of row 3 moves to row 1.
			want: []string{"+r:1", "+r:3", "+x:1:a", "-x:3:a"},
		},
		{
			name: "select everything",
			change: func() Change {
				c, _ := SelectChange(srcIn, "src", []string{"a", "b", "c"})
				return c
			}(),
			want: nil,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			plan, err := PlanChange(tc.change, [][]contextstore.Entry{entries("src")}, entries("src"))
			require.NoError(t, err)
			var got []string
			for _, m := range plan.Mutations {
				op := "+"
				if m.Delete {
					op = "-"
				}
				got = append(got, op+m.Key.Local())
			}
			slices.Sort(got)
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("mutations = %v, want %v", got, want)
			}
		})
	}
}

func TestPlanNeverBuildsRowsWithoutRowContext(t *testing.T) {
	built := 0
	rows := LazyRows(1_000_000, func() (RowMapping, error) {
		built++
		return SameRows(1_000_000), nil
	})
	in := Input{FrameID: "big", Shape: Shape{Columns: []string{"a"}, Rows: 1_000_000}}
	c, err := RowsChange(in, "big", rows, "filter", lineage.SubtypeFilter)
	require.NoError(t, err)
	entries := []contextstore.Entry{
		{Key: keys.Frame("big"), Value: v("x", 1)},
		{Key: keys.Column("big", "a"), Value: v("unit", "m")},
	}
	if _, err := PlanChange(c, [][]contextstore.Entry{entries}, entries); err != nil {
		t.Fatal(err)
	}
	if built != 0 {
		t.Fatalf("row mapping built %d times without row context", built)
	}
	entries = append(entries, contextstore.Entry{Key: keys.Row("big", 7), Value: v("f", 1)})
	if _, err := PlanChange(c, [][]contextstore.Entry{entries}, entries); err != nil {
		t.Fatal(err)
	}
	if built != 1 {
		t.Fatalf("row mapping built %d times with row context, want 1", built)
	}
}

func TestPlanErrors(t *testing.T) {
	entries := [][]contextstore.Entry{nil}
	failing := errors.New("no mapping today")
	tests := []struct {
		name   string
		change Change
		is     error
	}{
		{"no inputs", Change{Output: "x"}, ErrInvalidChange},
		{"bad output frame", Change{Inputs: []Input{srcIn}, Output: ""}, ErrInvalidChange},
		{"unknown input", Change{Inputs: []Input{srcIn}, Output: "src", Columns: []OutputColumn{Carried(1, "a")}}, ErrInvalidChange},
		{"unknown column", Change{Inputs: []Input{srcIn}, Output: "src", Columns: []OutputColumn{Carried(0, "nope")}}, ErrInvalidChange},
		{"duplicate output", Change{Inputs: []Input{srcIn}, Output: "src", Columns: []OutputColumn{Carried(0, "a"), Renamed(0, "b", "a")}}, ErrInvalidChange},
		{"bad policy", Change{Inputs: []Input{srcIn}, Output: "src", Policy: Policy(42)}, ErrInvalidChange},
		{"unknown indirect", Change{Inputs: []Input{srcIn}, Output: "src", Indirect: []IndirectSource{{Source: From(0, "q")}}}, ErrInvalidChange},
		{"lazy build fails", Change{
			Inputs: []Input{srcIn}, Output: "src", Columns: columnsCarried(srcShape.Columns),
			Rows: LazyRows(4, func() (RowMapping, error) { return nil, failing }),
		}, failing},
		{"mapping out of range", Change{
			Inputs: []Input{srcIn}, Output: "src", Columns: columnsCarried(srcShape.Columns),
			Rows: pastTheEnd{}, // sends every row past its own Len
		}, ErrInvalidChange},
	}
	src := srcState()
	var srcEntries []contextstore.Entry
	for local, val := range src {
		k, _ := keys.ParseLocal("src", local)
		srcEntries = append(srcEntries, contextstore.Entry{Key: k, Value: val})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := entries
			if len(tc.change.Inputs) == 1 {
				in = [][]contextstore.Entry{srcEntries}
			}
			if len(tc.change.Inputs) == 0 {
				in = nil
			}
			_, err := PlanChange(tc.change, in, srcEntries)
			require.ErrorIs(t, err, tc.is, "error = %v, want %v", err, tc.is)
		})
	}
}

func TestPropagationMergeConflict(t *testing.T) {
	ctx := context.Background()
	s := newFixtureStore(t, storeKinds[0].make)
	c, err := ConcatRowsChange([]Input{srcIn, othIn}, "src", NoConflicts)
	require.NoError(t, err)
	_, err = Propagate(ctx, s, c)
	var mc *MergeConflictError
	if !errors.As(err, &mc) || !errors.Is(err, ErrMergeConflict) {
		t.Fatalf("error = %v, want a *MergeConflictError", err)
	}
	if mc.Key != keys.Column("src", "b") || mc.Field != "unit" || mc.Policy != NoConflicts {
		t.Errorf("conflict = %+v, want column b, field unit", mc)
	}
	assertState(t, "src", read(t, s, "src"), srcState())
}

func TestPropagationKeepsInPlaceLineage(t *testing.T) {
	ctx := context.Background()
	s := contextstore.NewMemoryStore()
	load(t, s, "src", srcState())
	// Derive "out" from src, then rename in place in out: the lineage that
	// says where out's columns came from must survive the rename.
	c, _ := SelectChange(srcIn, "out", []string{"a", "b"})
	if _, err := Propagate(ctx, s, c); err != nil {
		t.Fatal(err)
	}
	before := read(t, s, "out")
	outIn := Input{FrameID: "out", Shape: Shape{Columns: []string{"a", "b"}, Rows: 4}}
	c, _ = RenameChange(outIn, "out", map[string]string{"a": "z"})
	if _, err := Propagate(ctx, s, c); err != nil {
		t.Fatal(err)
	}
	after := read(t, s, "out")
	if !contextstore.Equal(after["c:z"], before["c:a"]) || !contextstore.Equal(after["f"], before["f"]) {
		t.Errorf("rename in place changed lineage: before %v / %v, after %v / %v",
			before["c:a"], before["f"], after["c:z"], after["f"])
	}
}

// pastTheEnd is a broken mapping: every input row targets output row 10 of 2.
type pastTheEnd struct{}

func (pastTheEnd) Len() int                                { return 2 }
func (pastTheEnd) Source(out, input int) (int, bool)       { return 0, false }
func (pastTheEnd) Targets(input, row int, dst []int) []int { return append(dst, 10) }

func TestJoinRowContextUnderPolicies(t *testing.T) {
	// Output row 1 has row context on both sides ({"flag":"x"} each), row 0
	// only on the right, row 2 only on the left; cell (0, a) on both sides.
	tests := []struct {
		policy Policy
		want   state // row and cell entries of the output
		is     error
	}{
		{Drop, state{"r:0": v("src", "dim"), "r:2": v("flag", "y"), "x:2:a": v("q", 3), "x:2:e": v("q", "e1")}, nil},
		{Override, state{"r:0": v("src", "dim"), "r:1": v("flag", "x"), "r:2": v("flag", "y"), "x:0:a": v("q", 0), "x:2:a": v("q", 3), "x:2:e": v("q", "e1")}, nil},
		{NoConflicts, nil, ErrMergeConflict}, // cell (0, a): q 0 vs 20
		{DropConflicts, state{"r:0": v("src", "dim"), "r:1": v("flag", "x"), "r:2": v("flag", "y"), "x:0:a": v(), "x:2:a": v("q", 3), "x:2:e": v("q", "e1")}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.policy.String(), func(t *testing.T) {
			s := newFixtureStore(t, storeKinds[0].make)
			c, _ := innerJoin("out", IndexRows([]int{0, 1, 3}, []int{2, 0, 1}))
			c.Policy = tc.policy
			_, err := Propagate(t.Context(), s, c)
			if tc.is != nil {
				var mc *MergeConflictError
				if !errors.Is(err, tc.is) || !errors.As(err, &mc) || mc.Key != keys.Cell("out", 0, "a") {
					t.Fatalf("error = %v, want a conflict at cell (0, a)", err)
				}
				assertState(t, "out", read(t, s, "out"), state{})
				return
			}
			require.NoError(t, err)
			got := state{}
			for k, val := range read(t, s, "out") {
				if k[0] == 'r' || k[0] == 'x' {
					got[k] = val
				}
			}
			assertState(t, "out rows and cells", got, tc.want)
		})
	}
}
