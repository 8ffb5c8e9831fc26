package framectx

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ctxframe/ctxframe/adapters/lineage"
	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// PlanChange computes the mutations that bring the output frame's context
// in line with c. inputs[i] holds the current entries of c.Inputs[i] and
// existing those of the output frame (for an in-place change, the same
// entries as inputs[0]), as contextstore.ReadFrame returns them. It does no
// I/O and does not modify its arguments.
//
// The result is the minimal batch: an entry whose new value equals its
// current one is not rewritten, and an entry with no place in the output is
// deleted. Cost is O(entries + columns) plus, only when an input has row or
// cell context, the row mapping's work (O(entries) with RowTargets, else a
// scan of the output rows). An in-place change that keeps the rows where
// they are plans only the entries it may change: row entries and the cells
// of columns it carries as they are take one look each.
//
// Errors: ErrInvalidChange for a malformed c, a *MergeConflictError when
// the policy refuses to merge, or the error of a LazyRows build function.
func PlanChange(c Change, inputs [][]contextstore.Entry, existing []contextstore.Entry) (*Plan, error) {
	if pt := passthroughOf(c); pt != nil && len(inputs) == 1 && planPassthrough {
		// What stays exactly as it is needs no plan: leave it out of both
		// sides.
		kept := pt.filter(inputs[0])
		if !sameEntries(inputs[0], existing) {
			existing = pt.filter(existing)
		} else {
			existing = kept
		}
		inputs = [][]contextstore.Entry{kept}
	}
	if planMoves && len(inputs) == 1 && sameEntries(inputs[0], existing) && movesOnly(c) && sortedByKey(inputs[0]) {
		// Rows that only move are planned by row, not by key.
		if plan, ok, err := planMoved(c, inputs[0]); ok || err != nil {
			return plan, err
		}
	}
	return planEntries(c, inputs, existing)
}

// planEntries is the general planner: every level of c planned from its
// inputs' entries, and diffed against existing.
func planEntries(c Change, inputs [][]contextstore.Entry, existing []contextstore.Entry) (*Plan, error) {
	p, err := newPlanner(c, inputs)
	if err != nil {
		return nil, err
	}
	desired := make(map[keys.Key]contextstore.Value, len(existing))
	if err := p.frame(desired); err != nil {
		return nil, err
	}
	if err := p.columns(desired); err != nil {
		return nil, err
	}
	if err := p.rows(desired); err != nil {
		return nil, err
	}
	p.stateNotes()
	return &Plan{Mutations: diff(c.Output, desired, existing), Notes: p.notes}, nil
}

// sortedByKey reports whether es is in key order, as stores return a frame:
// the row-move path relies on it (PlanChange's callers need not).
func sortedByKey(es []contextstore.Entry) bool {
	return slices.IsSortedFunc(es, func(a, b contextstore.Entry) int { return keys.Compare(a.Key, b.Key) })
}

// planner holds a validated Change and its inputs' entries, indexed.
type planner struct {
	c      Change
	policy Policy
	ns     string
	in     []inputIndex
	notes  []Note

	state        stateFacts        // what the operation does to the data, for the styles
	stateDropped map[keys.Kind]int // state-bound entries dropped, for the notes
}

type inputIndex struct {
	frame   contextstore.Value
	columns map[string]contextstore.Value
	rows    map[int]*rowBucket
	nRows   int // row entries
	nCells  int // cell entries
	hasCol  map[string]bool
}

// rowBucket is everything one input row carries: its row context and the
// context of its cells.
type rowBucket struct {
	row   contextstore.Value
	cells []cellEntry
}

type cellEntry struct {
	column string
	value  contextstore.Value
}

func invalidChange(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidChange}, args...)...)
}

func newPlanner(c Change, inputs [][]contextstore.Entry) (*planner, error) {
	if len(c.Inputs) == 0 {
		return nil, invalidChange("no inputs")
	}
	if len(inputs) != len(c.Inputs) {
		return nil, invalidChange("%d inputs but entries for %d", len(c.Inputs), len(inputs))
	}
	if err := keys.Frame(c.Output).Validate(); err != nil {
		return nil, fmt.Errorf("%w: output frame: %w", ErrInvalidChange, err)
	}
	policy := c.Policy.resolve(DefaultPolicy)
	if policy < Drop || policy > Override {
		return nil, invalidChange("unknown merge policy %d", int(c.Policy))
	}
	p := &planner{c: c, policy: policy, ns: c.Namespace, in: make([]inputIndex, len(c.Inputs)), state: c.stateFacts()}
	if p.ns == "" {
		p.ns = DefaultNamespace
	}
	for i, in := range c.Inputs {
		if err := keys.Frame(in.FrameID).Validate(); err != nil {
			return nil, fmt.Errorf("%w: input %d: %w", ErrInvalidChange, i, err)
		}
		p.in[i] = indexInput(in, inputs[i])
	}
	seen := make(map[string]bool, len(c.Columns))
	for _, col := range c.Columns {
		if err := keys.Column(c.Output, col.Name).Validate(); err != nil {
			return nil, fmt.Errorf("%w: output column: %w", ErrInvalidChange, err)
		}
		if seen[col.Name] {
			return nil, invalidChange("output column %q appears twice", col.Name)
		}
		seen[col.Name] = true
		for _, s := range slices.Concat(col.Carry, col.Sources) {
			if err := p.checkSource("output column "+strconv.Quote(col.Name), s); err != nil {
				return nil, err
			}
		}
	}
	for _, ind := range c.Indirect {
		if err := p.checkSource("indirect source", ind.Source); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// checkSource reports a source naming an input or column that does not
// exist; where says what the source belongs to.
func (p *planner) checkSource(where string, s Source) error {
	if s.Input < 0 || s.Input >= len(p.in) {
		return invalidChange("%s: source names input %d of %d", where, s.Input, len(p.in))
	}
	if !p.in[s.Input].hasCol[s.Column] {
		return invalidChange("%s: input %d (%q) has no column %q", where, s.Input, p.c.Inputs[s.Input].FrameID, s.Column)
	}
	return nil
}

// indexInput sorts an input's entries by kind. Entries that name a column
// or row the input does not have are stale and left out: they have no place
// in any output.
func indexInput(in Input, entries []contextstore.Entry) inputIndex {
	idx := inputIndex{hasCol: make(map[string]bool, len(in.Shape.Columns))}
	for _, name := range in.Shape.Columns {
		idx.hasCol[name] = true
	}
	for _, e := range entries {
		k := e.Key
		if k.HasColumn() && !idx.hasCol[k.ColumnName()] {
			continue
		}
		if k.HasRow() && k.RowIndex() >= in.Shape.Rows {
			continue
		}
		switch k.Kind() {
		case keys.KindFrame:
			idx.frame = e.Value
		case keys.KindColumn:
			if idx.columns == nil {
				idx.columns = map[string]contextstore.Value{}
			}
			idx.columns[k.ColumnName()] = e.Value
		case keys.KindRow:
			idx.bucket(k.RowIndex()).row = e.Value
			idx.nRows++
		case keys.KindCell:
			b := idx.bucket(k.RowIndex())
			b.cells = append(b.cells, cellEntry{column: k.ColumnName(), value: e.Value})
			idx.nCells++
		}
	}
	return idx
}

func (idx *inputIndex) bucket(row int) *rowBucket {
	if idx.rows == nil {
		idx.rows = map[int]*rowBucket{}
	}
	b := idx.rows[row]
	if b == nil {
		b = &rowBucket{}
		idx.rows[row] = b
	}
	return b
}

// frame plans the output's frame context.
func (p *planner) frame(desired map[keys.Key]contextstore.Value) error {
	key := keys.Frame(p.c.Output)
	var v contextstore.Value
	if len(p.in) == 1 {
		v = p.in[0].frame
	} else {
		// Combining frames changes the data: each input's state-bound
		// context goes before the merge.
		vs := make([]contextstore.Value, len(p.in))
		for i := range p.in {
			vs[i] = p.keepState(keys.KindFrame, withoutReserved(p.in[i].frame), false)
		}
		merged, err := p.merge(key, vs)
		if err != nil {
			return err
		}
		v = merged
	}
	v = p.keepState(keys.KindFrame, v, p.state.rowsKept && p.state.columnsKept)
	if p.c.InPlace() {
		// The frame's own lineage describes where it came from; merging with
		// other frames does not change that.
		v = withReservedOf(v, p.in[0].frame)
	} else {
		v = withField(withoutReserved(v), LineageField, p.frameLineage().Value())
	}
	if v != nil {
		desired[key] = v
	}
	return nil
}

func (p *planner) frameLineage() lineage.Frame {
	f := lineage.Frame{Operation: p.c.Operation}
	for _, in := range p.c.Inputs {
		d := lineage.Dataset{Namespace: p.ns, Name: in.FrameID}
		if !slices.Contains(f.Inputs, d) {
			f.Inputs = append(f.Inputs, d)
		}
	}
	for _, ind := range p.c.Indirect {
		f.Indirect = append(f.Indirect, p.inputField(ind.Source, ind.Transformation))
	}
	return f
}

func (p *planner) inputField(s Source, t lineage.Transformation) lineage.InputField {
	t = t.Normalized()
	if t.Description == "" {
		t.Description = p.c.Operation
	}
	return lineage.InputField{
		Namespace:       p.ns,
		Name:            p.c.Inputs[s.Input].FrameID,
		Field:           s.Column,
		Transformations: []lineage.Transformation{t},
	}
}

// columns plans the output's column context.
func (p *planner) columns(desired map[keys.Key]contextstore.Value) error {
	for _, col := range p.c.Columns {
		key := keys.Column(p.c.Output, col.Name)
		fresh := p.needsLineage(col)
		var v contextstore.Value
		switch {
		case len(col.Carry) == 1 && !fresh:
			v = p.in[col.Carry[0].Input].columns[col.Carry[0].Column]
		case len(col.Carry) == 1:
			v = withoutReserved(p.in[col.Carry[0].Input].columns[col.Carry[0].Column])
		case len(col.Carry) > 1:
			vs := make([]contextstore.Value, len(col.Carry))
			for i, s := range col.Carry {
				vs[i] = p.keepState(keys.KindColumn, withoutReserved(p.in[s.Input].columns[s.Column]), false)
			}
			merged, err := p.merge(key, vs)
			if err != nil {
				return err
			}
			v = merged
		}
		v = p.keepState(keys.KindColumn, v, p.state.rowsKept && identityCarry(col))
		if len(col.Without) > 0 && v != nil {
			v = withoutFields(v, col.Without)
		}
		if fresh {
			var rec lineage.Column
			for _, s := range col.lineageSources() {
				rec.InputFields = append(rec.InputFields, p.inputField(s, col.Transformation))
			}
			v = withField(withoutReserved(v), LineageField, rec.Value())
		}
		if v != nil {
			desired[key] = v
		}
	}
	return nil
}

// withoutFields returns v without the named fields (v itself when it has
// none of them), nil when nothing is left.
func withoutFields(v contextstore.Value, fields []string) contextstore.Value {
	n := 0
	for _, f := range fields {
		if _, ok := v[f]; ok {
			n++
		}
	}
	if n == 0 {
		return v
	}
	if n == len(v) {
		return nil
	}
	out := make(contextstore.Value, len(v)-n)
	for f, x := range v {
		if !slices.Contains(fields, f) {
			out[f] = x
		}
	}
	return out
}

// needsLineage reports whether an output column gets a new lineage record:
// always, unless it is an unchanged column of the output frame itself (an
// in-place rename, selection, filter or sort), whose record stays as it was.
func (p *planner) needsLineage(col OutputColumn) bool {
	if len(col.lineageSources()) == 0 {
		return false
	}
	if !col.Transformation.IsIdentity() {
		return true
	}
	for _, s := range col.Carry {
		if p.c.Inputs[s.Input].FrameID != p.c.Output {
			return true
		}
	}
	return false
}

// merge merges the inputs' values for one output entry under the policy,
// naming the entry in a conflict.
func (p *planner) merge(key keys.Key, vs []contextstore.Value) (contextstore.Value, error) {
	present := make([]contextstore.Value, 0, len(vs))
	positions := make([]int, 0, len(vs))
	for i, v := range vs {
		if v != nil {
			present = append(present, v)
			positions = append(positions, i)
		}
	}
	v, err := mergeNormalized(p.policy, present, positions)
	if err != nil {
		if mc, ok := err.(*MergeConflictError); ok {
			mc.Key = key
		}
		return nil, err
	}
	return v, nil
}

// withField returns a copy of v (nil counts as empty) with field set.
func withField(v contextstore.Value, field string, x any) contextstore.Value {
	out := make(contextstore.Value, len(v)+1)
	for f, y := range v {
		out[f] = y
	}
	out[field] = x
	return out
}

// withReservedOf returns v with the reserved fields of from added, copying
// v only when there are some.
func withReservedOf(v, from contextstore.Value) contextstore.Value {
	for f, x := range from {
		if isMachineField(f) {
			if _, ok := v[f]; !ok || !sameField(v[f], x) {
				v = withField(v, f, x)
			}
		}
	}
	return v
}

func sameField(a, b any) bool {
	return contextstore.EqualJSON(a, b)
}

// diff turns the desired entries of the output frame into the mutations
// that make existing equal to them, sorted by key (a stable order keeps
// concurrent writers of SQL backends from deadlocking on each other).
func diff(output string, desired map[keys.Key]contextstore.Value, existing []contextstore.Entry) []contextstore.Mutation {
	var removes []contextstore.Mutation
	for _, e := range existing {
		if e.Key.FrameID() != output {
			continue
		}
		want, ok := desired[e.Key]
		switch {
		case !ok:
			removes = append(removes, contextstore.Remove(e.Key))
		case contextstore.Equal(want, e.Value):
			delete(desired, e.Key)
		}
	}
	// existing comes sorted from the store; be sure of it cheaply.
	if !slices.IsSortedFunc(removes, compareMutations) {
		slices.SortFunc(removes, compareMutations)
	}
	puts := sortedPuts(desired)
	// Merge the two sorted lists.
	ms := make([]contextstore.Mutation, 0, len(removes)+len(puts))
	i, j := 0, 0
	for i < len(removes) && j < len(puts) {
		if compareMutations(removes[i], puts[j]) < 0 {
			ms = append(ms, removes[i])
			i++
		} else {
			ms = append(ms, puts[j])
			j++
		}
	}
	ms = append(ms, removes[i:]...)
	return append(ms, puts[j:]...)
}

// sortedPuts returns a Put for every desired entry, in key order. Row and
// cell keys, the bulk of a large plan, are ordered by sorting plain ints
// instead of whole mutations.
func sortedPuts(desired map[keys.Key]contextstore.Value) []contextstore.Mutation {
	var small []keys.Key // frame and column keys
	var rows []int
	cells := map[string][]int{}
	frameID := ""
	for k := range desired {
		frameID = k.FrameID()
		switch k.Kind() {
		case keys.KindRow:
			rows = append(rows, k.RowIndex())
		case keys.KindCell:
			cells[k.ColumnName()] = append(cells[k.ColumnName()], k.RowIndex())
		default:
			small = append(small, k)
		}
	}
	out := make([]contextstore.Mutation, 0, len(desired))
	keys.Sort(small)
	for _, k := range small {
		out = append(out, contextstore.Put(k, desired[k]))
	}
	slices.Sort(rows)
	for _, r := range rows {
		k := keys.Row(frameID, r)
		out = append(out, contextstore.Put(k, desired[k]))
	}
	columns := make([]string, 0, len(cells))
	for c := range cells {
		columns = append(columns, c)
	}
	slices.Sort(columns)
	for _, c := range columns {
		rs := cells[c]
		slices.Sort(rs)
		for _, r := range rs {
			k := keys.Cell(frameID, r, c)
			out = append(out, contextstore.Put(k, desired[k]))
		}
	}
	return out
}

// compareMutations orders mutations of one frame as keys.Compare does,
// comparing only the frame-relative parts.
func compareMutations(a, b contextstore.Mutation) int {
	if c := cmp.Compare(a.Key.Kind(), b.Key.Kind()); c != 0 {
		return c
	}
	if c := strings.Compare(a.Key.ColumnName(), b.Key.ColumnName()); c != 0 {
		return c
	}
	return cmp.Compare(a.Key.RowIndex(), b.Key.RowIndex())
}
