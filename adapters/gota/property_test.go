package gota

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"testing"

	"github.com/go-gota/gota/dataframe"
	"github.com/go-gota/gota/series"
	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/contextstore/sqlstore"
)

// The property test applies random sequences of operations (rename,
// select, drop, subset with repeats, filter, arrange, mutate, rbind, cbind,
// concat, the five joins, rapply, set, group by + aggregate) to a Frame and to a reference model that knows,
// for every current row, which original rows of which frames it comes from,
// and for every column, which original columns it carries. After every step
// the adapter's context must equal the context the model derives from the
// originals. The merge policy is the default, override: the first input
// with context wins. One step in five derives a new frame instead of
// changing the frame in place, and checks the source is left unchanged.
//
// Seeds 1..N run by default; CTXFRAME_PROPERTY_SEED=17 runs seed 17 alone.
// A failure names its seed and step.

// source is one original frame the model draws context from. A frame
// joined twice is two sources (two instances), so their rows never mix.
type source struct {
	frame Value
	cols  map[string]Value
	rows  map[int]Value
	cells map[int]map[string]Value
	// base is the source this one stands in for, with some row context
	// changed (state-bound context dropped): cells still match base's.
	base *source
}

// id is the source whose cells a row origin's are.
func (s *source) id() *source {
	if s.base != nil {
		return s.base
	}
	return s
}

// Value is contextstore.Value, shortened for the model.
type Value = contextstore.Value

type origin struct {
	src   *source
	name  string
	cells bool // the column's values are still the original cells'
}

type modelCol struct {
	name    string
	ctx     Value
	origins []origin
}

// modelRow lists the original rows a row comes from, in input order.
type modelRow []rowOrigin

type rowOrigin struct {
	src *source
	row int
}

type model struct {
	frame Value
	cols  []modelCol
	rows  []modelRow
}

func (m *model) col(name string) int {
	return slices.IndexFunc(m.cols, func(c modelCol) bool { return c.name == name })
}

// context returns the context the model expects, as userContext reads it.
func (m *model) context() ctxMap {
	out := ctxMap{}
	if m.frame != nil {
		out["f"] = m.frame
	}
	for _, c := range m.cols {
		if c.ctx != nil {
			out["c:"+c.name] = c.ctx
		}
	}
	for r, row := range m.rows {
		if x := rowContext(row); x != nil {
			out["r:"+strconv.Itoa(r)] = x
		}
		for _, c := range m.cols {
			if x := cellOf(row, c); x != nil {
				out["x:"+strconv.Itoa(r)+":"+c.name] = x
			}
		}
	}
	return out
}

// cellOf is the first context, in the column's origin order, of an original
// cell this row and column come from.
func cellOf(row modelRow, c modelCol) Value {
	for _, o := range c.origins {
		if !o.cells {
			continue
		}
		for _, ro := range row {
			if ro.src.id() == o.src.id() {
				if x := ro.src.cells[ro.row][o.name]; x != nil {
					return x
				}
			}
		}
	}
	return nil
}

// firstNonNil merges context of several inputs under override: the first
// that has any wins. Combining frames changes the data, so each input's
// state-bound context goes first.
func firstNonNil(vs ...Value) Value {
	for _, x := range vs {
		if x = dropStateOf(x); x != nil {
			return x
		}
	}
	return nil
}

// firstValue is a row function for Rapply.
func firstValue(row series.Series) series.Series { return row.Subset([]int{0}) }

// rowContext is the context the model gives a row: its first origin's.
func rowContext(row modelRow) Value {
	for _, o := range row {
		if x := o.src.rows[o.row]; x != nil {
			return x
		}
	}
	return nil
}

// isPermutation reports whether idx names each of n columns once.
func isPermutation(idx []int, n int) bool {
	if len(idx) != n {
		return false
	}
	seen := make([]bool, n)
	for _, i := range idx {
		if seen[i] {
			return false
		}
		seen[i] = true
	}
	return true
}

// styles applies what a step did to the data to state-bound context (see
// framectx.StateField): the frame's when anything but a rename happened,
// a column's when its values or rows changed, a row's when its values did.
func (m *model) styles(st propStep) {
	if !(st.rowsKept && st.columnsKept) {
		m.frame = dropStateOf(m.frame)
	}
	for i := range m.cols {
		c := &m.cols[i]
		if !(st.rowsKept && len(c.origins) == 1 && c.origins[0].cells) {
			c.ctx = dropStateOf(c.ctx)
		}
	}
	dropRow := func(r int) {
		// Each origin loses its state-bound row context; the row's
		// context is then the first that is left.
		row := slices.Clone(m.rows[r])
		for i, o := range row {
			x := o.src.rows[o.row]
			if y := dropStateOf(x); !contextstore.Equal(x, y) || (x != nil && y == nil) {
				stand := &source{base: o.src.id(), rows: map[int]Value{}, cells: o.src.cells}
				if y != nil {
					stand.rows[o.row] = y
				}
				row[i].src = stand
			}
		}
		m.rows[r] = row
	}
	if !st.columnsKept {
		for r := range m.rows {
			dropRow(r)
		}
		return
	}
	for _, r := range st.replaced {
		dropRow(r)
	}
}

// dropStateOf is the model's reading of the styles: v without its
// state-bound part.
func dropStateOf(v Value) Value {
	switch mark := v[framectx.StateField].(type) {
	case bool:
		if mark {
			return nil
		}
	case []any:
		out := Value{}
		for f, x := range v {
			if f != framectx.StateField && !slices.Contains(mark, any(f)) {
				out[f] = x
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	}
	return v
}

// rowContextOnly is a row that keeps its row context and none of its
// cells' (its values were replaced).
func rowContextOnly(row modelRow) modelRow {
	x := rowContext(row)
	if x == nil {
		return nil
	}
	return modelRow{{src: &source{rows: map[int]Value{0: x}}, row: 0}}
}

// sharedRowContext is the row of a group of rows: their row context if
// every one has the same, nothing otherwise.
func sharedRowContext(rows []modelRow, members []int) modelRow {
	first := rowContext(rows[members[0]])
	if first == nil {
		return nil
	}
	for _, r := range members[1:] {
		if x := rowContext(rows[r]); x == nil || !contextstore.Equal(x, first) {
			return nil
		}
	}
	return modelRow{{src: &source{rows: map[int]Value{0: first}}, row: 0}}
}

// generator makes random frames and context.
type generator struct {
	rng  *rand.Rand
	next int
}

func (g *generator) name(prefix string) string {
	g.next++
	return prefix + strconv.Itoa(g.next)
}

var keyAlphabet = []string{"a", "b", "c", "d", "e"}

// column makes n random values of type t.
func (g *generator) column(t series.Type, name string, n int) series.Series {
	switch t {
	case series.Float:
		vs := make([]float64, n)
		for i := range vs {
			switch g.rng.IntN(8) {
			case 0:
				vs[i] = math.NaN()
			default:
				vs[i] = float64(g.rng.IntN(10)) / 2 // ties on purpose
			}
		}
		return series.New(vs, series.Float, name)
	case series.Int:
		vs := make([]int, n)
		for i := range vs {
			vs[i] = g.rng.IntN(100)
		}
		return series.New(vs, series.Int, name)
	case series.Bool:
		vs := make([]bool, n)
		for i := range vs {
			vs[i] = g.rng.IntN(2) == 0
		}
		return series.New(vs, series.Bool, name)
	}
	vs := make([]string, n)
	for i := range vs {
		vs[i] = keyAlphabet[g.rng.IntN(len(keyAlphabet))]
	}
	return series.New(vs, series.String, name)
}

// context makes random context for a frame of these columns and rows, as
// a source and as seed entries.
func (g *generator) context(cols []string, n int) (*source, ctxMap) {
	src := &source{cols: map[string]Value{}, rows: map[int]Value{}, cells: map[int]map[string]Value{}}
	m := ctxMap{}
	tag := g.name("ctx")
	if g.rng.IntN(3) > 0 {
		src.frame = v("title", tag)
		switch g.rng.IntN(4) {
		case 0: // a state-bound field beside a lasting one
			src.frame = framectx.StateBound(v("title", tag, "rows", int64(n)), "rows")
		case 1:
			src.frame = framectx.StateBound(v("checksum", tag))
		}
		m["f"] = src.frame
	}
	for _, c := range cols {
		if g.rng.IntN(4) > 0 {
			src.cols[c] = v("unit", tag+"/"+c)
			if g.rng.IntN(4) == 0 {
				src.cols[c] = framectx.StateBound(v("unit", tag+"/"+c, "mean", int64(g.rng.IntN(9))), "mean")
			}
			m["c:"+c] = src.cols[c]
		}
	}
	// A quarter of the frames have no row or cell context, so the raw gota
	// paths (no row mapping computed) are exercised too.
	plain := g.rng.IntN(4) == 0
	for r := 0; r < n && !plain; r++ {
		if g.rng.IntN(3) == 0 {
			src.rows[r] = v("row", tag+"/"+strconv.Itoa(r))
			if g.rng.IntN(3) == 0 {
				src.rows[r] = framectx.StateBound(v("valid", tag+"/"+strconv.Itoa(r)))
			}
			m["r:"+strconv.Itoa(r)] = src.rows[r]
		}
		for _, c := range cols {
			if g.rng.IntN(6) == 0 {
				if src.cells[r] == nil {
					src.cells[r] = map[string]Value{}
				}
				src.cells[r][c] = v("cell", tag+"/"+strconv.Itoa(r)+"/"+c)
				m["x:"+strconv.Itoa(r)+":"+c] = src.cells[r][c]
			}
		}
	}
	return src, m
}

// frame binds a random frame of the given columns to a new frame ID and
// returns it with its model source.
func (g *generator) frame(t *testing.T, store contextstore.Store, names []string, types []series.Type, n int) (*Frame, *source) {
	t.Helper()
	cols := make([]series.Series, len(names))
	for i := range names {
		cols[i] = g.column(types[i], names[i], n)
	}
	df := dataframe.New(cols...)
	src, m := g.context(names, n)
	return bind(t, store, g.name("frame"), df, m), src
}

func newModel(src *source, names []string, n int) *model {
	m := &model{frame: src.frame}
	for _, c := range names {
		m.cols = append(m.cols, modelCol{name: c, ctx: src.cols[c], origins: []origin{{src, c, true}}})
	}
	for r := 0; r < n; r++ {
		m.rows = append(m.rows, modelRow{{src, r}})
	}
	return m
}

// step is one random operation: the Op and what it does to the model, or
// ok=false when it does not apply to the current frame.
type propStep struct {
	desc  string
	op    Op
	apply func(m *model, out dataframe.DataFrame)
	// What the operation does to the data, for state-bound context: the
	// rows stay in place (rowsKept), every column is carried unchanged
	// (columnsKept), these rows' values are replaced. The zero value, the
	// most common, drops every state-bound entry but the cells'.
	rowsKept, columnsKept bool
	replaced              []int
}

func (g *generator) step(t *testing.T, store contextstore.Store, f *Frame, m *model) (propStep, bool) {
	df := f.DataFrame()
	names := df.Names()
	types := df.Types()
	n := df.Nrow()
	floats := columnsOfType(df, series.Float)
	strs := columnsOfType(df, series.String)
	switch g.rng.IntN(16) {
	case 0: // rename
		old := names[g.rng.IntN(len(names))]
		nu := g.name("col")
		return propStep{desc: "rename " + old + " to " + nu, op: Rename(old, nu), rowsKept: true, columnsKept: true, apply: func(m *model, _ dataframe.DataFrame) {
			m.cols[m.col(old)].name = nu
		}}, true
	case 1: // select, possibly repeating a column
		var idx []int
		for i := range names {
			if g.rng.IntN(3) > 0 {
				idx = append(idx, i)
			}
		}
		if len(idx) == 0 || g.rng.IntN(4) == 0 {
			idx = append(idx, g.rng.IntN(len(names)))
		}
		g.rng.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		return propStep{desc: fmt.Sprintf("select %v", idx), op: Select(idx), rowsKept: true, columnsKept: isPermutation(idx, len(names)), apply: func(m *model, out dataframe.DataFrame) {
			outNames := out.Names()
			cols := make([]modelCol, len(idx))
			for p, i := range idx {
				cols[p] = m.cols[i]
				cols[p].name = outNames[p]
			}
			m.cols = cols
		}}, true
	case 2: // drop
		if len(names) < 2 {
			return propStep{}, false
		}
		name := names[g.rng.IntN(len(names))]
		return propStep{desc: "drop " + name, op: Drop(name), rowsKept: true, apply: func(m *model, _ dataframe.DataFrame) {
			m.cols = slices.Delete(m.cols, m.col(name), m.col(name)+1)
		}}, true
	case 3: // subset with repeats
		if n == 0 {
			return propStep{}, false
		}
		idx := make([]int, 1+g.rng.IntN(n+3))
		for i := range idx {
			idx[i] = g.rng.IntN(n)
		}
		return propStep{desc: fmt.Sprintf("subset %v", idx), op: Subset(idx), columnsKept: true, apply: func(m *model, _ dataframe.DataFrame) {
			m.rows = pick(m.rows, idx)
		}}, true
	case 4: // filter
		if len(floats) == 0 {
			return propStep{}, false
		}
		col := floats[g.rng.IntN(len(floats))]
		thr := float64(g.rng.IntN(10)) / 2
		return propStep{desc: fmt.Sprintf("filter %s > %v", col, thr), columnsKept: true,
			op: Filter(dataframe.F{Colname: col, Comparator: series.Greater, Comparando: thr}),
			apply: func(m *model, _ dataframe.DataFrame) {
				vals := df.Col(col).Float()
				var keep []int
				for i, x := range vals {
					if x > thr {
						keep = append(keep, i)
					}
				}
				m.rows = pick(m.rows, keep)
			}}, true
	case 5: // arrange
		if len(floats) == 0 {
			return propStep{}, false
		}
		col := floats[g.rng.IntN(len(floats))]
		rev := g.rng.IntN(2) == 0
		order := dataframe.Sort(col)
		if rev {
			order = dataframe.RevSort(col)
		}
		return propStep{desc: fmt.Sprintf("arrange %s reverse=%v", col, rev), op: Arrange(order), columnsKept: true,
			apply: func(m *model, _ dataframe.DataFrame) {
				m.rows = pick(m.rows, sortedRows(df.Col(col).Float(), rev))
			}}, true
	case 6: // mutate: replace or add
		if g.rng.IntN(2) == 0 && len(floats) > 0 {
			col := floats[g.rng.IntN(len(floats))]
			s := g.column(series.Float, col, n)
			return propStep{desc: "mutate replace " + col, op: Mutate(s, col), rowsKept: true, apply: func(m *model, _ dataframe.DataFrame) {
				c := &m.cols[m.col(col)]
				c.origins = slices.Clone(c.origins)
				for i := range c.origins {
					c.origins[i].cells = false
				}
			}}, true
		}
		col := g.name("new")
		s := g.column(series.Float, col, n)
		return propStep{desc: "mutate add " + col, op: Mutate(s, names[0]), rowsKept: true, apply: func(m *model, _ dataframe.DataFrame) {
			m.cols = append(m.cols, modelCol{name: col})
		}}, true
	case 13: // rapply: the row's first value; rows stay, columns are new
		if n == 0 || g.rng.IntN(3) > 0 { // rare: it turns every column into strings
			return propStep{}, false
		}
		return propStep{desc: "rapply first value", op: Rapply(firstValue), rowsKept: true, apply: func(m *model, out dataframe.DataFrame) {
			m.cols = nil
			for _, name := range out.Names() {
				m.cols = append(m.cols, modelCol{name: name})
			}
		}}, true
	case 14: // set: some rows take the values of other rows
		if n == 0 {
			return propStep{}, false
		}
		idx := g.rng.Perm(n)[:1+g.rng.IntN(min(n, 3))]
		from := make([]int, len(idx))
		for i := range from {
			from[i] = g.rng.IntN(n)
		}
		return propStep{desc: fmt.Sprintf("set %v from %v", idx, from), op: Set(idx, df.Subset(from)), columnsKept: true, replaced: idx,
			apply: func(m *model, _ dataframe.DataFrame) {
				for _, r := range idx {
					m.rows[r] = rowContextOnly(m.rows[r])
				}
			}}, true
	case 15: // group by a string column, aggregate a float column
		if n == 0 || len(strs) == 0 || len(floats) == 0 {
			return propStep{}, false
		}
		key := strs[g.rng.IntN(len(strs))]
		val := floats[g.rng.IntN(len(floats))]
		typs := []dataframe.AggregationType{dataframe.Aggregation_MEAN, dataframe.Aggregation_COUNT}
		if val == key+"_MEAN" || val == key+"_COUNT" || slices.Contains(df.Col(key).IsNaN(), true) {
			return propStep{}, false // gota refuses NA group keys
		}
		return propStep{desc: "group by " + key + " aggregate " + val,
			op: GroupBy(key).Aggregation(typs, []string{val, val}),
			apply: func(m *model, out dataframe.DataFrame) {
				keys := df.Col(key).Records()
				groups := map[string][]int{}
				var order []string
				for r, k := range keys {
					if _, ok := groups[k]; !ok {
						order = append(order, k)
					}
					groups[k] = append(groups[k], r)
				}
				sort.Strings(order)
				rows := make([]modelRow, len(order))
				for i, k := range order {
					rows[i] = sharedRowContext(m.rows, groups[k])
				}
				kc, vc := m.cols[m.col(key)], m.cols[m.col(val)]
				var cols []modelCol
				for _, name := range out.Names() {
					switch name {
					case key:
						cols = append(cols, modelCol{name: name, ctx: kc.ctx})
					case val + "_MEAN":
						cols = append(cols, modelCol{name: name, ctx: vc.ctx})
					default:
						cols = append(cols, modelCol{name: name})
					}
				}
				m.cols, m.rows = cols, rows
			}}, true

	case 7: // rbind a new frame of the same columns
		other, src := g.frame(t, store, names, types, 1+g.rng.IntN(4))
		return propStep{desc: "rbind " + other.FrameID(), op: RBind(other), apply: func(m *model, _ dataframe.DataFrame) {
			m.frame = firstNonNil(m.frame, src.frame)
			for i := range m.cols {
				c := &m.cols[i]
				c.ctx = firstNonNil(c.ctx, src.cols[c.name])
				c.origins = append(slices.Clone(c.origins), origin{src, c.name, true})
			}
			for r := 0; r < other.DataFrame().Nrow(); r++ {
				m.rows = append(m.rows, modelRow{{src, r}})
			}
		}}, true
	case 8: // cbind a frame of as many rows, one of its names clashing
		onames := []string{names[g.rng.IntN(len(names))], g.name("cb")}
		other, src := g.frame(t, store, onames, []series.Type{series.Float, series.String}, n)
		return propStep{desc: "cbind " + other.FrameID(), op: CBind(other), apply: func(m *model, out dataframe.DataFrame) {
			m.frame = firstNonNil(m.frame, src.frame)
			for _, name := range onames {
				m.cols = append(m.cols, modelCol{name: name, ctx: src.cols[name], origins: []origin{{src, name, true}}})
			}
			for p, name := range out.Names() {
				m.cols[p].name = name
			}
			for r := range m.rows {
				m.rows[r] = append(slices.Clone(m.rows[r]), rowOrigin{src, r})
			}
		}}, true
	case 9: // concat a frame with some of the columns and a new one
		var onames []string
		var otypes []series.Type
		for i, name := range names {
			if g.rng.IntN(2) == 0 {
				onames = append(onames, name)
				otypes = append(otypes, types[i])
			}
		}
		onames = append(onames, g.name("cc"))
		otypes = append(otypes, series.Float)
		other, src := g.frame(t, store, onames, otypes, 1+g.rng.IntN(4))
		return propStep{desc: "concat " + other.FrameID(), op: Concat(other), apply: func(m *model, _ dataframe.DataFrame) {
			m.frame = firstNonNil(m.frame, src.frame)
			for i := range m.cols {
				c := &m.cols[i]
				if slices.Contains(onames, c.name) {
					c.ctx = firstNonNil(c.ctx, src.cols[c.name])
					c.origins = append(slices.Clone(c.origins), origin{src, c.name, true})
				}
			}
			for _, name := range onames {
				if m.col(name) < 0 {
					m.cols = append(m.cols, modelCol{name: name, ctx: src.cols[name], origins: []origin{{src, name, true}}})
				}
			}
			for r := 0; r < other.DataFrame().Nrow(); r++ {
				m.rows = append(m.rows, modelRow{{src, r}})
			}
		}}, true
	default: // joins
		if len(strs) == 0 || n > 60 {
			return propStep{}, false
		}
		kind := []joinKind{innerJoin, leftJoin, rightJoin, outerJoin, crossJoin}[g.rng.IntN(5)]
		key := strs[g.rng.IntN(len(strs))]
		onames := []string{key, g.name("o"), g.name("o")}
		otypes := []series.Type{series.String, series.Float, series.String}
		if kind == crossJoin {
			onames = onames[1:]
			otypes = otypes[1:]
		}
		other, src := g.frame(t, store, onames, otypes, 1+g.rng.IntN(4))
		var op Op
		var on []string
		switch kind {
		case innerJoin:
			op, on = InnerJoin(other, key), []string{key}
		case leftJoin:
			op, on = LeftJoin(other, key), []string{key}
		case rightJoin:
			op, on = RightJoin(other, key), []string{key}
		case outerJoin:
			op, on = OuterJoin(other, key), []string{key}
		default:
			op = CrossJoin(other)
		}
		odf := other.DataFrame()
		return propStep{desc: fmt.Sprintf("%s %s on %v", kind, other.FrameID(), on), op: op,
			apply: func(m *model, out dataframe.DataFrame) {
				modelJoin(m, kind, df, odf, src, on, out.Names())
			}}, true
	}
}

func columnsOfType(df dataframe.DataFrame, t series.Type) []string {
	var out []string
	for i, typ := range df.Types() {
		if typ == t {
			out = append(out, df.Names()[i])
		}
	}
	return out
}

func pick(rows []modelRow, idx []int) []modelRow {
	out := make([]modelRow, len(idx))
	for i, r := range idx {
		out[i] = rows[r]
	}
	return out
}

// sortedRows is a stable sort of the positions by value, NaN last in
// original order: what gota's Arrange promises for one key.
func sortedRows(vals []float64, reverse bool) []int {
	var idx, nans []int
	for i, x := range vals {
		if math.IsNaN(x) {
			nans = append(nans, i)
		} else {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool {
		if reverse {
			return vals[idx[a]] > vals[idx[b]]
		}
		return vals[idx[a]] < vals[idx[b]]
	})
	return append(idx, nans...)
}

// modelJoin applies a join to the model: rows by the join's definition,
// columns as keys, the frame's others, the other frame's others.
func modelJoin(m *model, kind joinKind, a, b dataframe.DataFrame, src *source, on []string, outNames []string) {
	type pair struct{ i, j int }
	var pairs []pair
	match := func(i, j int) bool {
		for _, k := range on {
			if a.Col(k).Records()[i] != b.Col(k).Records()[j] {
				return false
			}
		}
		return true
	}
	na, nb := a.Nrow(), b.Nrow()
	switch kind {
	case crossJoin, innerJoin, leftJoin, outerJoin:
		for i := 0; i < na; i++ {
			matched := false
			for j := 0; j < nb; j++ {
				if kind == crossJoin || match(i, j) {
					pairs = append(pairs, pair{i, j})
					matched = true
				}
			}
			if !matched && (kind == leftJoin || kind == outerJoin) {
				pairs = append(pairs, pair{i, -1})
			}
		}
		if kind == outerJoin {
			for j := 0; j < nb; j++ {
				if !slices.ContainsFunc(pairs, func(p pair) bool { return p.j == j }) {
					pairs = append(pairs, pair{-1, j})
				}
			}
		}
	case rightJoin:
		var unmatched []int
		for j := 0; j < nb; j++ {
			matched := false
			for i := 0; i < na; i++ {
				if match(i, j) {
					pairs = append(pairs, pair{i, j})
					matched = true
				}
			}
			if !matched {
				unmatched = append(unmatched, j)
			}
		}
		for _, j := range unmatched {
			pairs = append(pairs, pair{-1, j})
		}
	}
	rows := make([]modelRow, len(pairs))
	for r, p := range pairs {
		var row modelRow
		if p.i >= 0 {
			row = append(row, m.rows[p.i]...)
		}
		if p.j >= 0 {
			row = append(row, rowOrigin{src, p.j})
		}
		rows[r] = row
	}
	var cols []modelCol
	for _, k := range on {
		c := m.cols[m.col(k)]
		c.ctx = firstNonNil(c.ctx, src.cols[k])
		c.origins = append(slices.Clone(c.origins), origin{src, k, true})
		cols = append(cols, c)
	}
	for _, c := range m.cols {
		if !slices.Contains(on, c.name) {
			cols = append(cols, c)
		}
	}
	for _, name := range b.Names() {
		if !slices.Contains(on, name) {
			cols = append(cols, modelCol{name: name, ctx: src.cols[name], origins: []origin{{src, name, true}}})
		}
	}
	for p := range cols {
		cols[p].name = outNames[p]
	}
	m.frame = firstNonNil(m.frame, src.frame)
	m.cols, m.rows = cols, rows
}

// propertySeeds returns the seeds to run: 1..n, or the one in
// CTXFRAME_PROPERTY_SEED.
func propertySeeds(t *testing.T, n int) []uint64 {
	if s := os.Getenv("CTXFRAME_PROPERTY_SEED"); s != "" {
		seed, err := strconv.ParseUint(s, 10, 64)
		require.NoError(t, err, "CTXFRAME_PROPERTY_SEED=%q: %v", s, err)
		return []uint64{seed}
	}
	seeds := make([]uint64, n)
	for i := range seeds {
		seeds[i] = uint64(i + 1)
	}
	return seeds
}

// runProperty runs one seeded sequence on a fresh store from newStore.
func runProperty(t *testing.T, seed uint64, store contextstore.Store) {
	ctx := context.Background()
	g := &generator{rng: rand.New(rand.NewPCG(seed, 0x5eed))}
	names := []string{"k", "a", "b", "s", "n"}
	types := []series.Type{series.String, series.Float, series.Float, series.String, series.Int}
	nrows := 5 + g.rng.IntN(20)
	f, src := g.frame(t, store, names, types, nrows)
	m := newModel(src, names, nrows)
	const steps = 14
	for i := 0; i < steps; i++ {
		st, ok := g.step(t, store, f, m)
		if !ok {
			continue
		}
		before := f.DataFrame()
		derive := g.rng.IntN(5) == 0
		var out *Frame
		var err error
		if derive {
			var old ctxMap = allContext(t, store, f.FrameID())
			out, _, err = f.Derive(ctx, g.name("derived"), st.op)
			if err == nil {
				if diff := diffContext(allContext(t, store, f.FrameID()), old); diff != "" {
					t.Fatalf("seed %d step %d (%s, derived): source context changed:\n%s", seed, i, st.desc, diff)
				}
			}
		} else {
			_, err = f.Apply(ctx, st.op)
			out = f
		}
		require.NoError(t, err, "seed %d step %d (%s): %v\nframe before:\n%v", seed, i, st.desc, err, before)
		st.apply(m, out.DataFrame())
		m.styles(st)
		f = out
		if got, want := f.DataFrame().Nrow(), len(m.rows); got != want {
			t.Fatalf("seed %d step %d (%s): %d rows, model has %d", seed, i, st.desc, got, want)
		}
		if diff := diffContext(userContext(t, store, f.FrameID()), m.context()); diff != "" {
			t.Fatalf("seed %d step %d (%s): context differs from the model (-adapter +model):\n%s\nframe:\n%v",
				seed, i, st.desc, diff, f.DataFrame())
		}
	}
}

func TestPropertyMemory(t *testing.T) {
	for _, seed := range propertySeeds(t, 60) {
		t.Run("seed="+strconv.FormatUint(seed, 10), func(t *testing.T) {
			store := contextstore.NewMemoryStore()
			defer store.Close()
			runProperty(t, seed, store)
		})
	}
}

func TestPropertySQLite(t *testing.T) {
	for _, seed := range propertySeeds(t, 12) {
		t.Run("seed="+strconv.FormatUint(seed, 10), func(t *testing.T) {
			store, err := sqlstore.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "ctx.db"), nil)
			require.NoError(t, err)
			defer store.Close()
			runProperty(t, seed, store)
		})
	}
}
