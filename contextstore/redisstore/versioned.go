package redisstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

var (
	_ contextstore.Versioner   = (*Store)(nil)
	_ contextstore.StateReader = (*Store)(nil)
)

// mergeAttempts bounds how often a batch with merges is tried again when
// an entry it merges into changed between its read and its write.
const mergeAttempts = 64

// frameScript is one frame's part of a writeScript call.
type frameScript struct {
	frameID string
	// The frame's keys, in the order writeScript takes them.
	data, meta, rows, marks, cols string
	cv, ce                        string // the version and epoch the frame must be at, or ""
	relayout                      bool
	drop                          bool
	ops                           []write   // the batch's writes, in order
	merges                        []pending // patches resolved before each try
	marked                        []any     // row fields set to values that carry a reserved field
	bound                         int       // one past the highest row the batch sets
	swap                          *swap
	guarded                       bool
	lastColumn, lastCells         string // hashOf's last cells hash
}

// write is one HSET or HDEL of a field in the hash that holds it.
type write struct {
	del         bool
	hash, field string
	value       []byte
}

// pending is a merge: its patch is applied to the value read just before
// the script runs, which checks that the value is still that one.
type pending struct {
	k     keys.Key
	patch contextstore.Value
}

func (f *frameScript) writes() bool {
	return len(f.ops) > 0 || len(f.merges) > 0 || f.relayout || f.drop || f.swap != nil
}

// reservedMark is how a reserved field's name starts in a value's JSON: a
// value without it carries no reserved field. (A string value that holds
// it only makes the row a member of the marks index it need not be in.)
var reservedMark = []byte(reservedMarkText)

const reservedMarkText = `"` + contextstore.ReservedPrefix

// hashOf returns the name of the hash of f's frame that holds k, as
// hashFor does, from the names f already has: a batch of a thousand cells
// of one column builds the column's name once.
func (f *frameScript) hashOf(k keys.Key) string {
	switch k.Kind() {
	case keys.KindRow:
		return f.rows
	case keys.KindCell:
		if col := k.ColumnName(); col != f.lastColumn || f.lastCells == "" {
			f.lastColumn, f.lastCells = col, f.data+":x:"+col
		}
		return f.lastCells
	}
	return f.data
}

// set adds the write of k's encoded value to the frame's script.
func (s *Store) set(f *frameScript, k keys.Key, value []byte) {
	f.ops = append(f.ops, write{hash: f.hashOf(k), field: k.Local(), value: value})
	if k.HasRow() {
		f.bound = max(f.bound, k.RowIndex()+1)
	}
	if k.Kind() == keys.KindRow && bytes.Contains(value, reservedMark) {
		f.marked = append(f.marked, k.Local())
	}
}

// ReadVersioned implements contextstore.Versioner with one MULTI/EXEC of
// HGETALL on each of the frame's hashes and HMGET on its state hash.
func (s *Store) ReadVersioned(ctx context.Context, frameID string) (contextstore.Snapshot, error) {
	return s.readWhole(ctx, "readversioned", frameID)
}

func parseState(vals []any) (contextstore.FrameState, error) {
	var st contextstore.FrameState
	for i, x := range vals {
		str, ok := x.(string)
		if !ok {
			continue // nil: a frame never written
		}
		n, err := strconv.ParseUint(str, 10, 64)
		if err != nil {
			return st, fmt.Errorf("redisstore: frame state %q is not a number", str)
		}
		if i == 0 {
			st.Version = n
		} else {
			st.Epoch = n
		}
	}
	return st, nil
}

// FrameStates implements contextstore.StateReader with one pipelined HMGET
// of each frame's state hash (one round trip per node in a cluster).
func (s *Store) FrameStates(ctx context.Context, frameIDs []string) ([]contextstore.FrameState, error) {
	for _, id := range frameIDs {
		if err := keys.Frame(id).Validate(); err != nil {
			return nil, err
		}
	}
	octx, cancel, err := s.begin(ctx, "framestates", keys.Key{})
	if err != nil {
		return nil, err
	}
	defer cancel()
	cmds := make([]*redis.SliceCmd, len(frameIDs))
	if len(frameIDs) == 1 {
		// The usual case (a cache checking one frame): no pipeline to set up.
		cmds[0] = s.client.HMGet(octx, s.stateKey(frameIDs[0]), "v", "e")
		err = cmds[0].Err()
	} else {
		_, err = s.client.Pipelined(octx, func(p redis.Pipeliner) error {
			for i, id := range frameIDs {
				cmds[i] = p.HMGet(octx, s.stateKey(id), "v", "e")
			}
			return nil
		})
	}
	if err != nil {
		return nil, s.fail(ctx, "framestates", keys.Key{}, err)
	}
	out := make([]contextstore.FrameState, len(frameIDs))
	for i, c := range cmds {
		if out[i], err = parseState(c.Val()); err != nil {
			return nil, contextstore.NewError("framestates", backend, keys.Frame(frameIDs[i]), contextstore.ErrBackend, err)
		}
	}
	return out, nil
}

// ApplyIf implements contextstore.Versioner with writeScript: on a single
// node one script call checks every guard and writes every frame; on a
// Cluster or Ring each frame is one call on its slot, guard-only frames
// checked first.
func (s *Store) ApplyIf(ctx context.Context, guards []contextstore.Guard, ms []contextstore.Mutation) ([]contextstore.FrameState, error) {
	if err := contextstore.ValidateGuards(guards); err != nil {
		return nil, err
	}
	return s.commit(ctx, "applyif", keys.Key{}, guards, ms, "")
}

// commit is every write of the store. drop names a frame to drop instead.
func (s *Store) commit(ctx context.Context, op string, k keys.Key, guards []contextstore.Guard, ms []contextstore.Mutation, drop string) ([]contextstore.FrameState, error) {
	return s.commitSwap(ctx, op, k, guards, ms, drop, "", nil)
}

// commitSwap is commit that also swaps frameID's row and cell hashes for
// w's (when w is not nil) after the batch, in the same script call.
func (s *Store) commitSwap(ctx context.Context, op string, k keys.Key, guards []contextstore.Guard, ms []contextstore.Mutation, drop, frameID string, w *swap) ([]contextstore.FrameState, error) {
	frames, byID, err := s.planScripts(op, k, guards, ms)
	if err != nil {
		return nil, err
	}
	if drop != "" {
		f := s.scriptFor(byID, &frames, drop)
		f.drop = true
	}
	if w != nil {
		s.scriptFor(byID, &frames, frameID).swap = w
	}
	for i := range guards {
		g := &guards[i]
		f := s.scriptFor(byID, &frames, g.FrameID)
		f.guarded = true
		f.relayout = f.relayout || g.Relayout
		if g.CheckVersion {
			v := strconv.FormatUint(g.Version, 10)
			if f.cv != "" && f.cv != v {
				return nil, contextstore.Conflict(op, backend, *g, contextstore.FrameState{})
			}
			f.cv = v
		}
		if g.CheckEpoch {
			e := strconv.FormatUint(g.Epoch, 10)
			if f.ce != "" && f.ce != e {
				return nil, contextstore.Conflict(op, backend, *g, contextstore.FrameState{})
			}
			f.ce = e
		}
	}
	octx, cancel, err := s.begin(ctx, op, k)
	if err != nil {
		return nil, err
	}
	defer cancel()
	states := make(map[string]contextstore.FrameState, len(frames))
	var run []*frameScript
	for _, f := range frames {
		if f.writes() || f.guarded {
			run = append(run, f)
		}
	}
	if err := s.runScripts(ctx, octx, op, k, run, guards, states); err != nil {
		return nil, err
	}
	out := make([]contextstore.FrameState, len(guards))
	for i, g := range guards {
		out[i] = states[g.FrameID]
	}
	return out, nil
}

func (s *Store) scriptFor(byID map[string]*frameScript, frames *[]*frameScript, id string) *frameScript {
	if f := byID[id]; f != nil {
		return f
	}
	f := &frameScript{
		frameID: id,
		data:    s.frameKey(id), meta: s.stateKey(id),
		rows: s.rowsKey(id), marks: s.marksKey(id), cols: s.cellColumnsKey(id),
	}
	byID[id] = f
	*frames = append(*frames, f)
	return f
}

// planScripts groups a batch by frame, in order of first appearance,
// encoding each value once. A batch without merges is encoded straight
// from the caller's values, checking them on the way (AppendValue); one
// with merges is normalized and folded first, so each key is merged once.
func (s *Store) planScripts(op string, k keys.Key, guards []contextstore.Guard, ms []contextstore.Mutation) ([]*frameScript, map[string]*frameScript, error) {
	var frames []*frameScript
	byID := make(map[string]*frameScript, 1)
	hasMerge := slices.ContainsFunc(ms, func(m contextstore.Mutation) bool { return m.Merge })
	encode := func(b []byte, v contextstore.Value) ([]byte, error) { return contextstore.AppendValue(b, v) }
	batch := ms
	if hasMerge {
		normalized, err := contextstore.ValidateBatch(ms)
		if err != nil {
			return nil, nil, contextstore.NewError(op, backend, k, contextstore.BatchErrorKind(err), err)
		}
		batch = contextstore.FoldBatch(normalized)
		encode = func(b []byte, v contextstore.Value) ([]byte, error) { return contextstore.AppendNormalized(b, v), nil }
	}
	var buf []byte
	for _, m := range batch {
		if err := m.Key.Validate(); err != nil {
			return nil, nil, s.refused(op, k, ms)
		}
		f := s.scriptFor(byID, &frames, m.Key.FrameID())
		switch {
		case m.Delete:
			f.ops = append(f.ops, write{del: true, hash: f.hashOf(m.Key), field: m.Key.Local()})
		case m.Merge:
			f.merges = append(f.merges, pending{k: m.Key, patch: m.Value})
		default:
			start := len(buf)
			var err error
			if buf, err = encode(buf, m.Value); err != nil {
				return nil, nil, s.refused(op, k, ms)
			}
			s.set(f, m.Key, buf[start:len(buf):len(buf)])
		}
	}
	return frames, byID, nil
}

// refused names every bad entry of a batch that failed its checks.
func (s *Store) refused(op string, k keys.Key, ms []contextstore.Mutation) error {
	if len(ms) == 1 && k.Kind() != 0 {
		if err := ms[0].Key.Validate(); err != nil {
			return err
		}
		if _, err := contextstore.Normalize(ms[0].Value); err != nil {
			return contextstore.NewError(op, backend, k, contextstore.ErrInvalidValue, err)
		}
	}
	_, err := contextstore.ValidateBatch(ms)
	if err == nil {
		err = errors.New("redisstore: value cannot be encoded")
	}
	return contextstore.NewError(op, backend, k, contextstore.BatchErrorKind(err), err)
}

// runScripts runs the frames' scripts: one call for all of them on a single
// node; on a Cluster or Ring, guard-only frames first, one by one, then the
// written frames a few at a time.
func (s *Store) runScripts(ctx, octx context.Context, op string, k keys.Key, frames []*frameScript, guards []contextstore.Guard, states map[string]contextstore.FrameState) error {
	if len(frames) == 0 {
		return nil
	}
	if !s.perFrameTransactions() || len(frames) == 1 {
		return s.runScript(ctx, octx, op, k, frames, guards, states)
	}
	var written []*frameScript
	for _, f := range frames {
		if !f.writes() {
			if err := s.runScript(ctx, octx, op, k, []*frameScript{f}, guards, states); err != nil {
				return err
			}
			continue
		}
		written = append(written, f)
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	sem := make(chan struct{}, clusterParallelism)
	local := make([]map[string]contextstore.FrameState, len(written))
	for i, f := range written {
		wg.Add(1)
		sem <- struct{}{}
		local[i] = make(map[string]contextstore.FrameState, 1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := s.runScript(ctx, octx, op, k, []*frameScript{f}, guards, local[i]); err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for _, m := range local {
		for id, st := range m {
			states[id] = st
		}
	}
	return firstErr
}

// runScript runs one writeScript call over frames, resolving their merges
// against the values stored just before, and tries again when one of those
// values changed in between.
func (s *Store) runScript(ctx, octx context.Context, op string, k keys.Key, frames []*frameScript, guards []contextstore.Guard, states map[string]contextstore.FrameState) error {
	keysArg := make([]string, 0, 5*len(frames))
	for _, f := range frames {
		keysArg = append(keysArg, f.data, f.meta, f.rows, f.marks, f.cols)
	}
	errKey := k
	if errKey.Kind() == 0 && len(frames) == 1 {
		errKey = keys.Frame(frames[0].frameID)
	}
	for attempt := 0; ; attempt++ {
		cas, err := s.resolveMerges(octx, frames)
		if err != nil {
			return s.fail(ctx, op, errKey, err)
		}
		args := []any{strconv.FormatInt(s.ttl.Milliseconds(), 10)}
		for i, f := range frames {
			c := cas[i]
			runs, nruns := appendRuns(nil, 0, f.ops)
			runs, nruns = appendRuns(runs, nruns, c.ops)
			marked := append(f.marked[:len(f.marked):len(f.marked)], c.marked...)
			nswap := -1
			if f.swap != nil {
				nswap = len(f.swap.cells)
				marked = append(marked, f.swap.marked...)
			}
			wantLevels := ""
			if f.swap != nil {
				wantLevels = f.swap.levels
			}
			args = append(args, f.cv, f.ce, flag(f.relayout), flag(f.drop),
				len(c.checks)/4, nruns, len(marked), max(f.bound, c.bound), nswap, wantLevels)
			args = append(args, c.checks...)
			args = append(args, runs...)
			if w := f.swap; w != nil {
				args = append(args, w.rows, w.rowsN, w.bound)
				for _, c := range w.cells {
					args = append(args, c.column, c.hash, c.n)
				}
			}
			args = append(args, marked...)
		}
		reply, err := s.runWrite(octx, keysArg, args)
		if err != nil {
			return s.fail(ctx, op, errKey, err)
		}
		code, _ := reply[0].(int64)
		switch code {
		case 1:
			for i, f := range frames {
				st, err := parseState(reply[1+2*i : 3+2*i])
				if err != nil {
					return contextstore.NewError(op, backend, errKey, contextstore.ErrBackend, err)
				}
				states[f.frameID] = st
			}
			return nil
		case 0:
			i, _ := reply[1].(int64)
			got, err := parseState(reply[2:4])
			if err != nil {
				return contextstore.NewError(op, backend, errKey, contextstore.ErrBackend, err)
			}
			f := frames[i]
			for _, g := range guards {
				if g.FrameID == f.frameID && !g.Holds(got) {
					return contextstore.Conflict(op, backend, g, got)
				}
			}
			return contextstore.Conflict(op, backend, contextstore.Guard{FrameID: f.frameID}, got)
		}
		if code == -2 || code == -3 {
			i, _ := reply[1].(int64)
			cause := errSwapLost
			if code == -3 {
				cause = errLevelsMoved
			}
			return contextstore.NewError(op, backend, keys.Frame(frames[i].frameID), contextstore.ErrConflict, cause)
		}
		// A value a merge read changed before the write: read it again.
		if attempt+1 >= mergeAttempts {
			i, _ := reply[1].(int64)
			return contextstore.Conflict(op, backend, contextstore.Guard{FrameID: frames[i].frameID}, contextstore.FrameState{})
		}
		if err := pause(octx, attempt); err != nil {
			return s.fail(ctx, op, errKey, err)
		}
	}
}

// appendRuns adds writes to the script's runs, counted by nruns: each run
// is consecutive writes of one kind to one hash, as "s", hash, n, then n
// field-value pairs, or "d", hash, n, then n fields.
func appendRuns(out []any, nruns int, ws []write) ([]any, int) {
	for j := 0; j < len(ws); {
		w := ws[j]
		kind := "s"
		if w.del {
			kind = "d"
		}
		head := len(out)
		out = append(out, kind, w.hash, 0)
		n := 0
		for ; j < len(ws) && ws[j].del == w.del && ws[j].hash == w.hash; j++ {
			if w.del {
				out = append(out, ws[j].field)
			} else {
				out = append(out, ws[j].field, ws[j].value)
			}
			n++
		}
		out[head+2] = n
		nruns++
	}
	return out, nruns
}

// casPart is what a frame's merges add to a script call: the checks that
// the values they read are still there (hash, field, present, value), the
// writes of the merged values, and the marks and row bound those add.
type casPart struct {
	checks []any
	ops    []write
	marked []any
	bound  int
}

// resolveMerges reads the current value of every merged entry (one HGET
// each, pipelined) and returns, per frame, the checks and writes that
// apply the merges to them.
func (s *Store) resolveMerges(ctx context.Context, frames []*frameScript) ([]casPart, error) {
	out := make([]casPart, len(frames))
	cmds := make([][]*redis.StringCmd, len(frames))
	needed := false
	for _, f := range frames {
		needed = needed || len(f.merges) > 0
	}
	if !needed {
		return out, nil
	}
	_, err := s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, f := range frames {
			for _, m := range f.merges {
				cmds[i] = append(cmds[i], p.HGet(ctx, s.hashFor(m.k), m.k.Local()))
			}
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, err
	}
	for i, f := range frames {
		// The merged values go through the frame's own set, into a scratch
		// script whose writes, marks and bound are this part's.
		scratch := &frameScript{data: f.data, rows: f.rows}
		for j, cmd := range cmds[i] {
			m := f.merges[j]
			var cur contextstore.Value
			raw, err := cmd.Result()
			present := err == nil
			if err != nil && !errors.Is(err, redis.Nil) {
				return nil, err
			}
			if present {
				if cur, err = decodeValue(raw); err != nil {
					return nil, err
				}
			}
			merged := contextstore.AppendNormalized(nil, contextstore.MergePatch(cur, m.patch))
			out[i].checks = append(out[i].checks, s.hashFor(m.k), m.k.Local(), flag(present), raw)
			s.set(scratch, m.k, merged)
		}
		out[i].ops, out[i].marked, out[i].bound = scratch.ops, scratch.marked, scratch.bound
	}
	return out, nil
}

func flag(b bool) string {
	if b {
		return "1"
	}
	return ""
}

// pause waits a little, more with each attempt and at random, so merges
// that keep meeting fall out of step.
func pause(ctx context.Context, attempt int) error {
	d := time.Duration(rand.IntN(200*(min(attempt, 10)+1))) * time.Microsecond
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
