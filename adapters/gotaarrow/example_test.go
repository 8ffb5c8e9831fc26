package gotaarrow_test

import (
	"context"
	"fmt"
	"os"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/go-gota/gota/dataframe"

	ctxarrow "github.com/ctxframe/ctxframe/adapters/arrow"
	"github.com/ctxframe/ctxframe/adapters/framectx"
	ctxgota "github.com/ctxframe/ctxframe/adapters/gota"
	"github.com/ctxframe/ctxframe/adapters/gotaarrow"
	"github.com/ctxframe/ctxframe/contextstore"
)

// exampleReadings is a record of four temperature readings, the third
// missing.
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

// A gota DataFrame read from CSV becomes an Arrow record with its context,
// cells included, under a new frame ID that records where it came from.
func ExampleToArrow() {
	ctx := context.Background()
	store := contextstore.NewMemoryStore()
	f, err := os.Open("../../testdata/stations.csv")
	if err != nil {
		panic(err)
	}
	defer f.Close()
	df := dataframe.ReadCSV(f)
	g, err := ctxgota.New(ctx, store, "stations", df, nil)
	if err != nil {
		panic(err)
	}
	_ = g.Set(ctx, framectx.ColumnRef("elevation_m"), contextstore.Value{"unit": "m"})
	_ = g.Set(ctx, framectx.CellRef(2, "elevation_m"), contextstore.Value{"source": "survey 2019"})

	r, err := gotaarrow.ToArrow(ctx, g, "stations.arrow", nil)
	if err != nil {
		panic(err)
	}
	defer r.Release()
	fmt.Println(r.Arrow().Schema().Field(5))
	cell, _ := r.Get(ctx, framectx.CellRef(2, "elevation_m"))
	fmt.Println("cell:", cell["source"])
	// Output:
	// elevation_m: type=int64, nullable
	// cell: survey 2019
}

// An Arrow record becomes a gota DataFrame with its context; the Arrow null
// is a gota NA.
func ExampleToGota() {
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

	g, err := gotaarrow.ToGota(ctx, r, "readings.gota", nil)
	if err != nil {
		panic(err)
	}
	df := g.DataFrame()
	fmt.Println(df.Col("temp").Elem(2).IsNA())
	cell, _ := g.Get(ctx, framectx.CellRef(2, "temp"))
	fmt.Println(cell["missing"])
	// Output:
	// true
	// station offline
}
