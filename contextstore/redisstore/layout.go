package redisstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// layoutVersion is the layout this package reads and writes, recorded at
// layoutKey once every frame of the store is in it. Layout 1 kept each
// frame in one hash; layout 2 keeps its frame and column entries there
// (the head), its row entries in a rows hash and each column's cell
// entries in a hash of their own, so that an operation reads the hashes it
// needs (see doc.go).
const layoutVersion = "2"

// migrateScript moves the row and cell fields of a layout-1 frame's head
// hash into its rows and cells hashes, indexes its marked rows and sets
// its row bound, atomically. KEYS are writeScript's five; ARGV[1] is how a
// reserved field starts in JSON. Running it again moves nothing. The reply
// is the number of fields moved.
var migrateScript = redis.NewScript(luaLevels + `
local all = redis.call('HGETALL', KEYS[1])
local rows, cells, marks, moved = {}, {}, {}, {}
local bound = tonumber(redis.call('HGET', KEYS[2], 'b') or '0')
for j = 1, #all, 2 do
  local f, v = all[j], all[j + 1]
  local row = rowOf(f)
  if row then
    moved[#moved + 1] = f
    if row + 1 > bound then bound = row + 1 end
    if string.sub(f, 1, 1) == 'r' then
      rows[#rows + 1] = f
      rows[#rows + 1] = v
      if string.find(v, ARGV[1], 1, true) then marks[#marks + 1] = f end
    else
      local col = string.match(f, '^x:%d+:(.*)$')
      if not cells[col] then cells[col] = {} end
      local c = cells[col]
      c[#c + 1] = f
      c[#c + 1] = v
    end
  end
end
if #moved == 0 then return 0 end
local ttl = redis.call('PTTL', KEYS[1])
local touched = {KEYS[3], KEYS[2]}
if #rows > 0 then chunked('HSET', KEYS[3], rows, 1, #rows, 2) end
if #marks > 0 then
  chunked('SADD', KEYS[4], marks, 1, #marks, 1)
  touched[#touched + 1] = KEYS[4]
end
for col, c in pairs(cells) do
  local name = KEYS[1] .. ':x:' .. col
  chunked('HSET', name, c, 1, #c, 2)
  redis.call('SADD', KEYS[5], col)
  touched[#touched + 1] = name
  touched[#touched + 1] = KEYS[5]
end
chunked('HDEL', KEYS[1], moved, 1, #moved, 1)
redis.call('HSET', KEYS[2], 'b', fmt(bound))
if ttl > 0 then
  for _, name in ipairs(touched) do redis.call('PEXPIRE', name, ttl) end
end
return #moved
`)

// ready brings the store's frames to layoutVersion the first time the
// store is used, and is free afterwards. Every process that opens the
// store does the same; the migration of one frame is one script, which
// running twice leaves as it was, so processes that migrate at once agree.
// A process of an older version writing while the store is migrated
// would put row and cell entries back in the head, where this version
// still reads them but does not move them: upgrade every process of a
// store together.
func (s *Store) ready(ctx context.Context) error {
	if s.migrated.Load() {
		return nil
	}
	s.migrating.Lock()
	defer s.migrating.Unlock()
	if s.migrated.Load() {
		return nil
	}
	v, err := s.client.Get(ctx, s.layoutKey()).Result()
	switch {
	case err == nil && v == layoutVersion:
	case err == nil && v != "1":
		return fmt.Errorf("redisstore: the store's layout is %q; this version reads layout %s (a newer ctxframe wrote it?)", v, layoutVersion)
	case err != nil && !errors.Is(err, redis.Nil):
		return err
	default:
		if err := s.migrate(ctx); err != nil {
			return err
		}
	}
	s.migrated.Store(true)
	return nil
}

// migrate moves every frame of the store to layoutVersion and records it.
func (s *Store) migrate(ctx context.Context) error {
	frames, err := s.scanFrames(ctx)
	if err != nil {
		return err
	}
	for _, f := range frames {
		ks := []string{s.frameKey(f.id), s.stateKey(f.id), s.rowsKey(f.id), s.marksKey(f.id), s.cellColumnsKey(f.id)}
		if err := migrateScript.Run(ctx, s.client, ks, string(reservedMark)).Err(); err != nil {
			return fmt.Errorf("redisstore: moving frame %q to layout %s: %w", f.id, layoutVersion, err)
		}
	}
	return s.client.Set(ctx, s.layoutKey(), layoutVersion, 0).Err()
}
