package arrow

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/ctxframe/ctxframe/adapters/arrow/arrowmeta"
	"github.com/ctxframe/ctxframe/contextstore"
)

// recordSink is what the IPC and Parquet writers share: records are checked
// against the caller's schema, relabelled with the schema carrying the
// context, counted (row positions run across them), and the context is
// checked against the rows written when the output is finished.
type recordSink struct {
	format  string        // "ipc", "parquet": for messages
	user    *arrow.Schema // the schema records must match
	schema  *arrow.Schema // the schema as written, with context
	frameID string
	maxRow  int // highest row the context names, -1 for none
	rows    int64
	closed  bool
	write   func(arrow.Record) error // the format's writer
	finish  func() error             // writes the footer or end marker
}

// put appends rec, whose fields must match the sink's schema (names, types
// and nullability; metadata may differ). It does not keep rec.
func (s *recordSink) put(rec arrow.Record) error {
	op := "write " + s.format
	if s.closed {
		return opError(op, s.frameID, nil, errors.New("writer is closed"))
	}
	if rec == nil {
		return opError(op, s.frameID, ErrInvalidArgument, errors.New("nil record"))
	}
	if err := ipcSameFields(s.user, rec.Schema()); err != nil {
		return opError(op, s.frameID, nil, err)
	}
	// The writers insist on their own schema, field metadata included, so
	// the record is re-labelled; this shares the columns, copying none.
	labelled := array.NewRecord(s.schema, rec.Columns(), rec.NumRows())
	defer labelled.Release()
	if err := s.write(labelled); err != nil {
		return opError(op, s.frameID, nil, err)
	}
	s.rows += rec.NumRows()
	return nil
}

// close finishes the output; then, when the context names a row at or
// beyond the rows written, it returns an error of kind
// arrowmeta.ErrMismatch, since readers will refuse the output.
func (s *recordSink) close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	op := "close " + s.format + " writer"
	if err := s.finish(); err != nil {
		return opError(op, s.frameID, nil, err)
	}
	if err := ipcCheckRowsWritten(s.frameID, s.maxRow, s.rows); err != nil {
		return opError(op, s.frameID, nil, err)
	}
	return nil
}

// abandon closes the format's writer after a failure, only to release what
// it holds; the output is incomplete either way.
func (s *recordSink) abandon() {
	if !s.closed {
		s.closed = true
		_ = s.finish()
	}
}

// writeAllRecords writes recs through s, having checked first that the
// context names no row beyond them, and finishes the output.
func writeAllRecords(ctx context.Context, s *recordSink, recs []arrow.Record) error {
	rows, err := countRows(s.format, s.frameID, recs)
	if err != nil {
		return err
	}
	if err := ipcCheckRowsWritten(s.frameID, s.maxRow, rows); err != nil {
		return opError("write "+s.format, s.frameID, nil, err)
	}
	for _, rec := range recs {
		err := ctx.Err()
		if err == nil {
			err = s.put(rec)
		}
		if err != nil {
			s.abandon()
			return err
		}
	}
	return s.close()
}

// countRows sums the rows of recs, refusing a nil record.
func countRows(format, frameID string, recs []arrow.Record) (int64, error) {
	var rows int64
	for i, rec := range recs {
		if rec == nil {
			return 0, opError("write "+format, frameID, ErrInvalidArgument, fmt.Errorf("record %d is nil", i))
		}
		rows += rec.NumRows()
	}
	return rows, nil
}

// writeContext is what a writer carries of its frame: the entries read
// from the store, the schema with them encoded in its metadata, and the
// highest row they name (-1 for none), which the output must reach.
type writeContext struct {
	entries []contextstore.Entry
	encoded *arrow.Schema
	maxRow  int
}

// readForWriting reads frameID's entries for encoding, which only reads
// them: shared with a store that shares (ReadVersionedShared), so writing
// a frame of a million entries copies none of them; a store without
// versioned frames is read with ReadFrame.
func readForWriting(ctx context.Context, store contextstore.Store, frameID string) ([]contextstore.Entry, error) {
	if !contextstore.Versioned(store) {
		return contextstore.ReadFrame(ctx, store, frameID)
	}
	snap, err := contextstore.ReadVersionedShared(ctx, store, frameID)
	return snap.Entries, err
}

// encodeForWriting checks a writer's arguments and encodes frameID's
// context into schema's metadata, for op's writer.
func encodeForWriting(ctx context.Context, op string, w io.Writer, store contextstore.Store, frameID string, schema *arrow.Schema, limits arrowmeta.Limits) (_ writeContext, err error) {
	ctx, end := contextstore.StartOperation(ctx, store, "arrow."+op, frameID)
	defer func() { end(err) }()
	if w == nil || store == nil || schema == nil {
		return writeContext{}, opError(op, frameID, ErrInvalidArgument, errors.New("nil writer, store or schema"))
	}
	entries, err := readForWriting(ctx, store, frameID)
	if err != nil {
		return writeContext{}, opError(op, frameID, nil, fmt.Errorf("reading the context: %w", err))
	}
	encoded, err := arrowmeta.Encode(schema, frameID, entries, &arrowmeta.EncodeOptions{Limits: limits})
	if err != nil {
		return writeContext{}, opError(op, frameID, nil, err)
	}
	wc := writeContext{entries: entries, encoded: encoded, maxRow: -1}
	for _, e := range entries {
		if e.Key.HasRow() {
			wc.maxRow = max(wc.maxRow, e.Key.RowIndex())
		}
	}
	return wc, nil
}
