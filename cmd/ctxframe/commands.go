package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

type command func(ctx context.Context, e *env, args []string) error

func usage(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errUsage}, args...)...)
}

func cmdFrames(ctx context.Context, e *env, args []string) error {
	s, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	ids, err := contextstore.ListFrames(ctx, s)
	if err != nil {
		return err
	}
	if e.opts.json {
		if ids == nil {
			ids = []string{}
		}
		return printJSON(e.stdout, ids)
	}
	for _, id := range ids {
		fmt.Fprintln(e.stdout, id)
	}
	return nil
}

func cmdList(ctx context.Context, e *env, args []string) error {
	s, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	var ks []keys.Key
	if len(args) == 1 {
		ks, err = contextstore.ListFrame(ctx, s, args[0])
	} else {
		ks, err = s.ListKeys(ctx)
	}
	if err != nil {
		return err
	}
	if e.opts.json {
		type listed struct {
			Key   string `json:"key"`   // canonical
			Frame string `json:"frame"` // its frame
			Ref   string `json:"ref"`   // readable, as the commands take it
		}
		out := make([]listed, len(ks))
		for i, k := range ks {
			out[i] = listed{Key: k.String(), Frame: k.FrameID(), Ref: readable(k)}
		}
		return printJSON(e.stdout, out)
	}
	for _, k := range ks {
		fmt.Fprintln(e.stdout, readable(k))
	}
	return nil
}

func oneKey(args []string, cmd string, extra int) (keys.Key, error) {
	if len(args) != 1+extra {
		if extra == 0 {
			return keys.Key{}, usage("%s takes one KEY", cmd)
		}
		return keys.Key{}, usage("%s takes KEY and JSON", cmd)
	}
	k, err := parseKey(args[0])
	if err != nil {
		return keys.Key{}, fmt.Errorf("%w: %w", errUsage, err)
	}
	return k, nil
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func cmdGet(ctx context.Context, e *env, args []string) error {
	k, err := oneKey(args, "get", 0)
	if err != nil {
		return err
	}
	s, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	v, err := s.Get(ctx, k)
	if err != nil {
		return err
	}
	return printJSON(e.stdout, v)
}

func parseValue(text string) (contextstore.Value, error) {
	v, err := contextstore.UnmarshalValue([]byte(text))
	if err != nil {
		return nil, fmt.Errorf("%w: the value must be a JSON object: %w", errUsage, err)
	}
	return v, nil
}

func cmdSet(ctx context.Context, e *env, args []string) error {
	k, err := e.key(args[0])
	if err != nil {
		return err
	}
	v, err := parseValue(args[1])
	if err != nil {
		return err
	}
	if e.opts.stateSet {
		fields, err := stateFields(e.opts.state)
		if err != nil {
			return err
		}
		v = framectx.StateBound(v, fields...)
	}
	return e.write(ctx, []contextstore.Mutation{contextstore.Put(k, v)})
}

// stateFields reads --state: "all" marks the whole value (no fields),
// else a comma-separated list of fields.
func stateFields(val string) ([]string, error) {
	if val == "all" {
		return nil, nil
	}
	var fields []string
	for _, f := range strings.Split(val, ",") {
		if f = strings.TrimSpace(f); f == "" {
			return nil, usage("--state takes all or a comma-separated list of fields, got %q", val)
		}
		fields = append(fields, f)
	}
	return fields, nil
}

// cmdMerge patches fields, atomically in the store: a writer merging other
// fields of the same entry at the same time loses nothing.
func cmdMerge(ctx context.Context, e *env, args []string) error {
	k, err := e.key(args[0])
	if err != nil {
		return err
	}
	patch, err := parseValue(args[1])
	if err != nil {
		return err
	}
	return e.write(ctx, []contextstore.Mutation{contextstore.Patch(k, patch)})
}

func cmdRemove(ctx context.Context, e *env, args []string) error {
	ms := make([]contextstore.Mutation, len(args))
	for i, a := range args {
		k, err := parseKey(a)
		if err != nil {
			return fmt.Errorf("%w: %w", errUsage, err)
		}
		ms[i] = contextstore.Remove(k)
	}
	return e.write(ctx, ms)
}

// write applies ms in one atomic batch; with an epoch, only while every
// frame ms touches is still at that layout epoch (else a stale error, exit
// status 3, and nothing written).
func (e *env) write(ctx context.Context, ms []contextstore.Mutation) error {
	s, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	if !e.opts.epochSet {
		return contextstore.Apply(ctx, s, ms)
	}
	epoch := &e.opts.epoch
	var guards []contextstore.Guard
	seen := map[string]bool{}
	for _, m := range ms {
		if id := m.Key.FrameID(); !seen[id] {
			seen[id] = true
			guards = append(guards, contextstore.AtEpoch(id, *epoch))
		}
	}
	_, err = contextstore.ApplyIf(ctx, s, guards, ms)
	return err
}

// cmdState prints a frame's version and layout epoch as JSON.
func cmdState(ctx context.Context, e *env, args []string) error {
	if len(args) != 1 {
		return usage("state takes one frame ID")
	}
	s, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	snap, err := contextstore.ReadVersioned(ctx, s, args[0])
	if err != nil {
		return err
	}
	return printJSON(e.stdout, map[string]any{
		"frame": args[0], "version": snap.State.Version, "epoch": snap.State.Epoch, "entries": len(snap.Entries),
	})
}

func cmdDrop(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usage("drop takes one or more frame IDs")
	}
	s, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	for _, id := range args {
		if err := contextstore.DropFrame(ctx, s, id); err != nil {
			return err
		}
	}
	return nil
}

func cmdExport(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usage("export takes one or more frame IDs")
	}
	s, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(e.stdout)
	for _, id := range args {
		entries, err := contextstore.ReadFrame(ctx, s, id)
		if err != nil {
			return err
		}
		for _, en := range entries {
			b, err := contextstore.MarshalValue(en.Value)
			if err != nil {
				return err
			}
			key, _ := json.Marshal(en.Key.String())
			fmt.Fprintf(w, "{\"key\":%s,\"value\":%s}\n", key, b)
		}
	}
	return w.Flush()
}

// maxImportLine bounds one line of import, so a corrupt file cannot make the
// command read without end.
const maxImportLine = 64 << 20

func cmdImport(ctx context.Context, e *env, args []string) error {
	if len(args) > 1 {
		return usage("import takes at most one FILE")
	}
	in := e.stdin
	if len(args) == 1 {
		f, err := os.Open(args[0])
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), maxImportLine)
	var ms []contextstore.Mutation
	bar := progressFor(e.stderr, -1, "reading entries")
	for line := 1; sc.Scan(); line++ {
		_ = bar.Add(1)
		if len(sc.Bytes()) == 0 {
			continue
		}
		var raw struct {
			Key   string          `json:"key"`
			Value json.RawMessage `json:"value"`
		}
		if err := json.Unmarshal(sc.Bytes(), &raw); err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		k, err := keys.Parse(raw.Key)
		if err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		v, err := contextstore.UnmarshalValue(raw.Value)
		if err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		ms = append(ms, contextstore.Put(k, v))
	}
	if err := sc.Err(); err != nil {
		return err
	}
	_ = bar.Finish()
	s, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	if err := importConditionally(ctx, s, ms); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "imported %d entries\n", len(ms))
	return nil
}

// importConditionally writes ms in one batch guarded by the version of each
// frame it touches as read just before, so a writer in between is noticed
// rather than overwritten blindly; on such a conflict it reads and tries
// again, a few times, then fails (exit status 3).
func importConditionally(ctx context.Context, s contextstore.Store, ms []contextstore.Mutation) error {
	var frames []string
	seen := map[string]bool{}
	for _, m := range ms {
		if id := m.Key.FrameID(); !seen[id] {
			seen[id] = true
			frames = append(frames, id)
		}
	}
	_, err := contextstore.Update(ctx, s, frames, false, func([]contextstore.Snapshot) ([]contextstore.Mutation, error) {
		return ms, nil
	})
	return err
}
