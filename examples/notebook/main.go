package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/go-gota/gota/dataframe"
	"github.com/go-gota/gota/series"

	ctxarrow "github.com/ctxframe/ctxframe/adapters/arrow"
	"github.com/ctxframe/ctxframe/adapters/framectx"
	ctxgota "github.com/ctxframe/ctxframe/adapters/gota"
	"github.com/ctxframe/ctxframe/adapters/tableschema"
	"github.com/ctxframe/ctxframe/contextstore"
	_ "github.com/ctxframe/ctxframe/contextstore/redisstore" // redis:// URLs for -store
	_ "github.com/ctxframe/ctxframe/contextstore/sqlstore"   // sqlite: and postgres:// URLs for -store
	"github.com/ctxframe/ctxframe/keys"
)

func main() {
	storeURL := flag.String("store", "mem://", "context store URL")
	dataDir := flag.String("data", "", "folder with weather.csv and stations.csv (default: the repository's testdata)")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, *storeURL, *dataDir); err != nil {
		fmt.Fprintln(os.Stderr, "notebook:", err)
		os.Exit(1)
	}
}

// notebook carries what every step needs and turns the first error into the
// walkthrough's error, so the steps read like cells of a notebook.
type notebook struct {
	ctx   context.Context
	out   io.Writer
	store contextstore.Store
	data  string
}

func (nb *notebook) section(title string) { fmt.Fprintf(nb.out, "\n== %s\n", title) }

func (nb *notebook) printf(format string, args ...any) { fmt.Fprintf(nb.out, format, args...) }

// readCSV loads one of the data sets; gota reports a bad file in df.Err.
func (nb *notebook) readCSV(name string) (dataframe.DataFrame, error) {
	f, err := os.Open(filepath.Join(nb.data, name))
	if err != nil {
		return dataframe.DataFrame{}, err
	}
	defer f.Close()
	df := dataframe.ReadCSV(f)
	return df, df.Err
}

// showContext prints a frame's context, one entry a line. Lineage records,
// which operations keep in a reserved field, are shown apart by showLineage.
func (nb *notebook) showContext(entries []contextstore.Entry) error {
	for _, e := range entries {
		user := framectx.UserFields(e.Value)
		if len(user) == 0 {
			continue
		}
		b, err := contextstore.MarshalValue(user)
		if err != nil {
			return err
		}
		nb.printf("  %-26s %s\n", framectx.RefOf(e.Key), b)
	}
	return nil
}

func run(ctx context.Context, out io.Writer, storeURL, dataDir string) error {
	if dataDir == "" {
		var err error
		if dataDir, err = findTestdata(); err != nil {
			return err
		}
	}
	store, err := contextstore.Open(ctx, storeURL)
	if err != nil {
		return err
	}
	defer contextstore.Close(store)
	nb := &notebook{ctx: ctx, out: out, store: store, data: dataDir}
	return nb.walk()
}

func (nb *notebook) walk() error {
	ctx := nb.ctx

	nb.section("1. Load the readings and describe them")
	df, err := nb.readCSV("weather.csv")
	if err != nil {
		return err
	}
	weather, err := ctxgota.New(ctx, nb.store, "weather", df, nil)
	if err != nil {
		return err
	}
	// Clear what an earlier run left in a persistent store.
	if err := weather.DropContext(ctx); err != nil {
		return err
	}
	steps := []struct {
		ref framectx.Ref
		v   contextstore.Value
	}{
		{framectx.FrameRef(), contextstore.Value{"title": "Daily weather, January 2024", "owner": "meteo-team", "license": "CC-BY-4.0"}},
		{framectx.ColumnRef("temp_c"), contextstore.Value{"unit": "degC", "description": "daily mean air temperature at 2 m"}},
		{framectx.ColumnRef("precip_mm"), contextstore.Value{"unit": "mm", "description": "precipitation"}},
		{framectx.ColumnRef("wind_kph"), contextstore.Value{"unit": "km/h"}},
		// Berlin at 58.3 degC in January is a sensor fault: flag the row and the cell.
		{framectx.RowRef(5), contextstore.Value{"flag": "suspicious", "by": "qc-bot"}},
		{framectx.CellRef(5, "temp_c"), contextstore.Value{"quality": "outlier", "expected_range": []float64{-30, 20}}},
	}
	for _, s := range steps {
		if err := weather.Set(ctx, s.ref, s.v); err != nil {
			return err
		}
	}
	nb.printf("%d rows x %d columns; context:\n", df.Nrow(), df.Ncol())
	entries, err := weather.List(ctx)
	if err != nil {
		return err
	}
	if err := nb.showContext(entries); err != nil {
		return err
	}
	err = weather.Set(ctx, framectx.ColumnRef("temperature"), contextstore.Value{"unit": "degC"})
	if !errors.Is(err, keys.ErrNotInFrame) {
		return fmt.Errorf("a context on a missing column must be refused, got %v", err)
	}
	nb.printf("a typo is caught: %v\n", err)

	nb.section("2. Clean and reshape: the annotations follow the data")
	ops := []struct {
		what string
		op   ctxgota.Op
	}{
		{"keep days warmer than 0 degC", ctxgota.Filter(dataframe.F{Colname: "temp_c", Comparator: series.Greater, Comparando: 0.0})},
		{"hottest first", ctxgota.Arrange(dataframe.RevSort("temp_c"))},
		{"rename temp_c to temperature", ctxgota.Rename("temperature", "temp_c")},
		{"drop wind_kph", ctxgota.Drop([]string{"wind_kph"})},
	}
	for _, o := range ops {
		if _, err := weather.Apply(ctx, o.op); err != nil {
			return fmt.Errorf("%s: %w", o.what, err)
		}
		nb.printf("- %s\n", o.what)
	}
	nb.printf("%v", weather.DataFrame().Subset([]int{0, 1, 2}))
	entries, err = weather.List(ctx)
	if err != nil {
		return err
	}
	nb.printf("context now (the outlier moved from row 5 to row 0, wind_kph's is gone):\n")
	if err := nb.showContext(entries); err != nil {
		return err
	}

	nb.section("3. Join station metadata into a new data set")
	sdf, err := nb.readCSV("stations.csv")
	if err != nil {
		return err
	}
	stations, err := ctxgota.New(ctx, nb.store, "stations", sdf, nil)
	if err != nil {
		return err
	}
	if err := stations.DropContext(ctx); err != nil {
		return err
	}
	schema, err := tableschema.Parse([]byte(`{"fields": [
		{"name": "station_id", "title": "Station", "type": "string", "constraints": {"required": true}},
		{"name": "elevation_m", "type": "integer", "description": "height above sea level", "unit": "m"}],
		"primaryKey": "station_id"}`))
	if err != nil {
		return err
	}
	if _, err := stations.ImportTableSchema(ctx, schema, &tableschema.ImportOptions{SkipUnknown: true}); err != nil {
		return err
	}
	report, rep, err := weather.Derive(ctx, "weather_report", ctxgota.InnerJoin(stations, "station_id"))
	if err != nil {
		return err
	}
	nb.printf("%s -> %q with columns %v\n", rep.Op, report.FrameID(), report.DataFrame().Names())
	entries, err = report.List(ctx)
	if err != nil {
		return err
	}
	if err := nb.showContext(entries); err != nil {
		return err
	}
	facet, err := report.Lineage(ctx, "https://github.com/ctxframe/ctxframe/examples/notebook")
	if err != nil {
		return err
	}
	lin, err := json.Marshal(facet.Fields["elevation_m"])
	if err != nil {
		return err
	}
	nb.printf("OpenLineage for elevation_m: %s\n", lin)

	nb.section("4. Hand the report to another service as Arrow IPC")
	rec, err := ctxarrow.FromGota(ctx, report, "weather_report.arrow", nil)
	if err != nil {
		return err
	}
	defer rec.Release()
	var ipcFile bytes.Buffer
	if err := rec.WriteFile(ctx, &ipcFile, nil); err != nil {
		return err
	}
	nb.printf("wrote an IPC file of %d bytes; its context travels inside it\n", ipcFile.Len())

	// The receiving service has a store of its own.
	received := contextstore.NewMemoryStore()
	defer received.Close()
	table, err := ctxarrow.ReadFileTable(ctx, bytes.NewReader(ipcFile.Bytes()), received, nil, nil)
	if err != nil {
		return err
	}
	defer table.Release()
	nb.printf("the receiver reads %d rows of frame %q; its context:\n", table.Arrow().NumRows(), table.FrameID())
	got, err := contextstore.ReadFrame(ctx, received, table.FrameID())
	if err != nil {
		return err
	}
	if err := nb.showContext(got); err != nil {
		return err
	}
	sent, err := rec.ListAll(ctx) // lineage included: all of it must arrive
	if err != nil {
		return err
	}
	nb.printf("every entry arrived: %v\n", sameEntries(sent, got))

	nb.section("5. Clean up: nothing is orphaned")
	for _, f := range []interface{ DropContext(context.Context) error }{weather, stations, report, rec} {
		if err := f.DropContext(ctx); err != nil {
			return err
		}
	}
	left, err := nb.store.ListKeys(ctx)
	if err != nil {
		return err
	}
	nb.printf("entries left in the store: %d\n", len(left))
	return nil
}

// sameEntries compares two frames' entries by frame-relative key and value.
func sameEntries(a, b []contextstore.Entry) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if framectx.RefOf(a[i].Key) != framectx.RefOf(b[i].Key) || !contextstore.Equal(a[i].Value, b[i].Value) {
			return false
		}
	}
	return true
}

// findTestdata looks for the repository's testdata folder from the working
// directory up, so the walkthrough runs from the root or from its own folder.
func findTestdata() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		candidate := filepath.Join(dir, "testdata")
		if _, err := os.Stat(filepath.Join(candidate, "weather.csv")); err == nil {
			return candidate, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no testdata/weather.csv here or above; pass -data")
		}
		dir = parent
	}
}
