package arrow

import (
	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/ctxframe/ctxframe/contextstore"

	"github.com/ctxframe/ctxframe/adapters/arrow/arrowmeta"
)

// Arrow IPC with context: the stream and file formats carry the frame's
// context in their schema, encoded by package arrowmeta (docs/SPEC.md), so
// any Arrow reader receives it with the data. Row positions in the context
// are global: row 0 is the first row of the first record batch, and the rows
// of later batches follow on. The functions here work on plain schemas and
// records so the frame types can wrap them.

// WriteOptions tunes WriteStream, WriteFile, NewStreamWriter and
// NewFileWriter. A nil *WriteOptions means the defaults.
type WriteOptions struct {
	// Allocator is used by the IPC writer; nil means memory.DefaultAllocator.
	Allocator memory.Allocator
	// Limits refuses (arrowmeta.ErrTooLarge) context that a reader with the
	// same limits would refuse. The zero value is the defaults.
	Limits arrowmeta.Limits
	// IPCOptions are passed to the arrow/go IPC writer after the schema and
	// allocator, e.g. ipc.WithZstd().
	IPCOptions []ipc.Option
}

// ReadOptions tunes ReadStream and ReadFile. A nil *ReadOptions means the
// defaults.
type ReadOptions struct {
	// FrameID, when not empty, is the frame the context is restored under,
	// instead of the one recorded in the data.
	FrameID string
	// Limits bounds the context accepted from the data; the zero value is
	// arrowmeta's defaults (64 MiB, 4Mi entries).
	Limits arrowmeta.Limits
	// Allocator receives the records' memory; nil means
	// memory.DefaultAllocator.
	Allocator memory.Allocator
	// MaxMessageBytes bounds one message's metadata (and a file's
	// footer); 0 means DefaultMaxMessageBytes. MaxDataBytes bounds a
	// stream's messages together; 0 means DefaultMaxDataBytes (a file is
	// bounded by its own size). Both are checked on the framing before
	// arrow allocates anything: a larger claim fails with ErrCorruptIPC and
	// arrowmeta.ErrTooLarge, a claim the input does not hold with
	// ErrCorruptIPC.
	MaxMessageBytes int64
	MaxDataBytes    int64
	// SchemaOnly accepts a stream that ends right after its schema with no
	// end-of-stream marker; by default that is ErrCorruptIPC, as it is what
	// a stream cut short looks like. (A stream with an end-of-stream marker
	// and no batches is always accepted.)
	SchemaOnly bool
	// Merge keeps the frame's entries already in the store that the data
	// does not carry. By default reading replaces the frame's context, so
	// afterwards the store holds exactly the context the data carried.
	Merge bool
}

// ReadResult is what ReadStream and ReadFile return. The caller owns the
// records and must Release them, one by one or with ReadResult.Release.
type ReadResult struct {
	// FrameID is the frame the context was restored under: ReadOptions.FrameID
	// or the one recorded in the data; "" when the data carried no context
	// and no frame was named, in which case the store was not touched.
	FrameID string
	// Schema is the data's schema with user metadata only.
	Schema *arrow.Schema
	// Records are the record batches in order, each with Schema.
	Records []arrow.Record
	// NumRows is the total number of rows over all records.
	NumRows int64
	// Entries is the number of context entries restored.
	Entries int
	// State is the frame's state right after the restore wrote it (zero
	// when nothing was restored): its Epoch is the layout epoch the records
	// and the restored context share.
	State contextstore.FrameState
}

// Release releases every record of r and forgets them. It is safe to call
// more than once.
func (r *ReadResult) Release() {
	for _, rec := range r.Records {
		rec.Release()
	}
	r.Records = nil
}

func (o *WriteOptions) allocator() memory.Allocator {
	if o == nil || o.Allocator == nil {
		return memory.DefaultAllocator
	}
	return o.Allocator
}

func (o *ReadOptions) allocator() memory.Allocator {
	if o == nil || o.Allocator == nil {
		return memory.DefaultAllocator
	}
	return o.Allocator
}
