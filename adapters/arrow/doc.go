// Package arrow binds Apache Arrow data (github.com/apache/arrow/go/v17) to
// context in a contextstore.Store, keeps that context right while the data
// is sliced, filtered, projected, renamed, extended, cast and concatenated,
// converts to and from gota DataFrames carrying all context across, and
// exchanges data and context together as Arrow IPC streams and files.
//
// The package is called arrow like Apache's; import it under another name,
// for instance
//
//	import ctxarrow "github.com/ctxframe/ctxframe/adapters/arrow"
//
// # Frames
//
// A Record binds one arrow.Record, a Table an arrow.Table (columns of
// chunks, e.g. several records of one schema), to a frame ID in a store.
// Context is read and written by frame-relative reference, exactly as in the
// gota adapter (both share package framectx): framectx.FrameRef, ColumnRef,
// RowRef and CellRef with Set, Merge, Get, Delete, List and DropContext. A
// reference to a column the data lacks or a row past its end is a
// *keys.KeyError of kind keys.ErrNotInFrame; a malformed one is of kind
// keys.ErrInvalidKey; nothing is written on error. Rows are positions from
// 0; in a Table they run on across chunks.
//
// # Operations
//
// An Op (Slice, Take, Filter, Select, Drop, Rename, SetColumn,
// SetChunkedColumn, CastColumn, WithSchemaMetadata, WithFieldMetadata,
// Concat) changes data and context together. Apply runs it in place: the
// frame then holds the new Arrow data, and only the context entries the
// operation changes are rewritten, in one atomic store write. Derive runs it into a new frame ID:
// the surviving context is copied there with each column's lineage and the
// frame's (its inputs and the operation), and the source is left as it was.
// Either way the new data is built first and swapped in only after the store
// accepted the context change, so an operation that fails (a bad argument,
// arrow-go refusing, a merge conflict, a store failure) leaves data and
// context exactly as they were.
//
// Context follows the data as docs/DESIGN.md's propagation table says:
//
//	operation                frame      column                  row / cell
//	Rename a->b              kept       moves to b              cells of a move to b
//	Select / Drop            kept       kept columns only       cells of kept columns only
//	Slice [i, j)             kept       kept                    row r moves to r-i; rows outside dropped
//	Take / Filter            kept       kept                    follow their rows; a repeated row repeats
//	                                                            its context; rows not kept lose theirs
//	SetColumn (replace)      kept       kept, lineage notes it  cells of that column dropped
//	SetColumn (add)          kept       lineage only            none
//	CastColumn               kept       kept, lineage notes it  cells of that column dropped
//	WithSchemaMetadata,
//	WithFieldMetadata        kept       kept                    kept
//	Concat                   by policy  by policy               offset to the rows' new positions
//
// Concat merges frame and column context with the framectx.Policy of the
// Op (Op.WithPolicy) or the frame's Options.Policy (xarray's combine_attrs:
// drop, identical, no_conflicts, drop_conflicts, override; override by
// default). The same policy merges the Arrow key/value metadata of the
// schema and of each field, so metadata is never lost unless the policy
// says so.
//
// Slice and Rename share the Arrow buffers (NewSlice, a new schema over the
// same arrays) and plan the context change from the frame's entries alone:
// without row or cell context their cost does not depend on the number of
// rows. Every operation keeps the Arrow metadata it does not change: field
// metadata stays on its field through renames, projections, replacements
// and casts, and the schema's through everything but WithSchemaMetadata.
//
// # Memory
//
// A Record or Table owns one reference to its Arrow data. NewRecord and
// NewTable retain what they are given (the caller releases its own
// reference as usual); an in-place operation releases the old data when it
// swaps in the new; Release releases the current data, after which every
// method returns ErrReleased. Arrow returns the current data borrowed: valid
// until the next in-place operation or Release, so Retain it to keep it. A
// Derive result is a new Record or Table the caller releases. Ops borrow
// the arrays and frames they name until they run. Buffers that operations
// allocate (Concat of records, CastColumn) come from
// Options.Allocator.
//
// # Conversion with gota
//
// adapters/gotaarrow converts between gota DataFrames (adapters/gota) and
// Records or Tables with every row and column in place, so all context
// carries across. This package does not import gota: a program that only
// uses Arrow does not link it.
//
// # IPC
//
// WriteStream, WriteFile, ReadStream and ReadFile (and the Record and Table
// methods and ReadStreamTable, ReadFileTable over them) carry the context
// inside the IPC bytes: frame context in schema metadata, column context in
// field metadata, row and cell context under a reserved schema key, as
// docs/SPEC.md specifies (package arrowmeta encodes it).
package arrow
