package redisstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

var _ contextstore.SubsetReader = (*Store)(nil)

// subsetScript reads part of a frame at one instant. KEYS are the frame's
// head hash, state hash, rows hash, set of marked rows and set of cell
// columns (as writeScript's); ARGV: all rows ("1"/""), marked rows
// ("1"/""), cells of every column but the listed ("1"/""), the row past
// which every row and cell entry is read (0: none), a probe for any row or
// cell entry ("1"/""), then the number of listed columns and their names.
// The reply is {version, epoch, field, value, ...}: the whole head (its
// few frame and column entries), then what the subset selects, possibly
// with a few more rows (the marks index may hold rows that lost their
// mark), which the caller sorts out. A past-the-end read scans the rows
// and cells only when the frame's row bound (state field b, one past the
// highest row written) says there may be entries there.
var subsetScript = redis.NewScript(luaLevels + `
local st = redis.call('HMGET', KEYS[2], 'v', 'e', 'b')
local out = {st[1] or '0', st[2] or '0'}
local function add(list)
  for j = 1, #list do out[#out + 1] = list[j] end
  return #list > 0
end
local function addPast(list, from)
  for j = 1, #list, 2 do
    local row = rowOf(list[j])
    if row and row >= from then
      out[#out + 1] = list[j]
      out[#out + 1] = list[j + 1]
    end
  end
end
local allRows, marked, except = ARGV[1] == '1', ARGV[2] == '1', ARGV[3] == '1'
local from, probe = tonumber(ARGV[4]), ARGV[5] == '1'
local listed = {}
for j = 1, tonumber(ARGV[6]) do listed[ARGV[6 + j]] = true end
local past = from > 0 and tonumber(st[3] or '0') > from
add(redis.call('HGETALL', KEYS[1]))
local found = false
if allRows then
  found = add(redis.call('HGETALL', KEYS[3]))
else
  if marked then
    local members = redis.call('SMEMBERS', KEYS[4])
    for j = 1, #members, 7000 do
      local some = {unpack(members, j, math.min(j + 6999, #members))}
      local vals = redis.call('HMGET', KEYS[3], unpack(some))
      for m = 1, #some do
        if vals[m] then
          out[#out + 1] = some[m]
          out[#out + 1] = vals[m]
          found = true
        end
      end
    end
  end
  if past then addPast(redis.call('HGETALL', KEYS[3]), from) end
end
local cols = redis.call('SMEMBERS', KEYS[5])
for _, col in ipairs(cols) do
  local name = KEYS[1] .. ':x:' .. col
  if (listed[col] == true) ~= except then
    found = add(redis.call('HGETALL', name)) or found
  elseif past then
    addPast(redis.call('HGETALL', name), from)
  end
end
if probe and not found then
  local any = redis.call('HRANDFIELD', KEYS[3], 1, 'WITHVALUES')
  for _, col in ipairs(cols) do
    if #any > 0 then break end
    any = redis.call('HRANDFIELD', KEYS[1] .. ':x:' .. col, 1, 'WITHVALUES')
  end
  add(any)
end
return out
`)

// ReadSubset implements contextstore.SubsetReader with one subsetScript
// call, which reads the hashes the subset needs and no others: a rename of
// a frame with a million row entries reads its head and the renamed
// column's cells. Marked rows come through the marks index when the mark
// is a reserved field (contextstore.ReservedPrefix); any other mark reads
// every row.
func (s *Store) ReadSubset(ctx context.Context, frameID string, sub contextstore.Subset) (contextstore.Snapshot, error) {
	fk := keys.Frame(frameID)
	if err := fk.Validate(); err != nil {
		return contextstore.Snapshot{}, err
	}
	octx, cancel, err := s.begin(ctx, "readsubset", fk)
	if err != nil {
		return contextstore.Snapshot{}, err
	}
	defer cancel()
	reserved := strings.HasPrefix(sub.RowsWith, contextstore.ReservedPrefix)
	args := []any{
		flag(sub.Rows || sub.RowsWith != "" && !reserved), flag(reserved),
		flag(sub.AllCellsExcept), max(sub.RowsFrom, 0), flag(sub.AnyRow), len(sub.Cells),
	}
	for _, col := range sub.Cells {
		args = append(args, col)
	}
	reply, err := s.runRead(octx, subsetScript, []string{
		s.frameKey(frameID), s.stateKey(frameID), s.rowsKey(frameID), s.marksKey(frameID), s.cellColumnsKey(frameID),
	}, args)
	if err != nil {
		return contextstore.Snapshot{}, s.fail(ctx, "readsubset", fk, err)
	}
	snap, err := subsetSnapshot(frameID, reply, sub)
	if err != nil {
		return contextstore.Snapshot{}, contextstore.NewError("readsubset", backend, fk, contextstore.ErrBackend, err)
	}
	return snap, nil
}

// subsetSnapshot turns subsetScript's reply into the subset's snapshot.
func subsetSnapshot(frameID string, reply []any, sub contextstore.Subset) (contextstore.Snapshot, error) {
	if len(reply) < 2 || len(reply)%2 != 0 {
		return contextstore.Snapshot{}, fmt.Errorf("redisstore: subset reply of %d values", len(reply))
	}
	st, err := parseState(reply[:2])
	if err != nil {
		return contextstore.Snapshot{}, err
	}
	all := make(map[string]string, len(reply)/2-1)
	for j := 2; j < len(reply); j += 2 {
		field, _ := reply[j].(string)
		value, _ := reply[j+1].(string)
		all[field] = value
	}
	entries, err := decodeSubset(frameID, all, sub)
	if err != nil {
		return contextstore.Snapshot{}, err
	}
	return contextstore.Snapshot{FrameID: frameID, State: st, Entries: entries}, nil
}

// decodeSubset decodes the fields of a frame's hash that sub selects, in
// key order, with AnyRow's probe after them.
func decodeSubset(frameID string, all map[string]string, sub contextstore.Subset) ([]contextstore.Entry, error) {
	// A row's JSON names the mark as a quoted member name; for a plain name
	// that text is the same in every encoding, so a row without it cannot
	// carry the mark.
	mark := ""
	if plainName(sub.RowsWith) {
		mark = strconv.Quote(sub.RowsWith)
	}
	var (
		ks     []keys.Key
		vs     []string
		probe  keys.Key
		probeV string
	)
	for field, data := range all {
		k, err := keys.ParseLocal(frameID, field)
		if err != nil {
			continue
		}
		keep := sub.Includes(contextstore.Entry{Key: k})
		if !keep && k.Kind() == keys.KindRow && sub.RowsWith != "" && (mark == "" || strings.Contains(data, mark)) {
			keep = true // decided below, on the decoded value
		}
		if keep {
			ks = append(ks, k)
			vs = append(vs, data)
		} else if sub.AnyRow && k.HasRow() && probe.Kind() == 0 {
			probe, probeV = k, data
		}
	}
	out := make([]contextstore.Entry, 0, len(ks)+1)
	rows := false
	for _, j := range frameOrder(ks) {
		v, err := decodeValue(vs[j])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ks[j], err)
		}
		if e := (contextstore.Entry{Key: ks[j], Value: v}); sub.Includes(e) {
			out = append(out, e)
			rows = rows || e.Key.HasRow()
		}
	}
	if !rows && probe.Kind() != 0 {
		v, err := decodeValue(probeV)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", probe, err)
		}
		out = append(out, contextstore.Entry{Key: probe, Value: v})
	}
	return out, nil
}

// plainName reports whether a member name is written the same in any JSON
// encoding (ASCII letters, digits, '.', '_', '-'), so that its quoted form
// can be looked for in the stored text; other marks are checked on every
// decoded row.
func plainName(name string) bool {
	for _, r := range name {
		if !(r == '.' || r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return name != ""
}

// runRead runs a script that only reads.
func (s *Store) runRead(ctx context.Context, script *redis.Script, keysArg []string, args []any) ([]any, error) {
	return script.Run(ctx, s.client, keysArg, args...).Slice()
}
