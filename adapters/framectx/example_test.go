package framectx_test

import (
	"context"
	"fmt"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/contextstore"
)

func Example() {
	ctx := context.Background()
	store := contextstore.NewMemoryStore()
	b, err := framectx.Bind(store, "weather", nil)
	if err != nil {
		panic(err)
	}
	// The adapter passes the frame's current shape with every call.
	shape := framectx.Shape{Columns: []string{"station_id", "temp_c"}, Rows: 12}

	_ = b.Set(ctx, shape, framectx.ColumnRef("temp_c"), contextstore.Value{"unit": "°C"})
	_ = b.Merge(ctx, shape, framectx.ColumnRef("temp_c"), contextstore.Value{"description": "air temperature"})
	_ = b.Set(ctx, shape, framectx.CellRef(3, "temp_c"), contextstore.Value{"suspect": true})

	v, _ := b.Get(ctx, shape, framectx.ColumnRef("temp_c"))
	fmt.Println(v["unit"], "-", v["description"])

	_, err = b.Get(ctx, shape, framectx.ColumnRef("humidity"))
	fmt.Println(err)
	_, err = b.Get(ctx, shape, framectx.RowRef(40))
	fmt.Println(err)
	// Output:
	// °C - air temperature
	// keys: not in frame "column \"humidity\"": the frame has no such column
	// keys: not in frame "row 40": row out of range: the frame has 12 rows
}

func ExampleRenameChange() {
	ctx := context.Background()
	store := contextstore.NewMemoryStore()
	b, _ := framectx.Bind(store, "weather", nil)
	shape := framectx.Shape{Columns: []string{"station_id", "temp_c"}, Rows: 12}
	_ = b.Set(ctx, shape, framectx.ColumnRef("temp_c"), contextstore.Value{"unit": "°C"})
	_ = b.Set(ctx, shape, framectx.CellRef(3, "temp_c"), contextstore.Value{"suspect": true})

	// Rename temp_c to temperature, in place: the adapter renames its frame
	// and propagates the context in one atomic batch.
	c, err := framectx.RenameChange(framectx.Input{FrameID: "weather", Shape: shape}, "weather",
		map[string]string{"temp_c": "temperature"})
	if err != nil {
		panic(err)
	}
	plan, err := b.Propagate(ctx, c)
	if err != nil {
		panic(err)
	}
	fmt.Println("entries rewritten:", len(plan.Mutations))
	entries, _ := b.Entries(ctx)
	for _, e := range entries {
		fmt.Println(framectx.RefOf(e.Key), e.Value)
	}
	// Output:
	// entries rewritten: 4
	// column "temperature" map[unit:°C]
	// cell (3, "temperature") map[suspect:true]
}

func ExampleMergeValues() {
	a := contextstore.Value{"source": "sensor", "unit": "°C"}
	b := contextstore.Value{"source": "model", "owner": "met"}
	for _, p := range []framectx.Policy{framectx.Override, framectx.DropConflicts, framectx.NoConflicts} {
		v, err := framectx.MergeValues(p, a, b)
		fmt.Println(p, v, err)
	}
	// Output:
	// override map[source:sensor unit:°C] <nil>
	// drop_conflicts map[owner:met unit:°C] <nil>
	// no_conflicts map[] framectx: merge conflict under policy no_conflicts: field "source" differs between inputs 0 and 1
}
