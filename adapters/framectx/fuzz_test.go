package framectx

import (
	"testing"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// FuzzPlanChange feeds planning arbitrary shapes, entries and row mappings
// (negative, out-of-range and repeated rows, lengths that disagree): it must
// return a plan or an error, never panic, and never write outside the
// output frame.
func FuzzPlanChange(f *testing.F) {
	f.Add([]byte{3, 2, 1, 0, 7, 255, 4}, int8(4), int8(2), uint8(0))
	f.Add([]byte{0, 0, 0}, int8(-1), int8(0), uint8(1))
	f.Add([]byte{9, 9, 9, 9, 9, 9, 9, 9}, int8(8), int8(3), uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, rows, out int8, mode uint8) {
		in := Input{FrameID: "in", Shape: Shape{Columns: []string{"a", "b"}, Rows: int(rows)}}
		var entries []contextstore.Entry
		for i, b := range data {
			r := int(b) - 8
			if r < 0 {
				r = -r
			}
			switch i % 3 {
			case 0:
				entries = append(entries, contextstore.Entry{Key: keys.Row("in", r), Value: contextstore.Value{"i": int64(i)}})
			case 1:
				entries = append(entries, contextstore.Entry{Key: keys.Cell("in", r, "a"), Value: contextstore.Value{"i": int64(i)}})
			default:
				entries = append(entries, contextstore.Entry{Key: keys.Column("in", string(rune('a'+b%4))), Value: contextstore.Value{}})
			}
		}
		idx := make([]int, len(data))
		for i, b := range data {
			idx[i] = int(int8(b))
		}
		var m RowMapping
		switch mode % 5 {
		case 0:
			m = IndexRows(idx)
		case 1:
			m = scanOnly{IndexRows(idx)}
		case 2:
			m = SliceRows(0, int(out), len(data))
		case 3:
			m = ConcatRows(int(rows), int(out))
		case 4:
			m = IndexRows(idx, idx[:len(idx)/2])
		}
		output := "in"
		if mode&8 != 0 {
			output = "out"
		}
		c := Change{
			Inputs: []Input{in}, Output: output, Rows: m,
			Columns: []OutputColumn{Carried(0, "a"), Renamed(0, "b", "z"), Merged("m", From(0, "a"), From(0, "b"))},
		}
		if rows < 0 {
			c.Columns = nil
		}
		plan, err := PlanChange(c, [][]contextstore.Entry{entries}, entries)
		if err != nil {
			return
		}
		for _, mu := range plan.Mutations {
			if mu.Key.FrameID() != output {
				t.Fatalf("mutation outside the output frame: %v", mu.Key)
			}
			if err := mu.Key.Validate(); err != nil {
				t.Fatalf("invalid key planned: %v", err)
			}
		}
	})
}
