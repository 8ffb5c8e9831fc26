package keys_test

import (
	"fmt"

	"github.com/ctxframe/ctxframe/keys"
)

func Example() {
	k := keys.Cell("weather", 3, "temp")
	fmt.Println(k)
	fmt.Println(k.Kind(), k.FrameID(), k.RowIndex(), k.ColumnName())

	back, err := keys.Parse(k.String())
	fmt.Println(back == k, err)

	_, err = keys.Parse("ctx1:{weather}r:-1")
	fmt.Println(err)
	// Output:
	// ctx1:{weather}x:3:temp
	// cell weather 3 temp
	// true <nil>
	// keys: invalid key "ctx1:{weather}r:-1": malformed row number
}
