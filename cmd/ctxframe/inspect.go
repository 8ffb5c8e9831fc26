package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"

	ctxarrow "github.com/ctxframe/ctxframe/adapters/arrow"
	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/contextstore"
)

// ipcFileMagic opens every Arrow IPC file; a stream has none.
var ipcFileMagic = []byte("ARROW1")

// cmdInspect shows what an Arrow IPC file or stream carries: its frame, its
// columns and all of its context. It decodes into a private in-memory store,
// so it needs no -store and changes none.
func cmdInspect(ctx context.Context, e *env, args []string) error {
	if len(args) != 1 {
		return usage("inspect takes one Arrow IPC file or stream")
	}
	f, err := os.Open(args[0])
	if err != nil {
		return err
	}
	defer f.Close()
	head := make([]byte, len(ipcFileMagic))
	n, _ := f.ReadAt(head, 0)
	store := contextstore.NewMemoryStore()
	var res *ctxarrow.ReadResult
	format := "stream"
	if n == len(head) && bytes.Equal(head, ipcFileMagic) {
		format = "file"
		res, err = ctxarrow.ReadFile(ctx, f, store, nil)
	} else {
		res, err = ctxarrow.ReadStream(ctx, bufio.NewReader(f), store, nil)
	}
	if err != nil {
		return err
	}
	defer res.Release()

	w := bufio.NewWriter(e.stdout)
	frame := res.FrameID
	if frame == "" {
		frame = "(none: the data carries no ctxframe context)"
	}
	fmt.Fprintf(w, "Arrow IPC %s: %d rows in %d batches\nframe: %s\ncolumns:\n", format, res.NumRows, len(res.Records), frame)
	for _, field := range res.Schema.Fields() {
		fmt.Fprintf(w, "  %s: %s\n", field.Name, field.Type)
	}
	if res.FrameID != "" {
		entries, err := contextstore.ReadFrame(ctx, store, res.FrameID)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "context (%d entries):\n", len(entries))
		for _, en := range entries {
			b, err := contextstore.MarshalValue(en.Value)
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "  %-24s %s\n", framectx.RefOf(en.Key), b)
		}
	}
	if md := res.Schema.Metadata(); md.Len() > 0 {
		fmt.Fprintln(w, "other schema metadata:")
		for i, k := range md.Keys() {
			fmt.Fprintf(w, "  %s = %s\n", k, strings.TrimSpace(md.Values()[i]))
		}
	}
	return w.Flush()
}
