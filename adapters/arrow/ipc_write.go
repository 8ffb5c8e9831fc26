package arrow

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/ipc"

	"github.com/ctxframe/ctxframe/adapters/arrow/arrowmeta"
	"github.com/ctxframe/ctxframe/contextstore"
)

// Writer writes record batches to an IPC stream or file whose schema carries
// a frame's context, taken from the store when the Writer was made. Rows are
// numbered across batches, as the context's row positions are. A Writer is
// not safe for concurrent use.
type Writer struct {
	sink recordSink
}

// ipcRecordWriter is what ipc.Writer and ipc.FileWriter have in common.
type ipcRecordWriter interface {
	Write(arrow.Record) error
	Close() error
}

// NewStreamWriter reads frameID's context from store and returns a Writer of
// the IPC stream format to w, for records of schema. Call Close to finish
// the stream.
func NewStreamWriter(ctx context.Context, w io.Writer, store contextstore.Store, frameID string, schema *arrow.Schema, opts *WriteOptions) (*Writer, error) {
	return newIPCWriter(ctx, "new stream writer", w, store, frameID, schema, opts, false)
}

// NewFileWriter is NewStreamWriter for the IPC file format. w need not
// seek: file offsets are counted from the first byte written. Close writes
// the footer. (arrow/go v17's file writer keeps a reference to the
// dictionary of every dictionary-encoded column written and never releases
// it; with the default Go allocator the garbage collector reclaims them.)
func NewFileWriter(ctx context.Context, w io.Writer, store contextstore.Store, frameID string, schema *arrow.Schema, opts *WriteOptions) (*Writer, error) {
	return newIPCWriter(ctx, "new file writer", w, store, frameID, schema, opts, true)
}

func newIPCWriter(ctx context.Context, op string, w io.Writer, store contextstore.Store, frameID string, schema *arrow.Schema, opts *WriteOptions, file bool) (*Writer, error) {
	var limits arrowmeta.Limits
	if opts != nil {
		limits = opts.Limits
	}
	wc, err := encodeForWriting(ctx, op, w, store, frameID, schema, limits)
	if err != nil {
		return nil, err
	}
	encoded, maxRow := wc.encoded, wc.maxRow
	ipcOpts := []ipc.Option{ipc.WithSchema(encoded), ipc.WithAllocator(opts.allocator())}
	if opts != nil {
		ipcOpts = append(ipcOpts, opts.IPCOptions...)
	}
	var iw ipcRecordWriter
	if file {
		fw, err := ipc.NewFileWriter(&ipcOffsetWriter{w: w}, ipcOpts...)
		if err != nil {
			return nil, opError(op, frameID, nil, err)
		}
		iw = fw
	} else {
		iw = ipc.NewWriter(w, ipcOpts...)
	}
	return &Writer{sink: recordSink{format: "ipc", user: schema, schema: encoded, frameID: frameID, maxRow: maxRow,
		write: iw.Write, finish: iw.Close}}, nil
}

// Schema returns the schema as written: the caller's schema with the
// context in its metadata.
func (w *Writer) Schema() *arrow.Schema { return w.sink.schema }

// Write appends rec, whose fields must match the Writer's schema (names,
// types and nullability; metadata may differ). It does not keep rec. After
// an error the output is incomplete; still call Close to release the
// writer's resources.
func (w *Writer) Write(rec arrow.Record) error { return w.sink.put(rec) }

// Close finishes the stream or file (writing the schema if no record was
// written). When the context names a row at or beyond the rows written,
// Close still finishes the data but returns an error of kind
// arrowmeta.ErrMismatch, since readers will refuse it.
func (w *Writer) Close() error { return w.sink.close() }

func ipcCheckRowsWritten(frameID string, maxRow int, rows int64) error {
	if maxRow >= 0 && int64(maxRow) >= rows {
		return &arrowmeta.Error{Op: "encode", Kind: arrowmeta.ErrMismatch,
			Err: fmt.Errorf("frame %q has context for row %d but the data has %d rows", frameID, maxRow, rows)}
	}
	return nil
}

// WriteStream writes recs as an IPC stream to w, with frameID's context
// from store in the schema; row positions count across recs in order. It
// checks that the context fits the records (every row it names exists)
// before writing anything. The caller keeps ownership of recs.
func WriteStream(ctx context.Context, w io.Writer, store contextstore.Store, frameID string, schema *arrow.Schema, recs []arrow.Record, opts *WriteOptions) error {
	wr, err := NewStreamWriter(ctx, w, store, frameID, schema, opts)
	if err != nil {
		return err
	}
	return writeAll(ctx, wr, recs)
}

// WriteFile is WriteStream for the IPC file format.
func WriteFile(ctx context.Context, w io.Writer, store contextstore.Store, frameID string, schema *arrow.Schema, recs []arrow.Record, opts *WriteOptions) error {
	wr, err := NewFileWriter(ctx, w, store, frameID, schema, opts)
	if err != nil {
		return err
	}
	return writeAll(ctx, wr, recs)
}

func writeAll(ctx context.Context, wr *Writer, recs []arrow.Record) error {
	return writeAllRecords(ctx, &wr.sink, recs)
}

// ipcSameFields reports how got's fields differ from want's, ignoring
// metadata.
func ipcSameFields(want, got *arrow.Schema) error {
	if want.NumFields() != got.NumFields() {
		return fmt.Errorf("record has %d fields, the schema %d", got.NumFields(), want.NumFields())
	}
	for i := range want.NumFields() {
		a, b := want.Field(i), got.Field(i)
		if a.Name != b.Name || a.Nullable != b.Nullable || !arrow.TypeEqual(a.Type, b.Type) {
			return fmt.Errorf("record field %d is %s, the schema's is %s", i, b, a)
		}
	}
	return nil
}

// ipcOffsetWriter gives the IPC file writer the one Seek it makes (asking
// for the current position) on any io.Writer, counting from the first byte
// written.
type ipcOffsetWriter struct {
	w   io.Writer
	pos int64
}

// Write writes p to the underlying writer, counting the bytes.
func (o *ipcOffsetWriter) Write(p []byte) (int, error) {
	n, err := o.w.Write(p)
	o.pos += int64(n)
	return n, err
}

// Seek answers only Seek(0, io.SeekCurrent), with the bytes written so far.
func (o *ipcOffsetWriter) Seek(offset int64, whence int) (int64, error) {
	if offset == 0 && whence == io.SeekCurrent {
		return o.pos, nil
	}
	return 0, errors.New("arrow: write ipc file: writer cannot seek")
}
