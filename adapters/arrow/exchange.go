package arrow

import (
	"context"
	"errors"
	"io"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/parquet"

	"github.com/ctxframe/ctxframe/contextstore"
)

// Thin methods tying Record and Table to the IPC functions (ipc*.go): the
// frame's data and its frame ID's context travel in one stream or file.

// WriteStream writes the record as an IPC stream to w, its context in the
// schema (see the package-level WriteStream).
func (r *Record) WriteStream(ctx context.Context, w io.Writer, opts *WriteOptions) error {
	if err := r.f.live("write_stream"); err != nil {
		return err
	}
	rec := r.Arrow()
	return WriteStream(ctx, w, r.Store(), r.FrameID(), rec.Schema(), []arrow.Record{rec}, opts)
}

// WriteFile writes the record as an IPC file to w, its context in the
// schema (see the package-level WriteFile).
func (r *Record) WriteFile(ctx context.Context, w io.Writer, opts *WriteOptions) error {
	if err := r.f.live("write_file"); err != nil {
		return err
	}
	rec := r.Arrow()
	return WriteFile(ctx, w, r.Store(), r.FrameID(), rec.Schema(), []arrow.Record{rec}, opts)
}

// WriteStream writes the table as an IPC stream to w, one record batch per
// run of aligned chunks, its context in the schema. Row positions are the
// table's: readers see the same rows whatever the batching.
func (t *Table) WriteStream(ctx context.Context, w io.Writer, opts *WriteOptions) error {
	return t.write(ctx, "write_stream", w, opts, WriteStream)
}

// WriteFile writes the table as an IPC file to w, as WriteStream does.
func (t *Table) WriteFile(ctx context.Context, w io.Writer, opts *WriteOptions) error {
	return t.write(ctx, "write_file", w, opts, WriteFile)
}

type writeFunc func(ctx context.Context, w io.Writer, store contextstore.Store, frameID string, schema *arrow.Schema, recs []arrow.Record, opts *WriteOptions) error

func (t *Table) write(ctx context.Context, op string, w io.Writer, opts *WriteOptions, write writeFunc) error {
	if err := t.f.live(op); err != nil {
		return err
	}
	tbl := t.Arrow()
	recs := tableRecords(tbl)
	defer releaseRecords(recs)
	return write(ctx, w, t.Store(), t.FrameID(), tbl.Schema(), recs, opts)
}

// tableRecords returns the table's rows as records, one per run of aligned
// chunks (new references the caller releases).
func tableRecords(tbl arrow.Table) []arrow.Record {
	tr := array.NewTableReader(tbl, -1)
	defer tr.Release()
	var recs []arrow.Record
	for tr.Next() {
		rec := tr.Record()
		rec.Retain()
		recs = append(recs, rec)
	}
	return recs
}

func releaseRecords(recs []arrow.Record) {
	for _, r := range recs {
		r.Release()
	}
}

// errNoFrameID reports IPC data read without a frame ID to bind it to.
var errNoFrameID = errors.New("the data carries no frame ID and none was named (ReadOptions.FrameID)")

// ReadStreamTable reads an IPC stream with ReadStream (restoring its context
// into store) and binds its record batches, as one Table, to the frame ID
// the context was restored under. ropts tunes reading, opts the Table. The
// data must name a frame ID or ropts.FrameID must (ErrInvalidArgument
// otherwise; the store is then untouched). The caller releases the Table.
func ReadStreamTable(ctx context.Context, r io.Reader, store contextstore.Store, ropts *ReadOptions, opts *Options) (*Table, error) {
	res, err := ReadStream(ctx, r, store, ropts)
	if err != nil {
		return nil, err
	}
	return tableOfResult(store, res, opts)
}

// ReadFileTable is ReadStreamTable for the IPC file format.
func ReadFileTable(ctx context.Context, r ipc.ReadAtSeeker, store contextstore.Store, ropts *ReadOptions, opts *Options) (*Table, error) {
	res, err := ReadFile(ctx, r, store, ropts)
	if err != nil {
		return nil, err
	}
	return tableOfResult(store, res, opts)
}

// tableOfResult binds the records of res as one Table and releases res.
// The read just restored the frame's context for exactly these records, at
// res.State's layout epoch: the Table holds that epoch without reading the
// frame back, so a writer that relaid the frame out since makes its
// positional writes stale, as it must.
func tableOfResult(store contextstore.Store, res *ReadResult, opts *Options) (*Table, error) {
	defer res.Release()
	if res.FrameID == "" {
		return nil, opError("read", "", ErrInvalidArgument, errNoFrameID)
	}
	tbl := array.NewTableFromRecords(res.Schema, res.Records)
	f, err := bindRestored(store, res.FrameID, tableBody{tbl: tbl, mem: optsAllocator(opts)}, res.State.Epoch, opts)
	if err != nil {
		tbl.Release()
		return nil, err
	}
	return &Table{newFrameContext(f)}, nil
}

// WriteParquet writes the record as a Parquet file to w, its context in the
// file's metadata (see the package-level WriteParquet).
func (r *Record) WriteParquet(ctx context.Context, w io.Writer, opts *ParquetWriteOptions) error {
	if err := r.f.live("write_parquet"); err != nil {
		return err
	}
	rec := r.Arrow()
	return WriteParquet(ctx, w, r.Store(), r.FrameID(), rec.Schema(), []arrow.Record{rec}, opts)
}

// WriteParquet writes the table as a Parquet file to w, one row group per
// run of aligned chunks, its context in the file's metadata.
func (t *Table) WriteParquet(ctx context.Context, w io.Writer, opts *ParquetWriteOptions) error {
	if err := t.f.live("write_parquet"); err != nil {
		return err
	}
	tbl := t.Arrow()
	recs := tableRecords(tbl)
	defer releaseRecords(recs)
	return WriteParquet(ctx, w, t.Store(), t.FrameID(), tbl.Schema(), recs, opts)
}

// ReadParquetTable reads a Parquet file with ReadParquet (restoring its
// context into store) and binds its records, as one Table, to the frame ID
// the context was restored under, as ReadFileTable does for IPC.
func ReadParquetTable(ctx context.Context, r parquet.ReaderAtSeeker, store contextstore.Store, ropts *ParquetReadOptions, opts *Options) (*Table, error) {
	res, err := ReadParquet(ctx, r, store, ropts)
	if err != nil {
		return nil, err
	}
	return tableOfResult(store, res, opts)
}
