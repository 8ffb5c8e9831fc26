package arrow_test

import (
	"bytes"
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	ctxarrow "github.com/ctxframe/ctxframe/adapters/arrow"
	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/adapters/lineage"
	"github.com/ctxframe/ctxframe/adapters/tableschema"
	"github.com/ctxframe/ctxframe/contextstore"
)

// exampleReadings is a record of four temperature readings.
func exampleReadings(mem memory.Allocator) arrow.Record {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "station", Type: arrow.BinaryTypes.String},
		{Name: "temp", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	b.Field(0).(*array.StringBuilder).AppendValues([]string{"OSL", "BER", "LIS", "MAD"}, nil)
	b.Field(1).(*array.Float64Builder).AppendValues([]float64{-6.2, 2.4, 0, 9.8}, []bool{true, true, false, true})
	return b.NewRecord()
}

// Context follows the rows of a slice: row 2 becomes row 1, row 0 falls
// outside and its context goes with it.
func ExampleRecord_Apply() {
	ctx := context.Background()
	store := contextstore.NewMemoryStore()
	rec := exampleReadings(memory.DefaultAllocator)
	defer rec.Release()

	r, err := ctxarrow.NewRecord(ctx, store, "readings", rec, nil)
	if err != nil {
		panic(err)
	}
	defer r.Release()
	_ = r.Set(ctx, framectx.ColumnRef("temp"), contextstore.Value{"unit": "°C"})
	_ = r.Set(ctx, framectx.RowRef(0), contextstore.Value{"note": "sensor warming up"})
	_ = r.Set(ctx, framectx.CellRef(2, "temp"), contextstore.Value{"missing": "station offline"})

	if _, err := r.Apply(ctx, ctxarrow.Slice(1, 4)); err != nil {
		panic(err)
	}
	fmt.Println("rows:", r.Arrow().NumRows())
	entries, _ := r.List(ctx)
	for _, e := range entries {
		fmt.Println(e.Key.Local(), e.Value)
	}
	// Output:
	// rows: 3
	// c:temp map[unit:°C]
	// x:1:temp map[missing:station offline]
}

// Derive leaves the source alone and records where the new frame's columns
// come from.
func ExampleRecord_Derive() {
	ctx := context.Background()
	store := contextstore.NewMemoryStore()
	rec := exampleReadings(memory.DefaultAllocator)
	defer rec.Release()

	r, err := ctxarrow.NewRecord(ctx, store, "readings", rec, nil)
	if err != nil {
		panic(err)
	}
	defer r.Release()
	_ = r.Set(ctx, framectx.ColumnRef("temp"), contextstore.Value{"unit": "°C"})

	out, _, err := r.Derive(ctx, "readings.v2", ctxarrow.Rename("temp", "temp_c"))
	if err != nil {
		panic(err)
	}
	defer out.Release()
	fmt.Println("source columns:", r.Shape().Columns)
	fmt.Println("derived columns:", out.Shape().Columns)
	v, _ := out.Get(ctx, framectx.ColumnRef("temp_c"))
	fmt.Println("unit:", v["unit"])
	col, _ := lineage.ColumnFromValue(v[lineage.ContextField])
	in := col.InputFields[0]
	fmt.Printf("lineage: %s.%s\n", in.Name, in.Field)
	// Output:
	// source columns: [station temp]
	// derived columns: [station temp_c]
	// unit: °C
	// lineage: readings.temp
}

// Concatenating records merges frame and column context by policy and
// moves the second record's row context past the first record's rows.
func ExampleConcat() {
	ctx := context.Background()
	store := contextstore.NewMemoryStore()
	rec := exampleReadings(memory.DefaultAllocator)
	defer rec.Release()
	jan, _ := ctxarrow.NewRecord(ctx, store, "jan", rec, nil)
	defer jan.Release()
	feb, _ := ctxarrow.NewRecord(ctx, store, "feb", rec, nil)
	defer feb.Release()
	_ = jan.Set(ctx, framectx.FrameRef(), contextstore.Value{"source": "met", "month": "jan"})
	_ = feb.Set(ctx, framectx.FrameRef(), contextstore.Value{"source": "met", "month": "feb"})
	_ = feb.Set(ctx, framectx.RowRef(1), contextstore.Value{"note": "storm"})

	both, _, err := jan.Derive(ctx, "q1", ctxarrow.Concat(feb).WithPolicy(framectx.DropConflicts))
	if err != nil {
		panic(err)
	}
	defer both.Release()
	v, _ := both.Get(ctx, framectx.FrameRef())
	fmt.Println("rows:", both.Arrow().NumRows())
	fmt.Println("source:", v["source"], "month kept:", v["month"] != nil)
	row, _ := both.Get(ctx, framectx.RowRef(5))
	fmt.Println("row 5:", row["note"])
	// Output:
	// rows: 8
	// source: met month kept: false
	// row 5: storm
}

// Several records of one schema make one Table whose rows run on across
// the records: row 5 is the second row of the second record.
func ExampleNewTableFromRecords() {
	ctx := context.Background()
	store := contextstore.NewMemoryStore()
	jan := exampleReadings(memory.DefaultAllocator)
	defer jan.Release()
	feb := exampleReadings(memory.DefaultAllocator)
	defer feb.Release()

	t, err := ctxarrow.NewTableFromRecords(ctx, store, "q1", []arrow.Record{jan, feb}, nil)
	if err != nil {
		panic(err)
	}
	defer t.Release()
	_ = t.Set(ctx, framectx.RowRef(5), contextstore.Value{"note": "storm"})

	// Keep rows 4..7 (the second record): row 5 becomes row 1.
	if _, err := t.Apply(ctx, ctxarrow.Slice(4, 8)); err != nil {
		panic(err)
	}
	row, _ := t.Get(ctx, framectx.RowRef(1))
	fmt.Println("rows:", t.Arrow().NumRows(), "row 1:", row["note"])
	// Output:
	// rows: 4 row 1: storm
}

// Sorting moves each row's context with it: the missing reading (a null)
// goes last and its note follows.
func ExampleSort() {
	ctx := context.Background()
	store := contextstore.NewMemoryStore()
	rec := exampleReadings(memory.DefaultAllocator)
	defer rec.Release()
	r, err := ctxarrow.NewRecord(ctx, store, "readings", rec, nil)
	if err != nil {
		panic(err)
	}
	defer r.Release()
	_ = r.Set(ctx, framectx.CellRef(2, "temp"), contextstore.Value{"missing": "station offline"})
	_ = r.Set(ctx, framectx.RowRef(0), contextstore.Value{"note": "sensor warming up"})

	if _, err := r.Apply(ctx, ctxarrow.Sort(ctxarrow.Desc("temp"))); err != nil {
		panic(err)
	}
	fmt.Println(r.Arrow().Column(0))
	entries, _ := r.List(ctx)
	for _, e := range entries {
		fmt.Println(e.Key.Local(), e.Value)
	}
	// Output:
	// ["MAD" "BER" "OSL" "LIS"]
	// r:2 map[note:sensor warming up]
	// x:3:temp map[missing:station offline]
}

// A Parquet file carries the context; reading only some columns brings
// only their context along.
func ExampleReadParquet() {
	ctx := context.Background()
	src := contextstore.NewMemoryStore()
	rec := exampleReadings(memory.DefaultAllocator)
	defer rec.Release()
	_ = src.Set(ctx, framectx.ColumnRef("temp").Key("readings"), contextstore.Value{"unit": "°C"})
	_ = src.Set(ctx, framectx.ColumnRef("station").Key("readings"), contextstore.Value{"desc": "WMO code"})

	var file bytes.Buffer
	if err := ctxarrow.WriteParquet(ctx, &file, src, "readings", rec.Schema(), []arrow.Record{rec}, nil); err != nil {
		panic(err)
	}
	dst := contextstore.NewMemoryStore()
	res, err := ctxarrow.ReadParquet(ctx, bytes.NewReader(file.Bytes()), dst, &ctxarrow.ParquetReadOptions{Columns: []string{"temp"}})
	if err != nil {
		panic(err)
	}
	defer res.Release()
	fmt.Println(res.FrameID, res.NumRows, res.Schema.Field(0).Name)
	entries, _ := contextstore.ReadFrame(ctx, dst, "readings")
	for _, e := range entries {
		fmt.Println(e.Key.Local(), e.Value)
	}
	// Output:
	// readings 4 temp
	// c:temp map[unit:°C]
}

// Column descriptions from a Frictionless Table Schema land on an Arrow
// record as on a gota frame: package tableschema works on any adapter.
func Example_tableSchema() {
	ctx := context.Background()
	store := contextstore.NewMemoryStore()
	rec := exampleReadings(memory.DefaultAllocator)
	defer rec.Release()
	r, err := ctxarrow.NewRecord(ctx, store, "readings", rec, nil)
	if err != nil {
		panic(err)
	}
	defer r.Release()
	schema, err := tableschema.Parse([]byte(`{"fields": [{"name": "temp", "type": "number", "unit": "degC"}]}`))
	if err != nil {
		panic(err)
	}
	if _, err := tableschema.Import(ctx, r.Binding(), r.Shape(), schema, nil); err != nil {
		panic(err)
	}
	col, _ := r.Get(ctx, framectx.ColumnRef("temp"))
	fmt.Println(col["unit"], col["type"])
	// Output:
	// degC number
}
