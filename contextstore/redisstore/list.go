package redisstore

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"

	"github.com/ctxframe/ctxframe/keys"
)

// ListKeys implements contextstore.Store: a SCAN of every master for the
// store's hashes, then one HKEYS per hash, pipelined. Writes that run
// concurrently may or may not be seen, as with any SCAN.
func (s *Store) ListKeys(ctx context.Context) ([]keys.Key, error) {
	octx, cancel, err := s.begin(ctx, "list", keys.Key{})
	if err != nil {
		return nil, err
	}
	defer cancel()
	frames, err := s.scanFrames(octx)
	if err != nil {
		return nil, s.fail(ctx, "list", keys.Key{}, err)
	}
	if len(frames) == 0 {
		return []keys.Key{}, nil
	}
	cmds := make([][]*redis.StringSliceCmd, len(frames))
	_, err = s.client.Pipelined(octx, func(p redis.Pipeliner) error {
		for i, f := range frames {
			for _, name := range f.names {
				cmds[i] = append(cmds[i], p.HKeys(octx, name))
			}
		}
		return nil
	})
	if err != nil {
		return nil, s.fail(ctx, "list", keys.Key{}, err)
	}
	// Frames come sorted by ID and keys sort by frame first, so sorting
	// each frame's keys sorts them all.
	out := []keys.Key{}
	for i, f := range frames {
		var fields []string
		for _, c := range cmds[i] {
			fields = append(fields, c.Val()...)
		}
		out = append(out, sortedFields(f.id, fields)...)
	}
	return out, nil
}

// ListFrames implements contextstore.FrameEnumerator with a SCAN of every
// master.
func (s *Store) ListFrames(ctx context.Context) ([]string, error) {
	octx, cancel, err := s.begin(ctx, "listframes", keys.Key{})
	if err != nil {
		return nil, err
	}
	defer cancel()
	frames, err := s.scanFrames(octx)
	if err != nil {
		return nil, s.fail(ctx, "listframes", keys.Key{}, err)
	}
	out := make([]string, len(frames))
	for i, f := range frames {
		out[i] = f.id
	}
	return out, nil
}

// scannedFrame is a frame found by SCAN and the names of its entry hashes.
type scannedFrame struct {
	id    string
	names []string
}

// scanFrames finds the store's hashes on every master (a Cluster's or a
// Ring's SCAN alone reaches one node) and returns their frames sorted by ID.
// Names that are not a frame's head, rows or cells hash are skipped.
func (s *Store) scanFrames(ctx context.Context) ([]scannedFrame, error) {
	var (
		mu    sync.Mutex
		names []string
	)
	collect := func(ctx context.Context, c *redis.Client) error {
		found, err := s.scanNode(ctx, c)
		mu.Lock()
		names = append(names, found...)
		mu.Unlock()
		return err
	}
	var err error
	switch c := s.client.(type) {
	case *redis.ClusterClient:
		err = c.ForEachMaster(ctx, collect)
	case *redis.Ring:
		err = c.ForEachShard(ctx, collect)
	default:
		names, err = s.scanNode(ctx, s.client)
	}
	if err != nil {
		return nil, err
	}
	// SCAN may return a key more than once.
	slices.Sort(names)
	names = slices.Compact(names)
	frames := make([]scannedFrame, 0, len(names))
	at := make(map[string]int)
	for _, n := range names {
		id, ok := s.frameOfHash(n)
		if !ok {
			continue
		}
		i, seen := at[id]
		if !seen {
			i = len(frames)
			at[id] = i
			frames = append(frames, scannedFrame{id: id})
		}
		frames[i].names = append(frames[i].names, n)
	}
	slices.SortFunc(frames, func(a, b scannedFrame) int { return strings.Compare(a.id, b.id) })
	return frames, nil
}

// scanNode returns the names of the store's hashes on one node.
func (s *Store) scanNode(ctx context.Context, c redis.Cmdable) ([]string, error) {
	var (
		out    []string
		cursor uint64
	)
	pattern := s.scanPattern()
	for {
		page, next, err := c.ScanType(ctx, cursor, pattern, s.scanCount, "hash").Result()
		if err != nil {
			return out, err
		}
		out = append(out, page...)
		if next == 0 {
			return out, nil
		}
		cursor = next
	}
}
