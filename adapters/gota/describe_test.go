package gota

import (
	"context"
	"errors"
	"testing"

	"github.com/go-gota/gota/dataframe"
	"github.com/go-gota/gota/series"
	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/adapters/tableschema"
	"github.com/ctxframe/ctxframe/contextstore"
)

const weatherSchema = `{
  "fields": [
    {"name": "station_id", "title": "Station", "type": "string", "constraints": {"required": true, "pattern": "[A-Z]{3}"}},
    {"name": "date", "type": "date", "format": "%Y-%m-%d"},
    {"name": "temp_c", "title": "Temperature", "description": "daily mean air temperature", "type": "number", "unit": "degC"},
    {"name": "precip_mm", "type": "number", "constraints": {"minimum": 0}}
  ],
  "missingValues": ["NA"],
  "primaryKey": ["station_id", "date"]
}`

func TestTableSchemaRoundTrip(t *testing.T) {
	ctx := context.Background()
	store := contextstore.NewMemoryStore()
	f, err := New(ctx, store, "weather", loadCSV(t, "weather.csv"), nil)
	require.NoError(t, err)
	in, err := tableschema.Parse([]byte(weatherSchema))
	require.NoError(t, err)
	res, err := tableschema.Import(ctx, f.Binding(), f.Shape(), in, nil)
	require.NoError(t, err)
	if len(res.Columns) != 4 {
		t.Fatalf("imported %v", res.Columns)
	}
	got, err := f.Get(ctx, framectx.ColumnRef("temp_c"))
	if err != nil || got["unit"] != "degC" || got["title"] != "Temperature" || got["type"] != "number" {
		t.Fatalf("temp_c context = %v, %v", got, err)
	}

	// The schema survives operations: the exported schema after a
	// filter and a sort is the imported one.
	_, err = f.Apply(ctx, Filter(dataframe.F{Colname: "temp_c", Comparator: series.Greater, Comparando: 0.0}))
	require.NoError(t, err)
	if _, err = f.Apply(ctx, Arrange(dataframe.Sort("date"))); err != nil {
		t.Fatal(err)
	}
	out, err := tableschema.Export(ctx, f.Binding(), f.Shape())
	require.NoError(t, err)
	for _, want := range in.Fields {
		got, ok := out.Field(want.Name)
		if !ok {
			t.Fatalf("exported schema lacks %q", want.Name)
		}
		a, _ := contextstore.Normalize(got.Map())
		b, _ := contextstore.Normalize(want.Map())
		if !contextstore.Equal(a, b) {
			t.Fatalf("field %q: exported %v, imported %v", want.Name, a, b)
		}
	}
	if len(out.Fields) != 5 {
		t.Fatalf("exported %d fields, want one per column", len(out.Fields))
	}
	if len(out.PrimaryKey) != 2 || len(out.MissingValues) != 1 {
		t.Fatalf("exported primaryKey %v, missingValues %v", out.PrimaryKey, out.MissingValues)
	}

	// A schema field the frame lacks is refused, nothing written.
	bad, err := tableschema.Parse([]byte(`{"fields": [{"name": "humidity", "type": "number"}]}`))
	require.NoError(t, err)
	if _, err := tableschema.Import(ctx, f.Binding(), f.Shape(), bad, nil); !errors.Is(err, tableschema.ErrUnknownField) {
		t.Fatalf("unknown field: %v, want ErrUnknownField", err)
	}
}
