package redisstore

import (
	"strings"

	"github.com/ctxframe/ctxframe/keys"
)

// frameKey returns the name of the Redis hash that holds frameID's frame
// and column entries (its head): the prefix, then the canonical key
// prefix, whose hash tag keeps the frame on one Cluster slot. Every other
// key of the frame starts with it.
func (s *Store) frameKey(frameID string) string {
	return s.prefix + keys.Version + keys.Frame(frameID).HashTag()
}

// stateKey returns the name of the hash that holds frameID's state
// (version v, layout epoch e, row bound b, levels version lv): the frame's
// head name and ":v", under the same hash tag, so a script can touch all of
// the frame's keys on a Cluster. The name does not end in '}', so frameOf
// never takes it for a frame.
func (s *Store) stateKey(frameID string) string {
	return s.frameKey(frameID) + ":v"
}

// rowsKey returns the name of the hash that holds frameID's row entries.
func (s *Store) rowsKey(frameID string) string { return s.frameKey(frameID) + ":r" }

// marksKey returns the name of the set of frameID's row fields whose
// values name a field under contextstore.ReservedPrefix: an index that
// may hold more than that (a deleted row, a row that lost its mark), never
// less, so a subset of marked rows reads what it finds, not every row.
func (s *Store) marksKey(frameID string) string { return s.frameKey(frameID) + ":m" }

// cellColumnsKey returns the name of the set of the columns of frameID
// that have cell entries, each in the hash cellsKey names.
func (s *Store) cellColumnsKey(frameID string) string { return s.frameKey(frameID) + ":x" }

// cellsKey returns the name of the hash that holds the cell entries of
// frameID's column. Key names are binary safe and the hash tag comes first,
// so any column name can follow it.
func (s *Store) cellsKey(frameID, column string) string {
	return s.frameKey(frameID) + ":x:" + column
}

// hashFor returns the name of the hash that holds k.
func (s *Store) hashFor(k keys.Key) string {
	switch k.Kind() {
	case keys.KindRow:
		return s.rowsKey(k.FrameID())
	case keys.KindCell:
		return s.cellsKey(k.FrameID(), k.ColumnName())
	}
	return s.frameKey(k.FrameID())
}

// layoutKey is the name of the string that records the layout of the
// store's frames (see layout.go).
func (s *Store) layoutKey() string { return s.prefix + keys.Version + "layout" }

// frameOf returns the frame whose head hash (frame and column entries) is
// named name, and false for any name frameKey cannot have made.
func (s *Store) frameOf(name string) (string, bool) {
	rest, ok := strings.CutPrefix(name, s.prefix)
	if !ok || !strings.HasSuffix(rest, "}") {
		return "", false
	}
	// The hash name is a canonical frame key without its local part "f".
	k, err := keys.Parse(rest + "f")
	if err != nil || k.Kind() != keys.KindFrame {
		return "", false
	}
	return k.FrameID(), true
}

// frameOfHash returns the frame that owns the entry hash named name (its
// head, its rows or one column's cells), and false for any other name.
// The escaped frame ID holds no '}', so the first one ends the hash tag.
func (s *Store) frameOfHash(name string) (string, bool) {
	rest, ok := strings.CutPrefix(name, s.prefix)
	if !ok {
		return "", false
	}
	end := strings.IndexByte(rest, '}')
	if end < 0 {
		return "", false
	}
	if suffix := rest[end+1:]; suffix != "" && suffix != ":r" && !strings.HasPrefix(suffix, ":x:") {
		return "", false
	}
	return s.frameOf(s.prefix + rest[:end+1])
}

// scanPattern is the SCAN MATCH pattern of every hash of the store.
func (s *Store) scanPattern() string {
	return escapeGlob(s.prefix) + escapeGlob(keys.Version) + "{*"
}

// escapeGlob quotes the characters SCAN MATCH treats as a pattern.
func escapeGlob(s string) string {
	if !strings.ContainsAny(s, `*?[]\^`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ { // bytewise: the prefix need not be UTF-8
		switch s[i] {
		case '*', '?', '[', ']', '\\', '^':
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
