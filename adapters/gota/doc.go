// Package gota keeps context attached to gota DataFrames
// (github.com/go-gota/gota v0.12.0) and correct through every gota
// operation.
//
// A Frame binds a dataframe.DataFrame to a frame ID in any
// contextstore.Store. Context is read and written by frame-relative
// reference — the frame (framectx.FrameRef), a column by name
// (framectx.ColumnRef), a row by position (framectx.RowRef) or a cell
// (framectx.CellRef) — with Set, Merge, Get, Delete and List. A column the
// frame lacks or a row past its end is a *keys.KeyError of kind
// keys.ErrNotInFrame.
//
// # Operations
//
// Data and context change together through operation values — Rename,
// SetNames, Select, Drop, Subset, Filter, FilterAggregation, Arrange,
// Mutate, Capply, Rapply, Set, GroupBy(...).Aggregation, Describe, CBind,
// RBind, Concat, InnerJoin, LeftJoin, RightJoin, OuterJoin and CrossJoin,
// each named after the gota method it runs — applied with
// Frame.Apply (in place: only the entries the operation changes are
// rewritten) or Frame.Derive (into a new frame ID: the surviving context is
// copied, every column records its lineage and the frame records its
// sources; the inputs are left unchanged). Frame.Groups is gota's
// GetGroups: one derived Frame per group. Context moves as in the
// propagation table of docs/DESIGN.md (and the README):
//
//	rename a→b            column and cell context move to b
//	select / drop         kept columns keep theirs, the others' is removed
//	subset / filter       row and cell context re-keyed to the new positions;
//	                      rows not kept lose theirs; a repeated row repeats it
//	arrange               row and cell context follow the permutation
//	mutate (replace)      column context kept, lineage notes the change, cells dropped
//	mutate (add)          the new column gets lineage only
//	capply                every column replaced: cells dropped, row context kept
//	                      when the row count is unchanged
//	rapply                new columns with lineage only; row context kept
//	set (rows)            replaced rows keep their row context, lose their cells'
//	set names             every column renamed: context and cells move
//	group by + aggregate  grouping columns keep theirs; an aggregated column gets
//	                      its source's (a unit survives MAX, MIN, MEAN, MEDIAN,
//	                      STD, SUM; COUNT gets lineage only) + AGGREGATION lineage;
//	                      a group's row carries the row context all its rows
//	                      share; other row and all cell context dropped and said so
//	describe              the frame's context kept; statistics columns get
//	                      lineage only; row and cell context dropped and said so
//	cbind / rbind /       frame and column context merged by policy; row and cell
//	concat / joins        context carried through the row mapping (rbind and concat
//	                      offset the second frame's rows)
//
// An entry, or some of its fields, can be marked state-bound
// (framectx.StateBound): it describes the data's current state (a row
// count, a checksum, a validation result) and any operation that changes
// that data drops it and says so in the Report; see framectx.StateField for
// what changes which level.
//
// Frame, column and row context that several inputs feed into one output
// is merged by a framectx.Policy (xarray's combine_attrs: drop, identical,
// no_conflicts, drop_conflicts, override), per call with Op.WithPolicy,
// else the frame's default from framectx.Options.
//
// Every operation is atomic: gota's failures (df.Err, and the panics gota
// raises on some inputs) are returned as ErrGota errors, a store failure as
// the store's error, and in both cases the Frame's data and context are
// left exactly as they were.
//
// # Cost
//
// gota does not say which rows Filter keeps, how Arrange permutes them or
// which rows a join pairs. The adapter learns these row mappings only when
// an input has row or cell context: for Filter and Arrange it evaluates
// gota's own algorithm and takes the subset (no more work than gota's call);
// for joins it hashes the keys (gota's matching rule, in O(rows)) or, when
// the frames' key columns differ in type, tags each input's rows with a
// hidden Int column, runs the join and reads the tags back. Without row or cell context the raw gota
// call runs unchanged and the context work is O(frame and column entries).
// docs/PERFORMANCE.md has the figures.
//
// # Lineage and Table Schema
//
// Operations record column-level lineage (identity, transformation, filter,
// sort, join) through package framectx; Frame.Lineage exports it as an
// OpenLineage ColumnLineageDatasetFacet. Package tableschema moves column
// context to and from a Frictionless Table Schema for a Frame as for any
// adapter's frame: tableschema.Import(ctx, f.Binding(), f.Shape(), s, nil).
package gota
