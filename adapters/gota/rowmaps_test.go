package gota

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/go-gota/gota/dataframe"
	"github.com/go-gota/gota/series"
	"github.com/stretchr/testify/require"
)

func loadCSV(t testing.TB, name string) dataframe.DataFrame {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "testdata", name))
	require.NoError(t, err)
	defer f.Close()
	df := dataframe.ReadCSV(f)
	if df.Err != nil {
		t.Fatalf("read %s: %v", name, df.Err)
	}
	return df
}

// sameFrame fails unless a and b have the same names, types and values.
func sameFrame(t *testing.T, got, want dataframe.DataFrame) {
	t.Helper()
	if !reflect.DeepEqual(got.Names(), want.Names()) {
		t.Fatalf("names = %q, want %q", got.Names(), want.Names())
	}
	if !reflect.DeepEqual(got.Types(), want.Types()) {
		t.Fatalf("types = %v, want %v", got.Types(), want.Types())
	}
	if !reflect.DeepEqual(got.Records(), want.Records()) {
		t.Fatalf("records differ:\n got %v\nwant %v", got.Records(), want.Records())
	}
}

// valuesOf returns the values of column, row by row; used to
// check a row mapping against the data it claims to describe.
func valuesOf(t *testing.T, df dataframe.DataFrame, column string) []string {
	t.Helper()
	s := df.Col(column)
	if s.Err != nil {
		t.Fatal(s.Err)
	}
	return s.Records()
}

func TestFilterRowsMatchesGota(t *testing.T) {
	df := loadCSV(t, "weather.csv")
	cases := []struct {
		name    string
		agg     dataframe.Aggregation
		filters []dataframe.F
	}{
		{"none", dataframe.Or, nil},
		{"one", dataframe.Or, []dataframe.F{{Colname: "temp_c", Comparator: series.Greater, Comparando: 10.0}}},
		{"or", dataframe.Or, []dataframe.F{
			{Colname: "station_id", Comparator: series.Eq, Comparando: "OSL"},
			{Colname: "precip_mm", Comparator: series.Greater, Comparando: 2.0}}},
		{"and", dataframe.And, []dataframe.F{
			{Colname: "station_id", Comparator: series.In, Comparando: []string{"LIS", "MAD"}},
			{Colidx: 4, Comparator: series.Less, Comparando: 13.0}}},
		{"nothing", dataframe.Or, []dataframe.F{{Colname: "temp_c", Comparator: series.Greater, Comparando: 100.0}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rows, err := filterRows(df, c.agg, c.filters)
			require.NoError(t, err)
			want := df.FilterAggregation(c.agg, c.filters...)
			if want.Err != nil {
				t.Fatal(want.Err)
			}
			got := df.Subset(rows)
			if len(rows) == 0 {
				if want.Nrow() != 0 {
					t.Fatalf("no rows kept, gota kept %d", want.Nrow())
				}
				return
			}
			sameFrame(t, got, want)
		})
	}
}

func TestFilterRowsRefusesWhatGotaPanicsOn(t *testing.T) {
	df := loadCSV(t, "weather.csv")
	if _, err := filterRows(df, dataframe.Aggregation(7), []dataframe.F{
		{Colidx: 0, Comparator: series.Eq, Comparando: "OSL"},
		{Colidx: 0, Comparator: series.Eq, Comparando: "BER"}}); err == nil {
		t.Fatal("unknown aggregation accepted")
	}
	if _, err := filterRows(df, dataframe.Or, []dataframe.F{{Colidx: 99, Comparator: series.Eq, Comparando: 1}}); err == nil {
		t.Fatal("column index out of range accepted")
	}
	if _, err := filterRows(df, dataframe.Or, []dataframe.F{{Colname: "nope", Comparator: series.Eq, Comparando: 1}}); err == nil {
		t.Fatal("unknown column accepted")
	}
}

func TestArrangeRowsMatchesGota(t *testing.T) {
	df := loadCSV(t, "weather.csv")
	cases := [][]dataframe.Order{
		{dataframe.Sort("temp_c")},
		{dataframe.RevSort("temp_c")},
		{dataframe.Sort("precip_mm")}, // has a NaN: goes last
		{dataframe.Sort("date"), dataframe.RevSort("wind_kph")},
		{dataframe.RevSort("date"), dataframe.Sort("precip_mm"), dataframe.Sort("station_id")},
	}
	for _, order := range cases {
		rows, err := arrangeRows(df, order)
		require.NoError(t, err)
		want := df.Arrange(order...)
		if want.Err != nil {
			t.Fatal(want.Err)
		}
		sameFrame(t, df.Subset(rows), want)
	}
	if _, err := arrangeRows(df, nil); err == nil {
		t.Fatal("no order accepted")
	}
	if _, err := arrangeRows(df, []dataframe.Order{dataframe.Sort("nope")}); err == nil {
		t.Fatal("unknown column accepted")
	}
}

func TestTaggedJoinMatchesGota(t *testing.T) {
	weather := loadCSV(t, "weather.csv")
	stations := loadCSV(t, "stations.csv")
	// Give both sides a clashing non-key name, so gota renames them.
	stations = stations.Rename("date", "name")
	for _, kind := range []joinKind{innerJoin, leftJoin, rightJoin, outerJoin, crossJoin} {
		t.Run(kind.String(), func(t *testing.T) {
			a, b := weather.Subset([]int{0, 3, 6, 9, 11}), stations
			want, err := rawJoin(kind, a, b, []string{"station_id"})
			require.NoError(t, err)
			got, rows, err := taggedJoin(kind, a, b, []string{"station_id"})
			require.NoError(t, err)
			sameFrame(t, got, want)
			// Every mapped row must really come from that source row.
			aDates, bNames := valuesOf(t, a, "date"), valuesOf(t, b, "country")
			gotDates, gotNames := valuesOf(t, got, "date_0"), valuesOf(t, got, "country")
			for r := range got.Nrow() {
				if i := rows[0][r]; i >= 0 && gotDates[r] != aDates[i] {
					t.Errorf("row %d: left source %d has date %s, row has %s", r, i, aDates[i], gotDates[r])
				}
				if j := rows[1][r]; j >= 0 && gotNames[r] != bNames[j] {
					t.Errorf("row %d: right source %d has country %s, row has %s", r, j, bNames[j], gotNames[r])
				}
				if rows[0][r] < 0 && rows[1][r] < 0 {
					t.Errorf("row %d has no source", r)
				}
			}
		})
	}
}

func TestRowIndexes(t *testing.T) {
	cases := []struct {
		in   series.Indexes
		want []int
		ok   bool
	}{
		{2, []int{2}, true},
		{[]int{3, 0, 3}, []int{3, 0, 3}, true},
		{[]bool{true, false, true, false}, []int{0, 2}, true},
		{series.Ints([]int{1, 1}), []int{1, 1}, true},
		{series.Bools([]bool{false, true, false, true}), []int{1, 3}, true},
		{[]int{4}, nil, false},
		{-1, nil, false},
		{[]bool{true}, nil, false},
		{"x", nil, false},
		{series.Strings([]string{"a"}), nil, false},
	}
	for _, c := range cases {
		got, err := rowIndexes(4, c.in)
		if (err == nil) != c.ok {
			t.Fatalf("rowIndexes(%v) error = %v, want ok=%v", c.in, err, c.ok)
		}
		if c.ok && !reflect.DeepEqual(got, c.want) {
			t.Fatalf("rowIndexes(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestColumnIndexes(t *testing.T) {
	names := []string{"a", "b", "c"}
	cases := []struct {
		in         dataframe.SelectIndexes
		checkRange bool
		want       []int
		ok         bool
	}{
		{1, true, []int{1}, true},
		{[]int{2, 0}, true, []int{2, 0}, true},
		{[]bool{true, false, true}, true, []int{0, 2}, true},
		{"c", true, []int{2}, true},
		{[]string{"b", "a"}, true, []int{1, 0}, true},
		{series.Ints([]int{2, 1}), true, []int{2, 1}, true},
		{series.Bools([]bool{false, true, true}), true, []int{1, 2}, true},
		{series.Strings([]string{"c", "a"}), true, []int{2, 0}, true},
		{[]int{5}, true, nil, false},
		{[]int{5}, false, []int{5}, true}, // Drop ignores positions out of range
		{"missing", true, nil, false},
		{series.Strings([]string{"missing"}), true, nil, false},
		{[]bool{true}, true, nil, false},
		{series.Floats([]float64{1}), true, nil, false},
		{3.5, true, nil, false},
	}
	for _, c := range cases {
		got, err := columnIndexes(names, c.in, c.checkRange)
		if (err == nil) != c.ok {
			t.Fatalf("columnIndexes(%v, check=%v) error = %v, want ok=%v", c.in, c.checkRange, err, c.ok)
		}
		if c.ok && !reflect.DeepEqual(got, c.want) {
			t.Fatalf("columnIndexes(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}
