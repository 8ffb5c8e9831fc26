package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	ctxarrow "github.com/ctxframe/ctxframe/adapters/arrow"
	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/contextstore"
)

// Magic numbers that tell the formats apart: every Arrow IPC file opens
// with ARROW1 and every Parquet file with PAR1; an IPC stream has none.
var (
	ipcFileMagic = []byte("ARROW1")
	parquetMagic = []byte("PAR1")
)

// inspected is what inspect reports, and its --json form.
type inspected struct {
	Format   string            `json:"format"` // "arrow-file", "arrow-stream" or "parquet"
	Rows     int64             `json:"rows"`
	Batches  int               `json:"batches"`
	FrameID  string            `json:"frame_id"`
	Columns  []inspectedColumn `json:"columns"`
	Context  []inspectedEntry  `json:"context"`
	Metadata map[string]string `json:"metadata,omitempty"` // other schema metadata
}

type inspectedColumn struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

type inspectedEntry struct {
	Key   string             `json:"key"` // canonical key
	Ref   string             `json:"ref"` // readable reference
	Value contextstore.Value `json:"value"`
}

// cmdInspect shows what an Arrow IPC file or stream, or a Parquet file,
// carries: its frame, its columns and all of its context. It decodes into a
// private in-memory store, so it needs no -store and changes none.
func cmdInspect(ctx context.Context, e *env, args []string) error {
	asJSON := &e.opts.json
	f, err := os.Open(args[0])
	if err != nil {
		return err
	}
	defer f.Close()
	head := make([]byte, len(ipcFileMagic))
	n, _ := f.ReadAt(head, 0)
	head = head[:n]
	store := contextstore.NewMemoryStore()
	var res *ctxarrow.ReadResult
	var out inspected
	switch {
	case bytes.HasPrefix(head, ipcFileMagic):
		out.Format = "arrow-file"
		res, err = ctxarrow.ReadFile(ctx, f, store, nil)
	case bytes.HasPrefix(head, parquetMagic):
		out.Format = "parquet"
		res, err = ctxarrow.ReadParquet(ctx, f, store, nil)
	default:
		out.Format = "arrow-stream"
		res, err = ctxarrow.ReadStream(ctx, bufio.NewReader(f), store, nil)
	}
	if err != nil {
		return err
	}
	defer res.Release()
	out.Rows, out.Batches, out.FrameID = res.NumRows, len(res.Records), res.FrameID
	out.Columns, out.Context = []inspectedColumn{}, []inspectedEntry{}
	for _, field := range res.Schema.Fields() {
		out.Columns = append(out.Columns, inspectedColumn{Name: field.Name, Type: field.Type.String()})
	}
	if res.FrameID != "" {
		entries, err := contextstore.ReadFrame(ctx, store, res.FrameID)
		if err != nil {
			return err
		}
		for _, en := range entries {
			out.Context = append(out.Context, inspectedEntry{Key: en.Key.String(), Ref: framectx.RefOf(en.Key).String(), Value: en.Value})
		}
	}
	if md := res.Schema.Metadata(); md.Len() > 0 {
		out.Metadata = map[string]string{}
		for i, k := range md.Keys() {
			out.Metadata[k] = md.Values()[i]
		}
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	return printInspected(e, out, res)
}

func printInspected(e *env, out inspected, res *ctxarrow.ReadResult) error {
	w := bufio.NewWriter(e.stdout)
	frame := out.FrameID
	if frame == "" {
		frame = "(none: the data carries no ctxframe context)"
	}
	kind := map[string]string{"arrow-file": "Arrow IPC file", "arrow-stream": "Arrow IPC stream", "parquet": "Parquet file"}[out.Format]
	fmt.Fprintf(w, "%s: %d rows in %d batches\nframe: %s\ncolumns:\n", kind, out.Rows, out.Batches, frame)
	for _, c := range out.Columns {
		fmt.Fprintf(w, "  %s: %s\n", c.Name, c.Type)
	}
	if out.FrameID != "" {
		fmt.Fprintf(w, "context (%d entries):\n", len(out.Context))
		for _, en := range out.Context {
			b, err := contextstore.MarshalValue(en.Value)
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "  %-24s %s\n", en.Ref, b)
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
