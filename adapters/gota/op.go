package gota

import (
	"context"
	"errors"
	"strconv"

	"github.com/go-gota/gota/dataframe"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// Op is one gota operation together with the way it moves context, built by
// Rename, Select, Drop, Subset, Filter, FilterAggregation, Arrange, Mutate,
// Capply, CBind, RBind, Concat and the joins, and run by Frame.Apply (in
// place) or Frame.Derive (into a new frame ID). An Op holds its arguments
// only; it may be applied to several frames.
type Op struct {
	name        string
	with        []*Frame // the other inputs, after the frame the Op is applied to
	policy      framectx.Policy
	description string
	run         func(in []dataframe.DataFrame, needRows bool, description string) (step, error)
	// rowsOnDemand says run maps rows only when needRows: its Change then
	// depends on whether the inputs hold row context. Any other Op's
	// Change is known before context is read, so the commit path may read
	// only what planning it needs (framectx's CommitKnown).
	rowsOnDemand bool
}

// step is what running an operation yields: the new data and how it derives
// from the inputs, in framectx's terms.
type step struct {
	df       dataframe.DataFrame
	columns  []framectx.OutputColumn // every output column, in order
	rows     framectx.RowMapping     // nil: the operation cannot map rows
	groups   framectx.GroupMapping   // output rows that are groups of input 0's rows
	indirect []framectx.IndirectSource
	// lost names input columns gota leaves out of the result although
	// the caller did not ask for it (RBind drops the columns only the
	// second frame has); their context is dropped and reported.
	lost []framectx.Source
}

// WithPolicy returns o with the merge policy for frame, column and row
// context that several inputs feed into one output (binds, concat, joins).
// framectx.DefaultPolicy, the default, uses the frame's Options.Policy.
func (o Op) WithPolicy(p framectx.Policy) Op { o.policy = p; return o }

// WithDescription returns o with a description recorded in the lineage it
// writes: of the columns it computes ("temp_c * 9/5 + 32" for a Mutate) or
// of the columns that decided the rows ("temp_c > 10" for a Filter). The
// default is the operation's name.
func (o Op) WithDescription(d string) Op { o.description = d; return o }

// String returns the operation's name, as lineage records it.
func (o Op) String() string { return o.name }

// Report says what an operation did to context.
type Report = framectx.Report

// Apply runs op on f's DataFrame and updates f's context to match, in
// place: only the entries the operation changes are rewritten, in one
// atomic batch. If gota fails (an ErrGota *OpError), op is refused
// (ErrInvalidArgument), a merge policy refuses to combine context
// (framectx.ErrMergeConflict) or the store fails, f's data and context are
// left as they were.
func (f *Frame) Apply(ctx context.Context, op Op) (Report, error) {
	out, rep, _, err := f.run(ctx, f.FrameID(), op)
	if err != nil {
		return rep, err
	}
	f.df = out
	return rep, nil
}

// Derive runs op on f's DataFrame and returns the result as a new Frame
// under frameID, in f's store with f's options: the surviving context is
// copied there (replacing any context frameID held), every column records
// its lineage and the frame records the frames it was derived from. f and
// the other inputs are left unchanged. Errors are those of Apply; on error
// nothing is written.
//
// frameID must not be the ID of one of op's inputs (ErrInvalidArgument):
// the input's Frame would keep data its context no longer describes. To
// change f itself, use Apply.
func (f *Frame) Derive(ctx context.Context, frameID string, op Op) (*Frame, Report, error) {
	if err := keys.Frame(frameID).Validate(); err != nil {
		return nil, Report{Op: op.name}, err
	}
	for _, in := range append([]*Frame{f}, op.with...) {
		if in != nil && in.FrameID() == frameID && in.Store() == f.Store() {
			return nil, Report{Op: op.name}, invalidArgument(op.name, f.FrameID(),
				"cannot derive into "+strconv.Quote(frameID)+", an input of the operation; use Apply")
		}
	}
	out, rep, nb, err := f.run(ctx, frameID, op)
	if err != nil {
		return nil, rep, err
	}
	return newFrame(out, nb), rep, nil
}

// run is Apply and Derive: read the inputs' context, run gota (computing
// the row mapping only when some input has row or cell context), plan the
// context change and commit it in one batch.
func (f *Frame) run(ctx context.Context, output string, op Op) (_ dataframe.DataFrame, rep Report, _ *framectx.Binding, err error) {
	ctx, end := contextstore.StartOperation(ctx, f.Store(), "gota."+op.name, output)
	defer func() { end(err) }()
	rep = Report{Op: op.name}
	if op.run == nil {
		return dataframe.DataFrame{}, rep, nil, invalidArgument("apply", f.FrameID(), "zero Op: build one with Rename, Filter, ...")
	}
	policy := op.policy
	if policy == framectx.DefaultPolicy {
		policy = f.b.Policy()
	}
	if policy < framectx.Drop || policy > framectx.Override {
		return dataframe.DataFrame{}, rep, nil, invalidArgument(op.name, f.FrameID(), "unknown merge policy "+policy.String())
	}
	frames := append([]*Frame{f}, op.with...)
	inputs := make([]framectx.Input, len(frames))
	binds := make([]*framectx.Binding, len(frames))
	dfs := make([]dataframe.DataFrame, len(frames))
	for i, in := range frames {
		if in == nil {
			return dataframe.DataFrame{}, rep, nil, invalidArgument(op.name, f.FrameID(), "nil frame to combine with")
		}
		inputs[i] = framectx.Input{FrameID: in.FrameID(), Shape: in.Shape()}
		binds[i] = in.b
		dfs[i] = in.df
	}
	out := f.b
	if output != f.FrameID() {
		var err error
		if out, err = f.b.Rebind(output); err != nil {
			return dataframe.DataFrame{}, rep, nil, err
		}
	}
	// gota runs once, or twice when a re-read finds row context the first
	// run did not map: the data does not depend on the context.
	var (
		st      step
		ran     bool
		ranRows bool
	)
	commit := out.CommitKnown
	if op.rowsOnDemand {
		commit = out.Commit
	}
	plan, err := commit(ctx, binds, func(entries [][]contextstore.Entry) (framectx.Change, error) {
		needRows := false
		for _, es := range entries {
			needRows = needRows || hasRowContext(es)
		}
		if !ran || (needRows && !ranRows) {
			var err error
			if st, err = op.run(dfs, needRows, op.description); err != nil {
				return framectx.Change{}, opFailed(op.name, f.FrameID(), err)
			}
			ran, ranRows = true, needRows
		}
		rep.Notes = lostColumnNotes(st.lost, entries)
		return framectx.Change{
			Inputs:    inputs,
			Columns:   st.columns,
			Rows:      st.rows,
			Groups:    st.groups,
			Policy:    policy,
			Operation: op.name,
			Indirect:  st.indirect,
		}, nil
	})
	if err != nil {
		return dataframe.DataFrame{}, rep, nil, err
	}
	rep.Notes = append(plan.Notes, rep.Notes...)
	rep.Written = plan.Written()
	return st.df, rep, out, nil
}

// hasRowContext reports whether entries (sorted by key: frame, columns,
// rows, cells) hold any row or cell context; it looks at the last one only.
func hasRowContext(entries []contextstore.Entry) bool {
	return len(entries) > 0 && entries[len(entries)-1].Key.HasRow()
}

// opFailed classifies an operation's error: the adapter's own *OpError gets
// the operation and frame filled in; key errors and merge conflicts pass as
// they are; anything else is gota's failure.
func opFailed(op, frameID string, err error) error {
	var oe *OpError
	if errors.As(err, &oe) {
		if oe.Op == "" {
			oe.Op = op
		}
		if oe.Frame == "" {
			oe.Frame = frameID
		}
		return oe
	}
	if errors.Is(err, framectx.ErrMergeConflict) || isKeyError(err) {
		return err
	}
	return gotaError(op, frameID, err)
}

// lostColumnNotes reports the context of columns gota left out: one note
// per input and kind of entry (column, cell), with the count.
func lostColumnNotes(lost []framectx.Source, entries [][]contextstore.Entry) []framectx.Note {
	var notes []framectx.Note
	for _, src := range lost {
		if src.Input >= len(entries) {
			continue // the commit path's first look, before reading (CommitKnown)
		}
		var cols, cells int
		for _, e := range entries[src.Input] {
			if e.Key.HasColumn() && e.Key.ColumnName() == src.Column {
				if e.Key.Kind() == keys.KindColumn {
					cols++
				} else {
					cells++
				}
			}
		}
		reason := "gota left out column " + strconv.Quote(src.Column)
		if cols > 0 {
			notes = append(notes, framectx.Note{Input: src.Input, Kind: keys.KindColumn, Count: cols, Reason: reason})
		}
		if cells > 0 {
			notes = append(notes, framectx.Note{Input: src.Input, Kind: keys.KindCell, Count: cells, Reason: reason})
		}
	}
	return notes
}
