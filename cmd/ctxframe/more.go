package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/go-gota/gota/dataframe"
	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/adapters/tableschema"
	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

func init() {
	commandSpecs = append(commandSpecs,
		commandSpec{use: "lineage FRAME", short: "Print a frame's column lineage (OpenLineage column-lineage facet)", args: cobra.ExactArgs(1), run: cmdLineage,
			example: "  ctxframe lineage weather_report"},
		commandSpec{use: "copy [FRAME...]", short: "Copy frames' context from one store to another", args: cobra.ArbitraryArgs, run: cmdCopy,
			long: "Copy every frame (or the frames named) from --from to --to, in one batch. A frame that already has other\n" +
				"context in --to is refused unless --replace or --merge POLICY. A progress bar shows on a terminal.",
			flags: func(fs *pflag.FlagSet, o *options) {
				fs.StringVar(&o.from, "from", "", "the store to copy from (URL)")
				fs.StringVar(&o.to, "to", "", "the store to copy to (URL)")
				fs.BoolVar(&o.replace, "replace", false, "replace other context the target has for a frame")
				fs.StringVar(&o.merge, "merge", "", "merge into the target's context by `POLICY` (drop, identical, no_conflicts, drop_conflicts, override: the target's wins)")
			},
			example: "  ctxframe copy --from sqlite:ctx.db --to redis://127.0.0.1:6379/0\n  ctxframe copy weather --from sqlite:ctx.db --to sqlite:backup.db --replace"},
		commandSpec{use: "export FRAME", group: "schema", short: "Print a frame's column context as a Frictionless Table Schema", args: cobra.ExactArgs(1), run: cmdSchemaExport, flags: dataFlag,
			long:    "Print the frame's column context as a Table Schema: one field per column of --data (a CSV of the frame),\nor, without it, per column that has context.",
			example: "  ctxframe schema export weather --data testdata/weather.csv > weather.schema.json"},
		commandSpec{use: "import FRAME FILE", group: "schema", short: "Write a Frictionless Table Schema into a frame's column context", args: cobra.ExactArgs(2), run: cmdSchemaImport, flags: dataFlag,
			long:    "Merge each field's properties into the context of its column, and missingValues, primaryKey and\nforeignKeys into the frame's, in one batch. With --data (a CSV of the frame), a field naming no column is refused.",
			example: "  ctxframe schema import weather testdata/tableschema/weather.schema.json --data testdata/weather.csv"},
	)
}

// cmdLineage prints the OpenLineage ColumnLineageDatasetFacet the frame's
// context records.
func cmdLineage(ctx context.Context, e *env, args []string) error {
	_, b, err := e.binding(ctx, args[0])
	if err != nil {
		return err
	}
	facet, err := b.Lineage(ctx, "")
	if err != nil {
		return err
	}
	return printJSON(e.stdout, facet)
}

// cmdCopy copies frames between stores in one conditional batch on the
// target: all of it or nothing (per frame on a clustered target).
func cmdCopy(ctx context.Context, e *env, args []string) error {
	if e.opts.from == "" || e.opts.to == "" {
		return usage("copy needs --from URL and --to URL")
	}
	rule, err := e.restoreRule()
	if err != nil {
		return err
	}
	src, err := contextstore.Open(ctx, e.opts.from, e.openOptions()...)
	if err != nil {
		return fmt.Errorf("opening --from: %w", err)
	}
	defer contextstore.Close(src)
	dst, err := contextstore.Open(ctx, e.opts.to, e.openOptions()...)
	if err != nil {
		return fmt.Errorf("opening --to: %w", err)
	}
	defer contextstore.Close(dst)
	frames := args
	if len(frames) == 0 {
		if frames, err = contextstore.ListFrames(ctx, src); err != nil {
			return err
		}
	}
	bar := progressFor(e.stderr, int64(len(frames)), "reading frames")
	read := make(map[string][]contextstore.Entry, len(frames))
	total := 0
	for _, id := range frames {
		es, err := contextstore.ReadFrame(ctx, src, id)
		if err != nil {
			return err
		}
		read[id] = es
		total += len(es)
		_ = bar.Add(1)
	}
	_ = bar.Finish()
	_, err = contextstore.Update(ctx, dst, frames, true, func(snaps []contextstore.Snapshot) ([]contextstore.Mutation, error) {
		var ms []contextstore.Mutation
		for i, id := range frames {
			plan, err := restorePlan(id, snaps[i].Entries, read[id], rule)
			if err != nil {
				return nil, err
			}
			ms = append(ms, plan...)
		}
		return ms, nil
	})
	if errors.Is(err, contextstore.ErrConflict) {
		return fmt.Errorf("copy: the target kept changing: %w", err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "copied %d frames, %d entries\n", len(frames), total)
	return nil
}

// progressFor returns a progress bar on w when w is a terminal, else one
// that draws nothing.
func progressFor(w io.Writer, max int64, what string) *progressbar.ProgressBar {
	if f, ok := w.(*os.File); ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())) {
		return progressbar.NewOptions64(max, progressbar.OptionSetWriter(w), progressbar.OptionSetDescription(what),
			progressbar.OptionShowCount(), progressbar.OptionClearOnFinish())
	}
	return progressbar.NewOptions64(max, progressbar.OptionSetWriter(io.Discard), progressbar.OptionSetVisibility(false))
}

// frameShape is the shape of the frame a command works on: --data's
// columns and rows when given, else fallback's columns.
func (e *env) frameShape(fallback []string) (framectx.Shape, error) {
	if e.opts.data == "" {
		return framectx.Shape{Columns: fallback}, nil
	}
	f, err := os.Open(e.opts.data)
	if err != nil {
		return framectx.Shape{}, err
	}
	defer f.Close()
	df := dataframe.ReadCSV(bufio.NewReader(f))
	if df.Err != nil {
		return framectx.Shape{}, fmt.Errorf("reading %s: %w", e.opts.data, df.Err)
	}
	return framectx.Shape{Columns: df.Names(), Rows: df.Nrow()}, nil
}

func cmdSchemaExport(ctx context.Context, e *env, args []string) error {
	s, b, err := e.binding(ctx, args[0])
	if err != nil {
		return err
	}
	entries, err := contextstore.ReadFrame(ctx, s, args[0])
	if err != nil {
		return err
	}
	var cols []string
	for _, en := range entries {
		if en.Key.Kind() == keys.KindColumn && !slices.Contains(cols, en.Key.ColumnName()) {
			cols = append(cols, en.Key.ColumnName())
		}
	}
	shape, err := e.frameShape(cols)
	if err != nil {
		return err
	}
	schema, err := tableschema.Export(ctx, b, shape)
	if err != nil {
		return err
	}
	return printJSON(e.stdout, schema)
}

func cmdSchemaImport(ctx context.Context, e *env, args []string) error {
	f, err := os.Open(args[1])
	if err != nil {
		return err
	}
	defer f.Close()
	schema, err := tableschema.Read(bufio.NewReader(f))
	if err != nil {
		return err
	}
	s, b, err := e.binding(ctx, args[0])
	if err != nil {
		return err
	}
	// Without --data the frame's shape is what its context and the schema
	// name: every field then has its column.
	entries, err := contextstore.ReadFrame(ctx, s, args[0])
	if err != nil {
		return err
	}
	var names []string
	rows := 0
	for _, en := range entries {
		if en.Key.HasColumn() && !slices.Contains(names, en.Key.ColumnName()) {
			names = append(names, en.Key.ColumnName())
		}
		if en.Key.HasRow() {
			rows = max(rows, en.Key.RowIndex()+1)
		}
	}
	for _, fd := range schema.Fields {
		if !slices.Contains(names, fd.Name) {
			names = append(names, fd.Name)
		}
	}
	shape, err := e.frameShape(names)
	if err != nil {
		return err
	}
	if e.opts.data == "" {
		shape.Rows = rows
	}
	// The import is meant for the frame's layout as it is now, and its
	// context must fit the data named.
	if _, err := b.Adopt(ctx, shape); err != nil {
		return err
	}
	res, err := tableschema.Import(ctx, b, shape, schema, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "imported %d fields into frame %q\n", len(res.Columns), args[0])
	return nil
}

// binding opens the store and binds frameID in it (no data: the commands
// that use it read or write context only).
func (e *env) binding(ctx context.Context, frameID string) (contextstore.Store, *framectx.Binding, error) {
	s, err := e.openStore(ctx)
	if err != nil {
		return nil, nil, err
	}
	b, err := framectx.Bind(s, frameID, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", errUsage, err)
	}
	return s, b, nil
}
