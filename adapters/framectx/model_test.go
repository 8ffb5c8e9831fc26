package framectx

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// TestRowsAgainstModel checks random row rearrangements (subsets with
// repeats and gaps, permutations, joins) against a direct model: output row
// r carries the context of the input row it comes from, and a cell carries
// the context of its source cell.
func TestRowsAgainstModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for iter := 0; iter < 300; iter++ {
		nIn := 1 + rng.IntN(2)
		inputs := make([]Input, nIn)
		entries := make([][]contextstore.Entry, nIn)
		rowCtx := make([]map[int]contextstore.Value, nIn)
		cellCtx := make([]map[[2]int]contextstore.Value, nIn) // (row, column index)
		var cols []OutputColumn
		for i := range inputs {
			id := "in" + strconv.Itoa(i)
			n := rng.IntN(20)
			names := []string{"p" + strconv.Itoa(i), "q" + strconv.Itoa(i)}
			inputs[i] = Input{FrameID: id, Shape: Shape{Columns: names, Rows: n}}
			rowCtx[i] = map[int]contextstore.Value{}
			cellCtx[i] = map[[2]int]contextstore.Value{}
			for r := 0; r < n; r++ {
				if rng.IntN(3) == 0 {
					val := contextstore.Value{"row": id + "/" + strconv.Itoa(r)}
					rowCtx[i][r] = val
					entries[i] = append(entries[i], contextstore.Entry{Key: keys.Row(id, r), Value: val})
				}
				for c, name := range names {
					if rng.IntN(4) == 0 {
						val := contextstore.Value{"cell": id + "/" + strconv.Itoa(r) + "/" + name}
						cellCtx[i][[2]int{r, c}] = val
						entries[i] = append(entries[i], contextstore.Entry{Key: keys.Cell(id, r, name), Value: val})
					}
				}
			}
			for _, name := range names {
				cols = append(cols, Carried(i, name))
			}
		}
		nOut := rng.IntN(30)
		idx := make([][]int, nIn)
		for i := range idx {
			idx[i] = make([]int, nOut)
			for r := range idx[i] {
				if inputs[i].Shape.Rows == 0 || rng.IntN(5) == 0 {
					idx[i][r] = -1
				} else {
					idx[i][r] = rng.IntN(inputs[i].Shape.Rows)
				}
			}
		}
		var rows RowMapping = IndexRows(idx...)
		if rng.IntN(2) == 0 {
			rows = scanOnly{rows}
		}
		out := "out"
		if rng.IntN(2) == 0 {
			out = "in0" // in place
		}
		c := Change{Inputs: inputs, Output: out, Columns: cols, Rows: rows, Policy: DropConflicts}
		existing := entries[0]
		if out == "out" {
			existing = nil
		}
		plan, err := PlanChange(c, entries, existing)
		require.NoError(t, err, "iteration %d: %v", iter, err)
		got := map[keys.Key]contextstore.Value{}
		if out != "out" {
			for _, e := range entries[0] {
				got[e.Key] = e.Value
			}
		}
		for _, m := range plan.Mutations {
			if m.Delete {
				delete(got, m.Key)
			} else {
				got[m.Key] = m.Value
			}
		}
		want := map[keys.Key]contextstore.Value{}
		for r := 0; r < nOut; r++ {
			var present []contextstore.Value
			for i := range inputs {
				src := idx[i][r]
				if src < 0 {
					continue
				}
				if v, ok := rowCtx[i][src]; ok {
					present = append(present, v)
				}
				for ci, name := range inputs[i].Shape.Columns {
					if v, ok := cellCtx[i][[2]int{src, ci}]; ok {
						want[keys.Cell(out, r, name)] = v
					}
				}
			}
			switch len(present) {
			case 1:
				want[keys.Row(out, r)] = present[0]
			case 2: // both sides of a join: drop_conflicts of one field
				m, _ := MergeValues(DropConflicts, present...)
				want[keys.Row(out, r)] = m
			}
		}
		for k, v := range got {
			if k.HasRow() {
				if w, ok := want[k]; !ok || !contextstore.Equal(v, w) {
					t.Fatalf("iteration %d (out %s, idx %v): %v = %v, want %v", iter, out, idx, k, v, w)
				}
			}
		}
		for k, w := range want {
			if v, ok := got[k]; !ok || !contextstore.Equal(v, w) {
				t.Fatalf("iteration %d (out %s, idx %v): %v = %v, want %v", iter, out, idx, k, v, w)
			}
		}
	}
}
