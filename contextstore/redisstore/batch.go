package redisstore

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// clusterParallelism bounds how many per-frame transactions a batch runs at
// once on a Cluster.
const clusterParallelism = 8

// maxPresize bounds the encoding buffer Apply allocates up front.
const maxPresize = 16 << 20

// frameWrite is what a batch does to one frame's hash: its mutations in
// order, consecutive sets merged into one HSET and consecutive deletes into
// one HDEL.
type frameWrite struct {
	frameID string
	name    string
	runs    []writeRun
	setHint int // capacity for a new HSET run: room for the frame's entries
}

// writeRun is one HSET (sets: field, value, field, value, ...) or one HDEL
// (dels).
type writeRun struct {
	sets []any
	dels []string
}

func (w *frameWrite) set(field string, value []byte) {
	if n := len(w.runs); n > 0 && w.runs[n-1].dels == nil {
		w.runs[n-1].sets = append(w.runs[n-1].sets, field, value)
		return
	}
	// Only the first run gets the frame's full size: a batch that
	// alternates sets and deletes must not allocate it again for each run.
	sets := make([]any, 0, max(2, w.setHint))
	w.setHint = 0
	w.runs = append(w.runs, writeRun{sets: append(sets, field, value)})
}

func (w *frameWrite) del(field string) {
	if n := len(w.runs); n > 0 && w.runs[n-1].sets == nil {
		w.runs[n-1].dels = append(w.runs[n-1].dels, field)
		return
	}
	w.runs = append(w.runs, writeRun{dels: []string{field}})
}

// command sends the run as one command to the hash name through c (a
// client or a transaction).
func (r *writeRun) command(ctx context.Context, c redis.Cmdable, name string) error {
	if r.sets != nil {
		return c.HSet(ctx, name, r.sets...).Err()
	}
	return c.HDel(ctx, name, r.dels...).Err()
}

// queue adds the frame's commands to a transaction.
func (w *frameWrite) queue(ctx context.Context, p redis.Pipeliner, ttl time.Duration) {
	for i := range w.runs {
		_ = w.runs[i].command(ctx, p, w.name) // queued: the error comes with EXEC
	}
	if ttl > 0 {
		p.PExpire(ctx, w.name, ttl)
	}
}

// Apply implements contextstore.Batcher. On a single node the whole batch is
// one MULTI/EXEC; on a Cluster each frame's part is one MULTI/EXEC, so the
// batch is atomic per frame (frames on different slots cannot share a
// transaction). Every key and value is checked before anything is sent.
func (s *Store) Apply(ctx context.Context, ms []contextstore.Mutation) error {
	writes, ok := s.planWrites(ms, appendValue)
	if !ok {
		// Bad input: contextstore names every bad entry.
		normalized, err := contextstore.ValidateBatch(ms)
		if err != nil {
			return contextstore.NewError("apply", backend, keys.Key{}, contextstore.BatchErrorKind(err), err)
		}
		writes, _ = s.planWrites(normalized, appendNormalized)
	}
	octx, cancel, err := s.begin(ctx, "apply", keys.Key{})
	if err != nil {
		return err
	}
	defer cancel()
	if len(writes) == 0 {
		return nil
	}
	if s.perFrameTransactions() && len(writes) > 1 {
		return s.applyPerFrame(ctx, octx, writes, s.ttl)
	}
	if len(writes) == 1 && len(writes[0].runs) == 1 && s.ttl == 0 {
		// One HSET or HDEL is atomic by itself: no MULTI/EXEC needed.
		if err := writes[0].runs[0].command(octx, s.client, writes[0].name); err != nil {
			return s.fail(ctx, "apply", keys.Key{}, err)
		}
		return nil
	}
	_, err = s.client.TxPipelined(octx, func(p redis.Pipeliner) error {
		for i := range writes {
			writes[i].queue(octx, p, s.ttl)
		}
		return nil
	})
	if err != nil {
		return s.fail(ctx, "apply", keys.Key{}, err)
	}
	return nil
}

// appendValue is contextstore.AppendValue shaped for planWrites: false when
// the value is refused, so Apply can let ValidateBatch name every bad entry.
func appendValue(b []byte, v contextstore.Value) ([]byte, bool) {
	out, err := contextstore.AppendValue(b, v)
	return out, err == nil
}

// appendNormalized is contextstore.AppendNormalized for values already in
// normal form, shaped like appendValue.
func appendNormalized(b []byte, v contextstore.Value) ([]byte, bool) {
	return contextstore.AppendNormalized(b, v), true
}

// planWrites groups a batch by frame, frames in order of first appearance,
// encoding every value with encode into one shared buffer. It returns false
// when a key is invalid or encode gives up on a value.
func (s *Store) planWrites(ms []contextstore.Mutation, encode func([]byte, contextstore.Value) ([]byte, bool)) ([]frameWrite, bool) {
	var (
		buf   []byte
		ends  = make([]int, len(ms))
		ok    bool
		sized bool
	)
	for i, m := range ms {
		if m.Key.Validate() != nil {
			return nil, false
		}
		if m.Delete {
			ends[i] = len(buf)
			continue
		}
		if buf, ok = encode(buf, m.Value); !ok {
			return nil, false
		}
		if !sized {
			// Size the buffer from the first value, rather than doubling
			// it a dozen times over a large batch; within reason, as the
			// first value may be unlike the rest.
			sized = true
			buf = slices.Grow(buf, min(len(buf)*(len(ms)-i)*5/4, maxPresize))
		}
		ends[i] = len(buf)
	}

	// Group by frame, counting each frame's entries to size its first run.
	var writes []frameWrite
	byFrame := make(map[string]int)
	frameOf := make([]int32, len(ms))
	last, lastIndex := "", -1
	for i, m := range ms {
		if id := m.Key.FrameID(); lastIndex < 0 || id != last {
			fi, seen := byFrame[id]
			if !seen {
				fi = len(writes)
				byFrame[id] = fi
				writes = append(writes, frameWrite{frameID: id, name: s.frameKey(id)})
			}
			last, lastIndex = id, fi
		}
		frameOf[i] = int32(lastIndex)
		writes[lastIndex].setHint += 2
	}
	start := 0
	for i, m := range ms {
		w := &writes[frameOf[i]]
		if m.Delete {
			w.del(m.Key.Local())
			continue
		}
		// Values share buf; the capacity limit keeps them from overlapping.
		w.set(m.Key.Local(), buf[start:ends[i]:ends[i]])
		start = ends[i]
	}
	return writes, true
}

// perFrameTransactions reports whether one transaction cannot span frames:
// on a Cluster (or a Ring) frames live on different slots or shards.
func (s *Store) perFrameTransactions() bool {
	if s.cluster != nil {
		return true
	}
	_, ring := s.client.(*redis.Ring)
	return ring
}

// applyPerFrame runs one transaction per frame, a few at a time. A failure
// leaves the frames that did commit committed, as the Batcher contract
// allows for clustered stores; the error names the first frame that failed.
func (s *Store) applyPerFrame(ctx, octx context.Context, writes []frameWrite, ttl time.Duration) error {
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		failed   string
	)
	sem := make(chan struct{}, clusterParallelism)
	for i := range writes {
		w := &writes[i]
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			_, err := s.client.TxPipelined(octx, func(p redis.Pipeliner) error {
				w.queue(octx, p, ttl)
				return nil
			})
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr, failed = err, w.frameID
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return s.failFrame(ctx, "apply", failed, firstErr)
	}
	return nil
}

// GetMany implements contextstore.Batcher with one HMGET per frame, all in
// one pipeline.
func (s *Store) GetMany(ctx context.Context, ks []keys.Key) ([]contextstore.Value, error) {
	for _, k := range ks {
		if err := k.Validate(); err != nil {
			return nil, err
		}
	}
	octx, cancel, err := s.begin(ctx, "getmany", keys.Key{})
	if err != nil {
		return nil, err
	}
	defer cancel()
	out := make([]contextstore.Value, len(ks))
	if len(ks) == 0 {
		return out, nil
	}
	type frameRead struct {
		name   string
		fields []string
		at     []int // positions in ks
		cmd    *redis.SliceCmd
	}
	byFrame := make(map[string]*frameRead)
	var reads []*frameRead
	for i, k := range ks {
		r := byFrame[k.FrameID()]
		if r == nil {
			r = &frameRead{name: s.frameKey(k.FrameID())}
			byFrame[k.FrameID()] = r
			reads = append(reads, r)
		}
		r.fields = append(r.fields, k.Local())
		r.at = append(r.at, i)
	}
	_, err = s.client.Pipelined(octx, func(p redis.Pipeliner) error {
		for _, r := range reads {
			r.cmd = p.HMGet(octx, r.name, r.fields...)
		}
		return nil
	})
	if err != nil {
		return nil, s.fail(ctx, "getmany", keys.Key{}, err)
	}
	for _, r := range reads {
		for j, x := range r.cmd.Val() {
			str, ok := x.(string)
			if !ok {
				continue // nil: no value
			}
			v, err := decodeValue(str)
			if err != nil {
				k := ks[r.at[j]]
				return nil, contextstore.NewError("getmany", backend, k, contextstore.ErrBackend, err)
			}
			out[r.at[j]] = v
		}
	}
	return out, nil
}
