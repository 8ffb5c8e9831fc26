package gota

import (
	"context"
	"testing"

	"github.com/go-gota/gota/dataframe"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// A group whose rows all carry the same row context passes it to the
// group's row; a group whose rows disagree passes nothing.
func TestGroupByKeepsRowContextSharedByAGroup(t *testing.T) {
	ctx := context.Background()
	store := contextstore.NewMemoryStore()
	w := bind(t, store, "weather", loadCSV(t, "weather.csv"), ctxMap{
		"c:temp_c": v("unit", "degC"),
		// BER (rows 3-5) all central; OSL (rows 0-2) disagree; MAD has
		// one row only flagged.
		"r:3": v("region", "central"), "r:4": v("region", "central"), "r:5": v("region", "central"),
		"r:0": v("region", "north"), "r:1": v("region", "north"), "r:2": v("region", "far north"),
		"r:7":        v("flag", "late"),
		"x:5:temp_c": v("quality", "outlier"),
	})
	rep, err := w.Apply(ctx, GroupBy("station_id").Aggregation(
		[]dataframe.AggregationType{dataframe.Aggregation_MEAN}, []string{"temp_c"}))
	require.NoError(t, err)
	// Groups come sorted by key: BER, LIS, MAD, OSL.
	assert.Equal(t, []string{"BER", "LIS", "MAD", "OSL"}, w.DataFrame().Col("station_id").Records())
	got := userContext(t, store, "weather")
	sameContext(t, got, ctxMap{
		"c:temp_c_MEAN": v("unit", "degC"),
		"r:0":           v("region", "central"),
	})
	require.Len(t, rep.Notes, 2)
	for _, n := range rep.Notes {
		switch n.Kind {
		case keys.KindRow:
			assert.Equal(t, 4, n.Count, "OSL's three rows and MAD's one flagged row: %v", n)
		case keys.KindCell:
			assert.Equal(t, 1, n.Count, "%v", n)
		default:
			t.Errorf("unexpected note %v", n)
		}
	}
	// The aggregated column records where it comes from.
	col, err := w.Get(ctx, framectx.ColumnRef("temp_c_MEAN"))
	require.NoError(t, err)
	lin, ok := col[framectx.LineageField].(map[string]any)
	require.True(t, ok, "lineage of temp_c_MEAN: %v", col)
	assert.Contains(t, lin["inputFields"], map[string]any{
		"namespace": framectx.DefaultNamespace, "name": "weather", "field": "temp_c",
		"transformations": []any{map[string]any{"type": "DIRECT", "subtype": "AGGREGATION", "description": "MEAN of temp_c by station_id", "masking": false}},
	})
}

// The aggregation is refused whole when gota refuses it: data and context
// stay as they were.
func TestGroupByRefusedChangesNothing(t *testing.T) {
	ctx := context.Background()
	store := contextstore.NewMemoryStore()
	w := bind(t, store, "weather", loadCSV(t, "weather.csv"), ctxMap{"c:temp_c": v("unit", "degC")})
	before := allContext(t, store, "weather")
	for name, op := range map[string]Op{
		"unknown group column": GroupBy("nope").Aggregation([]dataframe.AggregationType{dataframe.Aggregation_MEAN}, []string{"temp_c"}),
		"no group column":      GroupBy().Aggregation([]dataframe.AggregationType{dataframe.Aggregation_MEAN}, []string{"temp_c"}),
		"mismatched lists":     GroupBy("station_id").Aggregation([]dataframe.AggregationType{dataframe.Aggregation_MEAN}, nil),
	} {
		_, err := w.Apply(ctx, op)
		require.Error(t, err, name)
		sameContext(t, allContext(t, store, "weather"), before)
		assert.Equal(t, 12, w.DataFrame().Nrow(), name)
	}
}

// Groups is gota's GetGroups: one frame per group, a row subset of the
// input with its row and cell context re-keyed.
func TestGroupsAreRowSubsetsWithTheirContext(t *testing.T) {
	ctx := context.Background()
	store := contextstore.NewMemoryStore()
	w := bind(t, store, "weather", loadCSV(t, "weather.csv"), weatherContext())
	groups, err := w.Groups(ctx, "weather-", "station_id")
	require.NoError(t, err)
	require.Len(t, groups, 4)
	raw := loadCSV(t, "weather.csv").GroupBy("station_id").GetGroups()
	for key, g := range groups {
		assert.Equal(t, "weather-"+key, g.FrameID())
		assert.Equal(t, raw[key].Nrow(), g.DataFrame().Nrow(), "group %s", key)
		assert.Equal(t, w.DataFrame().Names(), g.DataFrame().Names(), "the input's column order")
	}
	// BER is rows 3-5: row 5's flag and cell move to row 2.
	sameContext(t, userContext(t, store, "weather-BER"), ctxMap{
		"f":            weatherContext()["f"],
		"c:station_id": weatherContext()["c:station_id"],
		"c:temp_c":     weatherContext()["c:temp_c"],
		"c:precip_mm":  weatherContext()["c:precip_mm"],
		"r:2":          weatherContext()["r:5"],
		"x:2:temp_c":   weatherContext()["x:5:temp_c"],
	})
	sameContext(t, userContext(t, store, "weather"), weatherContext())

	_, err = w.Groups(ctx, "x-", "nope")
	require.ErrorIs(t, err, ErrGota)
	_, err = w.Groups(ctx, "x-")
	require.ErrorIs(t, err, ErrInvalidArgument)
}
