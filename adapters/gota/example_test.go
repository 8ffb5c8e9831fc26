package gota_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"os"
	"slices"

	"github.com/go-gota/gota/dataframe"
	"github.com/go-gota/gota/series"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/adapters/gota"
	"github.com/ctxframe/ctxframe/adapters/tableschema"
	"github.com/ctxframe/ctxframe/contextstore"
)

// readCSV loads one of the repository's test data sets.
func readCSV(name string) dataframe.DataFrame {
	f, err := os.Open("../../testdata/" + name)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	return dataframe.ReadCSV(f)
}

// printContext prints a frame's context, one entry a line, leaving out
// the lineage records operations keep.
func printContext(ctx context.Context, f *gota.Frame) {
	entries, err := f.List(ctx)
	if err != nil {
		log.Fatal(err)
	}
	must(framectx.WriteContext(os.Stdout, entries))
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

// A data scientist describes the columns of a weather data set, flags a
// suspicious reading, then filters, sorts and renames: the annotations
// follow the data.
func Example() {
	ctx := context.Background()
	store := contextstore.NewMemoryStore()
	weather, err := gota.New(ctx, store, "weather", readCSV("weather.csv"), nil)
	must(err)

	// Describe the columns.
	must(weather.Set(ctx, framectx.ColumnRef("temp_c"), contextstore.Value{"unit": "degC", "description": "daily mean air temperature"}))
	must(weather.Set(ctx, framectx.ColumnRef("precip_mm"), contextstore.Value{"unit": "mm"}))
	// Row 5 reads 58.3 degC in Berlin in January: flag it.
	must(weather.Set(ctx, framectx.RowRef(5), contextstore.Value{"flag": "suspicious"}))
	must(weather.Set(ctx, framectx.CellRef(5, "temp_c"), contextstore.Value{"quality": "outlier"}))
	// An unknown column is a key error, not a silent typo.
	err = weather.Set(ctx, framectx.ColumnRef("temp"), contextstore.Value{"unit": "degC"})
	fmt.Println(err)

	// Keep the warm days, hottest first, and give the column a clearer name.
	_, err = weather.Apply(ctx, gota.Filter(dataframe.F{Colname: "temp_c", Comparator: series.Greater, Comparando: 10.0}))
	must(err)
	_, err = weather.Apply(ctx, gota.Arrange(dataframe.RevSort("temp_c")))
	must(err)
	_, err = weather.Apply(ctx, gota.Rename("temp_c", "temperature"))
	must(err)

	fmt.Println(weather.DataFrame().Select([]string{"station_id", "date", "temperature"}))
	printContext(ctx, weather)
	// Output:
	// keys: not in frame "column \"temp\"": the frame has no such column
	// [6x3] DataFrame
	//
	//     station_id date       temperature
	//  0: BER        2024-01-03 58.300000
	//  1: LIS        2024-01-02 14.500000
	//  2: LIS        2024-01-01 13.800000
	//  3: LIS        2024-01-03 12.900000
	//  4: MAD        2024-01-02 11.200000
	//  5: MAD        2024-01-03 10.400000
	//     <string>   <string>   <float>
	//
	// column "precip_mm"       {"unit":"mm"}
	// column "temperature"     {"description":"daily mean air temperature","unit":"degC"}
	// row 0                    {"flag":"suspicious"}
	// cell (0, "temperature")  {"quality":"outlier"}
}

// An ETL step joins readings with station metadata into a new data set:
// the readings keep their context, the station columns bring theirs, and
// the output records where every column came from.
func ExampleFrame_Derive() {
	ctx := context.Background()
	store := contextstore.NewMemoryStore()
	weather, err := gota.New(ctx, store, "weather", readCSV("weather.csv"), nil)
	must(err)
	stations, err := gota.New(ctx, store, "stations", readCSV("stations.csv"), nil)
	must(err)
	must(weather.Set(ctx, framectx.CellRef(5, "temp_c"), contextstore.Value{"quality": "outlier"}))
	must(stations.Set(ctx, framectx.ColumnRef("elevation_m"), contextstore.Value{"unit": "m"}))

	readings, _, err := weather.Derive(ctx, "readings", gota.Select([]string{"station_id", "date", "temp_c"}))
	must(err)
	report, rep, err := readings.Derive(ctx, "report", gota.InnerJoin(stations, "station_id"))
	must(err)
	fmt.Println(rep.Op, report.DataFrame().Names())
	printContext(ctx, report)

	facet, err := report.Lineage(ctx, "")
	must(err)
	b, err := json.Marshal(facet.Fields["elevation_m"])
	must(err)
	fmt.Println(string(b))
	// Output:
	// inner_join [station_id date temp_c name country lat lon elevation_m]
	// column "elevation_m"     {"unit":"m"}
	// cell (5, "temp_c")       {"quality":"outlier"}
	// {"inputFields":[{"namespace":"ctxframe","name":"stations","field":"elevation_m","transformations":[{"type":"DIRECT","subtype":"IDENTITY","description":"inner_join","masking":false}]}]}
}

// Operations that combine frames merge their frame and column context by
// a policy: drop_conflicts keeps what the inputs agree on.
func ExampleOp_WithPolicy() {
	ctx := context.Background()
	store := contextstore.NewMemoryStore()
	weather := readCSV("weather.csv")
	jan, err := gota.New(ctx, store, "jan", weather.Subset([]int{0, 1}), nil)
	must(err)
	feb, err := gota.New(ctx, store, "feb", weather.Subset([]int{2}), nil)
	must(err)
	must(jan.Set(ctx, framectx.ColumnRef("temp_c"), contextstore.Value{"unit": "degC", "sensor": "v1"}))
	must(feb.Set(ctx, framectx.ColumnRef("temp_c"), contextstore.Value{"unit": "degC", "sensor": "v2"}))
	must(feb.Set(ctx, framectx.RowRef(0), contextstore.Value{"flag": "late"}))

	_, err = jan.Apply(ctx, gota.RBind(feb).WithPolicy(framectx.DropConflicts))
	must(err)
	printContext(ctx, jan)

	_, err = jan.Apply(ctx, gota.RBind(feb).WithPolicy(framectx.Identical))
	fmt.Println(err)
	// Output:
	// column "temp_c"          {"unit":"degC"}
	// row 2                    {"flag":"late"}
	// framectx: merge conflict under policy identical at ctx1:{jan}c:temp_c: field "sensor" differs between inputs 0 and 1
}

// Column descriptions can come from a Frictionless Table Schema and go
// back to one (package tableschema does it for any adapter's frame).
func Example_tableSchema() {
	ctx := context.Background()
	store := contextstore.NewMemoryStore()
	stations, err := gota.New(ctx, store, "stations", readCSV("stations.csv"), nil)
	must(err)
	schema, err := tableschema.Parse([]byte(`{
		"fields": [
			{"name": "station_id", "title": "Station", "type": "string", "constraints": {"required": true}},
			{"name": "elevation_m", "type": "integer", "description": "height above sea level", "unit": "m"}
		],
		"primaryKey": "station_id"
	}`))
	must(err)
	_, err = tableschema.Import(ctx, stations.Binding(), stations.Shape(), schema, nil)
	must(err)
	printContext(ctx, stations)

	_, err = stations.Apply(ctx, gota.Rename("elevation_m", "elevation"))
	must(err)
	out, err := tableschema.Export(ctx, stations.Binding(), stations.Shape())
	must(err)
	f, _ := out.Field("elevation")
	fmt.Println(f.Name, f.Type, f.Description, f.Custom["unit"])
	// Output:
	// frame                    {"primaryKey":["station_id"]}
	// column "elevation_m"     {"description":"height above sea level","type":"integer","unit":"m"}
	// column "station_id"      {"constraints":{"required":true},"title":"Station","type":"string"}
	// elevation integer height above sea level m
}

// Two processes share a frame (two Frames on one store stand for them
// here): the owner sorts it, the annotator's positional write goes stale
// instead of labelling the wrong row, and after re-binding to the owner's
// data it lands where it was meant.
func ExampleFrame_RebindAt() {
	ctx := context.Background()
	store := contextstore.NewMemoryStore()
	df := dataframe.LoadRecords([][]string{{"station", "temp_c"}, {"OSL", "-3.5"}, {"BER", "4.4"}, {"MAD", "12.1"}})
	owner, err := gota.New(ctx, store, "weather", df, nil)
	if err != nil {
		log.Fatal(err)
	}
	annotator, err := gota.New(ctx, store, "weather", df, nil)
	if err != nil {
		log.Fatal(err)
	}

	if _, err := owner.Apply(ctx, gota.Arrange(dataframe.RevSort("temp_c"))); err != nil {
		log.Fatal(err)
	}
	err = annotator.Merge(ctx, framectx.RowRef(0), contextstore.Value{"checked": "OSL"})
	fmt.Println("stale:", errors.Is(err, framectx.ErrStale))

	// The owner publishes its data and epoch; the annotator re-binds to them.
	if err := annotator.RebindAt(ctx, owner.DataFrame(), owner.Epoch()); err != nil {
		log.Fatal(err)
	}
	row := slices.Index(annotator.DataFrame().Col("station").Records(), "OSL")
	if err := annotator.Merge(ctx, framectx.RowRef(row), contextstore.Value{"checked": "OSL"}); err != nil {
		log.Fatal(err)
	}
	v, _ := owner.Get(ctx, framectx.RowRef(row))
	fmt.Println("row", row, "is", owner.DataFrame().Col("station").Records()[row], v)
	// Output:
	// stale: true
	// row 2 is OSL map[checked:OSL]
}

// Daily readings become station means: the unit survives the MEAN, the
// count gets lineage only, and a state-bound row count is dropped because
// the rows changed.
func ExampleGrouping_Aggregation() {
	ctx := context.Background()
	store := contextstore.NewMemoryStore()
	w, err := gota.New(ctx, store, "weather", readCSV("weather.csv"), nil)
	must(err)
	must(w.Set(ctx, framectx.FrameRef(), framectx.StateBound(contextstore.Value{"source": "synthetic", "rows": 12}, "rows")))
	must(w.Set(ctx, framectx.ColumnRef("temp_c"), contextstore.Value{"unit": "degC"}))

	rep, err := w.Apply(ctx, gota.GroupBy("station_id").Aggregation(
		[]dataframe.AggregationType{dataframe.Aggregation_MEAN, dataframe.Aggregation_COUNT},
		[]string{"temp_c", "temp_c"}))
	must(err)
	fmt.Println(w.DataFrame().Col("station_id").Records())
	printContext(ctx, w)
	for _, n := range rep.Notes {
		fmt.Println(n)
	}
	// Output:
	// [BER LIS MAD OSL]
	// frame                    {"source":"synthetic"}
	// column "temp_c_MEAN"     {"unit":"degC"}
	// input 0: 1 frame entries dropped: state-bound context describes data the operation changed
}

// ReadCSV reads and binds in one call; Print shows data and context.
func ExampleReadCSV() {
	ctx := context.Background()
	store := contextstore.NewMemoryStore()
	f, err := os.Open("../../testdata/stations.csv")
	must(err)
	defer f.Close()
	stations, err := gota.ReadCSV(ctx, store, "stations", f, nil)
	must(err)
	must(stations.Set(ctx, framectx.ColumnRef("elevation_m"), contextstore.Value{"unit": "m"}))
	_, err = stations.Apply(ctx, gota.Select([]string{"station_id", "elevation_m"}))
	must(err)
	must(stations.Print(ctx, os.Stdout))
	// Output:
	// [5x2] DataFrame
	//
	//     station_id elevation_m
	//  0: BER        48
	//  1: LIS        77
	//  2: MAD        667
	//  3: OSL        94
	//  4: ZRH        556
	//     <string>   <int>
	//
	// context of "stations" (1 entries):
	// column "elevation_m"     {"unit":"m"}
}
