package lineage_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/adapters/lineage"
	"github.com/ctxframe/ctxframe/contextstore"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var (
	weather  = framectx.Input{FrameID: "weather", Shape: framectx.Shape{Columns: []string{"station_id", "date", "temp_c", "precip_mm", "wind_kph"}, Rows: 12}}
	stations = framectx.Input{FrameID: "stations", Shape: framectx.Shape{Columns: []string{"station_id", "name", "country", "lat", "lon", "elevation_m"}, Rows: 5}}
)

// enrichChange joins testdata/weather.csv with testdata/stations.csv on
// station_id into a new frame and derives temp_f in the same step.
func enrichChange() framectx.Change {
	joinKey := lineage.Indirect(lineage.SubtypeJoin, "weather.station_id = stations.station_id")
	return framectx.Change{
		Inputs: []framectx.Input{weather, stations},
		Output: "weather_enriched",
		Columns: []framectx.OutputColumn{
			framectx.Merged("station_id", framectx.From(0, "station_id"), framectx.From(1, "station_id")),
			framectx.Carried(0, "date"),
			framectx.Carried(0, "temp_c"),
			framectx.Derived("temp_f", lineage.Direct(lineage.SubtypeTransformation, "temp_c * 9 / 5 + 32"), framectx.From(0, "temp_c")),
			framectx.Carried(0, "precip_mm"),
			framectx.Renamed(1, "name", "station_name"),
			framectx.Carried(1, "country"),
		},
		Operation: "left_join",
		Indirect: []framectx.IndirectSource{
			{Source: framectx.From(0, "station_id"), Transformation: joinKey},
			{Source: framectx.From(1, "station_id"), Transformation: joinKey},
		},
		Namespace: "file://testdata",
	}
}

func TestOpenLineageGolden(t *testing.T) {
	ctx := context.Background()
	s := contextstore.NewMemoryStore()
	b, err := framectx.Bind(s, "weather", nil)
	require.NoError(t, err)
	require.NoError(t, b.Set(ctx, weather.Shape, framectx.ColumnRef("temp_c"), contextstore.Value{"unit": "°C"}))
	if _, err := framectx.Propagate(ctx, s, enrichChange()); err != nil {
		t.Fatal(err)
	}
	out, err := b.Rebind("weather_enriched")
	require.NoError(t, err)
	facet, err := out.Lineage(ctx, "https://github.com/ctxframe/ctxframe/adapters/lineage/golden_test")
	require.NoError(t, err)
	got, err := facet.JSON()
	require.NoError(t, err)
	got = append(got, '\n')
	path := filepath.Join("..", "..", "testdata", "lineage", "weather_enriched.facet.json")
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "%v (run with -update to create it)", err)
	if !bytes.Equal(got, want) {
		t.Errorf("facet differs from %s:\n got %s\nwant %s", path, got, want)
	}
}
