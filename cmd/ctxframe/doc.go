// Command ctxframe inspects and edits context for people and ETL scripts.
//
// Usage:
//
//	ctxframe [--store URL] COMMAND [args] [flags]
//
// Flags go before or after the arguments; every command has --help with
// examples (`ctxframe set --help`), and `ctxframe --version` says which
// build runs. The store is named by --store, else by $CTXFRAME_STORE, else
// it is the SQLite file ctxframe.db in the current directory
// (sqlite:ctxframe.db), which only a command that writes creates. Every URL
// that contextstore.Open knows works: mem://, sqlite:, postgres://,
// redis://, rediss://, redis+cluster://, shard://.
//
// Commands:
//
//	frames [--json]             list the frames that have context
//	ls [FRAME] [--json]         list keys, of one frame or of the whole store
//	get KEY                     print a value as JSON
//	set KEY JSON                replace a value; --state all|F,F marks it (or fields F)
//	                            state-bound: dropped by any operation that changes what it
//	                            describes
//	merge KEY JSON              set some fields of a value (null removes a field),
//	                            atomically: concurrent merges of other fields are kept
//	rm KEY...                   delete values
//	drop FRAME...               delete all of a frame's context
//	state FRAME                 print the frame's version and layout epoch as JSON
//	export FRAME...             print entries as JSON lines {"key":..., "value":...}
//	import [FILE]               read JSON lines (from FILE or stdin) in one atomic batch,
//	                            committed only if no frame it touches changed meanwhile
//	inspect FILE [--json]       show the context an Arrow IPC stream or file, or a Parquet
//	                            file, carries
//	convert IN OUT              convert between CSV, Arrow IPC file (.arrow, .feather, .ipc),
//	                            Arrow IPC stream (.arrows) and Parquet (.parquet, .pq), by
//	                            extension (--frame ID names the frame): CSV in takes the
//	                            frame's context from the store, CSV out restores the file's
//	                            context into it; between IPC and Parquet the context goes
//	                            from file to file. Values stay exact (-9.7 stays -9.7, NA
//	                            stays NA). CSV out refuses to overwrite other context the
//	                            store has for the frame unless --replace, or --merge POLICY
//	                            (drop, identical, no_conflicts, drop_conflicts, override:
//	                            the store's wins)
//	lineage FRAME               print the frame's column lineage as an OpenLineage
//	                            ColumnLineageDatasetFacet
//	copy [FRAME...]             copy frames (all by default) --from URL --to URL in one
//	                            batch; other context in the target is refused unless
//	                            --replace or --merge POLICY; a progress bar on a terminal
//	schema export FRAME         print the frame's column context as a Frictionless Table
//	                            Schema (--data CSV: one field per column of the data)
//	schema import FRAME FILE    write a Table Schema into the frame's column context
//
// set, merge and rm take --epoch N: they write only while each frame
// written is still at layout epoch N (from state), so a row or cell named by
// position is never written after another process moved the rows. set and
// merge take --data CSV: the key must name a column or row of that data, so
// a typo is refused when it is written.
//
// KEY is a canonical key (ctx1:{weather}c:temp) or a readable one:
//
//	weather                 the frame "weather"
//	weather/col/temp        column "temp"
//	weather/row/3           row 3
//	weather/cell/3/temp     the cell at row 3, column "temp"
//
// A frame ID containing "/" must use the canonical form. Exit status is 0 on
// success (and for --help), 1 on a failure, 2 on a usage error, 3 when a
// write was refused because the frame moved on (its layout epoch changed, or
// other writers kept changing it: nothing was written, read the state again
// and retry) and 4 when what was asked for is not in the store. Machine output goes to stdout, messages for people to stderr.
package main
