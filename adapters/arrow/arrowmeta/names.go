package arrowmeta

// Namespace is the prefix of every metadata key this package reads or writes.
// Keys with this prefix belong to ctxframe: Encode replaces any it finds in
// user metadata, and Decode refuses the ones this version does not define.
const Namespace = "ctxframe."

// Version is the encoding version Encode writes and the only one Decode reads.
const Version = 1

// Metadata keys of the encoding (docs/SPEC.md). Every value is JSON text.
const (
	// VersionKey (schema) holds the encoding version, the JSON number 1.
	VersionKey = Namespace + "version"
	// FrameIDKey (schema) holds the frame ID as a JSON string.
	FrameIDKey = Namespace + "frame_id"
	// FrameKey (schema) holds the frame's own context, a JSON object.
	FrameKey = Namespace + "frame"
	// RowsKey (schema) holds row context: a JSON array of [row, object].
	RowsKey = Namespace + "rows"
	// CellsKey (schema) holds cell context: a JSON array of
	// [row, column name, object].
	CellsKey = Namespace + "cells"
	// ColumnKey (field) holds the column's context, a JSON object.
	ColumnKey = Namespace + "column"
)

// versionText is VersionKey's value in this version.
const versionText = "1"

// MaxRow is the largest row position the encoding carries: 2^53-1, the
// largest integer every JSON reader (JavaScript's included) holds exactly.
const MaxRow = 1<<53 - 1
