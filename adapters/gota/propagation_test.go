package gota

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/go-gota/gota/dataframe"
	"github.com/go-gota/gota/series"
	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/contextstore"
)

// The context of testdata/weather.csv used by the propagation tests: row 5
// (BER, 2024-01-03, 58.3 degC) is a flagged outlier, row 7 (MAD,
// 2024-01-02) has a missing precipitation value.
func weatherContext() ctxMap {
	return ctxMap{
		"f":             v("title", "Daily weather", "source", "synthetic"),
		"c:station_id":  v("description", "station code"),
		"c:temp_c":      v("unit", "degC", "description", "mean air temperature"),
		"c:precip_mm":   v("unit", "mm"),
		"r:0":           v("note", "first reading"),
		"r:5":           v("flag", "suspicious"),
		"x:5:temp_c":    v("quality", "outlier"),
		"x:7:precip_mm": v("quality", "missing"),
	}
}

// The context of testdata/stations.csv: rows BER, LIS, MAD, OSL, ZRH.
func stationsContext() ctxMap {
	return ctxMap{
		"f":             v("title", "Stations", "source", "synthetic"),
		"c:station_id":  v("description", "station code", "owner", "meteo"),
		"c:elevation_m": v("unit", "m"),
		"r:4":           v("flag", "inactive"),
		"x:1:name":      v("note", "renamed 2020"),
	}
}

// with returns a copy of base with the given entries set (nil deletes).
func with(base ctxMap, changes ctxMap) ctxMap {
	out := ctxMap{}
	for k, x := range base {
		out[k] = x
	}
	for k, x := range changes {
		if x == nil {
			delete(out, k)
		} else {
			out[k] = x
		}
	}
	return out
}

// fixture is the store and frames one propagation case starts from.
type fixture struct {
	store    *contextstore.MemoryStore
	weather  *Frame
	stations *Frame
	others   map[string]*Frame
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	store := contextstore.NewMemoryStore()
	fx := &fixture{store: store, others: map[string]*Frame{}}
	weather := loadCSV(t, "weather.csv")
	fx.weather = bind(t, store, "weather", weather, weatherContext())
	fx.stations = bind(t, store, "stations", loadCSV(t, "stations.csv"), stationsContext())

	// qc: a column-bindable frame (same 12 rows) with a clashing name.
	qc := weather.Select([]string{"station_id"}).Mutate(
		series.New([]bool{true, true, true, true, true, false, true, true, true, true, true, true}, series.Bool, "checked"))
	fx.others["qc"] = bind(t, store, "qc", qc, ctxMap{
		"f":         v("title", "QC", "source", "synthetic"),
		"c:checked": v("description", "manually checked"),
		"r:5":       v("checked_by", "ana"),
	})
	// feb: three more readings with the same columns.
	feb := dataframe.LoadRecords([][]string{
		{"station_id", "date", "temp_c", "precip_mm", "wind_kph"},
		{"OSL", "2024-02-01", "-3.5", "0.0", "9.1"},
		{"OSL", "2024-02-02", "-2.0", "3.3", "12.0"},
		{"BER", "2024-02-01", "4.4", "1.0", "10.5"},
	})
	fx.others["feb"] = bind(t, store, "feb", feb, ctxMap{
		"f":        v("title", "Daily weather", "source", "upload"),
		"c:temp_c": v("unit", "degC", "sensor", "v2"),
		"r:1":      v("flag", "late"),
	})
	// humid: two readings with an extra column.
	humid := dataframe.LoadRecords([][]string{
		{"station_id", "date", "humidity"},
		{"LIS", "2024-02-01", "81"},
		{"MAD", "2024-02-01", "40"},
	})
	fx.others["humid"] = bind(t, store, "humid", humid, ctxMap{
		"c:humidity":   v("unit", "%"),
		"x:0:humidity": v("quality", "estimated"),
	})
	// scenario: two rows to cross join with.
	scenario := dataframe.LoadRecords([][]string{{"scenario"}, {"low"}, {"high"}})
	fx.others["scenario"] = bind(t, store, "scenario", scenario, ctxMap{"r:1": v("note", "stress test")})
	return fx
}

type propagationCase struct {
	name string
	// op builds the operation from the fixture's frames.
	op func(fx *fixture) Op
	// raw is the same operation on plain gota frames (weather, stations,
	// others by name), to check the adapter's data is gota's.
	raw func(w, s dataframe.DataFrame, o map[string]dataframe.DataFrame) dataframe.DataFrame
	// want is the weather frame's context afterwards (lineage left out).
	want ctxMap
	// notes is the number of notes the report must carry.
	notes int
}

func roundFloats(s series.Series) series.Series {
	if s.Type() != series.Float {
		return s.Copy()
	}
	fs := s.Float()
	for i, x := range fs {
		fs[i] = math.Round(x)
	}
	return series.New(fs, series.Float, s.Name)
}

func firstThree(s series.Series) series.Series { return s.Subset([]int{0, 1, 2}) }

// stationAndTemp keeps a row's station and temperature (as strings: gota
// makes a row of mixed types a string series).
func stationAndTemp(row series.Series) series.Series { return row.Subset([]int{0, 2}) }

func propagationCases() []propagationCase {
	base := weatherContext()
	tempF := series.New([]float64{20.8, 16, 24.6, 36.3, 37.6, 136.9, 49.5, 52.2, 50.7, 56.8, 58.1, 55.2}, series.Float, "temp_f")
	tempC := series.New([]float64{-6, -9, -4, 2, 3, 58, 10, 11, 10, 14, 15, 13}, series.Float, "temp_c")
	return []propagationCase{
		{
			name: "rename moves column and cells",
			op:   func(*fixture) Op { return Rename("temp_c", "temperature") },
			raw: func(w, _ dataframe.DataFrame, _ map[string]dataframe.DataFrame) dataframe.DataFrame {
				return w.Rename("temperature", "temp_c")
			},
			want: with(base, ctxMap{
				"c:temp_c": nil, "x:5:temp_c": nil,
				"c:temperature":   v("unit", "degC", "description", "mean air temperature"),
				"x:5:temperature": v("quality", "outlier"),
			}),
		},
		{
			name: "select keeps kept columns only",
			op:   func(*fixture) Op { return Select([]string{"temp_c", "station_id"}) },
			raw: func(w, _ dataframe.DataFrame, _ map[string]dataframe.DataFrame) dataframe.DataFrame {
				return w.Select([]string{"temp_c", "station_id"})
			},
			want: with(base, ctxMap{"c:precip_mm": nil, "x:7:precip_mm": nil}),
		},
		{
			name: "select twice duplicates context under gota's names",
			op:   func(*fixture) Op { return Select([]int{2, 2}) },
			raw: func(w, _ dataframe.DataFrame, _ map[string]dataframe.DataFrame) dataframe.DataFrame {
				return w.Select([]int{2, 2})
			},
			want: ctxMap{
				"f":            base["f"],
				"c:temp_c_0":   base["c:temp_c"],
				"c:temp_c_1":   base["c:temp_c"],
				"r:0":          base["r:0"],
				"r:5":          base["r:5"],
				"x:5:temp_c_0": v("quality", "outlier"),
				"x:5:temp_c_1": v("quality", "outlier"),
			},
		},
		{
			name: "drop removes the column's context",
			op:   func(*fixture) Op { return Drop("precip_mm") },
			raw: func(w, _ dataframe.DataFrame, _ map[string]dataframe.DataFrame) dataframe.DataFrame {
				return w.Drop("precip_mm")
			},
			want: with(base, ctxMap{"c:precip_mm": nil, "x:7:precip_mm": nil}),
		},
		{
			name: "subset re-keys rows and repeats a repeated row",
			op:   func(*fixture) Op { return Subset([]int{5, 0, 5}) },
			raw: func(w, _ dataframe.DataFrame, _ map[string]dataframe.DataFrame) dataframe.DataFrame {
				return w.Subset([]int{5, 0, 5})
			},
			want: with(base, ctxMap{
				"r:0": v("flag", "suspicious"), "x:0:temp_c": v("quality", "outlier"),
				"r:1": v("note", "first reading"),
				"r:2": v("flag", "suspicious"), "x:2:temp_c": v("quality", "outlier"),
				"r:5": nil, "x:5:temp_c": nil, "x:7:precip_mm": nil,
			}),
		},
		{
			name: "filter keeps surviving rows at their new positions",
			op: func(*fixture) Op {
				return Filter(dataframe.F{Colname: "temp_c", Comparator: series.Greater, Comparando: 10.0})
			},
			raw: func(w, _ dataframe.DataFrame, _ map[string]dataframe.DataFrame) dataframe.DataFrame {
				return w.Filter(dataframe.F{Colname: "temp_c", Comparator: series.Greater, Comparando: 10.0})
			},
			// Kept rows 5, 7, 8, 9, 10, 11 become 0..5.
			want: with(base, ctxMap{
				"r:0": v("flag", "suspicious"), "x:0:temp_c": v("quality", "outlier"),
				"x:1:precip_mm": v("quality", "missing"),
				"r:5":           nil, "x:5:temp_c": nil, "x:7:precip_mm": nil,
			}),
		},
		{
			name: "filter aggregation with and",
			op: func(*fixture) Op {
				return FilterAggregation(dataframe.And,
					dataframe.F{Colname: "station_id", Comparator: series.Eq, Comparando: "BER"},
					dataframe.F{Colidx: 2, Comparator: series.Greater, Comparando: 3.0})
			},
			raw: func(w, _ dataframe.DataFrame, _ map[string]dataframe.DataFrame) dataframe.DataFrame {
				return w.FilterAggregation(dataframe.And,
					dataframe.F{Colname: "station_id", Comparator: series.Eq, Comparando: "BER"},
					dataframe.F{Colidx: 2, Comparator: series.Greater, Comparando: 3.0})
			},
			// Kept rows 4 and 5 become 0 and 1.
			want: with(base, ctxMap{
				"r:1": v("flag", "suspicious"), "x:1:temp_c": v("quality", "outlier"),
				"r:0": nil, "r:5": nil, "x:5:temp_c": nil, "x:7:precip_mm": nil,
			}),
		},
		{
			name: "arrange follows rows through the permutation",
			op:   func(*fixture) Op { return Arrange(dataframe.RevSort("temp_c")) },
			raw: func(w, _ dataframe.DataFrame, _ map[string]dataframe.DataFrame) dataframe.DataFrame {
				return w.Arrange(dataframe.RevSort("temp_c"))
			},
			// Row 5 (58.3) first, row 7 (11.2) fifth, row 0 (-6.2) eleventh.
			want: with(base, ctxMap{
				"r:0": v("flag", "suspicious"), "x:0:temp_c": v("quality", "outlier"),
				"x:4:precip_mm": v("quality", "missing"),
				"r:10":          v("note", "first reading"),
				"r:5":           nil, "x:5:temp_c": nil, "x:7:precip_mm": nil,
			}),
		},
		{
			name: "group by and aggregate: units survive MEAN, not COUNT; rows become groups",
			op: func(*fixture) Op {
				return GroupBy("station_id").Aggregation(
					[]dataframe.AggregationType{dataframe.Aggregation_MEAN, dataframe.Aggregation_COUNT, dataframe.Aggregation_MAX},
					[]string{"temp_c", "temp_c", "precip_mm"})
			},
			raw: func(w, _ dataframe.DataFrame, _ map[string]dataframe.DataFrame) dataframe.DataFrame {
				return w.GroupBy("station_id").Aggregation(
					[]dataframe.AggregationType{dataframe.Aggregation_MEAN, dataframe.Aggregation_COUNT, dataframe.Aggregation_MAX},
					[]string{"temp_c", "temp_c", "precip_mm"}).Arrange(dataframe.Sort("station_id"))
			},
			want: ctxMap{
				"f":               base["f"],
				"c:station_id":    base["c:station_id"],
				"c:temp_c_MEAN":   base["c:temp_c"],
				"c:precip_mm_MAX": base["c:precip_mm"],
			},
			notes: 2, // the rows' context differs within groups; cells are aggregated
		},
		{
			name: "set names renames every column with its cells",
			op:   func(*fixture) Op { return SetNames("sid", "day", "t", "p", "w") },
			raw: func(w, _ dataframe.DataFrame, _ map[string]dataframe.DataFrame) dataframe.DataFrame {
				c := w.Copy()
				if err := c.SetNames("sid", "day", "t", "p", "w"); err != nil {
					panic(err)
				}
				return c
			},
			want: ctxMap{
				"f": base["f"], "r:0": base["r:0"], "r:5": base["r:5"],
				"c:sid": base["c:station_id"], "c:t": base["c:temp_c"], "c:p": base["c:precip_mm"],
				"x:5:t": base["x:5:temp_c"], "x:7:p": base["x:7:precip_mm"],
			},
		},
		{
			name: "rapply keeps rows, new columns get lineage only",
			op:   func(*fixture) Op { return Rapply(stationAndTemp) },
			raw: func(w, _ dataframe.DataFrame, _ map[string]dataframe.DataFrame) dataframe.DataFrame {
				return w.Rapply(stationAndTemp)
			},
			want: ctxMap{"f": base["f"], "r:0": base["r:0"], "r:5": base["r:5"]},
		},
		{
			name: "set replaces rows: their cells go, their row context stays",
			op:   func(fx *fixture) Op { return Set([]int{5}, fx.weather.DataFrame().Subset([]int{4})) },
			raw: func(w, _ dataframe.DataFrame, _ map[string]dataframe.DataFrame) dataframe.DataFrame {
				return w.Copy().Set([]int{5}, w.Subset([]int{4}))
			},
			want: with(base, ctxMap{"x:5:temp_c": nil}),
		},
		{
			name: "describe keeps the frame's context; statistics carry lineage only",
			op:   func(*fixture) Op { return Describe() },
			raw: func(w, _ dataframe.DataFrame, _ map[string]dataframe.DataFrame) dataframe.DataFrame {
				return w.Describe()
			},
			want:  ctxMap{"f": base["f"]},
			notes: 2, // rows become statistics: row and cell context dropped
		},
		{
			name: "mutate replacing a column drops its cells",
			op:   func(*fixture) Op { return Mutate(tempC, "temp_c").WithDescription("round") },
			raw: func(w, _ dataframe.DataFrame, _ map[string]dataframe.DataFrame) dataframe.DataFrame {
				return w.Mutate(tempC)
			},
			want: with(base, ctxMap{"x:5:temp_c": nil}),
		},
		{
			name: "mutate adding a column gives it lineage only",
			op:   func(*fixture) Op { return Mutate(tempF, "temp_c").WithDescription("temp_c * 9/5 + 32") },
			raw: func(w, _ dataframe.DataFrame, _ map[string]dataframe.DataFrame) dataframe.DataFrame {
				return w.Mutate(tempF)
			},
			want: base,
		},
		{
			name: "capply keeps rows, drops every cell",
			op:   func(*fixture) Op { return Capply(roundFloats) },
			raw: func(w, _ dataframe.DataFrame, _ map[string]dataframe.DataFrame) dataframe.DataFrame {
				return w.Capply(roundFloats)
			},
			want: with(base, ctxMap{"x:5:temp_c": nil, "x:7:precip_mm": nil}),
		},
		{
			name: "capply changing the row count drops row context and says so",
			op:   func(*fixture) Op { return Capply(firstThree) },
			raw: func(w, _ dataframe.DataFrame, _ map[string]dataframe.DataFrame) dataframe.DataFrame {
				return w.Capply(firstThree)
			},
			want:  with(base, ctxMap{"r:0": nil, "r:5": nil, "x:5:temp_c": nil, "x:7:precip_mm": nil}),
			notes: 2,
		},
		{
			name: "cbind renames duplicates and merges rows by policy",
			op:   func(fx *fixture) Op { return CBind(fx.others["qc"]) },
			raw: func(w, _ dataframe.DataFrame, o map[string]dataframe.DataFrame) dataframe.DataFrame {
				return w.CBind(o["qc"])
			},
			// Override: the first frame's frame and row context win.
			want: with(base, ctxMap{
				"c:station_id": nil, "c:station_id_0": v("description", "station code"),
				"c:checked": v("description", "manually checked"),
			}),
		},
		{
			name: "cbind with drop_conflicts unions what agrees",
			op:   func(fx *fixture) Op { return CBind(fx.others["qc"]).WithPolicy(framectx.DropConflicts) },
			raw: func(w, _ dataframe.DataFrame, o map[string]dataframe.DataFrame) dataframe.DataFrame {
				return w.CBind(o["qc"])
			},
			want: with(base, ctxMap{
				"f":            v("source", "synthetic"),
				"c:station_id": nil, "c:station_id_0": v("description", "station code"),
				"c:checked": v("description", "manually checked"),
				"r:5":       v("flag", "suspicious", "checked_by", "ana"),
			}),
		},
		{
			name: "rbind offsets the second frame's rows and merges columns",
			op:   func(fx *fixture) Op { return RBind(fx.others["feb"]).WithPolicy(framectx.DropConflicts) },
			raw: func(w, _ dataframe.DataFrame, o map[string]dataframe.DataFrame) dataframe.DataFrame {
				return w.RBind(o["feb"])
			},
			want: with(base, ctxMap{
				"f":        v("title", "Daily weather"),
				"c:temp_c": v("unit", "degC", "description", "mean air temperature", "sensor", "v2"),
				"r:13":     v("flag", "late"),
			}),
		},
		{
			name: "concat keeps columns only one frame has",
			op:   func(fx *fixture) Op { return Concat(fx.others["humid"]) },
			raw: func(w, _ dataframe.DataFrame, o map[string]dataframe.DataFrame) dataframe.DataFrame {
				return w.Concat(o["humid"])
			},
			want: with(base, ctxMap{
				"c:humidity":    v("unit", "%"),
				"x:12:humidity": v("quality", "estimated"),
			}),
		},
		{
			name: "inner join carries both sides' rows and cells",
			op:   func(fx *fixture) Op { return InnerJoin(fx.stations, "station_id") },
			raw: func(w, s dataframe.DataFrame, _ map[string]dataframe.DataFrame) dataframe.DataFrame {
				return w.InnerJoin(s, "station_id")
			},
			// Weather rows keep their positions; LIS (stations row 1) is
			// weather rows 9-11; ZRH has no match and leaves.
			want: with(base, ctxMap{
				"c:elevation_m": v("unit", "m"),
				"x:9:name":      v("note", "renamed 2020"),
				"x:10:name":     v("note", "renamed 2020"),
				"x:11:name":     v("note", "renamed 2020"),
			}),
		},
		{
			name: "left join keeps unmatched rows of the frame",
			op: func(fx *fixture) Op {
				return LeftJoin(fx.stations, "station_id").WithPolicy(framectx.NoConflicts)
			},
			raw: func(w, s dataframe.DataFrame, _ map[string]dataframe.DataFrame) dataframe.DataFrame {
				return w.LeftJoin(s, "station_id")
			},
			want: nil, // no_conflicts refuses the differing titles: see the error case
		},
		{
			name: "right join orders by the other frame and keeps its unmatched rows",
			op:   func(fx *fixture) Op { return RightJoin(fx.stations, "station_id") },
			raw: func(w, s dataframe.DataFrame, _ map[string]dataframe.DataFrame) dataframe.DataFrame {
				return w.RightJoin(s, "station_id")
			},
			// BER 3,4,5 -> 0,1,2; LIS 9,10,11 -> 3,4,5; MAD 6,7,8 -> 6,7,8;
			// OSL 0,1,2 -> 9,10,11; ZRH (no weather) -> 12.
			want: ctxMap{
				"f":             base["f"],
				"c:station_id":  base["c:station_id"],
				"c:temp_c":      base["c:temp_c"],
				"c:precip_mm":   base["c:precip_mm"],
				"c:elevation_m": v("unit", "m"),
				"r:2":           v("flag", "suspicious"),
				"x:2:temp_c":    v("quality", "outlier"),
				"x:7:precip_mm": v("quality", "missing"),
				"r:9":           v("note", "first reading"),
				"r:12":          v("flag", "inactive"),
				"x:3:name":      v("note", "renamed 2020"),
				"x:4:name":      v("note", "renamed 2020"),
				"x:5:name":      v("note", "renamed 2020"),
			},
		},
		{
			name: "outer join appends the other frame's unmatched rows",
			op:   func(fx *fixture) Op { return OuterJoin(fx.stations, "station_id") },
			raw: func(w, s dataframe.DataFrame, _ map[string]dataframe.DataFrame) dataframe.DataFrame {
				return w.OuterJoin(s, "station_id")
			},
			want: with(base, ctxMap{
				"c:elevation_m": v("unit", "m"),
				"x:9:name":      v("note", "renamed 2020"),
				"x:10:name":     v("note", "renamed 2020"),
				"x:11:name":     v("note", "renamed 2020"),
				"r:12":          v("flag", "inactive"),
			}),
		},
		{
			name: "cross join pairs every row with every row",
			op:   func(fx *fixture) Op { return CrossJoin(fx.others["scenario"]) },
			raw: func(w, _ dataframe.DataFrame, o map[string]dataframe.DataFrame) dataframe.DataFrame {
				return w.CrossJoin(o["scenario"])
			},
			// Weather row i is output rows 2i and 2i+1; scenario row 1
			// ("high") is every odd row. Row 11 gets both; override keeps
			// the weather row's.
			want: func() ctxMap {
				m := ctxMap{
					"f":              base["f"],
					"c:station_id":   base["c:station_id"],
					"c:temp_c":       base["c:temp_c"],
					"c:precip_mm":    base["c:precip_mm"],
					"r:0":            v("note", "first reading"),
					"r:1":            v("note", "first reading"),
					"r:10":           v("flag", "suspicious"),
					"r:11":           v("flag", "suspicious"),
					"x:10:temp_c":    v("quality", "outlier"),
					"x:11:temp_c":    v("quality", "outlier"),
					"x:14:precip_mm": v("quality", "missing"),
					"x:15:precip_mm": v("quality", "missing"),
				}
				for r := 3; r < 24; r += 2 {
					if r != 11 {
						m[rowKey(r)] = v("note", "stress test")
					}
				}
				return m
			}(),
		},
	}
}

func rowKey(r int) string { return framectx.RowRef(r).Key("x").Local() }

func rawFrames(fx *fixture) (dataframe.DataFrame, dataframe.DataFrame, map[string]dataframe.DataFrame) {
	o := map[string]dataframe.DataFrame{}
	for k, f := range fx.others {
		o[k] = f.DataFrame()
	}
	return fx.weather.DataFrame(), fx.stations.DataFrame(), o
}

func TestPropagationInPlace(t *testing.T) {
	ctx := context.Background()
	for _, c := range propagationCases() {
		if c.want == nil {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			fx := newFixture(t)
			w, s, o := rawFrames(fx)
			others := snapshotOthers(t, fx)
			rep, err := fx.weather.Apply(ctx, c.op(fx))
			require.NoError(t, err)
			sameFrame(t, fx.weather.DataFrame(), c.raw(w, s, o))
			sameContext(t, userContext(t, fx.store, "weather"), c.want)
			if len(rep.Notes) != c.notes {
				t.Fatalf("notes = %v, want %d", rep.Notes, c.notes)
			}
			checkOthersUnchanged(t, fx, others)
		})
	}
}

func TestPropagationNewFrame(t *testing.T) {
	ctx := context.Background()
	for _, c := range propagationCases() {
		if c.want == nil {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			fx := newFixture(t)
			w, s, o := rawFrames(fx)
			before := allContext(t, fx.store, "weather")
			others := snapshotOthers(t, fx)
			// Stale context under the new ID must be replaced, not merged.
			seed(t, fx.store, "derived", ctxMap{"c:old": v("stale", true), "r:99": v("stale", true)})
			out, rep, err := fx.weather.Derive(ctx, "derived", c.op(fx))
			require.NoError(t, err)
			if out.FrameID() != "derived" {
				t.Fatalf("FrameID = %q", out.FrameID())
			}
			sameFrame(t, out.DataFrame(), c.raw(w, s, o))
			sameFrame(t, fx.weather.DataFrame(), w)
			sameContext(t, userContext(t, fx.store, "derived"), c.want)
			sameContext(t, allContext(t, fx.store, "weather"), before)
			checkOthersUnchanged(t, fx, others)
			if len(rep.Notes) != c.notes {
				t.Fatalf("notes = %v, want %d", rep.Notes, c.notes)
			}
			// A derived frame records where it came from.
			fr, err := out.Get(ctx, framectx.FrameRef())
			require.NoError(t, err)
			lin, ok := fr[framectx.LineageField].(map[string]any)
			if !ok || lin["operation"] != c.op(fx).String() {
				t.Fatalf("frame lineage = %v, want operation %q", fr[framectx.LineageField], c.op(fx).String())
			}
		})
	}
}

func snapshotOthers(t *testing.T, fx *fixture) map[string]ctxMap {
	out := map[string]ctxMap{"stations": allContext(t, fx.store, "stations")}
	for id := range fx.others {
		out[id] = allContext(t, fx.store, id)
	}
	return out
}

func checkOthersUnchanged(t *testing.T, fx *fixture, before map[string]ctxMap) {
	t.Helper()
	for id, m := range before {
		sameContext(t, allContext(t, fx.store, id), m)
	}
}

func TestMergePolicyConflictChangesNothing(t *testing.T) {
	ctx := context.Background()
	for _, op := range []func(fx *fixture) Op{
		func(fx *fixture) Op { return LeftJoin(fx.stations, "station_id").WithPolicy(framectx.NoConflicts) },
		func(fx *fixture) Op { return CBind(fx.others["qc"]).WithPolicy(framectx.Identical) },
		func(fx *fixture) Op { return RBind(fx.others["feb"]).WithPolicy(framectx.NoConflicts) },
	} {
		fx := newFixture(t)
		w := fx.weather.DataFrame()
		before := allContext(t, fx.store, "weather")
		_, err := fx.weather.Apply(ctx, op(fx))
		var mc *framectx.MergeConflictError
		if !errors.As(err, &mc) || !errors.Is(err, framectx.ErrMergeConflict) {
			t.Fatalf("%s: error = %v, want a merge conflict", op(fx), err)
		}
		sameFrame(t, fx.weather.DataFrame(), w)
		sameContext(t, allContext(t, fx.store, "weather"), before)
	}
}
