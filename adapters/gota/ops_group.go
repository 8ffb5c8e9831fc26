package gota

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/go-gota/gota/dataframe"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/adapters/lineage"
)

// Grouping is the first half of a group-by operation: the columns rows are
// grouped by. Its Aggregation method makes the Op, as gota's
// df.GroupBy(...).Aggregation(...) does.
type Grouping struct {
	by []string
}

// GroupBy groups rows by the values of columns by (gota's GroupBy); call
// Aggregation on the result for the Op.
func GroupBy(by ...string) Grouping { return Grouping{by: slices.Clone(by)} }

// Aggregation aggregates columns cols of each group with typs, one to one
// (gota's Groups.Aggregation): the output has a row per group, the
// grouping columns and one column per aggregation, named as gota names them
// ("temp_c_MEAN"). Unlike gota, whose row order is random, groups come out
// sorted by their key.
//
// Context: the frame's context is kept. A grouping column keeps its column
// context. An aggregated column gets its source column's context (a unit
// survives MAX, MIN, MEAN, MEDIAN, STD and SUM) and lineage naming the
// source with an AGGREGATION transformation; a COUNT column gets lineage
// only, as none of its source's context describes a count. The frame's
// lineage records the grouping columns as GROUP_BY inputs. Row context
// survives only where every row of a group carried the same row context,
// which the group's row then carries; all other row context and all cell
// context is dropped, and the Report says how much.
func (g Grouping) Aggregation(typs []dataframe.AggregationType, cols []string) Op {
	typs, cols = slices.Clone(typs), slices.Clone(cols)
	by := g.by
	return Op{name: "group_by", rowsOnDemand: true, run: func(in []dataframe.DataFrame, needRows bool, desc string) (step, error) {
		df := in[0]
		if len(by) == 0 {
			return step{}, &OpError{Kind: ErrInvalidArgument, Err: fmt.Errorf("group by no column")}
		}
		out, err := callGota(func() dataframe.DataFrame {
			gr := df.GroupBy(by...)
			if gr == nil {
				return dataframe.DataFrame{Err: fmt.Errorf("group by no column")}
			}
			if gr.Err != nil {
				return dataframe.DataFrame{Err: gr.Err}
			}
			return gr.Aggregation(typs, cols)
		})
		if err != nil {
			return step{}, err
		}
		outKeys, err := groupKeys(out, by)
		if err != nil {
			return step{}, err
		}
		order := make([]int, len(outKeys))
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(a, b int) int { return strings.Compare(outKeys[a], outKeys[b]) })
		if !slices.IsSorted(order) {
			if out, err = callGota(func() dataframe.DataFrame { return out.Subset(order) }); err != nil {
				return step{}, err
			}
			sorted := make([]string, len(order))
			for i, o := range order {
				sorted[i] = outKeys[o]
			}
			outKeys = sorted
		}
		columns, err := aggregatedColumns(out.Names(), by, typs, cols, desc)
		if err != nil {
			return step{}, err
		}
		st := step{df: out, columns: columns, indirect: indirectOf(by, lineage.SubtypeGroupBy, desc)}
		if needRows {
			if st.groups, err = groupMembers(df, by, outKeys); err != nil {
				return step{}, err
			}
		}
		return st, nil
	}}
}

// aggregatedColumns says where each output column of an aggregation comes
// from.
func aggregatedColumns(names, by []string, typs []dataframe.AggregationType, cols []string, desc string) ([]framectx.OutputColumn, error) {
	out := make([]framectx.OutputColumn, 0, len(names))
	for _, name := range names {
		if slices.Contains(by, name) {
			out = append(out, framectx.Carried(0, name))
			continue
		}
		found := false
		for i, c := range cols {
			if fmt.Sprintf("%s_%s", c, typs[i]) != name {
				continue
			}
			d := desc
			if d == "" || d == "group_by" {
				d = typs[i].String() + " of " + c + " by " + strings.Join(by, ", ")
			}
			t := lineage.Direct(lineage.SubtypeAggregation, d)
			if typs[i] == dataframe.Aggregation_COUNT {
				out = append(out, framectx.Derived(name, t, framectx.From(0, c)))
			} else {
				out = append(out, framectx.Aggregated(0, c, name, t))
			}
			found = true
			break
		}
		if !found {
			return nil, fmt.Errorf("aggregation made a column %q it was not asked for", name)
		}
	}
	return out, nil
}

// groupKeys returns each row's group key over columns by, formed as gota's
// GroupBy forms it (floats with %f, values joined by "_"), so the adapter
// puts together exactly the rows gota puts together.
func groupKeys(df dataframe.DataFrame, by []string) ([]string, error) {
	n := df.Nrow()
	keys := make([]strings.Builder, n)
	for i, c := range by {
		s := df.Col(c)
		if s.Err != nil {
			return nil, s.Err
		}
		for r := range n {
			if i > 0 {
				keys[r].WriteByte('_')
			}
			switch v := s.Val(r).(type) {
			case string:
				keys[r].WriteString(v)
			case bool:
				keys[r].WriteString(strconv.FormatBool(v))
			case int:
				fmt.Fprintf(&keys[r], "%d", v)
			case float64:
				fmt.Fprintf(&keys[r], "%f", v)
			case nil:
				// gota loads its aggregation through strings, so a group
				// whose key is the string "NaN" comes out NA.
				keys[r].WriteString("NaN")
			default:
				return nil, fmt.Errorf("group by %q: row %d holds %v, which cannot form a group key", c, r, v)
			}
		}
	}
	out := make([]string, n)
	for r := range keys {
		out[r] = keys[r].String()
	}
	return out, nil
}

// groups maps each output row (a group) to the input rows in it.
type groups [][]int

func (g groups) Len() int              { return len(g) }
func (g groups) Members(out int) []int { return g[out] }

// groupMembers lists, for each output key in order, the input rows with
// that key.
func groupMembers(df dataframe.DataFrame, by []string, outKeys []string) (groups, error) {
	inKeys, err := groupKeys(df, by)
	if err != nil {
		return nil, err
	}
	at := make(map[string]int, len(outKeys))
	for i, k := range outKeys {
		at[k] = i
	}
	g := make(groups, len(outKeys))
	for r, k := range inKeys {
		i, ok := at[k]
		if !ok {
			return nil, fmt.Errorf("row %d has group key %q, which the aggregation lacks", r, k)
		}
		g[i] = append(g[i], r)
	}
	return g, nil
}
