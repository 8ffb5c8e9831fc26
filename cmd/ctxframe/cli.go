package main

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// The command line is built on cobra (spf13/cobra, as gh and kubectl are):
// per-command help with examples, flags before or after the arguments,
// --version, and shell completion come with it, and it is the library Go
// people already know. Each command's work stays in its cmdX function.

// options are the flags of every command, read by the cmdX functions.
type options struct {
	json     bool
	epoch    uint64
	epochSet bool
	state    string
	stateSet bool
	frame    string
	replace  bool
	merge    string
	data     string
	from, to string
}

// commandSpec is one command: its usage, help, examples, how many
// arguments it takes, its flags and its work.
type commandSpec struct {
	use, short, long, example string
	args                      cobra.PositionalArgs
	flags                     func(fs *pflag.FlagSet, o *options)
	run                       command
	group                     string // the parent command ("schema"), or "" for the root
}

func epochFlags(fs *pflag.FlagSet, o *options) {
	fs.Uint64Var(&o.epoch, "epoch", 0, "write only while every frame written is at this layout epoch (see state)")
}

func jsonFlag(fs *pflag.FlagSet, o *options) {
	fs.BoolVar(&o.json, "json", false, "print JSON for programs")
}

func dataFlag(fs *pflag.FlagSet, o *options) {
	fs.StringVar(&o.data, "data", "", "a CSV of the frame's data: the key must name one of its columns or rows")
}

var commandSpecs = []commandSpec{
	{use: "frames", short: "List the frames that have context", args: cobra.NoArgs, run: cmdFrames, flags: jsonFlag,
		example: "  ctxframe frames\n  ctxframe --store redis://127.0.0.1:6379/0 frames --json"},
	{use: "ls [FRAME]", short: "List keys, of one frame or of the whole store", args: cobra.MaximumNArgs(1), run: cmdList, flags: jsonFlag,
		example: "  ctxframe ls weather\n  ctxframe ls --json"},
	{use: "get KEY", short: "Print a value as JSON", args: cobra.ExactArgs(1), run: cmdGet,
		example: "  ctxframe get weather/col/temp_c\n  ctxframe get 'ctx1:{weather}x:5:temp_c'"},
	{use: "set KEY JSON", short: "Replace a value", args: cobra.ExactArgs(2), run: cmdSet,
		long: "Replace the value at KEY with a JSON object. --state marks it state-bound (whole, or the named fields):\nany operation that changes what it describes drops it.",
		flags: func(fs *pflag.FlagSet, o *options) {
			epochFlags(fs, o)
			dataFlag(fs, o)
			fs.StringVar(&o.state, "state", "", "mark the value state-bound: all, or a comma-separated list of fields")
		},
		example: "  ctxframe set weather/col/temp_c '{\"unit\":\"degC\"}'\n  ctxframe set weather/col/temp_c '{\"unit\":\"degC\"}' --data testdata/weather.csv\n  ctxframe set weather '{\"rows\":12}' --state rows"},
	{use: "merge KEY JSON", short: "Set some fields of a value (null removes a field), atomically", args: cobra.ExactArgs(2), run: cmdMerge,
		flags:   func(fs *pflag.FlagSet, o *options) { epochFlags(fs, o); dataFlag(fs, o) },
		example: "  ctxframe merge weather/row/5 '{\"checked\":true,\"note\":null}'"},
	{use: "rm KEY...", short: "Delete values", args: cobra.MinimumNArgs(1), run: cmdRemove, flags: epochFlags,
		example: "  ctxframe rm weather/cell/5/temp_c weather/row/5"},
	{use: "drop FRAME...", short: "Delete all of a frame's context", args: cobra.MinimumNArgs(1), run: cmdDrop,
		example: "  ctxframe drop weather-draft"},
	{use: "state FRAME", short: "Print a frame's version and layout epoch as JSON", args: cobra.ExactArgs(1), run: cmdState,
		example: "  ctxframe state weather"},
	{use: "export FRAME...", short: "Print entries as JSON lines {\"key\":..., \"value\":...}", args: cobra.MinimumNArgs(1), run: cmdExport,
		example: "  ctxframe export weather > weather.ctx.jsonl"},
	{use: "import [FILE]", short: "Read JSON lines (FILE or stdin) in one atomic batch", args: cobra.MaximumNArgs(1), run: cmdImport,
		long:    "Read JSON lines as export writes them and write them in one batch, committed only if no frame it\ntouches changed meanwhile.",
		example: "  ctxframe import weather.ctx.jsonl\n  ctxframe --store sqlite:other.db import < weather.ctx.jsonl"},
	{use: "inspect FILE", short: "Show the context an Arrow IPC or Parquet file carries", args: cobra.ExactArgs(1), run: cmdInspect, flags: jsonFlag,
		example: "  ctxframe inspect weather.parquet\n  ctxframe inspect weather.arrow --json"},
	{use: "convert IN OUT", short: "Convert between CSV, Arrow IPC and Parquet, with context", args: cobra.ExactArgs(2), run: cmdConvert,
		long: "Convert by extension: .csv, .arrow/.feather/.ipc (IPC file), .arrows (IPC stream), .parquet/.pq.\n" +
			"CSV in takes the frame's context from the store; CSV out restores the file's context into it and\n" +
			"refuses to overwrite other context the store has for the frame unless --replace or --merge POLICY.\n" +
			"Between IPC and Parquet the context goes from file to file. Values stay exact.",
		flags: func(fs *pflag.FlagSet, o *options) {
			fs.StringVar(&o.frame, "frame", "", "frame ID (default: a CSV input's file name; for IPC or Parquet input, the ID it records)")
			fs.BoolVar(&o.replace, "replace", false, "CSV out: replace other context the store has for the frame")
			fs.StringVar(&o.merge, "merge", "", "CSV out: merge into the store's context by `POLICY` (drop, identical, no_conflicts, drop_conflicts, override: the store's wins)")
		},
		example: "  ctxframe convert testdata/weather.csv weather.parquet\n  ctxframe --store sqlite:other.db convert weather.parquet copy.csv --replace"},
}

// newRoot builds the command tree over e.
func newRoot(ctx context.Context, e *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "ctxframe",
		Short: "Inspect and edit the context of data frames",
		Long: "ctxframe inspects and edits context (descriptions, units, owners, quality flags, lineage) kept\n" +
			"for data frames in a store, and converts data with its context between CSV, Arrow IPC and Parquet.\n\n" +
			"The store is --store URL, else $CTXFRAME_STORE, else the SQLite file ctxframe.db here.\n" +
			"KEY is FRAME, FRAME/col/NAME, FRAME/row/N, FRAME/cell/N/NAME or a canonical key (ctx1:{weather}c:temp).\n" +
			"Exit status: 0 done, 1 failed, 2 usage, 3 refused because the frame moved on (see state and --epoch),\n" +
			"4 not found.",
		Version:       version(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetContext(ctx)
	root.PersistentFlags().StringVar(&e.storeURL, "store", "", "store URL (default $CTXFRAME_STORE, else "+defaultStore+")")
	root.PersistentFlags().BoolVar(&e.diag.trace, "trace", diagnosisFromEnv("CTXFRAME_TRACE"),
		"print every store call and operation, with its time and entries, to stderr at the end (or $CTXFRAME_TRACE=1)")
	root.PersistentFlags().BoolVar(&e.diag.metrics, "metrics", diagnosisFromEnv("CTXFRAME_METRICS"),
		"print store time, calls and entries by operation to stderr at the end (or $CTXFRAME_METRICS=1)")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return fmt.Errorf("%w: %w", errUsage, err) })
	groups := map[string]*cobra.Command{
		"schema": {Use: "schema", Short: "Import or export column context as a Frictionless Table Schema"},
	}
	for _, g := range groups {
		root.AddCommand(g)
	}
	for _, spec := range commandSpecs {
		spec := spec
		c := &cobra.Command{
			Use: spec.use, Short: spec.short, Long: spec.long, Example: spec.example,
			Args: func(c *cobra.Command, args []string) error {
				if err := spec.args(c, args); err != nil {
					return fmt.Errorf("%w: %w (see ctxframe %s --help)", errUsage, err, c.Name())
				}
				return nil
			},
			RunE: func(c *cobra.Command, args []string) error {
				e.opts.epochSet = c.Flags().Changed("epoch")
				e.opts.stateSet = c.Flags().Changed("state")
				e.name = c.CommandPath()[len("ctxframe "):]
				e.readOnly = readOnlyCommands[c.Name()]
				return spec.run(c.Context(), e, args)
			},
		}
		if spec.flags != nil {
			spec.flags(c.Flags(), &e.opts)
		}
		if g := groups[spec.group]; g != nil {
			g.AddCommand(c)
		} else {
			root.AddCommand(c)
		}
	}
	return root
}

// version is the module's version as the build recorded it, with the VCS
// revision when there is one.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := info.Main.Version
	if v == "" {
		v = "(devel)"
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " " + s.Value[:12]
		}
	}
	return v
}

// longFlags are the flags that scripts written for the earlier command
// line pass with one dash (-store URL): they are given two.
var longFlags = []string{"store", "epoch", "state", "json", "frame", "replace", "merge", "data", "from", "to", "version", "help"}

func normalizeArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = a
		if a == "--" {
			copy(out[i:], args[i:])
			break
		}
		if strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && len(a) > 2 {
			name, _, _ := strings.Cut(a[1:], "=")
			for _, f := range longFlags {
				if name == f {
					out[i] = "-" + a
				}
			}
		}
	}
	return out
}

// isUsage reports whether err is cobra's complaint about the command line.
func isUsage(err error) bool {
	if errors.Is(err, errUsage) {
		return true
	}
	msg := err.Error()
	return strings.HasPrefix(msg, "unknown command") || strings.HasPrefix(msg, "unknown flag") ||
		strings.HasPrefix(msg, "unknown shorthand flag") || strings.Contains(msg, "flag needs an argument") ||
		strings.HasPrefix(msg, "invalid argument")
}
