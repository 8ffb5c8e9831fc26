package keys_test

import (
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/keys"
)

// FuzzRoundTrip: every valid key's string parses back to the same key.
func FuzzRoundTrip(f *testing.F) {
	f.Add("weather", "temp", 3, uint8(3))
	f.Add("a{b}%c", "x:1:y", 0, uint8(4))
	f.Add("}", "", 1<<40, uint8(2))
	f.Add("🧪", "\x00", 7, uint8(1))
	f.Fuzz(func(t *testing.T, frame, column string, row int, kind uint8) {
		var k keys.Key
		switch kind % 4 {
		case 0:
			k = keys.Frame(frame)
		case 1:
			k = keys.Column(frame, column)
		case 2:
			k = keys.Row(frame, row)
		default:
			k = keys.Cell(frame, row, column)
		}
		if k.Validate() != nil {
			return
		}
		s := k.String()
		back, err := keys.Parse(s)
		if err != nil || back != k {
			t.Fatalf("Parse(%q) = %#v, %v; want %#v", s, back, err, k)
		}
		local, err := keys.ParseLocal(frame, k.Local())
		if err != nil || local != k {
			t.Fatalf("ParseLocal(%q) = %#v, %v; want %#v", k.Local(), local, err, k)
		}
	})
}

// FuzzParse: Parse never panics, and either fails with ErrInvalidKey or
// returns a valid key whose string is exactly the input.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"ctx1:{f}f", "ctx1:{f}c:a", "ctx1:{f}r:1", "ctx1:{f%7D}x:2:b", "ctx1:{f}x:", "ctx1:{%", "", "ctx1:{f}r:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := keys.Parse(s)
		if err != nil {
			require.ErrorIs(t, err, keys.ErrInvalidKey, "Parse(%q) error %v is not ErrInvalidKey", s, err)
			return
		}
		if verr := k.Validate(); verr != nil {
			t.Fatalf("Parse(%q) returned an invalid key: %v", s, verr)
		}
		if got := k.String(); got != s {
			t.Fatalf("Parse(%q).String() = %q: two strings for one key", s, got)
		}
		if !utf8.ValidString(k.FrameID()) {
			t.Fatalf("Parse(%q) accepted a frame ID that is not UTF-8", s)
		}
	})
}
