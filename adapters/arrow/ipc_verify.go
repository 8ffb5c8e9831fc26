package arrow

import (
	"encoding/binary"
)

// arrow/go v17 trusts every offset and length inside a message's
// flatbuffer too: a schema whose field count says two billion makes it
// allocate for two billion fields. verifyMessage walks the parts of Arrow's
// Message schema that the reader follows (Schema, Field, KeyValue,
// DictionaryEncoding, the Union type, RecordBatch, DictionaryBatch) and
// checks that every table, vector and string lies inside the metadata,
// before arrow sees it. Its grammar is Arrow's format/*.fbs.

// fbKind is what a field of a table holds.
type fbKind int

const (
	fbScalar        fbKind = iota // inline
	fbString                      // offset to a string
	fbTableRef                    // offset to a table
	fbTables                      // offset to a vector of tables
	fbStructs                     // offset to a vector of inline structs
	fbStrings                     // offset to a vector of strings
	fbUnion                       // offset to a table whose kind the previous field (type) names
	fbScalarsVector               // offset to a vector of scalars
)

type fbField struct {
	kind fbKind
	size int      // element size for fbStructs and fbScalarsVector
	of   *fbTable // for fbTableRef, fbTables
}

type fbTable struct {
	fields []fbField
	// union, for a table with an fbUnion field: the table of each type
	// tag (nil: a table of scalars only).
	union map[byte]*fbTable
}

var (
	fbKeyValue   = &fbTable{fields: []fbField{{kind: fbString}, {kind: fbString}}}
	fbIntType    = &fbTable{fields: []fbField{{kind: fbScalar}, {kind: fbScalar}}}
	fbUnionType  = &fbTable{fields: []fbField{{kind: fbScalar}, {kind: fbScalarsVector, size: 4}}}
	fbDictionary = &fbTable{fields: []fbField{{kind: fbScalar}, {kind: fbTableRef, of: fbIntType}, {kind: fbScalar}, {kind: fbScalar}}}
	fbField_     = &fbTable{}
	fbSchema     = &fbTable{fields: []fbField{
		{kind: fbScalar}, {kind: fbTables, of: fbField_}, {kind: fbTables, of: fbKeyValue}, {kind: fbScalarsVector, size: 8},
	}}
	fbCompression = &fbTable{fields: []fbField{{kind: fbScalar}, {kind: fbScalar}}}
	fbRecordBatch = &fbTable{fields: []fbField{
		{kind: fbScalar}, {kind: fbStructs, size: 16}, {kind: fbStructs, size: 16}, {kind: fbTableRef, of: fbCompression}, {kind: fbScalarsVector, size: 8},
	}}
	fbDictionaryBatch = &fbTable{fields: []fbField{{kind: fbScalar}, {kind: fbTableRef, of: fbRecordBatch}, {kind: fbScalar}}}
	fbMessage         = &fbTable{
		fields: []fbField{{kind: fbScalar}, {kind: fbScalar}, {kind: fbUnion}, {kind: fbScalar}, {kind: fbTables, of: fbKeyValue}},
		union:  map[byte]*fbTable{1: fbSchema, 2: fbDictionaryBatch, 3: fbRecordBatch},
	}
)

func init() {
	// Field: name, nullable, type_type, type (union), dictionary,
	// children, custom_metadata.
	*fbField_ = fbTable{
		fields: []fbField{
			{kind: fbString}, {kind: fbScalar}, {kind: fbScalar}, {kind: fbUnion},
			{kind: fbTableRef, of: fbDictionary}, {kind: fbTables, of: fbField_}, {kind: fbTables, of: fbKeyValue},
		},
		union: map[byte]*fbTable{14: fbUnionType},
	}
}

// maxFieldDepth bounds nested fields (lists of structs of ...), which the
// reader follows by recursion.
const maxFieldDepth = 64

type fbVerifier struct {
	b      []byte
	tables int // tables visited, bounding the work on a buffer of cycles
}

// verifyMessage checks a message's flatbuffer.
func verifyMessage(meta []byte) error {
	v := fbVerifier{b: meta}
	if len(meta) < 4 {
		return corrupt("message metadata of %d bytes", len(meta))
	}
	return v.table(int(binary.LittleEndian.Uint32(meta)), fbMessage, 0)
}

// verifyFooter checks the schema a file's footer embeds (field 1).
func verifyFooter(footer []byte) error {
	v := fbVerifier{b: footer}
	if len(footer) < 4 {
		return corrupt("footer of %d bytes", len(footer))
	}
	footerTable := &fbTable{fields: []fbField{
		{kind: fbScalar}, {kind: fbTableRef, of: fbSchema}, {kind: fbStructs, size: 24}, {kind: fbStructs, size: 24}, {kind: fbTables, of: fbKeyValue},
	}}
	return v.table(int(binary.LittleEndian.Uint32(footer)), footerTable, 0)
}

func (v *fbVerifier) u32(at int) (int, bool) {
	if at < 0 || at+4 > len(v.b) {
		return 0, false
	}
	return int(binary.LittleEndian.Uint32(v.b[at:])), true
}

// table checks the table at pos and, by t, what its fields point to.
func (v *fbVerifier) table(pos int, t *fbTable, depth int) error {
	v.tables++
	if v.tables > 1<<20 || depth > maxFieldDepth {
		return corrupt("message metadata nests too deep")
	}
	if pos < 0 || pos+4 > len(v.b) {
		return corrupt("table at %d outside the %d bytes of metadata", pos, len(v.b))
	}
	vt := pos - int(int32(binary.LittleEndian.Uint32(v.b[pos:])))
	if vt < 0 || vt+4 > len(v.b) {
		return corrupt("vtable outside the metadata")
	}
	vtLen := int(binary.LittleEndian.Uint16(v.b[vt:]))
	objLen := int(binary.LittleEndian.Uint16(v.b[vt+2:]))
	if vtLen < 4 || vtLen%2 != 0 || vt+vtLen > len(v.b) || pos+objLen > len(v.b) {
		return corrupt("vtable or table size outside the metadata")
	}
	var unionType byte
	for i, f := range t.fields {
		slot := 4 + 2*i
		if slot+2 > vtLen {
			break // absent: the field's default
		}
		off := int(binary.LittleEndian.Uint16(v.b[vt+slot:]))
		if off == 0 {
			continue
		}
		if off >= objLen && objLen > 0 || pos+off+1 > len(v.b) {
			return corrupt("field %d outside its table", i)
		}
		at := pos + off
		if f.kind == fbScalar {
			if i+1 < len(t.fields) && t.fields[i+1].kind == fbUnion {
				unionType = v.b[at]
			}
			continue
		}
		rel, ok := v.u32(at)
		if !ok {
			return corrupt("field %d outside the metadata", i)
		}
		target := at + rel
		switch f.kind {
		case fbString:
			if err := v.vector(target, 1); err != nil {
				return err
			}
		case fbTableRef:
			if err := v.table(target, f.of, depth+1); err != nil {
				return err
			}
		case fbUnion:
			of := t.union[unionType]
			if of == nil {
				of = &fbTable{} // a table of scalars: check its bounds only
			}
			if err := v.table(target, of, depth+1); err != nil {
				return err
			}
		case fbStructs, fbScalarsVector:
			if err := v.vector(target, f.size); err != nil {
				return err
			}
		case fbTables, fbStrings:
			if err := v.vector(target, 4); err != nil {
				return err
			}
			n, _ := v.u32(target)
			for j := 0; j < n; j++ {
				elem := target + 4 + 4*j
				rel, _ := v.u32(elem)
				if f.kind == fbStrings {
					if err := v.vector(elem+rel, 1); err != nil {
						return err
					}
					continue
				}
				if err := v.table(elem+rel, f.of, depth+1); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// vector checks that the vector (or string) at pos, of elements of size
// bytes, lies inside the metadata.
func (v *fbVerifier) vector(pos, size int) error {
	n, ok := v.u32(pos)
	if !ok {
		return corrupt("vector at %d outside the metadata", pos)
	}
	if n < 0 || n > (len(v.b)-pos-4)/max(size, 1) {
		return corrupt("vector of %d elements of %d bytes beyond the %d bytes of metadata", n, size, len(v.b))
	}
	return nil
}

// field returns the position of field i of the table at pos, 0 when absent.
// The table must have been verified.
func (v *fbVerifier) field(pos, i int) int {
	vt := pos - int(int32(binary.LittleEndian.Uint32(v.b[pos:])))
	vtLen := int(binary.LittleEndian.Uint16(v.b[vt:]))
	slot := 4 + 2*i
	if slot+2 > vtLen {
		return 0
	}
	off := int(binary.LittleEndian.Uint16(v.b[vt+slot:]))
	if off == 0 {
		return 0
	}
	return pos + off
}

// deref follows the offset stored at at.
func (v *fbVerifier) deref(at int) int { return at + int(binary.LittleEndian.Uint32(v.b[at:])) }

// bodyBuffer is one buffer of a batch's body: its offset and length.
type bodyBuffer struct{ off, length int64 }

// batchBuffers returns the buffers a record or dictionary batch message
// lists, and whether the batch is compressed (each buffer then starts with
// its uncompressed length, which the reader allocates). meta must have
// passed verifyMessage.
func batchBuffers(meta []byte) (bufs []bodyBuffer, compressed bool) {
	v := fbVerifier{b: meta}
	msg := int(binary.LittleEndian.Uint32(meta))
	typeAt, headerAt := v.field(msg, 1), v.field(msg, 2)
	if typeAt == 0 || headerAt == 0 {
		return nil, false
	}
	batch := v.deref(headerAt)
	switch meta[typeAt] {
	case 3: // RecordBatch
	case 2: // DictionaryBatch: its data
		dataAt := v.field(batch, 1)
		if dataAt == 0 {
			return nil, false
		}
		batch = v.deref(dataAt)
	default:
		return nil, false
	}
	compressed = v.field(batch, 3) != 0
	buffersAt := v.field(batch, 2)
	if buffersAt == 0 {
		return nil, compressed
	}
	vec := v.deref(buffersAt)
	n := int(binary.LittleEndian.Uint32(meta[vec:]))
	for i := 0; i < n; i++ {
		at := vec + 4 + 16*i
		bufs = append(bufs, bodyBuffer{
			off:    int64(binary.LittleEndian.Uint64(meta[at:])),
			length: int64(binary.LittleEndian.Uint64(meta[at+8:])),
		})
	}
	return bufs, compressed
}

// checkBuffers checks that every buffer of a batch lies inside its body of
// bodyLen bytes (the reader allocates each buffer's claimed length before
// reading it) and, for a compressed batch, that no buffer claims to
// uncompress to more than limit bytes; prefix reads the first 8 bytes of
// the buffer at a body offset.
func checkBuffers(meta []byte, bodyLen, limit int64, prefix func(off int64) ([]byte, error)) error {
	bufs, compressed := batchBuffers(meta)
	for i, b := range bufs {
		if b.off < 0 || b.length < 0 || b.off > bodyLen || b.length > bodyLen-b.off {
			return corrupt("buffer %d (offset %d, length %d) outside the message body of %d bytes", i, b.off, b.length, bodyLen)
		}
		if !compressed || b.length == 0 {
			continue
		}
		if b.length < 8 {
			return corrupt("compressed buffer %d of %d bytes", i, b.length)
		}
		p, err := prefix(b.off)
		if err != nil {
			return corrupt("cannot read compressed buffer %d: %v", i, err)
		}
		if n := int64(binary.LittleEndian.Uint64(p)); n != -1 && (n < 0 || n > limit) {
			return tooLarge("compressed buffer %d uncompresses to %d bytes (limit %d)", i, n, limit)
		}
	}
	return nil
}
