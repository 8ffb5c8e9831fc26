package framectx

import (
	"errors"
	"strconv"

	"github.com/ctxframe/ctxframe/adapters/lineage"
	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// ErrInvalidChange is matched by errors for a Change that cannot be planned
// (no inputs, a source naming an unknown input or column, duplicate output
// columns, a row mapping that points outside the frames). It reports a bug
// in the adapter, not in the user's data.
var ErrInvalidChange = errors.New("framectx: invalid change")

// Input is one frame an operation reads: its ID in the store and its shape
// before the operation.
type Input struct {
	FrameID string
	Shape   Shape
}

// Source names one column of one input: Input indexes Change.Inputs.
type Source struct {
	Input  int
	Column string
}

// From returns the Source of column in input.
func From(input int, column string) Source { return Source{Input: input, Column: column} }

// OutputColumn says where one column of the output comes from.
//
// Carry lists the input columns whose context the output column carries:
// their column context (merged by the Change's Policy when there are
// several), and, when Transformation is identity, their cell context through
// the row mapping. Sources lists the input columns its values are computed
// from, for lineage; when empty, Carry is used. Transformation says how
// (the zero value is identity).
//
// Use the constructors: Carried, Renamed, Merged, Replaced, Derived.
type OutputColumn struct {
	Name           string
	Carry          []Source
	Sources        []Source
	Transformation lineage.Transformation
	// Without names fields of the carried column context that do not
	// describe this column (a count has no unit).
	Without []string
}

// Carried is input column name kept as it is (select, filter, sort, slice).
func Carried(input int, name string) OutputColumn {
	return OutputColumn{Name: name, Carry: []Source{From(input, name)}}
}

// Renamed is input column from, renamed to: its column and cell context move
// to the new name.
func Renamed(input int, from, to string) OutputColumn {
	return OutputColumn{Name: to, Carry: []Source{From(input, from)}}
}

// Merged is an output column whose values come unchanged from several input
// columns: a concatenated column, a join key. Column context is merged by
// policy; each cell carries the context of the input row it comes from.
func Merged(name string, from ...Source) OutputColumn {
	return OutputColumn{Name: name, Carry: from}
}

// Replaced is column name of input whose values are replaced by values
// computed (t) from sources: it keeps its column context, loses its cell
// context, and its lineage records the sources and t.
func Replaced(input int, name string, t lineage.Transformation, sources ...Source) OutputColumn {
	if t.IsIdentity() {
		// A replacement is never an identity: its cells no longer hold the
		// values their context described.
		t = lineage.Direct(lineage.SubtypeTransformation, t.Description)
	}
	return OutputColumn{Name: name, Carry: []Source{From(input, name)}, Sources: sources, Transformation: t}
}

// Aggregated is a column of one value per group computed (t, an
// AGGREGATION) from column source of input: it carries the source's column
// context except the fields in without, never its cell context, and
// records its lineage.
func Aggregated(input int, source, name string, t lineage.Transformation, without ...string) OutputColumn {
	if t.IsIdentity() {
		t = lineage.Direct(lineage.SubtypeAggregation, t.Description)
	}
	return OutputColumn{Name: name, Carry: []Source{From(input, source)}, Transformation: t, Without: without}
}

// Derived is a new column computed (t) from sources: it gets no context but
// its lineage. With no sources (a constant column) it gets nothing.
func Derived(name string, t lineage.Transformation, sources ...Source) OutputColumn {
	if t.IsIdentity() && len(sources) > 0 {
		t = lineage.Direct(lineage.SubtypeTransformation, t.Description)
	}
	return OutputColumn{Name: name, Sources: sources, Transformation: t}
}

// lineageSources returns the columns lineage records for c.
func (c OutputColumn) lineageSources() []Source {
	if len(c.Sources) > 0 {
		return c.Sources
	}
	return c.Carry
}

// Change describes how an output frame derives from input frames, for
// planning (PlanChange) and committing (Propagate) the context update.
//
// When Output is Inputs[0].FrameID the change is in place: only entries that
// differ are rewritten, and lineage is recorded only for columns whose values
// changed or came from another frame. Otherwise the output is a new frame:
// the surviving context is copied to it (replacing whatever it held), each
// column records its lineage and the frame records its inputs; the inputs'
// entries are never written.
//
// A lineage record names a column's direct inputs only, as OpenLineage
// does: a column recomputed in place gets a record naming the columns of its
// own frame it was computed from, replacing the record it had.
type Change struct {
	Inputs  []Input
	Output  string
	Columns []OutputColumn // every output column, in order
	// Rows maps output rows to input rows. nil means the mapping is unknown:
	// row and cell context of the inputs is then dropped, and Plan.Notes
	// says how much.
	Rows RowMapping
	// Groups, for an operation whose output rows are groups of input 0's
	// rows (group by + aggregate) and whose Rows is nil: an output row
	// carries the row context its group's rows all share (every one of
	// them having the same context), and nothing else; cell context is
	// dropped. Plan.Notes says what was left behind.
	Groups GroupMapping
	// Policy merges context that several inputs feed into one entry;
	// DefaultPolicy means Override. Frame context is merged whenever there
	// are several inputs, and a column's context whenever it carries several
	// input columns, an input without context counting as feeding nothing
	// (so Drop leaves no context). A row's or cell's context is merged only
	// when several inputs have context for it (both sides of a joined row);
	// otherwise the one input's context is carried as it is.
	Policy Policy
	// Operation names the operation ("rename", "filter", "inner_join"...)
	// for lineage records and notes.
	Operation string
	// Indirect lists input columns that affect every output row without
	// being copied (filter conditions, sort and join keys); a new frame
	// records them in its frame lineage (OpenLineage's dataset-level
	// lineage).
	Indirect []IndirectSource
	// Namespace is the OpenLineage namespace of all frames involved; ""
	// means DefaultNamespace.
	Namespace string
}

// IndirectSource is an input column that influences the output indirectly,
// with how (an INDIRECT lineage.Transformation, e.g. FILTER or SORT).
type IndirectSource struct {
	Source         Source
	Transformation lineage.Transformation
}

// InPlace reports whether c rewrites its first input's frame.
func (c Change) InPlace() bool { return len(c.Inputs) > 0 && c.Output == c.Inputs[0].FrameID }

// Note records context that planning had to leave behind for a reason the
// caller should hear about: for instance the row and cell context of an
// input whose rows the operation cannot map.
type Note struct {
	Input  int       // the input whose context was dropped
	Kind   keys.Kind // the kind of entries dropped (row or cell)
	Count  int       // how many entries
	Reason string
}

// String returns a one-line description.
func (n Note) String() string {
	return "input " + strconv.Itoa(n.Input) + ": " + strconv.Itoa(n.Count) + " " + n.Kind.String() +
		" entries dropped: " + n.Reason
}

// Plan is the outcome of planning a Change: the mutations that turn the
// output frame's entries into the new ones (sorted by key; empty when
// nothing changes) and notes of context left behind.
type Plan struct {
	// Mutations are the writes; their values may share maps with the
	// store's or its cache's (see contextstore.ReadVersionedShared): read
	// them, never modify them.
	Mutations []contextstore.Mutation
	Notes     []Note
	// Remapped counts the row and cell entries the store re-keyed on its
	// side (contextstore.Remapper) with the Mutations: moved to another row,
	// or removed.
	Remapped int
}

// Written returns the number of entries the plan wrote: its Mutations and
// the entries the store remapped.
func (p *Plan) Written() int { return len(p.Mutations) + p.Remapped }
