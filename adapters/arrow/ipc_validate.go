package arrow

import (
	"encoding/binary"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// arrow/go v17 builds records from whatever lengths and offsets a message
// holds: a damaged one yields arrays whose buffers are shorter than their
// length says, or whose string offsets point outside their data, and code
// that reads them later (the conversion to gota, a user's loop) panics.
// validateRecord checks every column of a record read from untrusted bytes
// before anything touches it.

// validateRecord checks that every column has the record's length and that
// every array's buffers hold what its type, offset and length need.
func validateRecord(rec arrow.Record) error {
	for i, col := range rec.Columns() {
		if int64(col.Len()) != rec.NumRows() {
			return corrupt("column %d has %d rows, the record %d", i, col.Len(), rec.NumRows())
		}
		if err := validateData(col.Data(), 0); err != nil {
			return corrupt("column %d (%q): %v", i, rec.Schema().Field(i).Name, err)
		}
	}
	return nil
}

// invalidf describes what is wrong with an array; validateRecord adds the
// column and the ErrCorruptIPC kind.
func invalidf(format string, args ...any) error { return fmt.Errorf(format, args...) }

// validateData checks one array's data and, recursively, its children and
// dictionary.
func validateData(d arrow.ArrayData, depth int) error {
	if depth > maxFieldDepth {
		return invalidf("arrays nested too deep")
	}
	n, off := d.Len(), d.Offset()
	// A null count is explicit in IPC: negative (arrow's "unknown") makes
	// arrow count the bitmap, which may be missing.
	if n < 0 || off < 0 || d.NullN() < 0 || d.NullN() > n {
		return invalidf("length %d, offset %d, %d nulls", n, off, d.NullN())
	}
	end := int64(off) + int64(n)
	layout := d.DataType().Layout()
	bufs := d.Buffers()
	for i, spec := range layout.Buffers {
		var b []byte
		if i < len(bufs) && bufs[i] != nil {
			b = bufs[i].Bytes()
		}
		switch spec.Kind {
		case arrow.KindBitmap:
			if b == nil && (i == 0 || n == 0) { // no validity bitmap: no nulls
				if i == 0 && d.NullN() > 0 && d.DataType().ID() != arrow.NULL {
					return invalidf("%d nulls without a validity bitmap", d.NullN())
				}
				continue
			}
			if int64(len(b))*8 < end {
				return invalidf("bitmap %d of %d bytes for %d bits", i, len(b), end)
			}
		case arrow.KindFixedWidth:
			need := end * int64(spec.ByteWidth)
			if isOffsets(d.DataType(), i) && n > 0 {
				need = (end + 1) * int64(spec.ByteWidth)
			}
			if int64(len(b)) < need {
				return invalidf("buffer %d of %d bytes, need %d", i, len(b), need)
			}
		}
	}
	if err := validateOffsets(d, bufs); err != nil {
		return err
	}
	for _, c := range d.Children() {
		if c == nil {
			return invalidf("missing child array")
		}
		if err := validateData(c, depth+1); err != nil {
			return err
		}
	}
	if layout.HasDict {
		dict := d.Dictionary()
		if dict == nil {
			return invalidf("dictionary-encoded array without a dictionary")
		}
		if err := validateData(dict, depth+1); err != nil {
			return err
		}
		if err := validateIndices(d, dict.Len()); err != nil {
			return err
		}
	}
	return nil
}

// isOffsets reports whether buffer i of type t holds n+1 offsets.
func isOffsets(t arrow.DataType, i int) bool {
	if i != 1 {
		return false
	}
	switch t.ID() {
	case arrow.STRING, arrow.BINARY, arrow.LARGE_STRING, arrow.LARGE_BINARY, arrow.LIST, arrow.LARGE_LIST, arrow.MAP:
		return true
	}
	return false
}

// validateOffsets checks that the offsets of a variable-length array are
// non-decreasing and end inside its data (strings, binaries) or its child
// (lists, maps).
func validateOffsets(d arrow.ArrayData, bufs []*memory.Buffer) error {
	t := d.DataType()
	if d.Len() == 0 || !isOffsets(t, 1) || len(bufs) < 2 || bufs[1] == nil {
		return nil
	}
	width := 4
	switch t.ID() {
	case arrow.LARGE_STRING, arrow.LARGE_BINARY, arrow.LARGE_LIST:
		width = 8
	}
	raw := bufs[1].Bytes()
	var limit int64
	switch t.ID() {
	case arrow.STRING, arrow.BINARY, arrow.LARGE_STRING, arrow.LARGE_BINARY:
		if len(bufs) > 2 && bufs[2] != nil {
			limit = int64(bufs[2].Len())
		}
	default:
		if len(d.Children()) == 0 || d.Children()[0] == nil {
			return invalidf("list without its child array")
		}
		limit = int64(d.Children()[0].Len())
	}
	from, to := d.Offset(), d.Offset()+d.Len()
	if len(raw) < (to+1)*width {
		return invalidf("offsets buffer of %d bytes for %d offsets", len(raw), to+1)
	}
	if width == 4 {
		return checkOffsets(arrow.Int32Traits.CastFromBytes(raw)[from:to+1], limit)
	}
	return checkOffsets(arrow.Int64Traits.CastFromBytes(raw)[from:to+1], limit)
}

// checkOffsets checks that offs starts at or above zero, never decreases and
// ends at or below limit: one pass over the slice, as fast as a copy.
func checkOffsets[T int32 | int64](offs []T, limit int64) error {
	prev := offs[0]
	if prev < 0 {
		return invalidf("negative offset %d", prev)
	}
	for i, cur := range offs[1:] {
		if cur < prev {
			return invalidf("offsets decrease at %d (%d after %d)", i+1, cur, prev)
		}
		prev = cur
	}
	if int64(prev) > limit {
		return invalidf("offsets end at %d, beyond the %d bytes or elements they index", prev, limit)
	}
	return nil
}

// validateIndices checks that every index of a dictionary-encoded array
// names an entry of its dictionary of size n.
func validateIndices(d arrow.ArrayData, n int) error {
	dt, ok := d.DataType().(*arrow.DictionaryType)
	if !ok || len(d.Buffers()) < 2 || d.Buffers()[1] == nil {
		return nil
	}
	raw := d.Buffers()[1].Bytes()
	w := dt.IndexType.(arrow.FixedWidthDataType).BitWidth() / 8
	valid := d.Buffers()[0]
	for i := d.Offset(); i < d.Offset()+d.Len(); i++ {
		if valid != nil && valid.Len() > 0 && valid.Bytes()[i/8]&(1<<(i%8)) == 0 {
			continue
		}
		var u uint64
		switch w {
		case 1:
			u = uint64(raw[i])
		case 2:
			u = uint64(binary.LittleEndian.Uint16(raw[i*2:]))
		case 4:
			u = uint64(binary.LittleEndian.Uint32(raw[i*4:]))
		default:
			u = binary.LittleEndian.Uint64(raw[i*8:])
		}
		idx := int64(u)
		if signed(dt.IndexType) { // sign-extend from the index width
			shift := 64 - 8*w
			idx = int64(u<<shift) >> shift
		}
		if idx < 0 || idx >= int64(n) {
			return invalidf("dictionary index %d outside a dictionary of %d", idx, n)
		}
	}
	return nil
}

func signed(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64:
		return true
	}
	return false
}
