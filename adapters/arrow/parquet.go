package arrow

import (
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"

	"github.com/ctxframe/ctxframe/adapters/arrow/arrowmeta"
)

// Parquet with context (docs/SPEC.md §5): the same context as IPC, in the
// Arrow schema pqarrow stores in the footer (ARROW:schema: field metadata,
// frame ID and frame context) and in the file's key-value metadata under
// the ctxframe.* keys (everything, for readers that ignore ARROW:schema),
// plus the frame's user fields as PANDAS_ATTRS for pandas' df.attrs.

// Parquet key-value metadata keys beyond those of SPEC §3.
const (
	// ParquetColumnsKey holds every column's context as one JSON object,
	// column name to context object: key-value metadata has no per-column
	// slot.
	ParquetColumnsKey = arrowmeta.Namespace + "columns"

	// PandasAttrsKey is where pandas (≥ 2.1, pyarrow engine) keeps
	// DataFrame.attrs: a JSON object.
	PandasAttrsKey = "PANDAS_ATTRS"
)

// Defaults of the Parquet read limits.
const (
	// DefaultMaxFooterBytes bounds a Parquet footer (its thrift metadata).
	DefaultMaxFooterBytes = 64 << 20
)

// ParquetWriteOptions tunes WriteParquet and NewParquetWriter. A nil
// *ParquetWriteOptions means the defaults.
type ParquetWriteOptions struct {
	// Allocator is used by the Parquet writer; nil means
	// memory.DefaultAllocator.
	Allocator memory.Allocator
	// Limits refuses (arrowmeta.ErrTooLarge) context that a reader with the
	// same limits would refuse. The zero value is the defaults.
	Limits arrowmeta.Limits
	// Properties are the Parquet writer properties (compression, page and
	// row group sizes, ...); nil means parquet.NewWriterProperties() with
	// Snappy compression.
	Properties *parquet.WriterProperties
	// NoPandasAttrs leaves out PANDAS_ATTRS (the frame's user fields, which
	// pandas reads into df.attrs).
	NoPandasAttrs bool
}

// ParquetReadOptions tunes ReadParquet. A nil *ParquetReadOptions means the
// defaults.
type ParquetReadOptions struct {
	// FrameID, Limits, Allocator and Merge are as in ReadOptions. A file
	// with no ctxframe context but a PANDAS_ATTRS object restores it as
	// frame context, under FrameID (nothing is restored without one).
	FrameID   string
	Limits    arrowmeta.Limits
	Allocator memory.Allocator
	Merge     bool

	// MaxFooterBytes bounds the footer (0: DefaultMaxFooterBytes);
	// MaxDataBytes bounds everything the reader allocates for the data
	// (0: twice the file's size, at least 64 MiB). Both are checked before
	// anything is allocated for them: a larger claim fails with
	// ErrCorruptParquet and arrowmeta.ErrTooLarge.
	MaxFooterBytes int64
	MaxDataBytes   int64

	// Columns, when not nil, reads only these top-level columns, in this
	// order, with their column and cell context (frame and row context are
	// kept). An unknown name is ErrInvalidArgument.
	Columns []string

	// BatchSize is the most rows per record read; 0 means a row group's
	// rows, up to 64Ki.
	BatchSize int64
}

func (o *ParquetWriteOptions) allocator() memory.Allocator {
	if o == nil || o.Allocator == nil {
		return memory.DefaultAllocator
	}
	return o.Allocator
}

func (o *ParquetReadOptions) allocator() memory.Allocator {
	if o == nil || o.Allocator == nil {
		return memory.DefaultAllocator
	}
	return o.Allocator
}
