package arrowmeta_test

import (
	"errors"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/ctxframe/ctxframe/adapters/arrow/arrowmeta"
	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// Encode puts a frame's context into schema metadata as JSON text; Decode
// takes it out again and leaves the user's metadata alone.
func Example() {
	user := arrow.NewMetadata([]string{"owner"}, []string{"etl"})
	schema := arrow.NewSchema([]arrow.Field{{Name: "temp", Type: arrow.PrimitiveTypes.Float64}}, &user)
	entries := []contextstore.Entry{
		{Key: keys.Frame("f1"), Value: contextstore.Value{"source": "sensors"}},
		{Key: keys.Column("f1", "temp"), Value: contextstore.Value{"unit": "°C"}},
		{Key: keys.Cell("f1", 7, "temp"), Value: contextstore.Value{"note": "estimated"}},
	}
	encoded, err := arrowmeta.Encode(schema, "f1", entries, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	md := encoded.Metadata()
	for i, k := range md.Keys() {
		fmt.Printf("%s = %s\n", k, md.Values()[i])
	}
	column, _ := encoded.Field(0).Metadata.GetValue(arrowmeta.ColumnKey)
	fmt.Println("temp:", arrowmeta.ColumnKey, "=", column)

	decoded, err := arrowmeta.Decode(encoded, arrowmeta.Limits{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(decoded.FrameID, len(decoded.Entries), "entries; user metadata:", decoded.Schema.Metadata())
	// Output:
	// owner = etl
	// ctxframe.version = 1
	// ctxframe.frame_id = "f1"
	// ctxframe.frame = {"source":"sensors"}
	// ctxframe.cells = [[7,"temp",{"note":"estimated"}]]
	// temp: ctxframe.column = {"unit":"°C"}
	// f1 3 entries; user metadata: ["owner": "etl"]
}

// Untrusted metadata fails with a typed error.
func ExampleDecode_untrusted() {
	md := arrow.NewMetadata(
		[]string{arrowmeta.VersionKey, arrowmeta.FrameIDKey, arrowmeta.RowsKey},
		[]string{"1", `"f1"`, `[[-4,{}]]`})
	_, err := arrowmeta.Decode(arrow.NewSchema(nil, &md), arrowmeta.Limits{})
	fmt.Println(errors.Is(err, arrowmeta.ErrMalformed))
	fmt.Println(err)
	// Output:
	// true
	// arrowmeta: decode ctxframe.rows: malformed context: entry 0: negative row "-4"
}
