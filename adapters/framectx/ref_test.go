package framectx

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/keys"
)

func TestRefKeyRoundTrip(t *testing.T) {
	tests := []struct {
		ref  Ref
		key  keys.Key
		text string
	}{
		{FrameRef(), keys.Frame("f"), "frame"},
		{ColumnRef("a b"), keys.Column("f", "a b"), `column "a b"`},
		{ColumnRef(""), keys.Column("f", ""), `column ""`},
		{RowRef(7), keys.Row("f", 7), "row 7"},
		{CellRef(3, "ünï"), keys.Cell("f", 3, "ünï"), `cell (3, "ünï")`},
	}
	for _, tc := range tests {
		if got := tc.ref.Key("f"); got != tc.key {
			t.Errorf("%v.Key = %v, want %v", tc.ref, got, tc.key)
		}
		if got := RefOf(tc.key); got != tc.ref {
			t.Errorf("RefOf(%v) = %+v, want %+v", tc.key, got, tc.ref)
		}
		if got := tc.ref.String(); got != tc.text {
			t.Errorf("String = %q, want %q", got, tc.text)
		}
	}
	if err := (Ref{}).Key("f").Validate(); !errors.Is(err, keys.ErrInvalidKey) {
		t.Errorf("zero Ref gives a valid key: %v", err)
	}
	if got := (Ref{}).String(); got != "invalid ref" {
		t.Errorf("zero Ref String = %q", got)
	}
}

func TestShapeCheck(t *testing.T) {
	shape := Shape{Columns: []string{"a", "b"}, Rows: 3}
	tests := []struct {
		name string
		ref  Ref
		want error // nil, keys.ErrInvalidKey or keys.ErrNotInFrame
	}{
		{"frame", FrameRef(), nil},
		{"column", ColumnRef("b"), nil},
		{"row", RowRef(2), nil},
		{"cell", CellRef(0, "a"), nil},
		{"zero ref", Ref{}, keys.ErrInvalidKey},
		{"unknown kind", Ref{Kind: 9}, keys.ErrInvalidKey},
		{"negative row", RowRef(-1), keys.ErrInvalidKey},
		{"negative cell row", CellRef(-1, "a"), keys.ErrInvalidKey},
		{"bad UTF-8 column", ColumnRef("\xff"), keys.ErrInvalidKey},
		{"unknown column", ColumnRef("z"), keys.ErrNotInFrame},
		{"row out of range", RowRef(3), keys.ErrNotInFrame},
		{"cell row out of range", CellRef(3, "a"), keys.ErrNotInFrame},
		{"cell unknown column", CellRef(0, "z"), keys.ErrNotInFrame},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := shape.Check(tc.ref)
			if tc.want == nil {
				require.NoError(t, err, "Check = %v", err)
				return
			}
			var ke *keys.KeyError
			if !errors.As(err, &ke) || !errors.Is(err, tc.want) {
				t.Fatalf("Check = %v, want a *keys.KeyError of kind %v", err, tc.want)
			}
			other := keys.ErrNotInFrame
			if tc.want == keys.ErrNotInFrame {
				other = keys.ErrInvalidKey
			}
			if errors.Is(err, other) {
				t.Errorf("Check = %v also matches %v", err, other)
			}
		})
	}
}
