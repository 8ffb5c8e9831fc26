package arrow

import (
	"context"
	"io"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/ctxframe/ctxframe/adapters/arrow/arrowmeta"
	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// ParquetWriter writes records to a Parquet file whose metadata carries a
// frame's context, taken from the store when the writer was made: each
// Write is one or more row groups, and rows are numbered across them, as
// the context's row positions are. Close writes the footer. A
// ParquetWriter is not safe for concurrent use.
type ParquetWriter struct {
	sink recordSink // its schema: the Arrow schema stored, with its share of the context
}

// NewParquetWriter reads frameID's context from store and returns a writer
// of a Parquet file to w, for records of schema. The Arrow schema stored in
// the footer (ARROW:schema) carries the frame ID, the frame's and every
// column's context as SPEC §3 says; the file's key-value metadata carries
// all of it, row and cell context included (SPEC §5), and the frame's user
// fields as PANDAS_ATTRS.
func NewParquetWriter(ctx context.Context, w io.Writer, store contextstore.Store, frameID string, schema *arrow.Schema, opts *ParquetWriteOptions) (*ParquetWriter, error) {
	return newParquetWriter(ctx, w, store, frameID, schema, opts, -1)
}

// newParquetWriter is NewParquetWriter; with rows >= 0, the number of rows
// that will be written, it refuses context beyond them before writing a
// byte.
func newParquetWriter(ctx context.Context, w io.Writer, store contextstore.Store, frameID string, schema *arrow.Schema, opts *ParquetWriteOptions, rows int64) (*ParquetWriter, error) {
	const op = "new parquet writer"
	var limits arrowmeta.Limits
	if opts != nil {
		limits = opts.Limits
	}
	wc, err := encodeForWriting(ctx, op, w, store, frameID, schema, limits)
	if err != nil {
		return nil, err
	}
	encoded, maxRow := wc.encoded, wc.maxRow
	// Row and cell context, the bulk, go to the key-value metadata only;
	// the stored Arrow schema keeps the rest, a valid SPEC §3 encoding.
	md := encoded.Metadata()
	bulk := map[string]string{}
	var sk, sv []string
	for i, k := range md.Keys() {
		if k == arrowmeta.RowsKey || k == arrowmeta.CellsKey {
			bulk[k] = md.Values()[i]
			continue
		}
		sk, sv = append(sk, k), append(sv, md.Values()[i])
	}
	storedMD := arrow.NewMetadata(sk, sv)
	stored := arrow.NewSchema(encoded.Fields(), &storedMD)
	if rows >= 0 {
		if err := ipcCheckRowsWritten(frameID, maxRow, rows); err != nil {
			return nil, opError("write parquet", frameID, nil, err)
		}
	}
	kv, err := parquetExtraMetadata(wc.entries, opts == nil || !opts.NoPandasAttrs)
	if err != nil {
		return nil, opError(op, frameID, nil, err)
	}
	props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Snappy), parquet.WithAllocator(opts.allocator()))
	if opts != nil && opts.Properties != nil {
		props = opts.Properties
	}
	fw, err := pqarrow.NewFileWriter(stored, w, props,
		pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema(), pqarrow.WithAllocator(opts.allocator())))
	if err != nil {
		return nil, opError(op, frameID, nil, err)
	}
	for _, k := range []string{arrowmeta.RowsKey, arrowmeta.CellsKey} {
		if v, ok := bulk[k]; ok {
			kv = append(kv, [2]string{k, v})
		}
	}
	for _, p := range kv {
		if err := fw.AppendKeyValueMetadata(p[0], p[1]); err != nil {
			return nil, opError(op, frameID, nil, err)
		}
	}
	return &ParquetWriter{sink: recordSink{format: "parquet", user: schema, schema: stored, frameID: frameID, maxRow: maxRow,
		write: fw.Write, finish: fw.Close}}, nil
}

// parquetExtraMetadata returns the key-value pairs SPEC §5 adds to those of
// the schema: every column's context under ParquetColumnsKey, and the
// frame's user fields under PandasAttrsKey.
func parquetExtraMetadata(entries []contextstore.Entry, pandas bool) ([][2]string, error) {
	columns := contextstore.Value{}
	var frame contextstore.Value
	for _, e := range entries {
		switch e.Key.Kind() {
		case keys.KindColumn:
			columns[e.Key.ColumnName()] = map[string]any(e.Value)
		case keys.KindFrame:
			frame = e.Value
		}
	}
	var out [][2]string
	if len(columns) > 0 {
		b, err := contextstore.MarshalValue(columns)
		if err != nil {
			return nil, err
		}
		out = append(out, [2]string{ParquetColumnsKey, string(b)})
	}
	if user := framectx.UserFields(frame); pandas && len(user) > 0 {
		b, err := contextstore.MarshalValue(user)
		if err != nil {
			return nil, err
		}
		out = append(out, [2]string{PandasAttrsKey, string(b)})
	}
	return out, nil
}

// Schema returns the Arrow schema as stored in the footer.
func (w *ParquetWriter) Schema() *arrow.Schema { return w.sink.schema }

// Write appends rec as one or more row groups; its fields must match the
// writer's schema (names, types and nullability; metadata may differ). It
// does not keep rec. After an error the file is incomplete; still call
// Close to release the writer's resources.
func (w *ParquetWriter) Write(rec arrow.Record) error { return w.sink.put(rec) }

// Close writes the footer. When the context names a row at or beyond the
// rows written, Close still finishes the file but returns an error of kind
// arrowmeta.ErrMismatch, since readers will refuse it.
func (w *ParquetWriter) Close() error { return w.sink.close() }

// WriteParquet writes recs as a Parquet file to w, one row group per record
// (or more, per the writer properties' row group length), with frameID's
// context from store; row positions count across recs in order. It checks
// that the context fits the records before writing anything. The caller
// keeps ownership of recs.
func WriteParquet(ctx context.Context, w io.Writer, store contextstore.Store, frameID string, schema *arrow.Schema, recs []arrow.Record, opts *ParquetWriteOptions) error {
	rows, err := countRows("parquet", frameID, recs)
	if err != nil {
		return err
	}
	wr, err := newParquetWriter(ctx, w, store, frameID, schema, opts, rows)
	if err != nil {
		return err
	}
	return writeAllRecords(ctx, &wr.sink, recs)
}
