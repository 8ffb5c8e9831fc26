package gota

import (
	"context"
	"testing"

	"github.com/go-gota/gota/dataframe"
	"github.com/go-gota/gota/series"
	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// styledContext is weather context with state-bound entries and fields at
// every level beside lasting ones.
func styledContext() ctxMap {
	return ctxMap{
		"f":            framectx.StateBound(v("title", "Daily weather", "rows", int64(12)), "rows"),
		"c:temp_c":     framectx.StateBound(v("unit", "degC", "mean", 10.5), "mean"),
		"c:precip_mm":  framectx.StateBound(v("checked", true)),
		"c:station_id": v("description", "station code"),
		"r:5":          framectx.StateBound(v("valid", false)),
		"r:7":          v("note", "late"),
		"x:5:temp_c":   v("quality", "outlier"),
	}
}

// The propagation table's last row: an operation that changes what a
// state-bound entry describes drops it (or its state-bound fields) and
// says so; lasting context follows the table.
func TestStateBoundContext(t *testing.T) {
	lastingFrame := v("title", "Daily weather")
	lastingTemp := v("unit", "degC")
	base := styledContext()
	for _, c := range []struct {
		name  string
		op    Op
		want  ctxMap
		notes map[keys.Kind]int // state-bound entries dropped, by kind
	}{
		{
			name: "rename changes no data: everything stays",
			op:   Rename("temp_c", "t"),
			want: with(base, ctxMap{"c:temp_c": nil, "x:5:temp_c": nil, "c:t": base["c:temp_c"], "x:5:t": base["x:5:temp_c"]}),
		},
		{
			name:  "filter moves rows: frame and column state go, a row's stays",
			op:    Filter(dataframe.F{Colname: "temp_c", Comparator: series.Greater, Comparando: 0.0}),
			want:  ctxMap{"f": lastingFrame, "c:temp_c": lastingTemp, "c:station_id": base["c:station_id"], "r:2": base["r:5"], "r:4": base["r:7"], "x:2:temp_c": base["x:5:temp_c"]},
			notes: map[keys.Kind]int{keys.KindFrame: 1, keys.KindColumn: 2},
		},
		{
			name:  "replacing a column drops its state and the rows'; other columns keep theirs",
			op:    Mutate(series.New([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, series.Float, "temp_c"), "temp_c"),
			want:  ctxMap{"f": lastingFrame, "c:temp_c": lastingTemp, "c:precip_mm": base["c:precip_mm"], "c:station_id": base["c:station_id"], "r:7": base["r:7"]},
			notes: map[keys.Kind]int{keys.KindFrame: 1, keys.KindColumn: 1, keys.KindRow: 1},
		},
		{
			name: "selecting every column in another order changes nothing",
			op:   Select([]string{"wind_kph", "precip_mm", "temp_c", "date", "station_id"}),
			want: base,
		},
		{
			name:  "dropping a column changes the frame and its rows, not the other columns",
			op:    Drop("wind_kph"),
			want:  ctxMap{"f": lastingFrame, "c:temp_c": base["c:temp_c"], "c:precip_mm": base["c:precip_mm"], "c:station_id": base["c:station_id"], "r:7": base["r:7"], "x:5:temp_c": base["x:5:temp_c"]},
			notes: map[keys.Kind]int{keys.KindFrame: 1, keys.KindRow: 1},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			store := contextstore.NewMemoryStore()
			w := bind(t, store, "weather", loadCSV(t, "weather.csv"), styledContext())
			rep, err := w.Apply(ctx, c.op)
			require.NoError(t, err)
			sameContext(t, userContext(t, store, "weather"), c.want)
			got := map[keys.Kind]int{}
			for _, n := range rep.Notes {
				if n.Reason == "state-bound context describes data the operation changed" {
					got[n.Kind] += n.Count
				}
			}
			if c.notes == nil {
				c.notes = map[keys.Kind]int{}
			}
			require.Equal(t, c.notes, got, "notes %v", rep.Notes)
		})
	}
}

func TestStateBoundMarks(t *testing.T) {
	x := framectx.StateBound(v("a", 1, "b", 2), "a")
	require.True(t, framectx.IsStateBound(x, "a"))
	require.False(t, framectx.IsStateBound(x, "b"))
	require.False(t, framectx.IsStateBound(x, ""), "a field marked is not the whole entry")
	x = framectx.StateBound(x, "b", "a")
	require.Equal(t, []any{"a", "b"}, x[framectx.StateField])
	require.True(t, framectx.IsStateBound(framectx.StateBound(v("a", 1)), ""))
	require.True(t, framectx.IsStateBound(framectx.StateBound(v("a", 1)), "a"))
}
