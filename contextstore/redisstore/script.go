package redisstore

import "github.com/redis/go-redis/v9"

// writeScript is every write of the store, run by Redis atomically. KEYS
// are pairs: a frame's hash of entries and its state hash (fields v and e),
// both under the frame's hash tag. ARGV[1] is the TTL in milliseconds (0:
// none); then, for each frame in KEYS order:
//
//	want-version, want-epoch   ("" when not checked)
//	relayout, drop             ("1" or "")
//	ncas, nruns
//	ncas × (field, present "1"/"", expected value)  compare-and-set checks
//	nruns × ("s", n, n × (field, value)) or ("d", n, n × field)   writes, in order
//
// A run is handed to HSET or HDEL straight from ARGV (unpack of a range, in
// chunks within Lua's stack), so a large batch costs no Lua tables.
//
// Every check of every frame comes first: if one fails nothing is written
// and the reply is {0, frame index, version, epoch} (a guard) or
// {-1, frame index} (a compare-and-set). Otherwise each frame that is
// written or relayout gets its version (and epoch) advanced to the greater
// of the old plus one and the server's clock in microseconds, and the reply
// is {1, version1, epoch1, version2, epoch2, ...}. Numbers stay exact: they
// are below 2^53 and kept as decimal strings.
var writeScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local ttl = tonumber(ARGV[1])
local frames = {}
local a = 2
for i = 1, #KEYS, 2 do
  local f = {data = KEYS[i], meta = KEYS[i + 1]}
  f.cv, f.ce = ARGV[a], ARGV[a + 1]
  f.relayout, f.drop = ARGV[a + 2] == '1', ARGV[a + 3] == '1'
  f.ncas, f.nruns = tonumber(ARGV[a + 4]), tonumber(ARGV[a + 5])
  f.cas = a + 6
  f.runs = f.cas + 3 * f.ncas
  a = f.runs
  for _ = 1, f.nruns do
    local n = tonumber(ARGV[a + 1])
    if ARGV[a] == 's' then a = a + 2 + 2 * n else a = a + 2 + n end
  end
  frames[#frames + 1] = f
end
for i, f in ipairs(frames) do
  local st = redis.call('HMGET', f.meta, 'v', 'e')
  f.v, f.e = st[1] or '0', st[2] or '0'
  if (f.cv ~= '' and f.cv ~= f.v) or (f.ce ~= '' and f.ce ~= f.e) then
    return {0, i - 1, f.v, f.e}
  end
  for j = 0, f.ncas - 1 do
    local p = f.cas + 3 * j
    local cur = redis.call('HGET', f.data, ARGV[p])
    if ARGV[p + 1] == '1' then
      if cur ~= ARGV[p + 2] then return {-1, i - 1} end
    elseif cur then
      return {-1, i - 1}
    end
  end
end
local function run(f, cmd, from, to, step)
  -- at most 7000 arguments a call: Lua's C stack holds 8000
  local per = 7000 - (7000 % step)
  for i = from, to, per do
    redis.call(cmd, f.data, unpack(ARGV, i, math.min(i + per - 1, to)))
  end
end
local out = {1}
for _, f in ipairs(frames) do
  if f.drop then
    redis.call('DEL', f.data, f.meta)
    f.v, f.e = '0', '0'
  else
    local p = f.runs
    for _ = 1, f.nruns do
      local n = tonumber(ARGV[p + 1])
      if ARGV[p] == 's' then
        run(f, 'HSET', p + 2, p + 1 + 2 * n, 2)
        p = p + 2 + 2 * n
      else
        run(f, 'HDEL', p + 2, p + 1 + n, 1)
        p = p + 2 + n
      end
    end
    if f.nruns > 0 or f.relayout then
      f.v = string.format('%.0f', math.max(tonumber(f.v) + 1, now))
      if f.relayout then
        f.e = string.format('%.0f', math.max(tonumber(f.e) + 1, now))
      end
      redis.call('HSET', f.meta, 'v', f.v, 'e', f.e)
      if ttl > 0 then
        redis.call('PEXPIRE', f.data, ttl)
        redis.call('PEXPIRE', f.meta, ttl)
      end
    end
  end
  out[#out + 1] = f.v
  out[#out + 1] = f.e
end
return out
`)
