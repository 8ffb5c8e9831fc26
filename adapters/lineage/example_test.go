package lineage_test

import (
	"context"
	"fmt"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/adapters/lineage"
	"github.com/ctxframe/ctxframe/contextstore"
)

func ExampleFacetFromEntries() {
	ctx := context.Background()
	store := contextstore.NewMemoryStore()
	in := framectx.Input{FrameID: "weather", Shape: framectx.Shape{Columns: []string{"temp_c"}, Rows: 12}}

	// Derive a new frame "report" with a computed column temp_f.
	c, _ := framectx.AddChange(in, "report", "temp_f",
		lineage.Direct(lineage.SubtypeTransformation, "temp_c * 9 / 5 + 32"), "temp_c")
	if _, err := framectx.Propagate(ctx, store, c); err != nil {
		panic(err)
	}
	entries, _ := contextstore.ReadFrame(ctx, store, "report")
	facet, _ := lineage.FacetFromEntries("https://example.com/etl", entries)
	f := facet.Fields["temp_f"].InputFields[0]
	fmt.Println(facet.SchemaURL)
	fmt.Println(f.Name, f.Field, f.Transformations[0].Type, f.Transformations[0].Subtype)
	// Output:
	// https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json
	// weather temp_c DIRECT TRANSFORMATION
}
