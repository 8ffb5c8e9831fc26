package framectx

import (
	"errors"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRowMappings(t *testing.T) {
	type source struct {
		out, input, row int
		ok              bool
	}
	type target struct {
		input, row int
		outs       []int
	}
	tests := []struct {
		name    string
		m       RowMapping
		len     int
		sources []source
		targets []target
	}{
		{
			name: "same rows", m: SameRows(3), len: 3,
			sources: []source{{0, 0, 0, true}, {2, 0, 2, true}, {3, 0, 0, false}, {0, 1, 0, false}},
			targets: []target{{0, 2, []int{2}}, {0, 3, nil}, {1, 0, nil}},
		},
		{
			name: "slice", m: SliceRows(0, 5, 2), len: 2,
			sources: []source{{0, 0, 5, true}, {1, 0, 6, true}, {2, 0, 0, false}},
			targets: []target{{0, 4, nil}, {0, 5, []int{0}}, {0, 6, []int{1}}, {0, 7, nil}},
		},
		{
			name: "concat", m: ConcatRows(2, 0, 3), len: 5,
			sources: []source{{1, 0, 1, true}, {1, 2, 0, false}, {2, 2, 0, true}, {4, 2, 2, true}, {2, 0, 0, false}, {0, 3, 0, false}},
			targets: []target{{0, 1, []int{1}}, {0, 2, nil}, {2, 0, []int{2}}, {2, 3, nil}, {5, 0, nil}},
		},
		{
			name: "indices with repeats and gaps", m: IndexRows([]int{3, 1, 1, -1, 0}), len: 5,
			sources: []source{{0, 0, 3, true}, {2, 0, 1, true}, {3, 0, 0, false}, {5, 0, 0, false}},
			targets: []target{{0, 1, []int{1, 2}}, {0, 2, nil}, {0, 3, []int{0}}, {0, 9, nil}, {1, 0, nil}},
		},
		{
			name: "join", m: IndexRows([]int{0, 0, 2}, []int{-1, 1, 1}), len: 3,
			sources: []source{{0, 1, 0, false}, {1, 1, 1, true}, {2, 0, 2, true}},
			targets: []target{{0, 0, []int{0, 1}}, {1, 1, []int{1, 2}}, {1, 0, nil}},
		},
		{
			name: "aligned", m: AlignedRows(2, 2), len: 2,
			sources: []source{{1, 1, 1, true}, {1, 2, 0, false}, {2, 0, 0, false}},
			targets: []target{{1, 1, []int{1}}, {0, 2, nil}, {2, 0, nil}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.m.Len(); got != tc.len {
				t.Errorf("Len = %d, want %d", got, tc.len)
			}
			for _, s := range tc.sources {
				row, ok := tc.m.Source(s.out, s.input)
				if ok != s.ok || (ok && row != s.row) {
					t.Errorf("Source(%d, %d) = %d, %v; want %d, %v", s.out, s.input, row, ok, s.row, s.ok)
				}
			}
			rt, ok := tc.m.(RowTargets)
			if !ok {
				t.Fatal("no RowTargets")
			}
			for _, tg := range tc.targets {
				got := rt.Targets(tg.input, tg.row, []int{-7})
				if !slices.Equal(got[1:], tg.outs) || got[0] != -7 {
					t.Errorf("Targets(%d, %d) = %v, want [-7] + %v", tg.input, tg.row, got, tg.outs)
				}
			}
		})
	}
}

func TestLazyRows(t *testing.T) {
	calls := 0
	m := LazyRows(2, func() (RowMapping, error) {
		calls++
		return IndexRows([]int{1, 0}), nil
	})
	if m.Len() != 2 || calls != 0 {
		t.Fatalf("Len built the mapping (%d calls)", calls)
	}
	if row, ok := m.Source(0, 0); !ok || row != 1 {
		t.Errorf("Source(0, 0) = %d, %v", row, ok)
	}
	m.Source(1, 0)
	if calls != 1 {
		t.Errorf("built %d times, want 1", calls)
	}
	boom := errors.New("boom")
	bad := []struct {
		name string
		m    RowMapping
		is   error
	}{
		{"build fails", LazyRows(1, func() (RowMapping, error) { return nil, boom }), boom},
		{"nil build", LazyRows(1, nil), nil},
		{"nil mapping", LazyRows(1, func() (RowMapping, error) { return nil, nil }), nil},
		{"wrong length", LazyRows(1, func() (RowMapping, error) { return SameRows(2), nil }), nil},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			if _, ok := tc.m.Source(0, 0); ok {
				t.Error("Source of a failed build reports a row")
			}
			_, err := resolveRows(tc.m)
			if err == nil || (tc.is != nil && !errors.Is(err, tc.is)) {
				t.Errorf("resolve = %v, want an error wrapping %v", err, tc.is)
			}
		})
	}
}

// targetsOnly hides a mapping's concrete type, so planning goes through
// RowTargets.
type targetsOnly struct{ *indexRows }

// scanOnly hides a mapping's RowTargets, so planning must scan.
type scanOnly struct{ RowMapping }

func TestPlanScanAndTargetsAgree(t *testing.T) {
	idx := []int{3, 1, 1, 0, 2, 2}
	for _, tc := range []struct {
		name string
		m    RowMapping
	}{
		{"index slices", IndexRows(idx)},
		{"targets", targetsOnly{IndexRows(idx).(*indexRows)}},
		{"scan", scanOnly{IndexRows(idx)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newFixtureStore(t, storeKinds[0].make)
			c, err := RowsChange(srcIn, "out", tc.m, "subset", "")
			require.NoError(t, err)
			if _, err := Propagate(t.Context(), s, c); err != nil {
				t.Fatal(err)
			}
			src := srcState()
			assertState(t, "out", stripped(read(t, s, "out")), state{
				"f": src["f"], "c:a": src["c:a"], "c:b": src["c:b"], "c:c": src["c:c"],
				"r:0": src["r:3"], "x:0:a": src["x:3:a"],
				"r:1": src["r:1"], "r:2": src["r:1"],
				"x:3:a": src["x:0:a"],
				"x:4:b": src["x:2:b"], "x:5:b": src["x:2:b"],
			})
		})
	}
}
