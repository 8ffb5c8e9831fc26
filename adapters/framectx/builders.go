package framectx

import (
	"fmt"
	"slices"

	"github.com/ctxframe/ctxframe/adapters/lineage"
)

// The builders below make the Change of each common operation on one input
// (or several, for ConcatRowsChange and BindColumnsChange), with output as
// the result's frame ID: pass in.FrameID for an in-place change. Adapters
// build joins and other operations field by field.

// RenameChange renames columns (old name -> new name); columns not in
// renames keep their names. Unknown columns and resulting duplicates are
// errors matching ErrInvalidChange.
func RenameChange(in Input, output string, renames map[string]string) (Change, error) {
	for from := range renames {
		if !in.Shape.HasColumn(from) {
			return Change{}, invalidChange("rename: no column %q", from)
		}
	}
	cols := make([]OutputColumn, len(in.Shape.Columns))
	for i, name := range in.Shape.Columns {
		to, ok := renames[name]
		if !ok {
			to = name
		}
		cols[i] = Renamed(0, name, to)
	}
	c := Change{
		Inputs: []Input{in}, Output: output, Columns: cols,
		Rows: SameRows(in.Shape.Rows), Operation: "rename",
	}
	return c, checkUnique(cols)
}

// SelectChange keeps the named columns, in the order given (a column may
// not be named twice).
func SelectChange(in Input, output string, columns []string) (Change, error) {
	cols := make([]OutputColumn, len(columns))
	for i, name := range columns {
		if !in.Shape.HasColumn(name) {
			return Change{}, invalidChange("select: no column %q", name)
		}
		cols[i] = Carried(0, name)
	}
	c := Change{
		Inputs: []Input{in}, Output: output, Columns: cols,
		Rows: SameRows(in.Shape.Rows), Operation: "select",
	}
	return c, checkUnique(cols)
}

// DropChange removes the named columns and keeps the others in order.
func DropChange(in Input, output string, columns []string) (Change, error) {
	for _, name := range columns {
		if !in.Shape.HasColumn(name) {
			return Change{}, invalidChange("drop: no column %q", name)
		}
	}
	var cols []OutputColumn
	for _, name := range in.Shape.Columns {
		if !slices.Contains(columns, name) {
			cols = append(cols, Carried(0, name))
		}
	}
	return Change{
		Inputs: []Input{in}, Output: output, Columns: cols,
		Rows: SameRows(in.Shape.Rows), Operation: "drop",
	}, nil
}

// RowsChange keeps every column and rearranges the rows as rows says:
// subset, slice, filter, sort (a mapping of input 0; see IndexRows,
// SliceRows, LazyRows). operation names it ("filter", "sort", ...); keys
// lists the columns that decided the rows (filter conditions, sort keys),
// recorded as INDIRECT lineage with subtype sub (lineage.SubtypeFilter or
// lineage.SubtypeSort) when the output is a new frame.
func RowsChange(in Input, output string, rows RowMapping, operation string, sub lineage.Subtype, keyColumns ...string) (Change, error) {
	cols := make([]OutputColumn, len(in.Shape.Columns))
	for i, name := range in.Shape.Columns {
		cols[i] = Carried(0, name)
	}
	c := Change{Inputs: []Input{in}, Output: output, Columns: cols, Rows: rows, Operation: operation}
	for _, k := range keyColumns {
		if !in.Shape.HasColumn(k) {
			return Change{}, invalidChange("%s: no column %q", operation, k)
		}
		c.Indirect = append(c.Indirect, IndirectSource{Source: From(0, k), Transformation: lineage.Indirect(sub, operation)})
	}
	return c, nil
}

// ReplaceChange replaces the values of column with values computed (t)
// from the sources (columns of the same input): the column keeps its
// context, loses its cell context and records lineage. A column not yet in
// the input is added instead (see AddChange).
func ReplaceChange(in Input, output, column string, t lineage.Transformation, sources ...string) (Change, error) {
	if !in.Shape.HasColumn(column) {
		return AddChange(in, output, column, t, sources...)
	}
	srcs, err := sourcesOf(in, sources)
	if err != nil {
		return Change{}, err
	}
	cols := make([]OutputColumn, len(in.Shape.Columns))
	for i, name := range in.Shape.Columns {
		if name == column {
			cols[i] = Replaced(0, name, t, srcs...)
		} else {
			cols[i] = Carried(0, name)
		}
	}
	return Change{
		Inputs: []Input{in}, Output: output, Columns: cols,
		Rows: SameRows(in.Shape.Rows), Operation: "replace",
	}, nil
}

// AddChange appends a new column computed (t) from the sources: it gets
// lineage and no other context.
func AddChange(in Input, output, column string, t lineage.Transformation, sources ...string) (Change, error) {
	if in.Shape.HasColumn(column) {
		return Change{}, invalidChange("add: column %q exists", column)
	}
	srcs, err := sourcesOf(in, sources)
	if err != nil {
		return Change{}, err
	}
	cols := make([]OutputColumn, 0, len(in.Shape.Columns)+1)
	for _, name := range in.Shape.Columns {
		cols = append(cols, Carried(0, name))
	}
	cols = append(cols, Derived(column, t, srcs...))
	return Change{
		Inputs: []Input{in}, Output: output, Columns: cols,
		Rows: SameRows(in.Shape.Rows), Operation: "add",
	}, nil
}

// ConcatRowsChange stacks the inputs' rows, in order. Output columns are
// the union of the inputs' columns by name, in order of first appearance;
// each carries the context of every input column of that name (merged by
// policy), and row and cell context move to their offset rows.
func ConcatRowsChange(inputs []Input, output string, policy Policy) (Change, error) {
	if len(inputs) == 0 {
		return Change{}, invalidChange("concat: no inputs")
	}
	var cols []OutputColumn
	pos := map[string]int{}
	lens := make([]int, len(inputs))
	for i, in := range inputs {
		lens[i] = in.Shape.Rows
		for _, name := range in.Shape.Columns {
			j, ok := pos[name]
			if !ok {
				j = len(cols)
				pos[name] = j
				cols = append(cols, OutputColumn{Name: name})
			}
			cols[j].Carry = append(cols[j].Carry, From(i, name))
		}
	}
	return Change{
		Inputs: inputs, Output: output, Columns: cols,
		Rows: ConcatRows(lens...), Policy: policy, Operation: "concat",
	}, nil
}

// BindColumnsChange places the inputs side by side (all with the same
// number of rows): the columns of input 0, then of input 1, and so on; a
// row's context is merged by policy from the inputs' rows at the same
// position. Duplicate column names are an error: give such columns new
// names in a Change of your own.
func BindColumnsChange(inputs []Input, output string, policy Policy) (Change, error) {
	if len(inputs) == 0 {
		return Change{}, invalidChange("bind: no inputs")
	}
	n := inputs[0].Shape.Rows
	var cols []OutputColumn
	for i, in := range inputs {
		if in.Shape.Rows != n {
			return Change{}, invalidChange("bind: input %d has %d rows, input 0 has %d", i, in.Shape.Rows, n)
		}
		for _, name := range in.Shape.Columns {
			cols = append(cols, Carried(i, name))
		}
	}
	c := Change{
		Inputs: inputs, Output: output, Columns: cols, Policy: policy, Operation: "bind",
		Rows: AlignedRows(n, len(inputs)),
	}
	return c, checkUnique(cols)
}

func sourcesOf(in Input, names []string) ([]Source, error) {
	out := make([]Source, len(names))
	for i, name := range names {
		if !in.Shape.HasColumn(name) {
			return nil, invalidChange("no source column %q", name)
		}
		out[i] = From(0, name)
	}
	return out, nil
}

func checkUnique(cols []OutputColumn) error {
	seen := make(map[string]bool, len(cols))
	for _, c := range cols {
		if seen[c.Name] {
			return fmt.Errorf("%w: output column %q appears twice", ErrInvalidChange, c.Name)
		}
		seen[c.Name] = true
	}
	return nil
}
