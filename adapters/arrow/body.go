package arrow

import "github.com/apache/arrow/go/v17/arrow"

// body is the Arrow data a Record or Table holds, seen through the
// operations the adapter needs. Every method that returns a body returns a
// new reference the caller releases; the receiver is left untouched.
type body interface {
	schema() *arrow.Schema
	numRows() int64
	// slice returns rows [i, j); the caller has checked the range.
	slice(i, j int64) body
	// project returns the columns at idx under schema s, whose fields are
	// those columns' (possibly renamed or re-annotated) fields.
	project(s *arrow.Schema, idx []int) body
	// chunked returns column i as a chunked array (a new reference).
	chunked(i int) *arrow.Chunked
	// array returns column i as one contiguous array (a new reference),
	// concatenating chunks when there are several.
	array(i int) (arrow.Array, error)
	// withColumns returns the same rows under schema s with columns cols
	// (one per field, each at least numRows long).
	withColumns(s *arrow.Schema, cols []*arrow.Chunked) (body, error)
	// concat returns the rows of the receiver followed by those of others
	// (bodies of the same kind whose columns line up) under schema s.
	concat(s *arrow.Schema, others []body) (body, error)
	// fromArrays returns a body of the receiver's kind holding cols (one
	// per field of s, each rows long); it retains them.
	fromArrays(s *arrow.Schema, cols []arrow.Array, rows int64) body
	// release drops the body's reference to its data.
	release()
}
