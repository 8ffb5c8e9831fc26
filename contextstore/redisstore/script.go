package redisstore

import "github.com/redis/go-redis/v9"

// luaLevels is the Lua shared by the scripts: how a row or cell field
// names its row, and HSET/HDEL/SADD/SREM of a range of ARGV or of a table
// in chunks, within the 8000 values Lua's C stack holds.
const luaLevels = `
local function rowOf(field)
  local r = string.match(field, '^[rx]:(%d+)')
  if r then return tonumber(r) end
  return nil
end
local function fmt(n) return string.format('%d', n) end
local function chunked(cmd, key, list, from, to, step)
  local per = 7000 - (7000 % step)
  for i = from, to, per do
    redis.call(cmd, key, unpack(list, i, math.min(i + per - 1, to)))
  end
end
`

// writeScript is every write of the store, run by Redis atomically. KEYS
// come in fives, one per frame, all under the frame's hash tag: its head
// hash (frame and column entries), its state hash (fields v, e and b), its
// rows hash, its set of marked rows and its set of cell columns; a
// column's cells hash is the head's name and ":x:" and the column, under
// the same tag. ARGV[1] is the TTL in milliseconds (0: none); then, for
// each frame in KEYS order:
//
//	want-version, want-epoch   ("" when not checked)
//	relayout, drop             ("1" or "")
//	ncas, nruns, nmarks
//	bound                      (one past the highest row the batch sets)
//	nswap                      (-1: no swap)
//	want-levels                the levels version the frame must be at, or ""
//	ncas × (hash, field, present "1"/"", expected value)   compare-and-set checks
//	nruns × ("s", hash, n, n × (field, value)) or ("d", hash, n, n × field)
//	swap: rows-hash ("": none), its fields, bound, nswap × (column, cells-hash, its fields)
//	nmarks × field             rows whose values carry a reserved field
//
// A run is handed to HSET or HDEL straight from ARGV (unpack of a range,
// in chunks), so a large batch costs no Lua tables. A hash that is neither
// the head nor the rows is a column's cells, kept in the set of cell
// columns.
//
// Every check of every frame comes first: if one fails nothing is written
// and the reply is {0, frame index, version, epoch} (a guard),
// {-1, frame index} (a compare-and-set), {-2, frame index} (a swap's
// prepared hash is gone, or does not hold the fields the client wrote) or {-3, frame index} (its row or cell entries
// changed: the levels version, state field lv, which every write to the
// rows or a cells hash advances, is not the one wanted). Otherwise each frame that is
// written or relayout gets its version (and epoch) advanced to the greater
// of the old plus one and the server's clock in microseconds, and the reply
// is {1, version1, epoch1, version2, epoch2, ...}. Numbers stay exact:
// they are below 2^53 and kept as decimal strings.
//
// A swap (RemapIf's) replaces the frame's row and cell entries whole, after
// the runs: the rows hash, every cells hash, both sets and the row bound
// give way to hashes the client prepared under the frame's tag (renamed
// into place, so their values never pass through Lua), the listed columns
// and the marks that follow. The replaced hashes are unlinked, freed off
// the server's main thread.
var writeScript = redis.NewScript(luaLevels + `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local ttl = tonumber(ARGV[1])
local frames = {}
local a = 2
for i = 1, #KEYS, 5 do
  local f = {data = KEYS[i], meta = KEYS[i + 1], rows = KEYS[i + 2], marks = KEYS[i + 3], cols = KEYS[i + 4]}
  f.cv, f.ce = ARGV[a], ARGV[a + 1]
  f.relayout, f.drop = ARGV[a + 2] == '1', ARGV[a + 3] == '1'
  f.ncas, f.nruns, f.nmarks = tonumber(ARGV[a + 4]), tonumber(ARGV[a + 5]), tonumber(ARGV[a + 6])
  f.bound, f.nswap, f.wantLevels = tonumber(ARGV[a + 7]), tonumber(ARGV[a + 8]), ARGV[a + 9]
  f.cas = a + 10
  f.runs = f.cas + 4 * f.ncas
  a = f.runs
  for _ = 1, f.nruns do
    local n = tonumber(ARGV[a + 2])
    if ARGV[a] == 's' then a = a + 3 + 2 * n else a = a + 3 + n end
  end
  if f.nswap >= 0 then
    f.swapAt = a
    a = a + 3 + 3 * f.nswap
  end
  f.markAt = a
  a = a + f.nmarks
  frames[#frames + 1] = f
end
for i, f in ipairs(frames) do
  local st = redis.call('HMGET', f.meta, 'v', 'e', 'b', 'lv')
  f.v, f.e, f.b = st[1] or '0', st[2] or '0', tonumber(st[3] or '0')
  if (f.cv ~= '' and f.cv ~= f.v) or (f.ce ~= '' and f.ce ~= f.e) then
    return {0, i - 1, f.v, f.e}
  end
  if f.wantLevels ~= '' and f.wantLevels ~= (st[4] or '0') then
    return {-3, i - 1}
  end
  if f.nswap >= 0 then
    -- every prepared hash must be there, whole, before anything is replaced
    local p = f.swapAt
    local function whole(name, n)
      local have = redis.call('HLEN', name)
      return have > 0 and have == tonumber(n)
    end
    if ARGV[p] ~= '' and not whole(ARGV[p], ARGV[p + 1]) then return {-2, i - 1} end
    for j = 0, f.nswap - 1 do
      if not whole(ARGV[p + 4 + 3 * j], ARGV[p + 5 + 3 * j]) then return {-2, i - 1} end
    end
  end
  for j = 0, f.ncas - 1 do
    local p = f.cas + 4 * j
    local cur = redis.call('HGET', ARGV[p], ARGV[p + 1])
    if ARGV[p + 2] == '1' then
      if cur ~= ARGV[p + 3] then return {-1, i - 1} end
    elseif cur then
      return {-1, i - 1}
    end
  end
end

-- swap puts the client's prepared rows and cells hashes in place of the
-- frame's own (see the script's doc).
local function swap(f)
  local p = f.swapAt
  redis.call('UNLINK', f.rows, f.marks)
  if ARGV[p] ~= '' then redis.call('RENAME', ARGV[p], f.rows) end
  f.b = tonumber(ARGV[p + 2])
  for _, col in ipairs(redis.call('SMEMBERS', f.cols)) do
    redis.call('UNLINK', f.data .. ':x:' .. col)
  end
  redis.call('UNLINK', f.cols)
  for j = 0, f.nswap - 1 do
    local col, tmp = ARGV[p + 3 + 3 * j], ARGV[p + 4 + 3 * j]
    redis.call('RENAME', tmp, f.data .. ':x:' .. col)
    redis.call('SADD', f.cols, col)
  end
end

local out = {1}
for _, f in ipairs(frames) do
  if f.drop then
    for _, col in ipairs(redis.call('SMEMBERS', f.cols)) do
      redis.call('DEL', f.data .. ':x:' .. col)
    end
    redis.call('DEL', f.data, f.meta, f.rows, f.marks, f.cols)
    f.v, f.e = '0', '0'
  else
    local p = f.runs
    local marksExist = redis.call('EXISTS', f.marks) == 1
    for _ = 1, f.nruns do
      local kind, name, n = ARGV[p], ARGV[p + 1], tonumber(ARGV[p + 2])
      local from = p + 3
      local col = nil
      if name ~= f.data and name ~= f.rows then col = string.sub(name, #f.data + 4) end
      if name ~= f.data then f.levels = true end
      if kind == 's' then
        p = from + 2 * n
        chunked('HSET', name, ARGV, from, p - 1, 2)
        if col then redis.call('SADD', f.cols, col) end
      else
        p = from + n
        chunked('HDEL', name, ARGV, from, p - 1, 1)
        if col and redis.call('EXISTS', name) == 0 then redis.call('SREM', f.cols, col) end
      end
      if marksExist and name == f.rows then
        -- SREM of field-value pairs removes the fields: a value (a JSON
        -- object) is never a member.
        chunked('SREM', f.marks, ARGV, from, p - 1, 1)
      end
    end
    if f.nswap >= 0 then
      swap(f)
      f.levels = true
    end
    if f.nmarks > 0 then chunked('SADD', f.marks, ARGV, f.markAt, f.markAt + f.nmarks - 1, 1) end
    if f.bound > f.b then f.b = f.bound end
    if f.nruns > 0 or f.relayout or f.nswap >= 0 then
      f.v = string.format('%.0f', math.max(tonumber(f.v) + 1, now))
      if f.relayout then
        f.e = string.format('%.0f', math.max(tonumber(f.e) + 1, now))
      end
      redis.call('HSET', f.meta, 'v', f.v, 'e', f.e, 'b', fmt(f.b))
      if f.levels then redis.call('HINCRBY', f.meta, 'lv', 1) end
      if ttl > 0 then
        for _, name in ipairs({f.data, f.meta, f.rows, f.marks, f.cols}) do
          redis.call('PEXPIRE', name, ttl)
        end
        for _, col in ipairs(redis.call('SMEMBERS', f.cols)) do
          redis.call('PEXPIRE', f.data .. ':x:' .. col, ttl)
        end
      elseif f.nswap >= 0 then
        -- the prepared hashes carried the short TTL that cleans them up
        -- after a crash; in place they keep the frame's (none)
        redis.call('PERSIST', f.rows)
        for _, col in ipairs(redis.call('SMEMBERS', f.cols)) do
          redis.call('PERSIST', f.data .. ':x:' .. col)
        end
      end
    end
  end
  out[#out + 1] = f.v
  out[#out + 1] = f.e
end
return out
`)
