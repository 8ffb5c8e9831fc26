package arrow

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/metadata"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/ctxframe/ctxframe/adapters/arrow/arrowmeta"
	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// ReadParquet reads a Parquet file and restores the context it carries into
// store, as ReadFile does for IPC (SPEC §5): from the file's key-value
// metadata when it holds ctxframe.version, else from the Arrow schema in
// the footer (ARROW:schema), else, for a file with only PANDAS_ATTRS (one
// pandas wrote), that object as frame context under opts.FrameID. With
// opts.Columns only those columns are read, with their context.
//
// Reading is bounded: the footer against MaxFooterBytes and the file's
// size before it is parsed; every column chunk against the file and
// MaxDataBytes before any page is read; every allocation of the read out
// of a budget of MaxDataBytes; every record validated before it is
// returned. A refused input matches ErrCorruptParquet (and
// arrowmeta.ErrTooLarge for a limit, its arrowmeta kind for bad context);
// on any error no records are returned and the store is unchanged. The
// caller releases the records of the result.
func ReadParquet(ctx context.Context, r parquet.ReaderAtSeeker, store contextstore.Store, opts *ParquetReadOptions) (*ReadResult, error) {
	const op = "read parquet"
	if r == nil || store == nil {
		return nil, opError(op, "", nil, fmt.Errorf("%w: nil reader or store", ErrInvalidArgument))
	}
	var ropts ReadOptions
	if opts != nil {
		ropts = ReadOptions{FrameID: opts.FrameID, Limits: opts.Limits, Merge: opts.Merge}
		if opts.FrameID != "" {
			if err := keys.Frame(opts.FrameID).Validate(); err != nil {
				return nil, opError(op, "", nil, err)
			}
		}
	}
	in := &recordingReadAtSeeker{r: r}
	var res *ReadResult
	err := readAll(ctx, store, op, ErrCorruptParquet, &in.err, &res, func(ctx context.Context) error {
		size, err := checkParquetFraming(in, opts.maxFooter())
		if err != nil {
			return err
		}
		budget := opts.maxData(size)
		mem := newBudget(opts.allocator(), budget)
		pf, err := file.NewParquetReader(in, file.WithReadProps(parquet.NewReaderProperties(mem)))
		if err != nil {
			return err
		}
		defer pf.Close()
		if err := checkParquetMetadata(pf, size, budget); err != nil {
			return err
		}
		if err := checkStoredArrowSchema(pf.MetaData().KeyValueMetadata(), opts.maxFooter()); err != nil {
			return err
		}
		batch := int64(64 << 10)
		if opts != nil && opts.BatchSize > 0 {
			batch = opts.BatchSize
		}
		fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: batch}, mem)
		if err != nil {
			return err
		}
		schema, err := fr.Schema()
		if err != nil {
			return err
		}
		dec, err := decodeParquetContext(schema, pf.MetaData().KeyValueMetadata(), ropts)
		if err != nil {
			return err
		}
		fields, leaves, err := projection(fr.Manifest, opts)
		if err != nil {
			return err
		}
		dec = projectContext(dec, fields)
		res = &ReadResult{Schema: dec.Schema}
		rr, err := fr.GetRecordReader(ctx, leaves, nil)
		if err != nil {
			return err
		}
		defer rr.Release()
		for rr.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := validateRecord(rr.Record()); err != nil {
				return err
			}
			res.add(rr.Record())
		}
		if err := rr.Err(); err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		if res.NumRows != pf.NumRows() {
			return corruptParquet("the row groups hold %d rows, the footer says %d", res.NumRows, pf.NumRows())
		}
		return ipcRestore(ctx, store, dec, res, &ropts)
	})
	return res, err
}

func corruptParquet(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrCorruptParquet}, args...)...)
}

func parquetTooLarge(format string, args ...any) error {
	return fmt.Errorf("%w: %w: "+format, append([]any{ErrCorruptParquet, arrowmeta.ErrTooLarge}, args...)...)
}

func (o *ParquetReadOptions) maxFooter() int64 {
	if o == nil || o.MaxFooterBytes <= 0 {
		return DefaultMaxFooterBytes
	}
	return o.MaxFooterBytes
}

func (o *ParquetReadOptions) maxData(size int64) int64 {
	if o != nil && o.MaxDataBytes > 0 {
		return o.MaxDataBytes
	}
	return max(2*size, 64<<20)
}

// checkParquetFraming checks the magic at both ends and the footer length
// against the file's size and the limit, before the Parquet reader
// allocates the footer, and returns the file's size.
func checkParquetFraming(r parquet.ReaderAtSeeker, maxFooter int64) (int64, error) {
	size, err := r.Seek(0, io.SeekEnd)
	if err != nil {
		return 0, err
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return 0, err
	}
	const magic = "PAR1"
	if size < 12 {
		return 0, corruptParquet("file of %d bytes is too small for Parquet", size)
	}
	head := make([]byte, 4)
	tail := make([]byte, 8)
	if _, err := r.ReadAt(head, 0); err != nil {
		return 0, err
	}
	if _, err := r.ReadAt(tail, size-8); err != nil {
		return 0, err
	}
	if string(head) != magic || string(tail[4:]) != magic {
		return 0, corruptParquet("no PAR1 magic at the start and the end (an encrypted footer, PARE, is not supported)")
	}
	footer := int64(binary.LittleEndian.Uint32(tail))
	switch {
	case footer > maxFooter:
		return 0, parquetTooLarge("footer of %d bytes, more than the limit of %d", footer, maxFooter)
	case footer > size-12:
		return 0, corruptParquet("footer of %d bytes in a file of %d", footer, size)
	}
	return size, nil
}

// checkParquetMetadata checks every column chunk against the file and the
// data budget before any page is read: pages are read and decompressed
// into buffers whose sizes the metadata claims.
func checkParquetMetadata(pf *file.Reader, size, budget int64) error {
	md := pf.MetaData()
	if pf.NumRows() < 0 {
		return corruptParquet("negative row count %d", pf.NumRows())
	}
	var total int64
	for g := range pf.NumRowGroups() {
		rg := md.RowGroup(g)
		if rg.NumRows() < 0 {
			return corruptParquet("row group %d has a negative row count", g)
		}
		if rg.NumRows() == 0 {
			continue // no page of it is read
		}
		for c := range rg.NumColumns() {
			cc, err := rg.ColumnChunk(c)
			if err != nil {
				return err
			}
			start := cc.DataPageOffset()
			if cc.HasDictionaryPage() && cc.DictionaryPageOffset() > 0 && cc.DictionaryPageOffset() < start {
				start = cc.DictionaryPageOffset()
			}
			comp, uncomp := cc.TotalCompressedSize(), cc.TotalUncompressedSize()
			if start < 4 || comp < 0 || uncomp < 0 || start > size || comp > size-start {
				return corruptParquet("row group %d column %d claims bytes %d..+%d of a file of %d", g, c, start, comp, size)
			}
			if uncomp > budget {
				return parquetTooLarge("row group %d column %d holds %d bytes uncompressed, more than the limit of %d", g, c, uncomp, budget)
			}
			total += uncomp
		}
	}
	if total > budget {
		return parquetTooLarge("the columns hold %d bytes uncompressed, more than the limit of %d", total, budget)
	}
	return nil
}

// checkStoredArrowSchema verifies the IPC schema message pqarrow stores
// under ARROW:schema with the IPC guard, before pqarrow hands it to
// arrow/go, which allocates whatever field counts the message claims.
func checkStoredArrowSchema(kv metadata.KeyValueMetadata, maxMessage int64) error {
	if kv == nil {
		return nil
	}
	v := kv.FindValue("ARROW:schema")
	if v == nil {
		return nil
	}
	var raw []byte
	var err error
	if len(*v)%4 == 0 { // the same two encodings pqarrow tries
		raw, err = base64.StdEncoding.DecodeString(*v)
	}
	if len(raw) == 0 || err != nil {
		raw, err = base64.RawStdEncoding.DecodeString(*v)
	}
	if err != nil {
		return corruptParquet("ARROW:schema is not base64: %v", err)
	}
	guard := guardStream(bytes.NewReader(raw), framingLimits{message: maxMessage, data: int64(len(raw))})
	rdr, err := ipc.NewReader(guard)
	if err != nil {
		return corruptParquet("ARROW:schema: %v", err)
	}
	rdr.Release()
	return nil
}

// decodeParquetContext finds the file's context (SPEC §5.3) and decodes it
// with arrowmeta, whose checks and limits then apply to it as to IPC.
func decodeParquetContext(schema *arrow.Schema, kv metadata.KeyValueMetadata, opts ReadOptions) (arrowmeta.Decoded, error) {
	limits := opts.Limits
	get := func(k string) (string, bool) {
		if kv == nil {
			return "", false
		}
		v := kv.FindValue(k)
		if v == nil {
			return "", false
		}
		return *v, true
	}
	plain := withoutParquetKeys(schema, arrowmeta.Namespace) // the user's metadata only
	if _, ok := get(arrowmeta.VersionKey); ok {
		// The key-value metadata is the whole context: rebuild the SPEC §3
		// form from it, column context onto the fields.
		var mk, mv []string
		md := plain.Metadata()
		mk, mv = append(mk, md.Keys()...), append(mv, md.Values()...)
		var size int64
		for i, k := range kv.Keys() {
			v := kv.Values()[i]
			if !strings.HasPrefix(k, arrowmeta.Namespace) {
				continue
			}
			size += int64(len(k) + len(v))
			if k != ParquetColumnsKey {
				mk, mv = append(mk, k), append(mv, v)
			}
		}
		if m := limitsMaxBytes(limits); m >= 0 && size > m {
			return arrowmeta.Decoded{}, &arrowmeta.Error{Op: "decode", Kind: arrowmeta.ErrTooLarge,
				Err: fmt.Errorf("%d bytes of context metadata, more than the limit of %d", size, m)}
		}
		fields := slices.Clone(plain.Fields())
		if text, ok := get(ParquetColumnsKey); ok {
			cols, err := contextstore.UnmarshalValue(text)
			if err != nil {
				return arrowmeta.Decoded{}, &arrowmeta.Error{Op: "decode", Key: ParquetColumnsKey, Kind: arrowmeta.ErrMalformed, Err: err}
			}
			for name, v := range cols {
				obj, ok := v.(map[string]any)
				if !ok {
					return arrowmeta.Decoded{}, &arrowmeta.Error{Op: "decode", Key: ParquetColumnsKey, Kind: arrowmeta.ErrMalformed,
						Err: fmt.Errorf("the context of column %q is not an object", name)}
				}
				b, err := contextstore.MarshalValue(obj)
				if err != nil {
					return arrowmeta.Decoded{}, &arrowmeta.Error{Op: "decode", Key: ParquetColumnsKey, Kind: arrowmeta.ErrMalformed, Err: err}
				}
				found := false
				for i := range fields {
					if fields[i].Name == name {
						fields[i].Metadata = withMetadata(fields[i].Metadata, arrowmeta.ColumnKey, string(b))
						found = true
					}
				}
				if !found {
					return arrowmeta.Decoded{}, &arrowmeta.Error{Op: "decode", Key: ParquetColumnsKey, Kind: arrowmeta.ErrMalformed,
						Err: fmt.Errorf("context for column %q, which the file lacks", name)}
				}
			}
		}
		md2 := arrow.NewMetadata(mk, mv)
		return arrowmeta.Decode(arrow.NewSchema(fields, &md2), limits)
	}
	dec, err := arrowmeta.Decode(withoutParquetKeys(schema), limits)
	if err != nil || dec.FrameID != "" {
		if err == nil {
			dec.Schema = plain
		}
		return dec, err
	}
	// A file pandas wrote: df.attrs as frame context.
	if text, ok := get(PandasAttrsKey); ok && opts.FrameID != "" {
		if int64(len(text)) > max(limitsMaxBytes(limits), 0) && limitsMaxBytes(limits) >= 0 {
			return arrowmeta.Decoded{}, &arrowmeta.Error{Op: "decode", Key: PandasAttrsKey, Kind: arrowmeta.ErrTooLarge,
				Err: fmt.Errorf("%d bytes, more than the limit of %d", len(text), limitsMaxBytes(limits))}
		}
		v, err := contextstore.UnmarshalValue(text)
		if err != nil {
			return arrowmeta.Decoded{}, &arrowmeta.Error{Op: "decode", Key: PandasAttrsKey, Kind: arrowmeta.ErrMalformed, Err: err}
		}
		dec = arrowmeta.Decoded{FrameID: opts.FrameID, Schema: plain, MaxRow: -1}
		if len(v) > 0 {
			dec.Entries = []contextstore.Entry{{Key: keys.Frame(opts.FrameID), Value: v}}
		}
		return dec, nil
	}
	dec.Schema = plain
	return dec, nil
}

func limitsMaxBytes(l arrowmeta.Limits) int64 {
	switch {
	case l.MaxBytes == 0:
		return arrowmeta.DefaultMaxBytes
	case l.MaxBytes < 0:
		return -1
	}
	return l.MaxBytes
}

// withoutParquetKeys returns schema without the metadata keys the Parquet
// layers add (PANDAS_ATTRS, pqarrow's PARQUET:field_id of -1, and, when
// given, keys with the prefixes strip), on the schema and its top-level
// fields.
func withoutParquetKeys(schema *arrow.Schema, strip ...string) *arrow.Schema {
	drop := func(k, v string) bool {
		if k == PandasAttrsKey || (k == "PARQUET:field_id" && v == "-1") {
			return true
		}
		for _, p := range strip {
			if strings.HasPrefix(k, p) {
				return true
			}
		}
		return false
	}
	clean := func(md arrow.Metadata) arrow.Metadata {
		var ks, vs []string
		for i, k := range md.Keys() {
			if !drop(k, md.Values()[i]) {
				ks, vs = append(ks, k), append(vs, md.Values()[i])
			}
		}
		return arrow.NewMetadata(ks, vs)
	}
	fields := slices.Clone(schema.Fields())
	for i := range fields {
		fields[i].Metadata = clean(fields[i].Metadata)
		fields[i].Type = withoutFieldIDs(fields[i].Type)
	}
	md := clean(schema.Metadata())
	return arrow.NewSchema(fields, &md)
}

// withoutFieldIDs returns t with the PARQUET:field_id of -1 that pqarrow
// puts on every nested field removed, so a type comes back as written.
func withoutFieldIDs(t arrow.DataType) arrow.DataType {
	clean := func(f arrow.Field) arrow.Field {
		if v, ok := f.Metadata.GetValue("PARQUET:field_id"); ok && v == "-1" {
			var ks, vs []string
			for i, k := range f.Metadata.Keys() {
				if k != "PARQUET:field_id" {
					ks, vs = append(ks, k), append(vs, f.Metadata.Values()[i])
				}
			}
			f.Metadata = arrow.NewMetadata(ks, vs)
		}
		f.Type = withoutFieldIDs(f.Type)
		return f
	}
	switch t := t.(type) {
	case *arrow.StructType:
		fields := slices.Clone(t.Fields())
		for i := range fields {
			fields[i] = clean(fields[i])
		}
		return arrow.StructOf(fields...)
	case *arrow.ListType:
		return arrow.ListOfField(clean(t.ElemField()))
	case *arrow.LargeListType:
		return arrow.LargeListOfField(clean(t.ElemField()))
	case *arrow.FixedSizeListType:
		return arrow.FixedSizeListOfField(t.Len(), clean(t.ElemField()))
	case *arrow.MapType:
		k, it := clean(t.KeyField()), clean(t.ItemField())
		m := arrow.MapOfWithMetadata(k.Type, k.Metadata, it.Type, it.Metadata)
		m.KeysSorted = t.KeysSorted
		return m
	}
	return t
}

func withMetadata(md arrow.Metadata, key, value string) arrow.Metadata {
	ks, vs := slices.Clone(md.Keys()), slices.Clone(md.Values())
	if i := slices.Index(ks, key); i >= 0 {
		vs[i] = value
	} else {
		ks, vs = append(ks, key), append(vs, value)
	}
	return arrow.NewMetadata(ks, vs)
}

// projection returns the top-level fields to read, in order, and the leaf
// column indices pqarrow reads them by; nil fields means every field.
func projection(m *pqarrow.SchemaManifest, opts *ParquetReadOptions) ([]int, []int, error) {
	if opts == nil || opts.Columns == nil {
		return nil, nil, nil
	}
	var fields, leaves []int
	for _, name := range opts.Columns {
		i := slices.IndexFunc(m.Fields, func(f pqarrow.SchemaField) bool { return f.Field.Name == name })
		if i < 0 {
			return nil, nil, opError("read_parquet", "", ErrInvalidArgument, fmt.Errorf("no column %q in the file", name))
		}
		fields = append(fields, i)
		leaves = appendLeaves(leaves, &m.Fields[i])
	}
	return fields, leaves, nil
}

func appendLeaves(out []int, f *pqarrow.SchemaField) []int {
	if len(f.Children) == 0 {
		return append(out, f.ColIndex)
	}
	for i := range f.Children {
		out = appendLeaves(out, &f.Children[i])
	}
	return out
}

// projectContext keeps the schema's fields at indices (all when nil), and
// the context of the columns kept.
func projectContext(dec arrowmeta.Decoded, indices []int) arrowmeta.Decoded {
	if indices == nil {
		return dec
	}
	kept := map[string]bool{}
	fields := make([]arrow.Field, len(indices))
	for j, i := range indices {
		fields[j] = dec.Schema.Field(i)
		kept[fields[j].Name] = true
	}
	md := dec.Schema.Metadata()
	dec.Schema = arrow.NewSchema(fields, &md)
	entries := dec.Entries[:0:0]
	for _, e := range dec.Entries {
		if e.Key.HasColumn() && !kept[e.Key.ColumnName()] {
			continue
		}
		entries = append(entries, e)
	}
	dec.Entries = entries
	return dec
}
