package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-gota/gota/dataframe"

	ctxarrow "github.com/ctxframe/ctxframe/adapters/arrow"
	"github.com/ctxframe/ctxframe/adapters/framectx"
	ctxgota "github.com/ctxframe/ctxframe/adapters/gota"
	"github.com/ctxframe/ctxframe/adapters/gotaarrow"
	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// format is a data file's format, told by its extension.
type format int

const (
	formatUnknown format = iota
	formatCSV
	formatArrowFile   // .arrow, .feather, .ipc: the IPC file format
	formatArrowStream // .arrows: the IPC stream format
	formatParquet     // .parquet, .pq
)

// carriesContext reports whether a format holds context inside the file.
func (f format) carriesContext() bool {
	return f == formatArrowFile || f == formatArrowStream || f == formatParquet
}

func formatOf(path string) format {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return formatCSV
	case ".arrow", ".feather", ".ipc":
		return formatArrowFile
	case ".arrows":
		return formatArrowStream
	case ".parquet", ".pq":
		return formatParquet
	}
	return formatUnknown
}

// cmdConvert turns CSV into Arrow IPC or Parquet carrying the frame's
// context from the store; Arrow IPC or Parquet back into CSV, restoring the
// context the data carries into the store; and Arrow IPC and Parquet into
// each other, the context going from file to file without the store. With
// it an ETL step annotates a data set with `set`, ships it as one
// self-describing file, and the next step gets both back.
func cmdConvert(ctx context.Context, e *env, args []string) error {
	rule, err := e.restoreRule()
	if err != nil {
		return err
	}
	frame := &e.opts.frame
	in, out := args[0], args[1]
	from, to := formatOf(in), formatOf(out)
	switch {
	case from == formatCSV && to.carriesContext():
		return csvToArrow(ctx, e, in, out, to, *frame)
	case from.carriesContext() && to == formatCSV:
		return arrowToCSV(ctx, e, in, out, from, *frame, rule)
	case from.carriesContext() && to.carriesContext():
		return arrowToArrow(ctx, e, in, out, from, to, *frame)
	}
	return usage("convert goes between .csv, .arrow/.feather/.ipc (IPC file), .arrows (IPC stream) and .parquet/.pq, CSV to CSV excepted; got %s -> %s", in, out)
}

// contextWriter is what a bound Record and Table share: writing their data
// with their context in each format that carries it.
type contextWriter interface {
	WriteFile(ctx context.Context, w io.Writer, opts *ctxarrow.WriteOptions) error
	WriteStream(ctx context.Context, w io.Writer, opts *ctxarrow.WriteOptions) error
	WriteParquet(ctx context.Context, w io.Writer, opts *ctxarrow.ParquetWriteOptions) error
}

func writeAs(ctx context.Context, w io.Writer, data contextWriter, to format) error {
	switch to {
	case formatArrowStream:
		return data.WriteStream(ctx, w, nil)
	case formatParquet:
		return data.WriteParquet(ctx, w, nil)
	}
	return data.WriteFile(ctx, w, nil)
}

// readTable reads an IPC or Parquet file, restoring its context into store
// (a scratch store: the caller decides what reaches the real one).
func readTable(ctx context.Context, in string, from format, frameID string, store contextstore.Store) (*ctxarrow.Table, error) {
	f, err := os.Open(in)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	switch from {
	case formatArrowStream:
		return ctxarrow.ReadStreamTable(ctx, bufio.NewReader(f), store, &ctxarrow.ReadOptions{FrameID: frameID}, nil)
	case formatParquet:
		return ctxarrow.ReadParquetTable(ctx, f, store, &ctxarrow.ParquetReadOptions{FrameID: frameID}, nil)
	}
	return ctxarrow.ReadFileTable(ctx, f, store, &ctxarrow.ReadOptions{FrameID: frameID}, nil)
}

// arrowToArrow converts between the formats that carry context: data and
// context go from one file to the other through a scratch store; the store
// is not touched.
func arrowToArrow(ctx context.Context, e *env, in, out string, from, to format, frameID string) error {
	scratch := contextstore.NewMemoryStore()
	table, err := readTable(ctx, in, from, frameID, scratch)
	if err != nil {
		return err
	}
	defer table.Release()
	entries, err := table.List(ctx)
	if err != nil {
		return err
	}
	if err := writeFile(out, func(w io.Writer) error { return writeAs(ctx, w, table, to) }); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "wrote %s: frame %q, %d rows, %d context entries\n", out, table.FrameID(), table.Arrow().NumRows(), len(entries))
	return nil
}

func csvToArrow(ctx context.Context, e *env, in, out string, to format, frameID string) error {
	if frameID == "" {
		frameID = strings.TrimSuffix(filepath.Base(in), filepath.Ext(in))
	}
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	df := dataframe.ReadCSV(bufio.NewReader(f))
	if df.Err != nil {
		return fmt.Errorf("reading %s: %w", in, df.Err)
	}
	store, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	// Binding checks that the context stored for the frame fits the data.
	g, err := ctxgota.New(ctx, store, frameID, df, nil)
	if err != nil {
		return err
	}
	rec, err := gotaarrow.ToArrow(ctx, g, frameID, nil)
	if err != nil {
		return err
	}
	defer rec.Release()
	entries, err := rec.List(ctx)
	if err != nil {
		return err
	}
	err = writeFile(out, func(w io.Writer) error { return writeAs(ctx, w, rec, to) })
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "wrote %s: frame %q, %d rows, %d context entries\n", out, frameID, df.Nrow(), len(entries))
	return nil
}

func arrowToCSV(ctx context.Context, e *env, in, out string, from format, frameID string, rule restoreRule) error {
	// Read and convert against a scratch store first: nothing reaches the
	// real store until the data has been read, converted and written.
	scratch := contextstore.NewMemoryStore()
	table, err := readTable(ctx, in, from, frameID, scratch)
	if err != nil {
		return err
	}
	defer table.Release()
	g, err := gotaarrow.ToGota(ctx, table, table.FrameID(), nil)
	if err != nil {
		return err
	}
	entries, err := contextstore.ReadFrame(ctx, scratch, table.FrameID())
	if err != nil {
		return err
	}
	df := g.DataFrame()
	publish, discard, err := stageFile(out, func(w io.Writer) error { return writeCSV(w, df) })
	if err != nil {
		return err
	}
	defer discard()
	store, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	if err := restoreFrame(ctx, store, table.FrameID(), entries, rule); err != nil {
		return err
	}
	if err := publish(); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "wrote %s: frame %q, %d rows; %d context entries restored into the store\n", out, table.FrameID(), df.Nrow(), len(entries))
	return nil
}

// restoreRule says what restoring a file's context does to context the
// store already has for the frame: by default it must be the same (else
// errExistingContext), replace makes the file's the whole context, merge
// combines them by policy, the store's first.
type restoreRule struct {
	replace, merge bool
	policy         framectx.Policy
}

// restoreRule reads --replace and --merge POLICY.
func (e *env) restoreRule() (restoreRule, error) {
	rule := restoreRule{replace: e.opts.replace}
	if e.opts.merge == "" {
		return rule, nil
	}
	if e.opts.replace {
		return rule, usage("--replace and --merge exclude each other")
	}
	p, err := framectx.ParsePolicy(e.opts.merge)
	if err != nil {
		return rule, fmt.Errorf("%w: --merge: %w", errUsage, err)
	}
	rule.merge, rule.policy = true, p
	return rule, nil
}

// errExistingContext refuses to overwrite context silently.
var errExistingContext = errors.New("the store already has other context for this frame")

// restoreFrame writes entries as the frame's context by rule, in one
// conditional write on the frame's version as read (again on a conflict),
// relaying the frame out, since the data it describes is new.
func restoreFrame(ctx context.Context, store contextstore.Store, frameID string, entries []contextstore.Entry, rule restoreRule) error {
	_, err := contextstore.Update(ctx, store, []string{frameID}, true, func(snaps []contextstore.Snapshot) ([]contextstore.Mutation, error) {
		return restorePlan(frameID, snaps[0].Entries, entries, rule)
	})
	return err
}

// restorePlan turns the stored entries into the ones the rule asks for.
func restorePlan(frameID string, stored, file []contextstore.Entry, rule restoreRule) ([]contextstore.Mutation, error) {
	fromFile := make(map[keys.Key]contextstore.Value, len(file))
	for _, en := range file {
		fromFile[en.Key] = en.Value
	}
	var ms []contextstore.Mutation
	if rule.merge {
		merged := map[keys.Key]bool{}
		for _, en := range stored {
			fv, ok := fromFile[en.Key]
			if !ok {
				continue // the store's own entry stays
			}
			v, err := framectx.MergeValues(rule.policy, en.Value, fv)
			if err != nil {
				return nil, fmt.Errorf("merging %s: %w", framectx.RefOf(en.Key), err)
			}
			merged[en.Key] = true
			if v == nil {
				ms = append(ms, contextstore.Remove(en.Key))
			} else {
				ms = append(ms, contextstore.Put(en.Key, v))
			}
		}
		for _, en := range file {
			if !merged[en.Key] {
				ms = append(ms, contextstore.Put(en.Key, en.Value))
			}
		}
		return ms, nil
	}
	if !rule.replace && len(stored) > 0 {
		same := len(stored) == len(file)
		for i := 0; same && i < len(stored); i++ {
			fv, ok := fromFile[stored[i].Key]
			same = ok && contextstore.Equal(fv, stored[i].Value)
		}
		if !same {
			return nil, fmt.Errorf("frame %q: %w (%d entries; the incoming context has %d): pass --replace to replace it, or --merge POLICY to merge the two",
				frameID, errExistingContext, len(stored), len(file))
		}
	}
	for _, en := range file {
		ms = append(ms, contextstore.Put(en.Key, en.Value))
	}
	for _, en := range stored {
		if _, ok := fromFile[en.Key]; !ok {
			ms = append(ms, contextstore.Remove(en.Key))
		}
	}
	return ms, nil
}

// writeFile writes through a temporary file renamed into place, so a failed
// conversion never leaves a half-written output behind.
func writeFile(path string, write func(io.Writer) error) error {
	publish, discard, err := stageFile(path, write)
	if err != nil {
		return err
	}
	defer discard()
	return publish()
}

// stageFile writes a temporary file beside path; publish renames it into
// place, discard (a no-op after publish) removes it. Every write error,
// the final flush and close included, is returned.
func stageFile(path string, write func(io.Writer) error) (publish func() error, discard func(), err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return nil, nil, err
	}
	discard = func() { _ = os.Remove(tmp.Name()) }
	// CreateTemp makes the file private; an output is for others to read.
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		discard()
		return nil, nil, err
	}
	w := bufio.NewWriter(tmp)
	if err := write(w); err != nil {
		tmp.Close()
		discard()
		return nil, nil, err
	}
	if err := w.Flush(); err != nil {
		tmp.Close()
		discard()
		return nil, nil, err
	}
	if err := tmp.Close(); err != nil {
		discard()
		return nil, nil, err
	}
	return func() error { return os.Rename(tmp.Name(), path) }, discard, nil
}
