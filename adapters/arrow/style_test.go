package arrow

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// A state-bound mark is context like any other: it travels through IPC and
// Parquet, and the operations on the other side honour it.
func TestStateBoundContextTravelsAndIsHonoured(t *testing.T) {
	ctx := context.Background()
	mem := checkedAlloc(t)
	store := contextstore.NewMemoryStore()
	r := bindRecord(t, mem, store, "w", 5, ctxMap{
		"f":      framectx.StateBound(v("title", "weather", "rows", int64(5)), "rows"),
		"c:temp": framectx.StateBound(v("max", 2.0)),
		"r:4":    framectx.StateBound(v("valid", true)),
	})
	for name, write := range map[string]func(*bytes.Buffer) error{
		"ipc":     func(b *bytes.Buffer) error { return r.WriteStream(ctx, b, nil) },
		"parquet": func(b *bytes.Buffer) error { return r.WriteParquet(ctx, b, nil) },
	} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, write(&buf))
			dst := contextstore.NewMemoryStore()
			var tbl *Table
			var err error
			if name == "ipc" {
				tbl, err = ReadStreamTable(ctx, bytes.NewReader(buf.Bytes()), dst, nil, &Options{Allocator: mem})
			} else {
				tbl, err = ReadParquetTable(ctx, bytes.NewReader(buf.Bytes()), dst, &ParquetReadOptions{Allocator: mem}, &Options{Allocator: mem})
			}
			require.NoError(t, err)
			defer tbl.Release()
			sameContext(t, userContext(t, dst, "w"), userContext(t, store, "w"))
			rep, err := tbl.Apply(ctx, Slice(1, 5))
			require.NoError(t, err)
			sameContext(t, userContext(t, dst, "w"), ctxMap{
				"f":   v("title", "weather"),
				"r:3": framectx.StateBound(v("valid", true)), // a row that only moved keeps its state
			})
			require.Len(t, rep.Notes, 2, "the frame's and the column's state: %v", rep.Notes)
			for _, n := range rep.Notes {
				require.Contains(t, []keys.Kind{keys.KindFrame, keys.KindColumn}, n.Kind)
			}
		})
	}
}
