package keys

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Version is the prefix every canonical key string starts with. A later
// format gets a new prefix; strings of this one keep parsing.
const Version = "ctx1:"

// The canonical form (docs/SPEC.md) is
//
//	ctx1:{FRAME}LOCAL
//
// where FRAME is the frame ID with '%', '{' and '}' percent-encoded, so the
// braces delimit it unambiguously and form the Redis Cluster hash tag, and
// LOCAL is the frame-relative part:
//
//	f             the frame
//	c:NAME        a column (NAME raw, to the end of the string)
//	r:ROW         a row (decimal, no sign, no leading zeros)
//	x:ROW:NAME    a cell
//
// Names come last and raw, which keeps the form injective without escaping
// them and makes String and Parse allocation-light.

// String returns the canonical string form of k. It is defined for valid keys.
func (k Key) String() string {
	var b strings.Builder
	b.Grow(len(Version) + 2 + len(k.frame) + escapedExtra(k.frame) + 3 + len(k.column) + 20)
	b.WriteString(Version)
	b.WriteByte('{')
	writeEscaped(&b, k.frame)
	b.WriteByte('}')
	k.writeLocal(&b)
	return b.String()
}

// HashTag returns the Redis Cluster hash tag shared by all keys of k's frame,
// braces included.
func (k Key) HashTag() string {
	var b strings.Builder
	b.Grow(2 + len(k.frame) + escapedExtra(k.frame))
	b.WriteByte('{')
	writeEscaped(&b, k.frame)
	b.WriteByte('}')
	return b.String()
}

// Local returns the frame-relative form of k ("f", "c:NAME", "r:ROW",
// "x:ROW:NAME"): unique within one frame. Backends that group a frame's
// entries (a Redis hash, a SQL table keyed by frame) store it beside the frame
// ID; ParseLocal reverses it.
func (k Key) Local() string {
	switch k.kind {
	case KindFrame:
		return "f"
	case KindColumn:
		return "c:" + k.column
	}
	var b strings.Builder
	b.Grow(3 + 20 + len(k.column))
	k.writeLocal(&b)
	return b.String()
}

func (k Key) writeLocal(b *strings.Builder) {
	var digits [20]byte
	switch k.kind {
	case KindFrame:
		b.WriteByte('f')
	case KindColumn:
		b.WriteString("c:")
		b.WriteString(k.column)
	case KindRow:
		b.WriteString("r:")
		b.Write(strconv.AppendInt(digits[:0], int64(k.row), 10))
	case KindCell:
		b.WriteString("x:")
		b.Write(strconv.AppendInt(digits[:0], int64(k.row), 10))
		b.WriteByte(':')
		b.WriteString(k.column)
	default:
		b.WriteString("?")
	}
}

// Parse parses a canonical key string. It returns a *KeyError (ErrInvalidKey)
// for anything String cannot have produced, so Parse(k.String()) == k for
// every valid k and nothing else parses.
func Parse(s string) (Key, error) {
	rest, ok := strings.CutPrefix(s, Version)
	if !ok {
		return Key{}, invalid(s, "missing version prefix "+strconv.Quote(Version))
	}
	if len(rest) == 0 || rest[0] != '{' {
		return Key{}, invalid(s, "missing '{' before the frame ID")
	}
	end := strings.IndexByte(rest, '}')
	if end < 0 {
		return Key{}, invalid(s, "missing '}' after the frame ID")
	}
	frame, err := unescape(rest[1:end])
	if err != nil {
		return Key{}, invalid(s, err.Error())
	}
	k, reason := parseLocal(frame, rest[end+1:])
	if reason != "" {
		return Key{}, invalid(s, reason)
	}
	if err := k.Validate(); err != nil {
		return Key{}, invalid(s, err.(*KeyError).Reason)
	}
	return k, nil
}

// ParseLocal parses the frame-relative form made by Local, for frameID.
func ParseLocal(frameID, local string) (Key, error) {
	k, reason := parseLocal(frameID, local)
	if reason != "" {
		return Key{}, invalid(local, reason)
	}
	if err := k.Validate(); err != nil {
		return Key{}, err
	}
	return k, nil
}

func parseLocal(frame, s string) (Key, string) {
	if s == "f" {
		return Frame(frame), ""
	}
	if len(s) < 2 || s[1] != ':' {
		return Key{}, "unknown key kind"
	}
	body := s[2:]
	switch s[0] {
	case 'c':
		if !utf8.ValidString(body) {
			return Key{}, "column name is not valid UTF-8"
		}
		return Column(frame, body), ""
	case 'r':
		row, ok := parseRow(body)
		if !ok {
			return Key{}, "malformed row number"
		}
		return Row(frame, row), ""
	case 'x':
		i := strings.IndexByte(body, ':')
		if i < 0 {
			return Key{}, "cell key without ':' after the row"
		}
		row, ok := parseRow(body[:i])
		if !ok {
			return Key{}, "malformed row number"
		}
		if !utf8.ValidString(body[i+1:]) {
			return Key{}, "column name is not valid UTF-8"
		}
		return Cell(frame, row, body[i+1:]), ""
	}
	return Key{}, "unknown key kind"
}

// parseRow accepts exactly the decimals strconv.Itoa makes for rows >= 0.
func parseRow(s string) (int, bool) {
	if s == "" || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		d := int(c - '0')
		if n > (maxInt-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

const maxInt = int(^uint(0) >> 1)

func needsEscape(c byte) bool { return c == '%' || c == '{' || c == '}' }

func escapedExtra(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if needsEscape(s[i]) {
			n += 2
		}
	}
	return n
}

const hexDigits = "0123456789ABCDEF"

func writeEscaped(b *strings.Builder, s string) {
	start := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; needsEscape(c) {
			b.WriteString(s[start:i])
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&0xF])
			start = i + 1
		}
	}
	b.WriteString(s[start:])
}

type escapeError string

func (e escapeError) Error() string { return string(e) }

// unescape reverses writeEscaped and accepts nothing else: only %25, %7B and
// %7D, in upper case, so every frame ID has exactly one encoding.
func unescape(s string) (string, error) {
	if strings.IndexByte(s, '{') >= 0 {
		return "", escapeError("unescaped '{' in frame ID")
	}
	i := strings.IndexByte(s, '%')
	if i < 0 {
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s))
	for i >= 0 {
		b.WriteString(s[:i])
		if len(s) < i+3 {
			return "", escapeError("truncated escape in frame ID")
		}
		switch s[i+1 : i+3] {
		case "25":
			b.WriteByte('%')
		case "7B":
			b.WriteByte('{')
		case "7D":
			b.WriteByte('}')
		default:
			return "", escapeError("bad escape " + strconv.Quote(s[i:i+3]) + " in frame ID")
		}
		s = s[i+3:]
		i = strings.IndexByte(s, '%')
	}
	b.WriteString(s)
	return b.String(), nil
}
