package redisstore

import (
	"strings"

	"github.com/ctxframe/ctxframe/keys"
)

// frameKey returns the name of the Redis hash that holds frameID's context:
// the prefix, then the canonical key prefix, whose hash tag keeps the frame
// on one Cluster slot.
func (s *Store) frameKey(frameID string) string {
	return s.prefix + keys.Version + keys.Frame(frameID).HashTag()
}

// stateKey returns the name of the hash that holds frameID's version and
// layout epoch (fields v and e): the frame's hash name and ":v", under the
// same hash tag, so a script can touch both on a Cluster. The name does not
// end in '}', so frameOf never takes it for a frame.
func (s *Store) stateKey(frameID string) string {
	return s.frameKey(frameID) + ":v"
}

// frameOf returns the frame whose hash is named name, and false for any
// name frameKey cannot have made.
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
