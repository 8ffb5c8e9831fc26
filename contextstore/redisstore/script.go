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
//	nsources                   (-1: no remap)
//	ncas × (hash, field, present "1"/"", expected value)   compare-and-set checks
//	nruns × ("s", hash, n, n × (field, value)) or ("d", hash, n, n × field)
//	nmarks × field             rows whose values carry a reserved field
//	remap: rows, ncolumns, nsources × source row, ncolumns × column
//
// A run is handed to HSET or HDEL straight from ARGV (unpack of a range,
// in chunks), so a large batch costs no Lua tables. A hash that is neither
// the head nor the rows is a column's cells, kept in the set of cell
// columns.
//
// Every check of every frame comes first: if one fails nothing is written
// and the reply is {0, frame index, version, epoch} (a guard) or
// {-1, frame index} (a compare-and-set). Otherwise each frame that is
// written or relayout gets its version (and epoch) advanced to the greater
// of the old plus one and the server's clock in microseconds, and the reply
// is {1, version1, epoch1, version2, epoch2, ..., remapped}: remapped
// counts the row and cell entries a remap wrote. Numbers stay exact: they
// are below 2^53 and kept as decimal strings.
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
  f.bound, f.nsrc = tonumber(ARGV[a + 7]), tonumber(ARGV[a + 8])
  f.cas = a + 9
  f.runs = f.cas + 4 * f.ncas
  a = f.runs
  for _ = 1, f.nruns do
    local n = tonumber(ARGV[a + 2])
    if ARGV[a] == 's' then a = a + 3 + 2 * n else a = a + 3 + n end
  end
  f.markAt = a
  a = a + f.nmarks
  if f.nsrc >= 0 then
    f.nrows, f.ncols = tonumber(ARGV[a]), tonumber(ARGV[a + 1])
    f.srcAt = a + 2
    f.colAt = f.srcAt + f.nsrc
    a = f.colAt + f.ncols
  end
  frames[#frames + 1] = f
end
for i, f in ipairs(frames) do
  local st = redis.call('HMGET', f.meta, 'v', 'e', 'b')
  f.v, f.e, f.b = st[1] or '0', st[2] or '0', tonumber(st[3] or '0')
  if (f.cv ~= '' and f.cv ~= f.v) or (f.ce ~= '' and f.ce ~= f.e) then
    return {0, i - 1, f.v, f.e}
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

-- remapLevel re-keys one level (the rows hash, or one column's cells) by
-- the frame's row mapping and returns the entries it wrote and one past
-- the highest row it left. Fields that are not row or cell fields stay.
local function remapLevel(f, name, prefix, suffix, marked)
  local all = redis.call('HGETALL', name)
  if #all == 0 then return 0, 0 end
  local old, parsed, nold, clean = {}, {}, 0, true
  for j = 1, #all, 2 do
    local row = rowOf(all[j])
    if row then
      old[row] = all[j + 1]
      parsed[#parsed + 1] = all[j]
      nold = nold + 1
    else
      clean = false
    end
  end
  local set, taken, moved, bound = {}, {}, 0, 0
  local function take(i, src)
    local v = old[src]
    if v then
      set[#set + 1] = prefix .. fmt(i) .. suffix
      set[#set + 1] = v
      taken[i] = true
      if i ~= src then moved = moved + 1 end
      if i + 1 > bound then bound = i + 1 end
      if marked and marked[src] then f.newMarks[#f.newMarks + 1] = prefix .. fmt(i) end
    end
  end
  if nold * 4 >= f.nsrc then
    for i = 0, f.nsrc - 1 do
      local src = f.src[i]
      if src >= 0 and src < f.nrows then take(i, src) end
    end
  else
    -- a sparse level: through the inverse mapping, visiting its entries
    if not f.inverse then
      f.inverse = {}
      for i = 0, f.nsrc - 1 do
        local src = f.src[i]
        if src >= 0 and src < f.nrows then
          local l = f.inverse[src]
          if not l then l = {}; f.inverse[src] = l end
          l[#l + 1] = i
        end
      end
    end
    for src in pairs(old) do
      local l = f.inverse[src]
      if l then for _, i in ipairs(l) do take(i, src) end end
    end
  end
  for row in pairs(old) do
    if not taken[row] then moved = moved + 1 end
  end
  if clean then
    redis.call('DEL', name)
  else
    chunked('HDEL', name, parsed, 1, #parsed, 1)
  end
  if #set > 0 then chunked('HSET', name, set, 1, #set, 2) end
  return moved, bound
end

local function remap(f)
  f.src = {}
  for i = 0, f.nsrc - 1 do f.src[i] = tonumber(ARGV[f.srcAt + i]) end
  local marked = nil
  local members = redis.call('SMEMBERS', f.marks)
  if #members > 0 then
    marked = {}
    for _, m in ipairs(members) do
      local row = rowOf(m)
      if row then marked[row] = true end
    end
  end
  f.newMarks = {}
  local written, bound = remapLevel(f, f.rows, 'r:', '', marked)
  redis.call('DEL', f.marks)
  if #f.newMarks > 0 then chunked('SADD', f.marks, f.newMarks, 1, #f.newMarks, 1) end
  local keep = {}
  for j = 0, f.ncols - 1 do keep[ARGV[f.colAt + j]] = true end
  for _, col in ipairs(redis.call('SMEMBERS', f.cols)) do
    local name = f.data .. ':x:' .. col
    local w, b
    if keep[col] then
      w, b = remapLevel(f, name, 'x:', ':' .. col, nil)
    else
      w, b = redis.call('HLEN', name), 0
      redis.call('DEL', name)
    end
    written = written + w
    if b > bound then bound = b end
    if redis.call('EXISTS', name) == 0 then redis.call('SREM', f.cols, col) end
  end
  f.b = bound
  return written
end

local remapped = 0
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
    if f.nmarks > 0 then chunked('SADD', f.marks, ARGV, f.markAt, f.markAt + f.nmarks - 1, 1) end
    if f.bound > f.b then f.b = f.bound end
    if f.nsrc >= 0 then remapped = remapped + remap(f) end
    if f.nruns > 0 or f.relayout or f.nsrc >= 0 then
      f.v = string.format('%.0f', math.max(tonumber(f.v) + 1, now))
      if f.relayout then
        f.e = string.format('%.0f', math.max(tonumber(f.e) + 1, now))
      end
      redis.call('HSET', f.meta, 'v', f.v, 'e', f.e, 'b', fmt(f.b))
      if ttl > 0 then
        for _, name in ipairs({f.data, f.meta, f.rows, f.marks, f.cols}) do
          redis.call('PEXPIRE', name, ttl)
        end
        for _, col in ipairs(redis.call('SMEMBERS', f.cols)) do
          redis.call('PEXPIRE', f.data .. ':x:' .. col, ttl)
        end
      end
    end
  end
  out[#out + 1] = f.v
  out[#out + 1] = f.e
end
out[#out + 1] = remapped
return out
`)
