package redisstore

import (
	"context"
	"errors"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/contextstore/internal/rekey"
	"github.com/ctxframe/ctxframe/keys"
)

var _ contextstore.Remapper = (*Store)(nil)

const (
	// remapAttempts bounds how often RemapIf reads and prepares again
	// because another writer changed the frame in between.
	remapAttempts = 16
	// preparedTTL is how long a remap's prepared hashes outlive a swap
	// that never comes (the process died in between).
	preparedTTL = time.Hour
	// preparedChunk is how many field-value pairs one HSET of a prepared
	// hash carries.
	preparedChunk = 5000
	// preparedWriters is how many connections write prepared hashes at
	// once: two keep the server busy while each waits for its reply.
	preparedWriters = 2
	// discardTimeout bounds the clean-up of prepared hashes not swapped in.
	discardTimeout = 5 * time.Second
)

// swap is what RemapIf has writeScript put in place of a frame's row and
// cell entries: hashes prepared under the frame's tag, renamed into place.
type swap struct {
	levels string // the levels version the frame's entries were read at
	rows   string // the prepared rows hash; "" when no row entry is left
	rowsN  int    // the fields written to it
	bound  int    // one past the highest row left
	cells  []preparedCells
	marked []any // the rows left whose values carry a reserved field
}

// preparedCells is the prepared cells hash of one column and the fields
// written to it.
type preparedCells struct {
	column, hash string
	n            int
}

// RemapIf implements contextstore.Remapper. The frame's entries are read
// as stored bytes (one MULTI/EXEC, as ReadVersioned), re-keyed by r in the
// client without decoding a value, and written to new hashes under the
// frame's tag while it re-keys (see preparer); then one writeScript call
// checks the guards, that no row or cell entry of the frame changed since
// the read (its levels version; writes of frame and column entries may
// come in between and are kept) and that each new hash holds all it was
// given, writes ms, and renames the new hashes into place, so
// readers see the frame before or after, never between. When another
// writer changed row or cell entries in between, it reads and prepares
// again, as long as the caller's guards hold.
//
// Why not a script that re-keys on the server, values never leaving it:
// measured on a frame of a million row entries, Lua takes 7.5 s to read,
// parse and rewrite them (HGETALL into Lua alone is 2.3 s) and holds the
// server that long; this path takes about as long as one pipelined HSET of
// the moved entries plus reading them (docs/PERFORMANCE.md).
func (s *Store) RemapIf(ctx context.Context, guards []contextstore.Guard, ms []contextstore.Mutation, frameID string, r contextstore.Remap) ([]contextstore.FrameState, int, error) {
	const op = "remapif"
	if err := contextstore.ValidateGuards(guards); err != nil {
		return nil, 0, err
	}
	if err := contextstore.ValidateRemap(op, backend, frameID, r); err != nil {
		return nil, 0, err
	}
	fk := keys.Frame(frameID)
	head, levelMs, err := s.splitLevels(op, fk, frameID, ms)
	if err != nil {
		return nil, 0, err
	}
	octx, cancel, err := s.begin(ctx, op, fk)
	if err != nil {
		return nil, 0, err
	}
	defer cancel()
	for attempt := 0; ; attempt++ {
		read, err := s.readHashes(octx, frameID, readPairs)
		if err != nil {
			return nil, 0, s.fail(ctx, op, fk, err)
		}
		st, err := parseState(read.state.Val())
		if err != nil {
			return nil, 0, contextstore.NewError(op, backend, fk, contextstore.ErrBackend, err)
		}
		for _, g := range guards {
			if g.FrameID == frameID && !g.Holds(st) {
				return nil, 0, contextstore.Conflict(op, backend, g, st)
			}
		}
		// The marks index is read after the frame, so a write in between
		// moves the version the swap checks.
		marked, err := s.client.SMembers(octx, s.marksKey(frameID)).Result()
		if err != nil {
			return nil, 0, s.fail(ctx, op, fk, err)
		}
		p := s.prepare(octx, frameID)
		plan, err := planRemap(read, marked, levelMs, r, p.add)
		w, werr := p.finish()
		if err != nil {
			s.discard(octx, w)
			return nil, 0, contextstore.NewError(op, backend, fk, contextstore.ErrBackend, err)
		}
		if werr != nil {
			s.discard(octx, w)
			return nil, 0, s.fail(ctx, op, fk, werr)
		}
		w.bound, w.marked = plan.bound, plan.marked
		w.levels = "0"
		if lv, ok := read.levels.Val()[0].(string); ok {
			w.levels = lv
		}
		states, err := s.commitSwap(ctx, op, fk, guards, head, "", frameID, w)
		if err == nil {
			return states, plan.written, nil
		}
		s.discard(octx, w)
		if !errors.Is(err, errLevelsMoved) && !errors.Is(err, errSwapLost) || attempt+1 >= remapAttempts {
			return nil, 0, err
		}
		if err := pause(octx, attempt); err != nil {
			return nil, 0, s.fail(ctx, op, fk, err)
		}
	}
}

// levelWrite is a mutation of a row or cell entry of the remapped frame,
// applied to the stored bytes before the remap, as ms comes before it.
type levelWrite struct {
	k     keys.Key
	del   bool
	merge contextstore.Value // the patch of a merge
	value string             // the encoded value of a put
}

// splitLevels checks ms and parts it: the row and cell entries of frameID,
// which RemapIf applies to what it read before re-keying, and the rest,
// which the script writes.
func (s *Store) splitLevels(op string, fk keys.Key, frameID string, ms []contextstore.Mutation) ([]contextstore.Mutation, []levelWrite, error) {
	var (
		head   []contextstore.Mutation
		levels []levelWrite
	)
	for _, m := range ms {
		if err := m.Key.Validate(); err != nil {
			return nil, nil, s.refused(op, fk, ms)
		}
		if m.Key.FrameID() != frameID || !m.Key.HasRow() {
			head = append(head, m)
			continue
		}
		switch {
		case m.Delete:
			levels = append(levels, levelWrite{k: m.Key, del: true})
		case m.Merge:
			patch, err := contextstore.Normalize(m.Value)
			if err != nil {
				return nil, nil, s.refused(op, fk, ms)
			}
			levels = append(levels, levelWrite{k: m.Key, merge: patch})
		default:
			b, err := contextstore.AppendValue(nil, m.Value)
			if err != nil {
				return nil, nil, s.refused(op, fk, ms)
			}
			levels = append(levels, levelWrite{k: m.Key, value: string(b)})
		}
	}
	return head, levels, nil
}

// remapPlan is what a remap worked out on stored bytes wrote, besides the
// entries it handed on.
type remapPlan struct {
	marked  []any // the rows left whose values carry a reserved field
	bound   int   // one past the highest row left with an entry
	written int
}

// planRemap re-keys the levels read by r, after applying the level writes
// of the remap's batch, as contextstore.Remap defines it, and hands each
// new entry to emit as it is worked out: column "" for the rows, else the
// cell's column. marked is the frame's marks index: a row keeps its mark
// when it moves, without its value being looked at; a row the batch
// writes is marked by its value.
func planRemap(read hashReads, marked []string, ws []levelWrite, r contextstore.Remap, emit func(column, field, value string)) (remapPlan, error) {
	load := func(all []redis.KeyValue) *rekey.Level {
		l := rekey.NewLevel(r, len(all))
		for _, kv := range all {
			if row, ok := rekey.RowOf(kv.Key); ok {
				l.Set(row, kv.Value)
			}
		}
		return l
	}
	rows := load(read.pairs[1].Val())
	cells := make(map[string]*rekey.Level, len(read.columns))
	for i, col := range read.columns {
		cells[col] = load(read.pairs[2+i].Val())
	}
	for _, w := range ws {
		l := rows
		if w.k.Kind() == keys.KindCell {
			if l = cells[w.k.ColumnName()]; l == nil {
				l = rekey.NewLevel(r, 0)
				cells[w.k.ColumnName()] = l
			}
		}
		row := w.k.RowIndex()
		switch {
		case w.del:
			l.Remove(row)
		case w.merge != nil:
			var cur contextstore.Value
			if raw := l.Get(row); raw != "" {
				v, err := decodeValue(raw)
				if err != nil {
					return remapPlan{}, err
				}
				cur = v
			}
			l.Set(row, string(contextstore.AppendNormalized(nil, contextstore.MergePatch(cur, w.merge))))
		default:
			l.Set(row, w.value)
		}
	}
	isMarked := make(map[int]bool, len(marked))
	for _, f := range marked {
		if row, ok := rekey.RowOf(f); ok {
			isMarked[row] = true
		}
	}
	for _, w := range ws {
		if w.k.Kind() == keys.KindRow {
			isMarked[w.k.RowIndex()] = strings.Contains(rows.Get(w.k.RowIndex()), reservedMarkText)
		}
	}

	var plan remapPlan
	written, bound := rekey.Move(rows, r, "r:", "", func(field, value string, src int) {
		emit("", field, value)
		if isMarked[src] {
			plan.marked = append(plan.marked, field)
		}
	})
	plan.written, plan.bound = written, bound
	keep := make(map[string]bool, len(r.Columns))
	for _, col := range r.Columns {
		keep[col] = true
	}
	for _, col := range slices.Sorted(maps.Keys(cells)) {
		l := cells[col]
		if !keep[col] {
			plan.written += l.Len()
			continue
		}
		written, bound := rekey.Move(l, r, "x:", ":"+col, func(field, value string, _ int) {
			emit(col, field, value)
		})
		plan.written += written
		plan.bound = max(plan.bound, bound)
	}
	return plan, nil
}

// preparer writes a remap's new entries into hashes under the frame's tag,
// with names no other remap uses and a TTL that cleans them up if the swap
// never comes, while the remap is still being worked out: chunks go to
// writers on connections of their own, so the server stores one chunk
// while the client re-keys the next, and no more than a few chunks are
// held in memory at a time.
type preparer struct {
	ctx     context.Context
	cancel  context.CancelFunc
	client  redis.UniversalClient
	base    string
	w       swap
	filling map[string][]string // the chunk being filled, by column ("" for rows)
	names   map[string]string   // the prepared hash, by column
	added   map[string]int      // the fields handed in, by column
	chunks  chan chunk
	writers sync.WaitGroup
	mu      sync.Mutex
	err     error // the first write that failed
}

// chunk is field-value pairs for one HSET of a prepared hash.
type chunk struct {
	hash  string
	pairs []string
}

// prepare starts a preparer for frameID's remap.
func (s *Store) prepare(ctx context.Context, frameID string) *preparer {
	ctx, cancel := context.WithCancel(ctx)
	p := &preparer{
		ctx:     ctx,
		cancel:  cancel,
		client:  s.client,
		base:    s.frameKey(frameID) + ":t:" + strconv.FormatUint(rand.Uint64(), 36),
		filling: make(map[string][]string),
		names:   make(map[string]string),
		added:   make(map[string]int),
		chunks:  make(chan chunk, preparedWriters),
	}
	p.writers.Add(preparedWriters)
	for range preparedWriters {
		go p.write()
	}
	return p
}

// add queues one new entry of column ("" for rows).
func (p *preparer) add(column, field, value string) {
	p.added[column]++
	pairs := p.filling[column]
	if pairs == nil {
		pairs = make([]string, 0, 2*preparedChunk)
	}
	pairs = append(pairs, field, value)
	if len(pairs) < cap(pairs) {
		p.filling[column] = pairs
		return
	}
	p.filling[column] = nil
	p.send(column, pairs)
}

func (p *preparer) send(column string, pairs []string) {
	name, ok := p.names[column]
	if !ok {
		if column == "" {
			name = p.base + ":r"
			p.w.rows = name
		} else {
			name = p.base + ":x:" + column
			p.w.cells = append(p.w.cells, preparedCells{column: column, hash: name})
		}
		p.names[column] = name
	}
	select {
	case p.chunks <- chunk{hash: name, pairs: pairs}:
	case <-p.ctx.Done(): // a write failed: finish reports it
	}
}

// write is one writer: each chunk is an HSET and a PEXPIRE, so a hash is
// never without its TTL, whichever writer creates it.
func (p *preparer) write() {
	defer p.writers.Done()
	for c := range p.chunks {
		if p.ctx.Err() != nil {
			continue // drain after a failure
		}
		_, err := p.client.Pipelined(p.ctx, func(pl redis.Pipeliner) error {
			pl.HSet(p.ctx, c.hash, c.pairs)
			pl.PExpire(p.ctx, c.hash, preparedTTL)
			return nil
		})
		if err != nil {
			p.mu.Lock()
			if p.err == nil {
				p.err = err
			}
			p.mu.Unlock()
			p.cancel()
		}
	}
}

// finish writes what is left, waits for the writers and returns the swap
// of what they prepared, or the first write error (the swap is returned
// either way, for discard).
func (p *preparer) finish() (*swap, error) {
	for _, col := range slices.Sorted(maps.Keys(p.filling)) {
		if pairs := p.filling[col]; len(pairs) > 0 {
			p.send(col, pairs)
		}
	}
	close(p.chunks)
	p.writers.Wait()
	if p.err == nil && p.ctx.Err() != nil {
		// The caller's context ended: chunks were dropped unwritten, and
		// the prepared hashes must not be swapped in.
		p.err = p.ctx.Err()
	}
	p.cancel()
	// The swap checks that each prepared hash holds what was handed in,
	// so a chunk lost on the way is never swapped in.
	p.w.rowsN = p.added[""]
	for i := range p.w.cells {
		p.w.cells[i].n = p.added[p.w.cells[i].column]
	}
	return &p.w, p.err
}

// discard removes a swap's prepared hashes that were not swapped in (best
// effort: they expire anyway).
func (s *Store) discard(ctx context.Context, w *swap) {
	if w == nil {
		return
	}
	var names []string
	if w.rows != "" {
		names = append(names, w.rows)
	}
	for _, c := range w.cells {
		names = append(names, c.hash)
	}
	if len(names) > 0 {
		// Also after the caller gave up, but not for longer than a call.
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), discardTimeout)
		defer cancel()
		_ = s.client.Unlink(dctx, names...).Err()
	}
}
