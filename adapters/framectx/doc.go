// Package framectx is what every ctxframe adapter shares, whatever the
// dataframe library: references to the parts of a frame (Ref), the frame's
// current Shape, a Binding of a frame ID to a contextstore.Store with typed
// key errors, merge policies with xarray's combine_attrs semantics
// (MergeValues), and propagation of context through operations.
//
// Propagation is planned, then committed. A Change describes how an output
// frame derives from one or more input frames: where each output column comes
// from and how (a lineage.Transformation), a lazy RowMapping from output rows
// to input rows, and a merge Policy. PlanChange turns the Change and the
// inputs' current entries into the minimal list of contextstore.Mutations
// (pure, no I/O); Propagate reads the entries, plans and commits the plan in
// one contextstore.Apply, so a store failure changes nothing. Planning costs
// O(context entries touched): the row mapping is consulted only when an input
// has row or cell context.
//
// In place (the output frame ID is the first input's) only the entries that
// change are rewritten. As a new frame ID, the surviving context is copied,
// every column records its lineage and the frame records the frames it was
// derived from; the inputs are left unchanged.
//
// # Operations
//
// The builders make the Change of each row of docs/DESIGN.md's propagation
// table; adapters build others (joins, gota's renamed duplicates) from
// OutputColumn constructors and a RowMapping:
//
//	rename                RenameChange
//	select, drop          SelectChange, DropChange
//	subset, filter, sort  RowsChange with IndexRows, SliceRows, LazyRows
//	replace a column      ReplaceChange
//	add a derived column  AddChange
//	concat rows           ConcatRowsChange
//	bind columns          BindColumnsChange
//	join                  Merged and Carried columns, IndexRows(left, right)
//
// Without a row mapping (Change.Rows nil) row and cell context is dropped and
// Plan.Notes says how much.
//
// # Reserved fields
//
// Column and frame context may hold the reserved field LineageField
// ("ctxframe.lineage"), maintained by propagation (see package lineage).
// Merge policies ignore reserved fields: a merged column gets a fresh
// lineage record instead.
package framectx
