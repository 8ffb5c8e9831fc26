package gotaarrow

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/go-gota/gota/dataframe"
	"github.com/go-gota/gota/series"
	"github.com/stretchr/testify/require"

	ctxarrow "github.com/ctxframe/ctxframe/adapters/arrow"
	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/adapters/framectx/framectxtest"
	ctxgota "github.com/ctxframe/ctxframe/adapters/gota"
	"github.com/ctxframe/ctxframe/adapters/lineage"
	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// The shared context helpers of framectxtest, under short local names.
type ctxMap = framectxtest.Context

var (
	v           = framectxtest.V
	seed        = framectxtest.Seed
	userContext = framectxtest.UserContext
	allContext  = framectxtest.AllContext
	sameContext = framectxtest.SameContext
)

// checkedAlloc returns an allocator that fails the test if anything it
// allocated is still held when the test ends.
func checkedAlloc(t *testing.T) *memory.CheckedAllocator {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

// framectxRef parses a local key ("f", "c:NAME", "r:ROW", "x:ROW:NAME")
// into a reference.
func framectxRef(local string) framectx.Ref {
	k, err := keys.ParseLocal("any", local)
	if err != nil {
		panic(err)
	}
	return framectx.RefOf(k)
}

// loadCSV reads a CSV of the repository's testdata with gota.
func loadCSV(t *testing.T, name string) dataframe.DataFrame {
	t.Helper()
	f, err := os.Open("../../testdata/" + name)
	require.NoError(t, err)
	defer f.Close()
	df := dataframe.ReadCSV(f)
	if df.Err != nil {
		t.Fatal(df.Err)
	}
	return df
}

// csvContext annotates every kind of entry of a frame of at least 3 rows
// whose first and last columns are first and last.
func csvContext(first, last string) ctxMap {
	return ctxMap{
		"f":            v("title", "from csv", "tags", []any{"a", "b"}),
		"c:" + first:   v("desc", "first column"),
		"c:" + last:    v("unit", "x", "range", map[string]any{"min": int64(0), "max": 1.5}),
		"r:0":          v("q", "header-adjacent"),
		"r:2":          v("q", "checked"),
		"x:1:" + first: v("flag", "cell"),
		"x:2:" + last:  v("note", "ünïcødé ✓"),
	}
}

// sameDataFrame fails unless a and b hold the same names, types and
// values (NA where NA).
func sameDataFrame(t *testing.T, got, want dataframe.DataFrame) {
	t.Helper()
	if !slices.Equal(got.Names(), want.Names()) {
		t.Fatalf("names %v, want %v", got.Names(), want.Names())
	}
	if !slices.Equal(got.Types(), want.Types()) {
		t.Fatalf("types %v, want %v", got.Types(), want.Types())
	}
	if got.Nrow() != want.Nrow() {
		t.Fatalf("%d rows, want %d", got.Nrow(), want.Nrow())
	}
	for _, name := range want.Names() {
		g, w := got.Col(name), want.Col(name)
		for i := 0; i < w.Len(); i++ {
			ge, we := g.Elem(i), w.Elem(i)
			if ge.IsNA() != we.IsNA() || (!we.IsNA() && ge.String() != we.String()) {
				t.Fatalf("column %q row %d: %v, want %v", name, i, ge, we)
			}
		}
	}
}

func TestGotaArrowRoundTripOnTestdata(t *testing.T) {
	ctx := context.Background()
	for _, file := range []string{"weather.csv", "stations.csv"} {
		t.Run(file, func(t *testing.T) {
			mem := checkedAlloc(t)
			store := contextstore.NewMemoryStore()
			df := loadCSV(t, file)
			names := df.Names()
			m := csvContext(names[0], names[len(names)-1])
			seed(t, store, "csv", m)
			g, err := ctxgota.New(ctx, store, "csv", df, nil)
			require.NoError(t, err)

			rec, err := ToArrow(ctx, g, "csv.arrow", &ctxarrow.Options{Allocator: mem})
			require.NoError(t, err)
			defer rec.Release()
			if got := rec.Shape(); !slices.Equal(got.Columns, names) || got.Rows != df.Nrow() {
				t.Fatalf("arrow shape %v, want %v x %d", got, names, df.Nrow())
			}
			sameContext(t, userContext(t, store, "csv.arrow"), m)
			sameContext(t, allContext(t, store, "csv"), m) // the source is untouched
			fl, err := lineage.FrameFromValue(allContext(t, store, "csv.arrow")["f"][lineage.ContextField])
			if err != nil || len(fl.Inputs) != 1 || fl.Inputs[0].Name != "csv" || fl.Operation != "from_gota" {
				t.Fatalf("frame lineage %+v (%v), want from_gota of csv", fl, err)
			}

			back, err := ToGota(ctx, rec, "csv.back", nil)
			require.NoError(t, err)
			sameDataFrame(t, back.DataFrame(), df)
			sameContext(t, userContext(t, store, "csv.back"), m)
			fl, err = lineage.FrameFromValue(allContext(t, store, "csv.back")["f"][lineage.ContextField])
			if err != nil || len(fl.Inputs) != 1 || fl.Inputs[0].Name != "csv.arrow" || fl.Operation != "to_gota" {
				t.Fatalf("frame lineage %+v (%v), want to_gota of csv.arrow", fl, err)
			}
		})
	}
}

func TestGotaArrowSameFrameIDWritesNothing(t *testing.T) {
	ctx := context.Background()
	mem := checkedAlloc(t)
	store := framectxtest.NewFailingStore(contextstore.NewMemoryStore())
	df := loadCSV(t, "stations.csv")
	m := csvContext("station_id", "elevation_m")
	seed(t, store, "st", m)
	g, err := ctxgota.New(ctx, store, "st", df, nil)
	require.NoError(t, err)
	// Any write would fail: converting under the same frame ID must not
	// need one.
	store.FailAlways(framectxtest.OpApply)
	store.FailAlways(framectxtest.OpSet)
	store.FailAlways(framectxtest.OpDelete)
	rec, err := ToArrow(ctx, g, "", &ctxarrow.Options{Allocator: mem})
	require.NoError(t, err)
	defer rec.Release()
	if rec.FrameID() != "st" {
		t.Fatalf("frame ID %q, want st", rec.FrameID())
	}
	got, err := rec.Get(ctx, framectxRef("x:2:elevation_m"))
	if err != nil || !contextstore.Equal(got, m["x:2:elevation_m"]) {
		t.Fatalf("cell context %v (%v), want %v", got, err, m["x:2:elevation_m"])
	}
	back, err := ToGota(ctx, rec, "st", nil)
	require.NoError(t, err)
	sameDataFrame(t, back.DataFrame(), df)
	store.Reset()
	sameContext(t, allContext(t, store.Inner(), "st"), m)
}

func TestGotaNullsBecomeArrowNullsAndBack(t *testing.T) {
	ctx := context.Background()
	mem := checkedAlloc(t)
	store := contextstore.NewMemoryStore()
	df := dataframe.New(
		series.New([]any{"a", nil, "c"}, series.String, "s"),
		series.New([]any{1, 2, nil}, series.Int, "i"),
		series.New([]any{nil, 2.5, math.NaN()}, series.Float, "f"),
		series.New([]any{true, nil, false}, series.Bool, "b"),
	)
	if df.Err != nil {
		t.Fatal(df.Err)
	}
	g, err := ctxgota.New(ctx, store, "nulls", df, nil)
	require.NoError(t, err)
	rec, err := ToArrow(ctx, g, "nulls.arrow", &ctxarrow.Options{Allocator: mem})
	require.NoError(t, err)
	defer rec.Release()
	a := rec.Arrow()
	wantTypes := []arrow.DataType{arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Float64, arrow.FixedWidthTypes.Boolean}
	wantNulls := [][]bool{{false, true, false}, {false, false, true}, {true, false, true}, {false, true, false}}
	for c := range wantTypes {
		col := a.Column(c)
		if !arrow.TypeEqual(col.DataType(), wantTypes[c]) {
			t.Fatalf("column %d is %s, want %s", c, col.DataType(), wantTypes[c])
		}
		for i, null := range wantNulls[c] {
			if col.IsNull(i) != null {
				t.Fatalf("column %d row %d: null %v, want %v", c, i, col.IsNull(i), null)
			}
		}
	}
	if got := a.Column(2).(*array.Float64).Value(1); got != 2.5 {
		t.Fatalf("float value %v, want 2.5", got)
	}
	back, err := ToGota(ctx, rec, "nulls.back", nil)
	require.NoError(t, err)
	sameDataFrame(t, back.DataFrame(), df)
}

func TestArrowNaNBecomesGotaNA(t *testing.T) {
	ctx := context.Background()
	mem := checkedAlloc(t)
	store := contextstore.NewMemoryStore()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "f32", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
		{Name: "u8", Type: arrow.PrimitiveTypes.Uint8, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.LargeString, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	b.Field(0).(*array.Float32Builder).AppendValues([]float32{float32(math.NaN()), 1.5}, nil)
	b.Field(1).(*array.Uint8Builder).AppendValues([]uint8{7, 0}, []bool{true, false})
	b.Field(2).(*array.LargeStringBuilder).AppendValues([]string{"NaN", "x"}, nil)
	arec := b.NewRecord()
	b.Release()
	defer arec.Release()
	rec, err := ctxarrow.NewRecord(ctx, store, "nan", arec, &ctxarrow.Options{Allocator: mem})
	require.NoError(t, err)
	defer rec.Release()
	g, err := ToGota(ctx, rec, "nan.gota", nil)
	require.NoError(t, err)
	df := g.DataFrame()
	if !slices.Equal(df.Types(), []series.Type{series.Float, series.Int, series.String}) {
		t.Fatalf("types %v", df.Types())
	}
	for _, c := range []struct {
		col string
		row int
		na  bool
	}{{"f32", 0, true}, {"f32", 1, false}, {"u8", 0, false}, {"u8", 1, true}, {"s", 0, true}, {"s", 1, false}} {
		if got := df.Col(c.col).Elem(c.row).IsNA(); got != c.na {
			t.Fatalf("%s[%d] NA %v, want %v", c.col, c.row, got, c.na)
		}
	}
	if got := df.Col("u8").Elem(0).String(); got != "7" {
		t.Fatalf("u8[0] = %s, want 7", got)
	}
}

func TestToGotaRefusesUnsupportedTypesAndWritesNothing(t *testing.T) {
	ctx := context.Background()
	mem := checkedAlloc(t)
	store := contextstore.NewMemoryStore()
	schema := arrow.NewSchema([]arrow.Field{{Name: "d", Type: arrow.FixedWidthTypes.Date32}}, nil)
	b := array.NewRecordBuilder(mem, schema)
	b.Field(0).(*array.Date32Builder).Append(arrow.Date32(19000))
	arec := b.NewRecord()
	b.Release()
	defer arec.Release()
	seed(t, store, "dates", ctxMap{"c:d": v("unit", "day")})
	rec, err := ctxarrow.NewRecord(ctx, store, "dates", arec, &ctxarrow.Options{Allocator: mem})
	require.NoError(t, err)
	defer rec.Release()
	_, err = ToGota(ctx, rec, "dates.gota", nil)
	var oe *OpError
	if !errors.Is(err, ErrUnsupportedType) || !errors.As(err, &oe) || oe.Op != "to_gota" {
		t.Fatalf("error %v, want an ErrUnsupportedType OpError", err)
	}
	sameContext(t, allContext(t, store, "dates.gota"), ctxMap{})
}

func TestConversionStoreFailureLeavesNoContext(t *testing.T) {
	ctx := context.Background()
	mem := checkedAlloc(t)
	store := framectxtest.NewFailingStore(contextstore.NewMemoryStore())
	df := loadCSV(t, "weather.csv")
	m := csvContext("station_id", "wind_kph")
	seed(t, store, "w", m)
	g, err := ctxgota.New(ctx, store, "w", df, nil)
	require.NoError(t, err)
	store.FailApply(1)
	if _, err := ToArrow(ctx, g, "w.arrow", &ctxarrow.Options{Allocator: mem}); !errors.Is(err, framectxtest.ErrInjected) {
		t.Fatalf("error %v, want the injected failure", err)
	}
	store.Reset()
	sameContext(t, allContext(t, store.Inner(), "w.arrow"), ctxMap{})
	sameContext(t, allContext(t, store.Inner(), "w"), m)
}

func TestToGotaRefusesAFrameWithoutColumns(t *testing.T) {
	ctx := context.Background()
	mem := checkedAlloc(t)
	rec := array.NewRecord(arrow.NewSchema(nil, nil), nil, 3)
	defer rec.Release()
	r, err := ctxarrow.NewRecord(ctx, contextstore.NewMemoryStore(), "empty", rec, &ctxarrow.Options{Allocator: mem})
	require.NoError(t, err)
	defer r.Release()
	if _, err := ToGota(ctx, r, "empty.gota", nil); !errors.Is(err, ErrUnsupportedType) {
		t.Fatalf("error %v, want ErrUnsupportedType", err)
	}
}

func TestTableWithLongerColumnsIsCutToItsRows(t *testing.T) {
	ctx := context.Background()
	mem := checkedAlloc(t)
	store := contextstore.NewMemoryStore()
	rec := idRecord(mem, 5)
	defer rec.Release()
	cols := make([]arrow.Column, rec.NumCols())
	for i := range cols {
		cols[i] = arrow.NewColumnFromArr(rec.Schema().Field(i), rec.Column(i))
	}
	// arrow-go lets a table be shorter than its columns.
	tbl := array.NewTable(rec.Schema(), cols, 3)
	for i := range cols {
		cols[i].Release()
	}
	defer tbl.Release()
	tb, err := ctxarrow.NewTable(ctx, store, "short", tbl, &ctxarrow.Options{Allocator: mem})
	require.NoError(t, err)
	defer tb.Release()
	if _, err := tb.Apply(ctx, ctxarrow.CastColumn("id", arrow.PrimitiveTypes.Int32)); err != nil {
		t.Fatal(err)
	}
	if _, err := tb.Apply(ctx, ctxarrow.Concat(tb)); err != nil {
		t.Fatal(err)
	}
	g, err := ToGota(ctx, tb, "short.gota", nil)
	require.NoError(t, err)
	if got := g.DataFrame().Col("id").Records(); !slices.Equal(got, []string{"0", "1", "2", "0", "1", "2"}) {
		t.Fatalf("ids %v, want the table's 3 rows twice", got)
	}
}

// idRecord is a record of n rows: an int64 "id" 0..n-1 and a string "name".
func idRecord(mem memory.Allocator, n int) arrow.Record {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "name", Type: arrow.BinaryTypes.String},
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for i := 0; i < n; i++ {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		b.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("n%d", i))
	}
	return b.NewRecord()
}

func TestToGotaAfterReleaseIsErrReleased(t *testing.T) {
	ctx := context.Background()
	mem := checkedAlloc(t)
	store := contextstore.NewMemoryStore()
	rec := idRecord(mem, 3)
	defer rec.Release()
	r, err := ctxarrow.NewRecord(ctx, store, "gone", rec, &ctxarrow.Options{Allocator: mem})
	require.NoError(t, err)
	tb, err := ctxarrow.NewTableFromRecords(ctx, store, "gone.t", []arrow.Record{rec}, &ctxarrow.Options{Allocator: mem})
	require.NoError(t, err)
	r.Release()
	tb.Release()
	for _, f := range []ctxarrow.Frame{r, tb} {
		if _, err := ToGota(ctx, f, "", nil); !errors.Is(err, ctxarrow.ErrReleased) {
			t.Errorf("%T: %v, want ErrReleased", f, err)
		}
	}
	if ks, _ := store.ListKeys(ctx); len(ks) != 0 {
		t.Fatalf("a refused conversion wrote %v", ks)
	}
}

// TestArrowAdapterDoesNotLinkGota keeps the adapters siblings: a program
// that uses only Arrow must not link gota, nor adapters/gota link Arrow,
// and neither carries Table Schema support it does not use.
func TestArrowAdapterDoesNotLinkGota(t *testing.T) {
	for pkg, banned := range map[string][]string{
		"github.com/ctxframe/ctxframe/adapters/arrow": {"github.com/go-gota/gota", "github.com/ctxframe/ctxframe/adapters/gota", "github.com/ctxframe/ctxframe/adapters/tableschema"},
		"github.com/ctxframe/ctxframe/adapters/gota":  {"github.com/apache/arrow/go", "github.com/ctxframe/ctxframe/adapters/arrow", "github.com/ctxframe/ctxframe/adapters/tableschema"},
	} {
		out, err := exec.Command("go", "list", "-deps", pkg).CombinedOutput()
		require.NoError(t, err, "go list -deps %s: %v\n%s", pkg, err, out)
		for _, dep := range strings.Fields(string(out)) {
			for _, b := range banned {
				if strings.HasPrefix(dep, b) {
					t.Errorf("%s depends on %s", pkg, dep)
				}
			}
		}
	}
}
