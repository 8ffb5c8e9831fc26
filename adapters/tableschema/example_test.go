package tableschema_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/adapters/tableschema"
	"github.com/ctxframe/ctxframe/contextstore"
)

func ExampleImport() {
	ctx := context.Background()
	schema, err := tableschema.Read(strings.NewReader(`{
	  "fields": [
	    {"name": "station_id", "type": "string", "constraints": {"required": true}},
	    {"name": "temp_c", "title": "Mean air temperature", "type": "number", "unit": "°C"}
	  ],
	  "primaryKey": "station_id"
	}`))
	if err != nil {
		panic(err)
	}
	b, _ := framectx.Bind(contextstore.NewMemoryStore(), "weather", nil)
	shape := framectx.Shape{Columns: []string{"station_id", "temp_c"}, Rows: 12}
	if _, err := tableschema.Import(ctx, b, shape, schema, nil); err != nil {
		panic(err)
	}
	temp, _ := b.Get(ctx, shape, framectx.ColumnRef("temp_c"))
	fmt.Println(temp["title"], "in", temp["unit"])

	// Annotate further, then write the schema back.
	_ = b.Merge(ctx, shape, framectx.ColumnRef("temp_c"), contextstore.Value{"description": "at 2 m"})
	out, _ := tableschema.Export(ctx, b, shape)
	doc, _ := out.MarshalJSON()
	fmt.Println(string(doc))
	// Output:
	// Mean air temperature in °C
	// {"fields":[{"constraints":{"required":true},"name":"station_id","type":"string"},{"description":"at 2 m","name":"temp_c","title":"Mean air temperature","type":"number","unit":"°C"}],"primaryKey":["station_id"]}
}
