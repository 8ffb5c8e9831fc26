package arrow_test

import (
	"bytes"
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	ctxarrow "github.com/ctxframe/ctxframe/adapters/arrow"
	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// exampleIPCRecord is a two-row record of temperatures.
func exampleIPCRecord() arrow.Record {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "city", Type: arrow.BinaryTypes.String},
		{Name: "temp", Type: arrow.PrimitiveTypes.Float64},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	b.Field(0).(*array.StringBuilder).AppendValues([]string{"Oslo", "Lima"}, nil)
	b.Field(1).(*array.Float64Builder).AppendValues([]float64{3.5, 18.25}, nil)
	return b.NewRecord()
}

// A producer writes a record and its context as one IPC stream; a consumer
// reads the stream and finds the context in its own store.
func ExampleWriteStream() {
	ctx := context.Background()
	producer := contextstore.NewMemoryStore()
	_ = producer.Set(ctx, keys.Frame("readings"), contextstore.Value{"source": "station net"})
	_ = producer.Set(ctx, keys.Column("readings", "temp"), contextstore.Value{"unit": "°C"})
	_ = producer.Set(ctx, keys.Cell("readings", 1, "temp"), contextstore.Value{"note": "estimated"})

	rec := exampleIPCRecord()
	defer rec.Release()
	var stream bytes.Buffer
	if err := ctxarrow.WriteStream(ctx, &stream, producer, "readings", rec.Schema(), []arrow.Record{rec}, nil); err != nil {
		fmt.Println(err)
		return
	}

	consumer := contextstore.NewMemoryStore()
	res, err := ctxarrow.ReadStream(ctx, &stream, consumer, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer res.Release()
	fmt.Println("frame:", res.FrameID, "rows:", res.NumRows)
	entries, _ := contextstore.ReadFrame(ctx, consumer, res.FrameID)
	for _, e := range entries {
		fmt.Println(e.Key.Local(), e.Value)
	}
	// Output:
	// frame: readings rows: 2
	// f map[source:station net]
	// c:temp map[unit:°C]
	// x:1:temp map[note:estimated]
}

// Reading can restore the context under another frame ID, here to keep a
// received copy apart from the original.
func ExampleReadFile() {
	ctx := context.Background()
	store := contextstore.NewMemoryStore()
	_ = store.Set(ctx, keys.Row("readings", 0), contextstore.Value{"checked": true})

	rec := exampleIPCRecord()
	defer rec.Release()
	var file bytes.Buffer
	if err := ctxarrow.WriteFile(ctx, &file, store, "readings", rec.Schema(), []arrow.Record{rec}, nil); err != nil {
		fmt.Println(err)
		return
	}
	res, err := ctxarrow.ReadFile(ctx, bytes.NewReader(file.Bytes()), store, &ctxarrow.ReadOptions{FrameID: "readings-copy"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer res.Release()
	v, _ := store.Get(ctx, keys.Row("readings-copy", 0))
	fmt.Println(res.FrameID, v)
	// Output:
	// readings-copy map[checked:true]
}

// A Writer takes the context once, then record batches one at a time; row
// positions in the context count across batches.
func ExampleNewStreamWriter() {
	ctx := context.Background()
	store := contextstore.NewMemoryStore()
	_ = store.Set(ctx, keys.Row("live", 3), contextstore.Value{"flag": "late"})

	rec := exampleIPCRecord()
	defer rec.Release()
	var stream bytes.Buffer
	w, err := ctxarrow.NewStreamWriter(ctx, &stream, store, "live", rec.Schema(), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for range 2 { // rows 0-1, then rows 2-3
		if err := w.Write(rec); err != nil {
			fmt.Println(err)
			return
		}
	}
	if err := w.Close(); err != nil {
		fmt.Println(err)
		return
	}
	res, err := ctxarrow.ReadStream(ctx, &stream, contextstore.NewMemoryStore(), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer res.Release()
	fmt.Println(len(res.Records), "batches,", res.NumRows, "rows,", res.Entries, "entry")
	// Output:
	// 2 batches, 4 rows, 1 entry
}
