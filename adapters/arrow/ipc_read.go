package arrow

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"

	"github.com/ctxframe/ctxframe/adapters/arrow/arrowmeta"
	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// ReadStream reads an IPC stream from r and restores the context it carries
// into store, under opts.FrameID or else the frame ID recorded in the data.
// The context is decoded and checked (arrowmeta.Decode, limits from opts)
// before the records are read, and checked against the rows read before the
// store is touched; the store is then changed in one conditional write
// (contextstore.ApplyIf), atomic for the frame, retried if another writer
// changed the frame in between, and advancing its layout epoch. By default
// the frame's existing context is replaced; see ReadOptions.Merge.
//
// Errors: every input the reader refuses matches ErrCorruptIPC: bad
// framing, flatbuffers or records (with the arrow/go error kept), input cut
// short, and bad context, whose *arrowmeta.Error also matches its own kind
// (arrowmeta.ErrMalformed, ErrUnsupportedVersion, ErrTooLarge). Not
// ErrCorruptIPC: the reader's own I/O failure (wrapped as it is), ctx's
// error, and the store's error (a *contextstore.Error) if the restore
// fails. On error no records are returned and the store is unchanged. The
// caller releases the records of the result.
//
// The framing (every message's metadata and body length) is checked against
// ReadOptions.MaxMessageBytes and MaxDataBytes before arrow/go, which trusts
// the sizes written in the data, allocates for it, and each message's
// flatbuffer is verified: no input makes the reader allocate beyond those
// limits. Every record is validated before it is returned, so no record
// from damaged bytes can make later code panic.
func ReadStream(ctx context.Context, r io.Reader, store contextstore.Store, opts *ReadOptions) (*ReadResult, error) {
	const op = "read ipc stream"
	if err := ipcCheckReadArgs(r == nil, store, opts); err != nil {
		return nil, opError(op, "", nil, err)
	}
	var res *ReadResult
	in := &recordingReader{r: r}
	err := readAll(ctx, store, op, ErrCorruptIPC, &in.err, &res, func(ctx context.Context) error {
		lim := opts.framing()
		mem := newBudget(opts.allocator(), lim.data)
		if n, ok := remaining(r); ok && n < lim.data {
			lim.data = n // nothing beyond what r holds is believed
		}
		guard := guardStream(in, lim).(*streamGuard)
		rdr, err := ipc.NewReader(guard, ipc.WithAllocator(mem))
		if err != nil {
			return err
		}
		defer rdr.Release()
		dec, err := arrowmeta.Decode(rdr.Schema(), ipcLimits(opts))
		if err != nil {
			return err
		}
		res = &ReadResult{Schema: dec.Schema}
		for rdr.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := validateRecord(rdr.Record()); err != nil {
				return err
			}
			res.add(rdr.Record())
		}
		if err := rdr.Err(); err != nil {
			return err
		}
		if len(res.Records) == 0 && !guard.done && (opts == nil || !opts.SchemaOnly) {
			// No batch and no end-of-stream marker: most likely a stream
			// cut short, which must not pass for an empty frame.
			return corrupt("the stream ends after its schema, without an end-of-stream marker (ReadOptions.SchemaOnly accepts that)")
		}
		return ipcRestore(ctx, store, dec, res, opts)
	})
	return res, err
}

// ReadFile is ReadStream for the IPC file format. (arrow/go v17's file
// reader never returns the dictionaries of dictionary-encoded columns to
// its Allocator; with the default Go allocator the garbage collector
// reclaims them.)
func ReadFile(ctx context.Context, r ipc.ReadAtSeeker, store contextstore.Store, opts *ReadOptions) (*ReadResult, error) {
	const op = "read ipc file"
	if err := ipcCheckReadArgs(r == nil, store, opts); err != nil {
		return nil, opError(op, "", nil, err)
	}
	var res *ReadResult
	in := &recordingReadAtSeeker{r: r}
	err := readAll(ctx, store, op, ErrCorruptIPC, &in.err, &res, func(ctx context.Context) error {
		budget, err := checkFile(in, opts.framing())
		if err != nil {
			return err
		}
		fr, err := ipc.NewFileReader(in, ipc.WithAllocator(newBudget(opts.allocator(), budget)))
		if err != nil {
			return err
		}
		defer fr.Close()
		dec, err := arrowmeta.Decode(fr.Schema(), ipcLimits(opts))
		if err != nil {
			return err
		}
		res = &ReadResult{Schema: dec.Schema}
		for i := range fr.NumRecords() {
			if err := ctx.Err(); err != nil {
				return err
			}
			rec, err := fr.RecordAt(i)
			if err != nil {
				return err
			}
			if err := validateRecord(rec); err != nil {
				rec.Release()
				return err
			}
			res.add(rec)
			rec.Release()
		}
		return ipcRestore(ctx, store, dec, res, opts)
	})
	return res, err
}

// readAll runs read, which fills *res from an IPC or Parquet input, under
// the reader library's panic recovery. On any failure *res is released and
// set to nil, and the error is classified (corrupt input, the input's own
// I/O error *ioErr, the caller's cancellation, the store's failure) and
// returned as op's *OpError.
func readAll(ctx context.Context, store contextstore.Store, op string, corrupt error, ioErr *error, res **ReadResult, read func(context.Context) error) (err error) {
	ctx, end := contextstore.StartOperation(ctx, store, "arrow."+op, "")
	defer func() { end(err) }()
	err = readRecovered(corrupt, func() error { return read(ctx) })
	if err == nil {
		return nil
	}
	if *res != nil {
		(*res).Release()
		*res = nil
	}
	return opError(op, "", nil, classifyRead(ctx, corrupt, err, *ioErr))
}

// classifyRead classifies the failure of a read: the caller's
// cancellation, the store's failure and the input's own I/O error are
// returned as they are; anything else was caused by the bytes read and
// matches corrupt (ErrCorruptIPC, ErrCorruptParquet): the reader library's
// errors, input cut short, bad context.
func classifyRead(ctx context.Context, corrupt, err, ioErr error) error {
	var storeErr *contextstore.Error
	switch {
	case errors.Is(err, corrupt):
		return err
	case ctx.Err() != nil && errors.Is(err, ctx.Err()),
		errors.As(err, &storeErr):
		return err
	case ioErr != nil:
		return fmt.Errorf("reading the input: %w", ioErr)
	}
	return fmt.Errorf("%w: %w", corrupt, err)
}

// recordingReader passes reads through and remembers the first error other
// than io.EOF, so a failing disk is not taken for corrupt data.
type recordingReader struct {
	r   io.Reader
	err error
}

func (r *recordingReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF && r.err == nil {
		r.err = err
	}
	return n, err
}

// recordingReadAtSeeker is recordingReader for the file readers' input
// (IPC's has Read as well, Parquet's need not).
type recordingReadAtSeeker struct {
	r interface {
		io.ReaderAt
		io.Seeker
	}
	err error
}

func (r *recordingReadAtSeeker) note(err error) {
	if err != nil && err != io.EOF && r.err == nil {
		r.err = err
	}
}

func (r *recordingReadAtSeeker) Read(p []byte) (int, error) {
	rd, ok := r.r.(io.Reader)
	if !ok {
		return 0, errors.New("arrow: the input has no Read method")
	}
	n, err := rd.Read(p)
	r.note(err)
	return n, err
}

func (r *recordingReadAtSeeker) ReadAt(p []byte, off int64) (int, error) {
	n, err := r.r.ReadAt(p, off)
	r.note(err)
	return n, err
}

func (r *recordingReadAtSeeker) Seek(offset int64, whence int) (int64, error) {
	n, err := r.r.Seek(offset, whence)
	r.note(err)
	return n, err
}

// add keeps rec under the result's schema (user metadata only), sharing its
// columns; it does not take over the caller's reference to rec.
func (r *ReadResult) add(rec arrow.Record) {
	r.Records = append(r.Records, array.NewRecord(r.Schema, rec.Columns(), rec.NumRows()))
	r.NumRows += rec.NumRows()
}

func ipcCheckReadArgs(nilReader bool, store contextstore.Store, opts *ReadOptions) error {
	if nilReader || store == nil {
		return fmt.Errorf("%w: nil reader or store", ErrInvalidArgument)
	}
	if opts != nil && opts.FrameID != "" {
		return keys.Frame(opts.FrameID).Validate()
	}
	return nil
}

func ipcLimits(opts *ReadOptions) arrowmeta.Limits {
	if opts == nil {
		return arrowmeta.Limits{}
	}
	return opts.Limits
}

// readRecovered runs read, turning a panic inside arrow/go's decoding of
// damaged bytes (or of the read budget) into an error of kind corrupt:
// reading untrusted data must fail with an error, and arrow/go v17 panics
// on some malformed input.
func readRecovered(corrupt error, read func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			if pe, ok := p.(error); ok {
				err = fmt.Errorf("%w: %w", corrupt, pe)
			} else {
				err = fmt.Errorf("%w: %v", corrupt, p)
			}
		}
	}()
	return read()
}

// ipcRestore checks the decoded context against the rows read and writes it
// to the store in one batch, removing the frame's other entries unless
// opts.Merge.
func ipcRestore(ctx context.Context, store contextstore.Store, dec arrowmeta.Decoded, res *ReadResult, opts *ReadOptions) error {
	if err := dec.CheckRows(res.NumRows); err != nil {
		return err
	}
	frameID := dec.FrameID
	if opts != nil && opts.FrameID != "" {
		frameID = opts.FrameID
	}
	res.FrameID = frameID
	res.Entries = len(dec.Entries)
	if frameID == "" {
		return nil // plain Arrow data and no frame named: nothing to restore
	}
	replace := opts == nil || !opts.Merge
	// The restore relays the frame out: bindings of its old data go stale.
	states, err := contextstore.Update(ctx, store, []string{frameID}, true, func(snaps []contextstore.Snapshot) ([]contextstore.Mutation, error) {
		return restoreMutations(frameID, dec.Entries, snaps[0].Entries, replace), nil
	})
	if err != nil {
		return err
	}
	res.State = states[0]
	return nil
}

// restoreMutations turns the frame's stored entries into the decoded ones:
// a put of each decoded entry and, when replacing, a removal of every other.
func restoreMutations(frameID string, decoded []contextstore.Entry, stored []contextstore.Entry, replace bool) []contextstore.Mutation {
	var existing []keys.Key
	if replace {
		existing = make([]keys.Key, len(stored))
		for i, e := range stored {
			existing[i] = e.Key
		}
	}
	ms := make([]contextstore.Mutation, 0, len(decoded)+len(existing))
	// Both lists are sorted by keys.Compare within one frame: walk them
	// together to remove the keys the data does not carry.
	j := 0
	for _, e := range decoded {
		k := e.Key.InFrame(frameID)
		for j < len(existing) && keys.Compare(existing[j], k) < 0 {
			ms = append(ms, contextstore.Remove(existing[j]))
			j++
		}
		if j < len(existing) && existing[j] == k {
			j++
		}
		// The decoded values are made for the store and nothing else: handed
		// over, not copied once more.
		ms = append(ms, contextstore.PutOwned(k, e.Value))
	}
	for ; j < len(existing); j++ {
		ms = append(ms, contextstore.Remove(existing[j]))
	}
	return ms
}
