package gota

import (
	"context"
	"errors"
	"testing"

	"github.com/go-gota/gota/dataframe"
	"github.com/go-gota/gota/series"
	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/contextstore"
)

func TestSelfJoin(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	w := fx.weather.DataFrame()
	if _, err := fx.weather.Apply(ctx, InnerJoin(fx.weather, "station_id", "date")); err != nil {
		t.Fatal(err)
	}
	sameFrame(t, fx.weather.DataFrame(), w.InnerJoin(w, "station_id", "date"))
	// Each row joins itself only: keys keep their context, every other
	// column appears twice (x_0, x_1) with the same context and cells.
	base := weatherContext()
	sameContext(t, userContext(t, fx.store, "weather"), ctxMap{
		"f":               base["f"],
		"c:station_id":    base["c:station_id"],
		"c:temp_c_0":      base["c:temp_c"],
		"c:temp_c_1":      base["c:temp_c"],
		"c:precip_mm_0":   base["c:precip_mm"],
		"c:precip_mm_1":   base["c:precip_mm"],
		"r:0":             base["r:0"],
		"r:5":             base["r:5"],
		"x:5:temp_c_0":    base["x:5:temp_c"],
		"x:5:temp_c_1":    base["x:5:temp_c"],
		"x:7:precip_mm_0": base["x:7:precip_mm"],
		"x:7:precip_mm_1": base["x:7:precip_mm"],
	})
}

func TestEmptyResults(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	none := dataframe.F{Colname: "temp_c", Comparator: series.Greater, Comparando: 100.0}
	if _, err := fx.weather.Apply(ctx, Filter(none)); err != nil {
		t.Fatal(err)
	}
	if n := fx.weather.DataFrame().Nrow(); n != 0 {
		t.Fatalf("%d rows left", n)
	}
	base := weatherContext()
	want := ctxMap{"f": base["f"], "c:station_id": base["c:station_id"], "c:temp_c": base["c:temp_c"], "c:precip_mm": base["c:precip_mm"]}
	sameContext(t, userContext(t, fx.store, "weather"), want)
	// Operations on the empty frame still work and keep what is left.
	for _, op := range []Op{Arrange(dataframe.Sort("temp_c")), Filter(none), Rename("temp_c", "t"), Subset([]int{})} {
		if _, err := fx.weather.Apply(ctx, op); err != nil {
			t.Fatalf("%s on an empty frame: %v", op, err)
		}
	}
	want["c:t"] = want["c:temp_c"]
	delete(want, "c:temp_c")
	sameContext(t, userContext(t, fx.store, "weather"), want)
	if err := fx.weather.Set(ctx, framectx.RowRef(0), v("x", 1)); err == nil {
		t.Fatal("row 0 of an empty frame accepted")
	}
}

func TestUnnamedMutateGetsGotasName(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	s := series.New(make([]float64, 12), series.Float, "")
	if _, err := fx.weather.Apply(ctx, Mutate(s, "temp_c")); err != nil {
		t.Fatal(err)
	}
	names := fx.weather.DataFrame().Names()
	if names[len(names)-1] != "X0" {
		t.Fatalf("names = %v, want gota's X0 last", names)
	}
	c, err := fx.weather.Get(ctx, framectx.ColumnRef("X0"))
	if err != nil || c[framectx.LineageField] == nil {
		t.Fatalf("X0 context = %v, %v; want its lineage", c, err)
	}
}

func TestDeriveRefusesAnInputsFrameID(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	for _, id := range []string{"weather", "stations"} {
		before := allContext(t, fx.store, id)
		_, _, err := fx.weather.Derive(ctx, id, InnerJoin(fx.stations, "station_id"))
		require.ErrorIs(t, err, ErrInvalidArgument, "Derive into %q: %v, want ErrInvalidArgument", id, err)
		sameContext(t, allContext(t, fx.store, id), before)
	}
	if _, err := fx.weather.Apply(ctx, Rename("temp_c", "a").WithPolicy(framectx.Policy(42))); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("unknown policy: %v, want ErrInvalidArgument", err)
	}
}

func TestDuplicateJoinKeys(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	w, s := fx.weather.DataFrame(), fx.stations.DataFrame()
	if _, err := fx.weather.Apply(ctx, LeftJoin(fx.stations, "station_id", "station_id")); err != nil {
		t.Fatal(err)
	}
	sameFrame(t, fx.weather.DataFrame(), w.LeftJoin(s, "station_id", "station_id"))
	got := userContext(t, fx.store, "weather")
	for _, k := range []string{"c:station_id_0", "c:station_id_1"} {
		if _, ok := got[k]; !ok {
			t.Fatalf("no %s in %v", k, got)
		}
	}
}

func TestRBindReportsColumnsGotaLeavesOut(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	extra := fx.others["feb"].DataFrame().Mutate(series.New([]float64{81, 77, 64}, series.Float, "humidity"))
	feb := bind(t, fx.store, "feb_humid", extra, ctxMap{
		"c:humidity":   v("unit", "%"),
		"x:1:humidity": v("quality", "estimated"),
	})
	rep, err := fx.weather.Apply(ctx, RBind(feb))
	require.NoError(t, err)
	if len(rep.Notes) != 2 || rep.Notes[0].Input != 1 || rep.Notes[0].Count != 1 || rep.Notes[1].Count != 1 {
		t.Fatalf("notes = %v, want the humidity column and cell entries reported", rep.Notes)
	}
	if _, err := fx.weather.Get(ctx, framectx.ColumnRef("humidity")); err == nil {
		t.Fatal("humidity context in a frame without that column")
	}
}

func TestFrameDefaultPolicy(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	weather, err := New(ctx, fx.store, "weather", fx.weather.DataFrame(), &framectx.Options{Policy: framectx.DropConflicts})
	require.NoError(t, err)
	// A call's own policy wins over the frame's default...
	_, err = weather.Apply(ctx, RBind(fx.others["feb"]).WithPolicy(framectx.NoConflicts))
	require.ErrorIs(t, err, framectx.ErrMergeConflict, "rbind under no_conflicts: %v, want a merge conflict", err)
	// ...and the default applies when the call names none.
	if _, err := weather.Apply(ctx, CBind(fx.others["qc"])); err != nil {
		t.Fatal(err)
	}
	if got, _ := weather.Get(ctx, framectx.FrameRef()); !contextstore.Equal(withoutLineage(got), v("source", "synthetic")) {
		t.Fatalf("frame context = %v, want drop_conflicts' union of what agrees", got)
	}
}

func withoutLineage(v contextstore.Value) contextstore.Value {
	out := contextstore.Value{}
	for f, x := range v {
		if !framectx.IsReserved(f) {
			out[f] = x
		}
	}
	return out
}

// Key columns of different types (int and float here) cannot be hashed
// the way gota compares them, so the join's rows are learnt from tags.
func TestJoinOnKeysOfDifferentTypes(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	require.NoError(t, fx.stations.Set(ctx, framectx.RowRef(0), v("note", "airport closed 2008")))
	heights := dataframe.New(
		series.New([]float64{667, 48}, series.Float, "elevation_m"),
		series.New([]string{"high", "low"}, series.String, "band"))
	h := bind(t, fx.store, "heights", heights, ctxMap{"r:0": v("checked", true)})
	if _, ok := keyedJoinRows(innerJoin, fx.stations.DataFrame(), heights, []string{"elevation_m"}); ok {
		t.Fatal("int and float keys were hashed")
	}
	s := fx.stations.DataFrame()
	if _, err := fx.stations.Apply(ctx, InnerJoin(h, "elevation_m")); err != nil {
		t.Fatal(err)
	}
	sameFrame(t, fx.stations.DataFrame(), s.InnerJoin(heights, "elevation_m"))
	// Stations rows BER (0) and MAD (2) match, in that order.
	sameContext(t, userContext(t, fx.store, "stations"), ctxMap{
		"f":             v("title", "Stations", "source", "synthetic"),
		"c:station_id":  v("description", "station code", "owner", "meteo"),
		"c:elevation_m": v("unit", "m"),
		"r:0":           v("note", "airport closed 2008"),
		"r:1":           v("checked", true),
	})
}
