package redisstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

var _ contextstore.SubsetReader = (*Store)(nil)

// ReadSubset implements contextstore.SubsetReader. A frame is one hash, so
// the read is still one HGETALL with the state, in one transaction; what it
// saves is decoding: a field is kept or left by its name, and a row by
// whether its JSON names the mark at all, before any value is decoded (a
// rename of a frame with a million row entries decodes its few column
// entries, not a million values). Reading only the selected fields needs
// a frame laid out in several hashes, which this store does not do yet.
func (s *Store) ReadSubset(ctx context.Context, frameID string, sub contextstore.Subset) (contextstore.Snapshot, error) {
	return s.readFrameHash(ctx, "readsubset", frameID, func(all map[string]string) ([]contextstore.Entry, error) {
		return decodeSubset(frameID, all, sub)
	})
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
