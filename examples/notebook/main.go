// Code generated from walkthrough.ipynb by TestNotebook; DO NOT EDIT.

package main

import (
	"bytes"
	"context"
	"fmt"
	ctxarrow "github.com/ctxframe/ctxframe/adapters/arrow"
	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/adapters/gota"
	"github.com/ctxframe/ctxframe/adapters/gotaarrow"
	"github.com/ctxframe/ctxframe/contextstore"
	_ "github.com/ctxframe/ctxframe/contextstore/redisstore"
	_ "github.com/ctxframe/ctxframe/contextstore/sqlstore"
	"github.com/go-gota/gota/dataframe"
	"github.com/go-gota/gota/series"
	"os"
)

// must stops the cell at the first error.
func must(err error) {
	if err != nil {
		panic(err)
	}
}

// openStore opens the store the context lives in: $CTXFRAME_STORE, or the
// embedded SQLite file notebook.db.
func openStore(ctx context.Context) contextstore.Store {
	url := os.Getenv("CTXFRAME_STORE")
	if url == "" {
		url = "sqlite:notebook.db"
	}
	store, err := contextstore.Open(ctx, url)
	must(err)
	return store
}

// readings binds the weather readings to frame "weather" in store.
func readings(ctx context.Context, store contextstore.Store) *gota.Frame {
	name := "testdata/weather-noaa.csv"
	if _, err := os.Stat(name); err != nil {
		name = "../../" + name // run from examples/notebook
	}
	f, err := os.Open(name)
	must(err)
	defer f.Close()
	w, err := gota.ReadCSV(ctx, store, "weather", f, nil)
	must(err)
	return w
}

// show prints a frame's first rows and its context.
func show(ctx context.Context, f *gota.Frame, rows int) {
	df := f.DataFrame()
	if df.Nrow() > rows {
		idx := make([]int, rows)
		for i := range idx {
			idx[i] = i
		}
		df = df.Subset(idx)
	}
	fmt.Printf("%s: %d rows x %d columns\n%v", f.FrameID(), f.DataFrame().Nrow(), f.DataFrame().Ncol(), df)
	entries, err := f.List(ctx)
	must(err)
	fmt.Printf("context (%d entries):\n", len(entries))
	must(framectx.WriteContext(os.Stdout, entries))
}

// readingsByCity is the aggregation of step 3 again: each cell runs on its
// own, so a later cell recomputes the data it needs (its context is in the
// store already).
func readingsByCity(ctx context.Context, store contextstore.Store) dataframe.DataFrame {
	w := readings(ctx, store)
	out, _, err := w.Derive(ctx, "by_city", gota.GroupBy("location").Aggregation(
		[]dataframe.AggregationType{dataframe.Aggregation_MEAN, dataframe.Aggregation_MAX, dataframe.Aggregation_COUNT},
		[]string{"temp_max", "precipitation", "precipitation"}))
	must(err)
	return out.DataFrame()
}

// main runs the notebook's cells in order, as GoNB runs them one by one.
func main() {
	cells := []func(){cell1, cell2, cell3, cell4, cell5, cell6}
	for i, cell := range cells {
		if os.Getenv("CTXFRAME_NOTEBOOK_CELLS") != "" {
			fmt.Printf("%s%d\n", "\x1ectxframe-cell ", i)
		}
		cell()
	}
}

// cell1 is code cell 1 of the notebook.
func cell1() {

	ctx := context.Background()
	store := openStore(ctx)
	defer contextstore.Close(store)
	w := readings(ctx, store)

	must(w.Set(ctx, framectx.FrameRef(), framectx.StateBound(contextstore.Value{
		"title": "Daily weather, Seattle and New York, 2012-2015", "source": "NOAA via vega-datasets",
		"rows": w.DataFrame().Nrow()}, "rows")))
	must(w.Set(ctx, framectx.ColumnRef("precipitation"), contextstore.Value{"unit": "mm", "description": "daily total", "owner": "hydrology"}))
	must(w.Set(ctx, framectx.ColumnRef("temp_max"), contextstore.Value{"unit": "degC", "description": "daily maximum", "owner": "climate"}))
	must(w.Set(ctx, framectx.ColumnRef("temp_min"), contextstore.Value{"unit": "degC", "description": "daily minimum", "owner": "climate"}))
	must(w.Set(ctx, framectx.ColumnRef("wind"), contextstore.Value{"unit": "m/s", "description": "mean wind speed", "owner": "climate"}))

	// The wettest day on record gets a cell flag, the hottest a row flag.
	rain, heat := w.DataFrame().Col("precipitation").Float(), w.DataFrame().Col("temp_max").Float()
	wettest, hottest := 0, 0
	for i := range rain {
		if rain[i] > rain[wettest] {
			wettest = i
		}
		if heat[i] > heat[hottest] {
			hottest = i
		}
	}
	must(w.Set(ctx, framectx.CellRef(wettest, "precipitation"), contextstore.Value{"quality": "check the gauge"}))
	must(w.Set(ctx, framectx.RowRef(hottest), contextstore.Value{"note": "hottest day in the data"}))

	// A typo is caught when it is written, not when the data is next used.
	fmt.Println("a typo:", w.Set(ctx, framectx.ColumnRef("temperature"), contextstore.Value{"unit": "degC"}))
	show(ctx, w, 3)
}

// cell2 is code cell 2 of the notebook.
func cell2() {

	ctx := context.Background()
	store := openStore(ctx)
	defer contextstore.Close(store)
	w := readings(ctx, store)

	ny, rep, err := w.Derive(ctx, "new_york", gota.Filter(dataframe.F{Colname: "location", Comparator: series.Eq, Comparando: "New York"}))
	must(err)
	for _, n := range rep.Notes {
		fmt.Println("note:", n)
	}
	hot, _, err := ny.Derive(ctx, "new_york_hottest", gota.Arrange(dataframe.RevSort("temp_max")))
	must(err)
	_, err = hot.Apply(ctx, gota.Rename("temp_max", "tmax_c"))
	must(err)
	show(ctx, hot, 3)
}

// cell3 is code cell 3 of the notebook.
func cell3() {

	ctx := context.Background()
	store := openStore(ctx)
	defer contextstore.Close(store)
	w := readings(ctx, store)

	cities, rep, err := w.Derive(ctx, "by_city", gota.GroupBy("location").Aggregation(
		[]dataframe.AggregationType{dataframe.Aggregation_MEAN, dataframe.Aggregation_MAX, dataframe.Aggregation_COUNT},
		[]string{"temp_max", "precipitation", "precipitation"}))
	must(err)
	for _, n := range rep.Notes {
		fmt.Println("note:", n)
	}
	show(ctx, cities, 2)
}

// cell4 is code cell 4 of the notebook.
func cell4() {

	ctx := context.Background()
	store := openStore(ctx)
	defer contextstore.Close(store)
	cities, err := gota.New(ctx, store, "by_city", readingsByCity(ctx, store), nil)
	must(err)

	stations, err := gota.New(ctx, store, "stations", dataframe.LoadRecords([][]string{
		{"location", "station", "elevation_m"},
		{"New York", "USW00094728", "42"},
		{"Seattle", "USW00024233", "112"},
	}), nil)
	must(err)
	must(stations.Set(ctx, framectx.ColumnRef("station"), contextstore.Value{"description": "GHCN-Daily station ID"}))
	must(stations.Set(ctx, framectx.ColumnRef("elevation_m"), contextstore.Value{"unit": "m"}))

	report, _, err := cities.Derive(ctx, "city_report", gota.InnerJoin(stations, "location"))
	must(err)
	meanC := report.DataFrame().Col("temp_max_MEAN").Float()
	meanF := make([]float64, len(meanC))
	for i, c := range meanC {
		meanF[i] = c*9/5 + 32
	}
	_, err = report.Apply(ctx, gota.Mutate(series.New(meanF, series.Float, "temp_max_MEAN_F"), "temp_max_MEAN").
		WithDescription("temp_max_MEAN * 9/5 + 32"))
	must(err)
	show(ctx, report, 2)

	facet, err := report.Lineage(ctx, "")
	must(err)
	for _, name := range []string{"temp_max_MEAN", "temp_max_MEAN_F"} {
		for _, in := range facet.Fields[name].InputFields {
			fmt.Printf("lineage: %s <- %s.%s (%s %s)\n", name, in.Name, in.Field, in.Transformations[0].Type, in.Transformations[0].Subtype)
		}
	}
}

// cell5 is code cell 5 of the notebook.
func cell5() {

	ctx := context.Background()
	store := openStore(ctx)
	defer contextstore.Close(store)
	w := readings(ctx, store)
	rec, err := gotaarrow.ToArrow(ctx, w, "weather", nil)
	must(err)
	defer rec.Release()
	sent, err := rec.ListAll(ctx)
	must(err)

	var ipcFile, parquetFile bytes.Buffer
	must(rec.WriteFile(ctx, &ipcFile, nil))
	must(rec.WriteParquet(ctx, &parquetFile, nil))
	for _, file := range []struct {
		name string
		read func(contextstore.Store) (*ctxarrow.Table, error)
	}{
		{"Arrow IPC", func(s contextstore.Store) (*ctxarrow.Table, error) {
			return ctxarrow.ReadFileTable(ctx, bytes.NewReader(ipcFile.Bytes()), s, nil, nil)
		}},
		{"Parquet", func(s contextstore.Store) (*ctxarrow.Table, error) {
			return ctxarrow.ReadParquetTable(ctx, bytes.NewReader(parquetFile.Bytes()), s, nil, nil)
		}},
	} {
		receiver := contextstore.NewMemoryStore()
		table, err := file.read(receiver)
		must(err)
		got, err := contextstore.ReadFrame(ctx, receiver, table.FrameID())
		must(err)
		same := len(got) == len(sent)
		for i := range got {
			same = same && got[i].Key == sent[i].Key && contextstore.Equal(got[i].Value, sent[i].Value)
		}
		fmt.Printf("%s: %d rows, %d context entries, every one as sent: %v\n", file.name, table.Arrow().NumRows(), len(got), same)
		table.Release()
	}
}

// cell6 is code cell 6 of the notebook.
func cell6() {

	ctx := context.Background()
	store := openStore(ctx)
	defer contextstore.Close(store)
	frames, err := contextstore.ListFrames(ctx, store)
	must(err)
	for _, f := range frames {
		entries, err := contextstore.ReadFrame(ctx, store, f)
		must(err)
		fmt.Printf("%-18s %d entries\n", f, len(entries))
	}
}
