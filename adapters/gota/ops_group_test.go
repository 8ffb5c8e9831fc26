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
