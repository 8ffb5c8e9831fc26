package arrowmeta

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// hostile builds a two-field schema ("a", "b") from raw metadata, as an
// untrusted file would carry it.
func hostile(schemaKV []string, fieldAKV ...string) *arrow.Schema {
	return arrow.NewSchema([]arrow.Field{
		{Name: "a", Type: arrow.PrimitiveTypes.Int64, Metadata: md(fieldAKV...)},
		{Name: "b", Type: arrow.BinaryTypes.String},
	}, ptr(md(schemaKV...)))
}

func head(extra ...string) []string {
	return append([]string{VersionKey, "1", FrameIDKey, `"f"`}, extra...)
}

func TestDecodeRefusesHostileMetadata(t *testing.T) {
	deep := strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1)
	cases := []struct {
		name   string
		schema *arrow.Schema
		kind   error
	}{
		{"nil schema", nil, ErrMalformed},
		{"no version", hostile([]string{FrameIDKey, `"f"`}), ErrMalformed},
		{"only a column key", hostile(nil, ColumnKey, `{}`), ErrMalformed},
		{"version 2", hostile([]string{VersionKey, "2", FrameIDKey, `"f"`}), ErrUnsupportedVersion},
		{"version as string", hostile([]string{VersionKey, `"1"`, FrameIDKey, `"f"`}), ErrUnsupportedVersion},
		{"repeated version", hostile(head(VersionKey, "1")), ErrMalformed},
		{"no frame ID", hostile([]string{VersionKey, "1"}), ErrMalformed},
		{"frame ID not a string", hostile([]string{VersionKey, "1", FrameIDKey, `7`}), ErrMalformed},
		{"frame ID empty", hostile([]string{VersionKey, "1", FrameIDKey, `""`}), ErrMalformed},
		{"frame ID bad JSON", hostile([]string{VersionKey, "1", FrameIDKey, `"f`}), ErrMalformed},
		{"frame ID null", hostile([]string{VersionKey, "1", FrameIDKey, `null`}), ErrMalformed},
		{"frame ID invalid UTF-8", hostile([]string{VersionKey, "1", FrameIDKey, "\"f\xff\""}), ErrMalformed},
		{"repeated frame ID", hostile(head(FrameIDKey, `"g"`)), ErrMalformed},
		{"unknown schema key", hostile(head(Namespace+"extra", "{}")), ErrMalformed},
		{"unknown field key", hostile(head(), Namespace+"col", "{}"), ErrMalformed},
		{"repeated field key", hostile(head(), ColumnKey, "{}", ColumnKey, "{}"), ErrMalformed},
		{"frame not an object", hostile(head(FrameKey, `[1]`)), ErrMalformed},
		{"frame bad JSON", hostile(head(FrameKey, `{"a":`)), ErrMalformed},
		{"frame invalid UTF-8", hostile(head(FrameKey, "{\"a\":\"\xff\"}")), ErrMalformed},
		{"frame too deep", hostile(head(FrameKey, `{"a":`+deep+`}`)), ErrTooLarge},
		{"column trailing data", hostile(head(), ColumnKey, `{} {}`), ErrMalformed},
		{"column huge number", hostile(head(), ColumnKey, `{"x":1e999}`), ErrMalformed},
		{"rows not an array", hostile(head(RowsKey, `{"0":{}}`)), ErrMalformed},
		{"rows entry not an array", hostile(head(RowsKey, `[{}]`)), ErrMalformed},
		{"rows entry too short", hostile(head(RowsKey, `[[0]]`)), ErrMalformed},
		{"rows entry too long", hostile(head(RowsKey, `[[0,{},{}]]`)), ErrMalformed},
		{"negative row", hostile(head(RowsKey, `[[-1,{}]]`)), ErrMalformed},
		{"fractional row", hostile(head(RowsKey, `[[1.5,{}]]`)), ErrMalformed},
		{"exponent row", hostile(head(RowsKey, `[[1e3,{}]]`)), ErrMalformed},
		{"leading-zero row", hostile(head(RowsKey, `[[01,{}]]`)), ErrMalformed},
		{"string row", hostile(head(RowsKey, `[["1",{}]]`)), ErrMalformed},
		{"absurd row", hostile(head(RowsKey, `[[99999999999999999999999,{}]]`)), ErrMalformed},
		{"row beyond 2^53", hostile(head(RowsKey, `[[9007199254740992,{}]]`)), ErrMalformed},
		{"row value not object", hostile(head(RowsKey, `[[1,"x"]]`)), ErrMalformed},
		{"repeated row", hostile(head(RowsKey, `[[1,{}],[1,{"a":1}]]`)), ErrMalformed},
		{"rows trailing data", hostile(head(RowsKey, `[[1,{}]] x`)), ErrMalformed},
		{"rows unterminated", hostile(head(RowsKey, `[[1,{}]`)), ErrMalformed},
		{"rows too deep", hostile(head(RowsKey, `[[1,{"a":`+deep+`}]]`)), ErrTooLarge},
		{"cell of unknown column", hostile(head(CellsKey, `[[1,"zz",{}]]`)), ErrMalformed},
		{"cell column not a string", hostile(head(CellsKey, `[[1,2,{}]]`)), ErrMalformed},
		{"cell missing column", hostile(head(CellsKey, `[[1,{}]]`)), ErrMalformed},
		{"repeated cell", hostile(head(CellsKey, `[[1,"a",{}],[1,"a",{}]]`)), ErrMalformed},
		{"cells are null", hostile(head(CellsKey, `null`)), ErrMalformed},
		{"cells are blank", hostile(head(CellsKey, ` `)), ErrMalformed},
		{"cells are empty text", hostile(head(CellsKey, ``)), ErrMalformed},
		{"rows are empty text", hostile(head(RowsKey, ``)), ErrMalformed},
		{"frame is empty text", hostile(head(FrameKey, ``)), ErrMalformed},
		{"column is empty text", hostile(head(), ColumnKey, ``), ErrMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Decode(c.schema, Limits{})
			require.ErrorIs(t, err, c.kind, "got %v, want %v", err, c.kind)
			var e *Error
			if !errors.As(err, &e) || e.Op != "decode" || !strings.HasPrefix(err.Error(), "arrowmeta: decode") {
				t.Errorf("not a decode *Error: %v", err)
			}
		})
	}
}

func TestDecodeAcceptsAnyOrderAndWhitespace(t *testing.T) {
	s := hostile([]string{VersionKey, "1", FrameIDKey, ` "\u0066" `,
		CellsKey, " [ [ 3 , \"b\" , { } ] , [0,\"a\",{\"x\":1}] ] ",
		RowsKey, "[[5,{\"y\":[1,2.5]}],[0,{}]]",
	})
	dec, err := Decode(s, Limits{})
	require.NoError(t, err)
	want := []contextstore.Entry{
		{Key: keys.Row("f", 0), Value: contextstore.Value{}},
		{Key: keys.Row("f", 5), Value: contextstore.Value{"y": []any{int64(1), 2.5}}},
		{Key: keys.Cell("f", 0, "a"), Value: contextstore.Value{"x": int64(1)}},
		{Key: keys.Cell("f", 3, "b"), Value: contextstore.Value{}},
	}
	assertEntries(t, dec.Entries, normalizedEntries(t, want))
	if dec.MaxRow != 5 {
		t.Errorf("MaxRow %d", dec.MaxRow)
	}
}

func TestDecodeEnforcesLimits(t *testing.T) {
	s := hostile(head(RowsKey, `[[0,{}],[1,{}],[2,{}]]`), ColumnKey, `{}`)
	if _, err := Decode(s, Limits{MaxEntries: 3}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("4 entries, limit 3: %v", err)
	}
	if _, err := Decode(s, Limits{MaxEntries: 4}); err != nil {
		t.Errorf("4 entries, limit 4: %v", err)
	}
	if _, err := Decode(s, Limits{MaxBytes: 40}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("byte limit: %v", err)
	}
	if _, err := Decode(s, Limits{MaxBytes: -1, MaxEntries: -1}); err != nil {
		t.Errorf("no limits: %v", err)
	}
	// The size check comes before parsing: an oversized value that is also
	// malformed is reported as too large.
	big := hostile(head(RowsKey, strings.Repeat("x", 1000)))
	if _, err := Decode(big, Limits{MaxBytes: 500}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversized garbage: %v", err)
	}
}

func TestDecodeErrorMessagesStayShort(t *testing.T) {
	long := strings.Repeat("k", 10000)
	_, err := Decode(hostile(head(Namespace+long, "1")), Limits{})
	if !errors.Is(err, ErrMalformed) || len(err.Error()) > 300 {
		t.Errorf("error of %d bytes: %.300v", len(err.Error()), err)
	}
}

// sortEntries gives the order of a plain sort by key, whatever order the
// entries come in: row by row, shuffled, in key order, over several frames.
func TestSortEntriesIsAPlainSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	var es []contextstore.Entry
	for _, frame := range []string{"f", "g"} {
		es = append(es, contextstore.Entry{Key: keys.Frame(frame)}, contextstore.Entry{Key: keys.Column(frame, "b")}, contextstore.Entry{Key: keys.Column(frame, "a")})
		for row := range 700 {
			if rng.IntN(2) == 0 {
				es = append(es, contextstore.Entry{Key: keys.Row(frame, row)})
			}
			for _, col := range []string{"b", "a", "c:1", ""} {
				if rng.IntN(3) > 0 {
					es = append(es, contextstore.Entry{Key: keys.Cell(frame, row, col)})
				}
			}
		}
	}
	want := slices.Clone(es)
	slices.SortFunc(want, func(a, b contextstore.Entry) int { return keys.Compare(a.Key, b.Key) })
	shuffled := slices.Clone(es)
	rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	for name, in := range map[string][]contextstore.Entry{"row by row": es, "shuffled": shuffled, "sorted": slices.Clone(want), "small": slices.Clone(es[:100])} {
		got := slices.Clone(in)
		sortEntries(got)
		w := want
		if name == "small" {
			w = slices.Clone(in)
			slices.SortFunc(w, func(a, b contextstore.Entry) int { return keys.Compare(a.Key, b.Key) })
		}
		require.Equal(t, w, got, name)
	}
}
