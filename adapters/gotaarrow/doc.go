// Package gotaarrow converts between gota DataFrames (adapters/gota) and
// Arrow records and tables (adapters/arrow) with their context. It is the
// bridge between the two sibling adapters, which never import each other:
// a program that only uses Arrow does not link gota.
//
// Conversion keeps every row and column where it is, so all context
// (frame, column, row, cell) carries across unchanged: under the same frame
// ID it is shared (nothing is written), under another it is copied in one
// atomic write with lineage naming the source.
//
// Types: gota String, Int, Float and Bool become Arrow utf8, int64, float64
// and bool. Back to gota, utf8 and large_utf8 become String, every integer
// type Int (a uint64 beyond the int64 range is ErrUnsupportedType), float32
// and float64 Float, bool Bool; any other Arrow type is ErrUnsupportedType.
//
// Missing values: a gota NA becomes an Arrow null and an Arrow null a gota
// NA. gota cannot tell NaN from NA (a float NaN and the string "NaN" are NA
// to gota), so an Arrow float NaN or a string "NaN" becomes NA in gota, and
// a null when converted back.
package gotaarrow
