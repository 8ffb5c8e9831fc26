package keys_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/ctxframe/ctxframe/keys"
)

func TestCanonicalStrings(t *testing.T) {
	cases := []struct {
		key  keys.Key
		want string
	}{
		{keys.Frame("weather"), "ctx1:{weather}f"},
		{keys.Column("weather", "temp"), "ctx1:{weather}c:temp"},
		{keys.Row("weather", 42), "ctx1:{weather}r:42"},
		{keys.Cell("weather", 0, "temp"), "ctx1:{weather}x:0:temp"},
		{keys.Column("a{b}c%d", "x:y"), "ctx1:{a%7Bb%7Dc%25d}c:x:y"},
		{keys.Column("f", ""), "ctx1:{f}c:"},
		{keys.Cell("f", 7, "1:2"), "ctx1:{f}x:7:1:2"},
	}
	for _, c := range cases {
		if got := c.key.String(); got != c.want {
			t.Errorf("%#v.String() = %q, want %q", c.key, got, c.want)
		}
		back, err := keys.Parse(c.want)
		if err != nil || back != c.key {
			t.Errorf("Parse(%q) = %#v, %v; want %#v", c.want, back, err, c.key)
		}
	}
}

func TestAccessors(t *testing.T) {
	k := keys.Cell("f", 3, "temp")
	if k.FrameID() != "f" || k.Kind() != keys.KindCell || k.RowIndex() != 3 || k.ColumnName() != "temp" || !k.HasRow() || !k.HasColumn() {
		t.Fatalf("cell accessors wrong: %#v", k)
	}
	if c := keys.Column("f", "a"); c.HasRow() || !c.HasColumn() || c.RowIndex() != 0 {
		t.Fatalf("column accessors wrong: %#v", c)
	}
	if got := k.InFrame("g").WithRow(9).WithColumn("wind"); got != keys.Cell("g", 9, "wind") {
		t.Fatalf("With* = %v", got)
	}
	if got := keys.Frame("f").WithRow(3).WithColumn("x"); got != keys.Frame("f") {
		t.Fatalf("With* must leave a frame key alone, got %v", got)
	}
	if keys.KindRow.String() != "row" || keys.Kind(9).String() != "Kind(9)" {
		t.Fatal("Kind.String")
	}
}

func TestValidate(t *testing.T) {
	bad := map[string]keys.Key{
		"zero":            {},
		"empty frame":     keys.Frame(""),
		"negative row":    keys.Row("f", -1),
		"negative cell":   keys.Cell("f", -1, "a"),
		"bad UTF-8 frame": keys.Frame("\xff"),
		"bad UTF-8 col":   keys.Column("f", "\xc3("),
		"bad UTF-8 cell":  keys.Cell("f", 1, "\xff"),
	}
	for name, k := range bad {
		err := k.Validate()
		var ke *keys.KeyError
		if !errors.Is(err, keys.ErrInvalidKey) || !errors.As(err, &ke) {
			t.Errorf("%s: Validate() = %v, want a *KeyError matching ErrInvalidKey", name, err)
		}
	}
	good := []keys.Key{keys.Frame(" "), keys.Column("f", ""), keys.Row("f", 0), keys.Cell("f", math.MaxInt, "🦀"), keys.Column("f", "nul\x00")}
	for _, k := range good {
		if err := k.Validate(); err != nil {
			t.Errorf("Validate(%q) = %v, want nil", k, err)
		}
	}
}

func TestParseRejects(t *testing.T) {
	bad := []string{
		"", "ctx1:", "ctx2:{f}f", "ctx1:f", "ctx1:{f", "ctx1:{}f", "ctx1:{f}", "ctx1:{f}g", "ctx1:{f}c",
		"ctx1:{f}r:", "ctx1:{f}r:-1", "ctx1:{f}r:+1", "ctx1:{f}r:01", "ctx1:{f}r:1a", "ctx1:{f}r:99999999999999999999",
		"ctx1:{f}x:1", "ctx1:{f}x::a", "ctx1:{f}x:01:a", "ctx1:{f%}f", "ctx1:{f%2}f", "ctx1:{f%7b}f", "ctx1:{f%41}f",
		"ctx1:{f{}f", "ctx1:{f}c:\xff", "ctx1:{\xff}f", "ctx1:{f}ff", "ctx1:{f}f ",
	}
	for _, s := range bad {
		k, err := keys.Parse(s)
		assert.ErrorIs(t, err, keys.ErrInvalidKey, "Parse(%q) = %#v, %v; want ErrInvalidKey", s, k, err)
	}
}

// The string form must be injective over awkward names: every distinct key
// a distinct string, each parsing back to itself.
func TestInjective(t *testing.T) {
	names := []string{"", "a", "a:", ":a", "a:b", "{", "}", "{}", "}{", "%", "%25", "%7B", "f}c:x", "x:1:y", "1", "01",
		"ctx1:{f}f", "🧪", "emoji 🧪 x", "nul\x00", "\n", `"`, strings.Repeat("long", 5000)}
	seen := map[string]keys.Key{}
	add := func(k keys.Key) {
		s := k.String()
		if prev, dup := seen[s]; dup && prev != k {
			t.Fatalf("%#v and %#v share the string %q", prev, k, s)
		}
		seen[s] = k
		back, err := keys.Parse(s)
		if err != nil || back != k {
			t.Fatalf("Parse(%q) = %#v, %v; want %#v", s, back, err, k)
		}
		local, err := keys.ParseLocal(k.FrameID(), k.Local())
		if err != nil || local != k {
			t.Fatalf("ParseLocal(%q, %q) = %#v, %v; want %#v", k.FrameID(), k.Local(), local, err, k)
		}
	}
	for _, f := range names {
		if f == "" {
			continue
		}
		add(keys.Frame(f))
		for _, c := range names {
			add(keys.Column(f, c))
			add(keys.Cell(f, 0, c))
			add(keys.Cell(f, 10, c))
		}
		add(keys.Row(f, 0))
		add(keys.Row(f, math.MaxInt))
	}
}

func TestHashTagSharedByFrame(t *testing.T) {
	f := "sales}{2024"
	tag := keys.Frame(f).HashTag()
	for _, k := range []keys.Key{keys.Frame(f), keys.Column(f, "}"), keys.Row(f, 1), keys.Cell(f, 2, "{x}")} {
		s := k.String()
		// Redis hashes the text between the first '{' and the first '}' after it.
		open := strings.IndexByte(s, '{')
		closing := strings.IndexByte(s[open+1:], '}') + open + 1
		if got := s[open : closing+1]; got != tag {
			t.Errorf("%q: Redis hash tag %q, want the frame's %q", s, got, tag)
		}
	}
}

func TestCompareOrder(t *testing.T) {
	ordered := []keys.Key{
		keys.Frame("a"), keys.Column("a", ""), keys.Column("a", "x"), keys.Column("a", "y"),
		keys.Row("a", 2), keys.Row("a", 10), keys.Cell("a", 5, "x"), keys.Cell("a", 100, "x"), keys.Cell("a", 1, "y"),
		keys.Frame("b"),
	}
	shuffled := []keys.Key{ordered[9], ordered[5], ordered[0], ordered[8], ordered[3], ordered[7], ordered[1], ordered[4], ordered[6], ordered[2]}
	keys.Sort(shuffled)
	for i := range ordered {
		if shuffled[i] != ordered[i] {
			t.Fatalf("Sort: position %d is %q, want %q (rows compare numerically)", i, shuffled[i], ordered[i])
		}
	}
	if keys.Compare(ordered[0], ordered[0]) != 0 || keys.Compare(ordered[0], ordered[1]) != -1 || keys.Compare(ordered[1], ordered[0]) != 1 {
		t.Fatal("Compare must return -1, 0, +1")
	}
}

func TestKeyErrorMessage(t *testing.T) {
	err := keys.Row("f", -3).Validate()
	if !strings.Contains(err.Error(), "negative row -3") || !strings.HasPrefix(err.Error(), "keys: invalid key") {
		t.Fatalf("unhelpful message: %q", err)
	}
	nf := &keys.KeyError{Input: "temp", Reason: `no column "temp"`, Kind: keys.ErrNotInFrame}
	if !errors.Is(nf, keys.ErrNotInFrame) || errors.Is(nf, keys.ErrInvalidKey) {
		t.Fatal("KeyError must match its own kind only")
	}
}
