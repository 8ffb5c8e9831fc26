package tableschema

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/adapters/framectx/framectxtest"
	"github.com/ctxframe/ctxframe/contextstore"
)

var weatherShape = framectx.Shape{Columns: []string{"station_id", "date", "temp_c", "precip_mm", "wind_kph"}, Rows: 12}

func readSchema(t *testing.T) (*Schema, []byte) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "tableschema", "weather.schema.json"))
	require.NoError(t, err)
	s, err := Parse(data)
	require.NoError(t, err)
	return s, data
}

func bind(t *testing.T, s contextstore.Store) *framectx.Binding {
	t.Helper()
	b, err := framectx.Bind(s, "weather", nil)
	require.NoError(t, err)
	return b
}

func TestParse(t *testing.T) {
	s, _ := readSchema(t)
	temp, ok := s.Field("temp_c")
	if !ok {
		t.Fatal("no temp_c field")
	}
	want := Field{
		Name: "temp_c", Title: "Mean air temperature", Description: "Daily mean air temperature at 2 m.",
		Type: "number", Constraints: map[string]any{"minimum": int64(-90), "maximum": int64(60)},
		Custom: map[string]any{"unit": "°C", "bareNumber": true},
	}
	if !reflect.DeepEqual(temp, want) {
		t.Errorf("temp_c = %+v, want %+v", temp, want)
	}
	if got := s.PrimaryKey; !reflect.DeepEqual(got, []string{"station_id", "date"}) {
		t.Errorf("primaryKey = %v", got)
	}
	if got := s.MissingValues; !reflect.DeepEqual(got, []string{"", "NA"}) {
		t.Errorf("missingValues = %v", got)
	}
	single, err := Parse([]byte(`{"fields":[{"name":"id"}],"primaryKey":"id","$comment":"kept"}`))
	require.NoError(t, err)
	if !reflect.DeepEqual(single.PrimaryKey, []string{"id"}) || single.Extra["$comment"] != "kept" {
		t.Errorf("single-column key / extra = %v / %v", single.PrimaryKey, single.Extra)
	}
	if _, ok := s.Field("nope"); ok {
		t.Error("Field found a missing field")
	}
}

func TestParseMalformed(t *testing.T) {
	bad := []string{
		``,
		`[]`,
		`{"fields": 3}`,
		`{"fields": [3]}`,
		`{"fields": [{"title": "no name"}]}`,
		`{"fields": [{"name": ""}]}`,
		`{"fields": [{"name": "a"}, {"name": "a"}]}`,
		`{"fields": [{"name": "a", "title": 7}]}`,
		`{"fields": [{"name": "a", "constraints": []}]}`,
		`{"fields": [], "missingValues": [1]}`,
		`{"fields": [], "primaryKey": 5}`,
		`{"fields": [], "foreignKeys": {}}`,
		`{"fields": []} {}`,
	}
	for _, doc := range bad {
		if _, err := Parse([]byte(doc)); !errors.Is(err, ErrMalformed) {
			t.Errorf("Parse(%s) = %v, want ErrMalformed", doc, err)
		}
	}
	if _, err := Read(strings.NewReader(`{"fields":[` + strings.Repeat(" ", maxSchemaBytes) + `]}`)); !errors.Is(err, ErrMalformed) {
		t.Errorf("Read of an oversized schema = %v, want ErrMalformed", err)
	}
}

func TestImportExportRoundTrip(t *testing.T) {
	ctx := context.Background()
	schema, data := readSchema(t)
	for _, mk := range []func() contextstore.Store{
		func() contextstore.Store { return contextstore.NewMemoryStore() },
		func() contextstore.Store { return framectxtest.NewFailingStore(contextstore.NewMemoryStore()) },
	} {
		store := mk()
		b := bind(t, store)
		res, err := Import(ctx, b, weatherShape, schema, nil)
		require.NoError(t, err)
		if len(res.Columns) != 5 || len(res.Skipped) != 0 {
			t.Errorf("result = %+v", res)
		}
		temp, err := b.Get(ctx, weatherShape, framectx.ColumnRef("temp_c"))
		require.NoError(t, err)
		if temp["unit"] != "°C" || temp["type"] != "number" || temp["title"] != "Mean air temperature" {
			t.Errorf("temp_c context = %v", temp)
		}
		frame, err := b.Get(ctx, weatherShape, framectx.FrameRef())
		require.NoError(t, err)
		if !reflect.DeepEqual(frame["primaryKey"], []any{"station_id", "date"}) {
			t.Errorf("frame context = %v", frame)
		}
		exported, err := Export(ctx, b, weatherShape)
		require.NoError(t, err)
		if !reflect.DeepEqual(exported, schema) {
			t.Errorf("round trip:\n got %+v\nwant %+v", exported, schema)
		}
		// And as documents: the exported JSON means the same as the file.
		out, err := json.Marshal(exported)
		require.NoError(t, err)
		var got, want any
		require.NoError(t, json.Unmarshal(out, &got))
		require.NoError(t, json.Unmarshal(data, &want))
		if !reflect.DeepEqual(got, want) {
			t.Errorf("exported document differs:\n got %s\nwant %s", out, data)
		}
	}
}

func TestImportPatchesAndKeepsOtherContext(t *testing.T) {
	ctx := context.Background()
	store := contextstore.NewMemoryStore()
	b := bind(t, store)
	shape := framectx.Shape{Columns: []string{"a", "b"}, Rows: 1}
	lineageRec := map[string]any{"inputFields": []any{}}
	require.NoError(t, b.Set(ctx, shape, framectx.ColumnRef("a"), contextstore.Value{"owner": "ann", "title": "old", framectx.LineageField: lineageRec}))
	s := &Schema{Fields: []Field{{Name: "a", Title: "new", Custom: map[string]any{framectx.LineageField: "forged"}}}}
	if _, err := Import(ctx, b, shape, s, nil); err != nil {
		t.Fatal(err)
	}
	got, _ := b.Get(ctx, shape, framectx.ColumnRef("a"))
	want := contextstore.Value{"owner": "ann", "title": "new", framectx.LineageField: lineageRec}
	if !contextstore.Equal(got, want) {
		t.Errorf("patched = %v, want %v", got, want)
	}
	if _, err := Import(ctx, b, shape, s, &ImportOptions{Replace: true}); err != nil {
		t.Fatal(err)
	}
	got, _ = b.Get(ctx, shape, framectx.ColumnRef("a"))
	want = contextstore.Value{"title": "new", framectx.LineageField: lineageRec}
	if !contextstore.Equal(got, want) {
		t.Errorf("replaced = %v, want %v", got, want)
	}
	if _, err := b.Get(ctx, shape, framectx.ColumnRef("b")); !errors.Is(err, contextstore.ErrNotFound) {
		t.Errorf("column without a field got context: %v", err)
	}
	exported, err := Export(ctx, b, shape)
	require.NoError(t, err)
	if f, _ := exported.Field("a"); f.Custom != nil {
		t.Errorf("export leaked reserved fields: %+v", f)
	}
}

func TestImportUnknownFields(t *testing.T) {
	ctx := context.Background()
	schema, _ := readSchema(t)
	shape := framectx.Shape{Columns: []string{"station_id", "temp_c", "extra"}, Rows: 3}
	store := contextstore.NewMemoryStore()
	b := bind(t, store)
	_, err := Import(ctx, b, shape, schema, nil)
	var ue *UnknownFieldError
	if !errors.As(err, &ue) || !errors.Is(err, ErrUnknownField) {
		t.Fatalf("Import = %v, want an *UnknownFieldError", err)
	}
	if !reflect.DeepEqual(ue.Fields, []string{"date", "precip_mm", "wind_kph"}) {
		t.Errorf("unknown fields = %v", ue.Fields)
	}
	if es, _ := b.Entries(ctx); len(es) != 0 {
		t.Errorf("refused import wrote %v", es)
	}
	res, err := Import(ctx, b, shape, schema, &ImportOptions{SkipUnknown: true})
	require.NoError(t, err)
	if !reflect.DeepEqual(res.Columns, []string{"station_id", "temp_c"}) || !reflect.DeepEqual(res.Skipped, ue.Fields) {
		t.Errorf("result = %+v", res)
	}
	exported, err := Export(ctx, b, shape)
	require.NoError(t, err)
	if len(exported.Fields) != 3 || exported.Fields[2].Name != "extra" || exported.Fields[2].Type != "" {
		t.Errorf("exported fields = %+v", exported.Fields)
	}
}

func TestImportFailureWritesNothing(t *testing.T) {
	ctx := context.Background()
	schema, _ := readSchema(t)
	fs := framectxtest.NewFailingStore(contextstore.NewMemoryStore())
	b := bind(t, fs)
	fs.FailApply(1)
	if _, err := Import(ctx, b, weatherShape, schema, nil); !errors.Is(err, framectxtest.ErrInjected) {
		t.Fatalf("Import = %v, want the injected failure", err)
	}
	if es, _ := b.Entries(ctx); len(es) != 0 {
		t.Errorf("failed import wrote %v", es)
	}
	fs.FailAlways(framectxtest.OpListKeys) // Import reads the frame with its version (ReadVersioned)
	if _, err := Import(ctx, b, weatherShape, schema, nil); !errors.Is(err, framectxtest.ErrInjected) {
		t.Fatalf("Import with failing reads = %v", err)
	}
	if es, _ := contextstore.ReadFrame(ctx, fs.Inner(), b.FrameID()); len(es) != 0 {
		t.Errorf("an import whose read failed wrote %v", es)
	}
	fs.Reset()
	fs.FailAlways(framectxtest.OpListKeys)
	if _, err := Export(ctx, b, weatherShape); !errors.Is(err, framectxtest.ErrInjected) {
		t.Fatalf("Export with failing reads = %v", err)
	}
	if _, err := Import(ctx, b, weatherShape, nil, nil); err == nil {
		t.Error("Import of a nil schema succeeded")
	}
}

func TestExportRefusesBadStandardProperties(t *testing.T) {
	ctx := context.Background()
	store := contextstore.NewMemoryStore()
	b := bind(t, store)
	shape := framectx.Shape{Columns: []string{"a"}, Rows: 1}
	require.NoError(t, b.Set(ctx, shape, framectx.ColumnRef("a"), contextstore.Value{"title": 3}))
	if _, err := Export(ctx, b, shape); !errors.Is(err, ErrMalformed) {
		t.Errorf("Export = %v, want ErrMalformed", err)
	}
	require.NoError(t, b.Set(ctx, shape, framectx.ColumnRef("a"), contextstore.Value{"name": "other"}))
	require.NoError(t, b.Set(ctx, shape, framectx.FrameRef(), contextstore.Value{"primaryKey": 3}))
	if _, err := Export(ctx, b, shape); err == nil {
		t.Error("Export with a bad primaryKey succeeded")
	}
	require.NoError(t, b.Set(ctx, shape, framectx.FrameRef(), contextstore.Value{}))
	s, err := Export(ctx, b, shape)
	require.NoError(t, err)
	if s.Fields[0].Name != "a" {
		t.Errorf("a context field called name renamed the column: %+v", s.Fields[0])
	}
}

func TestSchemaJSONMethods(t *testing.T) {
	var s Schema
	require.NoError(t, json.Unmarshal([]byte(`{"fields":[{"name":"a","type":"integer"}],"primaryKey":"a"}`), &s))
	if len(s.Fields) != 1 || s.Fields[0].Type != "integer" || s.PrimaryKey[0] != "a" {
		t.Errorf("UnmarshalJSON = %+v", s)
	}
	if err := json.Unmarshal([]byte(`{"fields":{}}`), &s); !errors.Is(err, ErrMalformed) {
		t.Errorf("UnmarshalJSON of a bad schema = %v", err)
	}
	e := &UnknownFieldError{Fields: []string{"x", "y z"}}
	if got, want := e.Error(), `tableschema: schema fields not in the frame: "x" "y z"`; got != want {
		t.Errorf("Error = %q, want %q", got, want)
	}
}

// Import never overwrites a writer in between: its write is conditional on
// the frame's version as read, and a layout change since binding is stale.
func TestImportIsConditional(t *testing.T) {
	ctx := context.Background()
	schema, _ := readSchema(t)
	store := contextstore.NewMemoryStore()
	b := bind(t, store)
	// Another process relays the frame out after this binding was made.
	other, err := framectx.Bind(store, b.FrameID(), nil)
	require.NoError(t, err)
	if _, err := other.Commit(ctx, []*framectx.Binding{other}, func([][]contextstore.Entry) (framectx.Change, error) {
		return framectx.Change{
			Inputs:  []framectx.Input{{FrameID: b.FrameID(), Shape: weatherShape}},
			Output:  b.FrameID(),
			Columns: []framectx.OutputColumn{framectx.Renamed(0, "station_id", "station")},
		}, nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := Import(ctx, b, weatherShape, schema, nil); !errors.Is(err, framectx.ErrStale) {
		t.Fatalf("Import after the columns moved = %v, want ErrStale", err)
	}
}
