package framectx

import (
	"bufio"
	"fmt"
	"io"

	"github.com/ctxframe/ctxframe/contextstore"
)

// WriteContext writes entries for people, one a line: the readable
// reference (`column "temp_c"`, `cell (5, "temp_c")`) and the entry's
// fields as canonical JSON, leaving out the fields ctxframe keeps for
// itself (lineage) and entries that hold nothing else. The adapters'
// Print methods and the command line use it.
func WriteContext(w io.Writer, entries []contextstore.Entry) error {
	bw := bufio.NewWriter(w)
	for _, e := range entries {
		user := UserFields(e.Value)
		if len(user) == 0 {
			continue
		}
		b, err := contextstore.MarshalValue(user)
		if err != nil {
			return err
		}
		fmt.Fprintf(bw, "%-24s %s\n", RefOf(e.Key), b)
	}
	return bw.Flush()
}
