package arrowmeta

import (
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

func md(kv ...string) arrow.Metadata {
	var ks, vs []string
	for i := 0; i+1 < len(kv); i += 2 {
		ks = append(ks, kv[i])
		vs = append(vs, kv[i+1])
	}
	return arrow.NewMetadata(ks, vs)
}

// testSchema has user metadata on the schema, on a field and on a nested
// struct child, so tests can check that none of it is lost.
func testSchema() *arrow.Schema {
	child := arrow.Field{Name: "lat", Type: arrow.PrimitiveTypes.Float64, Metadata: md("unit", "deg")}
	schemaMD := md("owner", "etl", "ctxframe.frame", `{"stale":true}`)
	return arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, Metadata: md("pk", "yes")},
		{Name: "price", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "pos", Type: arrow.StructOf(child)},
	}, &schemaMD)
}

func testEntries(frame string) []contextstore.Entry {
	return []contextstore.Entry{
		{Key: keys.Frame(frame), Value: contextstore.Value{"source": "sensor", "n": 3}},
		{Key: keys.Column(frame, "price"), Value: contextstore.Value{"unit": "EUR", "scale": 0.5}},
		{Key: keys.Column(frame, "pos"), Value: contextstore.Value{"crs": "WGS84"}},
		{Key: keys.Row(frame, 7), Value: contextstore.Value{"flag": "outlier"}},
		{Key: keys.Row(frame, 0), Value: contextstore.Value{}},
		{Key: keys.Cell(frame, 2, "price"), Value: contextstore.Value{"note": "estimated \"by\" hand\n", "tags": []any{"a", 1.5, nil}}},
		{Key: keys.Cell(frame, 2, "id"), Value: contextstore.Value{"big": int64(1) << 62}},
	}
}

func normalizedEntries(t *testing.T, es []contextstore.Entry) []contextstore.Entry {
	t.Helper()
	out := make([]contextstore.Entry, len(es))
	for i, e := range es {
		v, err := contextstore.Normalize(e.Value)
		require.NoError(t, err)
		out[i] = contextstore.Entry{Key: e.Key, Value: v}
	}
	sortEntries(out)
	return out
}

func assertEntries(t *testing.T, got, want []contextstore.Entry) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d entries %v, want %d %v", len(got), got, len(want), want)
	}
	for i := range want {
		if got[i].Key != want[i].Key || !contextstore.Equal(got[i].Value, want[i].Value) {
			t.Errorf("entry %d: got %s=%v, want %s=%v", i, got[i].Key, got[i].Value, want[i].Key, want[i].Value)
		}
	}
}

func TestRoundTripKeepsEveryEntryAndUserMetadata(t *testing.T) {
	in := testSchema()
	enc, err := Encode(in, "sales/2024 {q1}", testEntries("sales/2024 {q1}"), nil)
	require.NoError(t, err)
	dec, err := Decode(enc, Limits{})
	require.NoError(t, err)
	if dec.FrameID != "sales/2024 {q1}" {
		t.Errorf("frame ID %q", dec.FrameID)
	}
	assertEntries(t, dec.Entries, normalizedEntries(t, testEntries("sales/2024 {q1}")))
	if dec.MaxRow != 7 {
		t.Errorf("MaxRow = %d, want 7", dec.MaxRow)
	}
	// User metadata comes back exactly; the stale namespace key is gone.
	wantSchema := arrow.NewSchema(in.Fields(), ptr(md("owner", "etl")))
	if !dec.Schema.Equal(wantSchema) || !dec.Schema.Metadata().Equal(wantSchema.Metadata()) {
		t.Errorf("decoded schema\n%v\nwant\n%v", dec.Schema, wantSchema)
	}
	child := dec.Schema.Field(2).Type.(*arrow.StructType).Field(0)
	if v, _ := child.Metadata.GetValue("unit"); v != "deg" {
		t.Errorf("nested child lost its metadata: %v", child.Metadata)
	}
}

func TestEncodeReplacesOurKeysAndKeepsUserOrder(t *testing.T) {
	in := arrow.NewSchema([]arrow.Field{
		{Name: "a", Type: arrow.BinaryTypes.String, Metadata: md("z", "1", ColumnKey, `{"old":1}`, "a", "2")},
	}, ptr(md("b", "x", VersionKey, "9", "a", "y")))
	enc, err := Encode(in, "f", []contextstore.Entry{{Key: keys.Column("f", "a"), Value: contextstore.Value{"new": 2}}}, nil)
	require.NoError(t, err)
	gotMD := enc.Metadata()
	if strings.Join(gotMD.Keys(), ",") != "b,a,"+VersionKey+","+FrameIDKey {
		t.Errorf("schema keys %v", gotMD.Keys())
	}
	if v, _ := gotMD.GetValue(VersionKey); v != "1" {
		t.Errorf("version %q", v)
	}
	if v, _ := gotMD.GetValue(FrameIDKey); v != `"f"` {
		t.Errorf("frame ID %q", v)
	}
	fmd := enc.Field(0).Metadata
	if strings.Join(fmd.Keys(), ",") != "z,a,"+ColumnKey || fmd.Values()[2] != `{"new":2}` {
		t.Errorf("field metadata %v", fmd)
	}
	// The input schema is not modified.
	if v, _ := in.Field(0).Metadata.GetValue(ColumnKey); v != `{"old":1}` {
		t.Errorf("input schema changed: %v", in.Field(0).Metadata)
	}
}

func TestEncodeWritesCanonicalJSON(t *testing.T) {
	in := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Int32}}, nil)
	enc, err := Encode(in, "f", []contextstore.Entry{
		{Key: keys.Cell("f", 10, "x"), Value: contextstore.Value{"b": 2.0, "a": 1}},
		{Key: keys.Row("f", 3), Value: nil},
		{Key: keys.Cell("f", 2, "x"), Value: contextstore.Value{"s": "é\t"}},
	}, nil)
	require.NoError(t, err)
	rows, _ := enc.Metadata().GetValue(RowsKey)
	cells, _ := enc.Metadata().GetValue(CellsKey)
	if rows != `[[3,{}]]` {
		t.Errorf("rows %s", rows)
	}
	if cells != `[[2,"x",{"s":"é\t"}],[10,"x",{"a":1,"b":2.0}]]` {
		t.Errorf("cells %s", cells)
	}
	if _, ok := enc.Metadata().GetValue(FrameKey); ok {
		t.Error("frame key written without frame context")
	}
}

func TestRepeatedColumnNamesShareContext(t *testing.T) {
	in := arrow.NewSchema([]arrow.Field{
		{Name: "v", Type: arrow.PrimitiveTypes.Int64},
		{Name: "v", Type: arrow.PrimitiveTypes.Float64, Metadata: md("k", "keep")},
	}, nil)
	es := []contextstore.Entry{{Key: keys.Column("f", "v"), Value: contextstore.Value{"unit": "m"}}}
	enc, err := Encode(in, "f", es, nil)
	require.NoError(t, err)
	for i := range 2 {
		if v, _ := enc.Field(i).Metadata.GetValue(ColumnKey); v != `{"unit":"m"}` {
			t.Errorf("field %d: %q", i, v)
		}
	}
	dec, err := Decode(enc, Limits{})
	require.NoError(t, err)
	assertEntries(t, dec.Entries, normalizedEntries(t, es))

	// Copies that disagree, or a copy missing, are refused.
	conflicting := arrow.NewSchema([]arrow.Field{
		{Name: "v", Type: arrow.PrimitiveTypes.Int64, Metadata: md(ColumnKey, `{"unit":"m"}`)},
		{Name: "v", Type: arrow.PrimitiveTypes.Int64, Metadata: md(ColumnKey, `{"unit":"s"}`)},
	}, ptr(enc.Metadata()))
	if _, err := Decode(conflicting, Limits{}); !errors.Is(err, ErrMalformed) {
		t.Errorf("conflicting copies: %v", err)
	}
	missing := arrow.NewSchema([]arrow.Field{
		{Name: "v", Type: arrow.PrimitiveTypes.Int64, Metadata: md(ColumnKey, `{"unit":"m"}`)},
		{Name: "v", Type: arrow.PrimitiveTypes.Int64},
	}, ptr(enc.Metadata()))
	if _, err := Decode(missing, Limits{}); !errors.Is(err, ErrMalformed) {
		t.Errorf("missing copy: %v", err)
	}
}

func TestDecodePlainSchemaHasNoContext(t *testing.T) {
	in := testSchema()
	plainMD := md("owner", "etl")
	plain := arrow.NewSchema(in.Fields(), &plainMD)
	dec, err := Decode(plain, Limits{})
	require.NoError(t, err)
	if dec.FrameID != "" || len(dec.Entries) != 0 || dec.Schema != plain || dec.MaxRow != -1 {
		t.Errorf("got %+v", dec)
	}
	if err := dec.CheckRows(0); err != nil {
		t.Error(err)
	}
}

func TestCheckRows(t *testing.T) {
	d := Decoded{MaxRow: 9}
	if err := d.CheckRows(10); err != nil {
		t.Error(err)
	}
	if err := d.CheckRows(9); !errors.Is(err, ErrMalformed) {
		t.Errorf("row 9 of 9: %v", err)
	}
}

func TestEncodeRefusesContextThatDoesNotFit(t *testing.T) {
	in := testSchema()
	cases := []struct {
		name    string
		frame   string
		entries []contextstore.Entry
		kind    error
	}{
		{"empty frame ID", "", nil, keys.ErrInvalidKey},
		{"other frame", "f", []contextstore.Entry{{Key: keys.Frame("g")}}, ErrMismatch},
		{"unknown column", "f", []contextstore.Entry{{Key: keys.Column("f", "nope")}}, ErrMismatch},
		{"cell of unknown column", "f", []contextstore.Entry{{Key: keys.Cell("f", 1, "lat")}}, ErrMismatch},
		{"invalid key", "f", []contextstore.Entry{{Key: keys.Row("f", -1)}}, keys.ErrInvalidKey},
		{"repeated row", "f", []contextstore.Entry{{Key: keys.Row("f", 1)}, {Key: keys.Row("f", 1)}}, ErrMismatch},
		{"repeated cell", "f", []contextstore.Entry{{Key: keys.Cell("f", 1, "id")}, {Key: keys.Cell("f", 1, "id")}}, ErrMismatch},
		{"repeated column", "f", []contextstore.Entry{{Key: keys.Column("f", "id")}, {Key: keys.Column("f", "id")}}, ErrMismatch},
		{"repeated frame", "f", []contextstore.Entry{{Key: keys.Frame("f")}, {Key: keys.Frame("f")}}, ErrMismatch},
		{"NaN value", "f", []contextstore.Entry{{Key: keys.Frame("f"), Value: contextstore.Value{"x": zeroDiv()}}}, contextstore.ErrInvalidValue},
		{"row beyond 2^53", "f", []contextstore.Entry{{Key: keys.Row("f", MaxRow+1)}}, ErrMismatch},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Encode(in, c.frame, c.entries, nil)
			require.ErrorIs(t, err, c.kind, "got %v, want %v", err, c.kind)
			var e *Error
			if !errors.As(err, &e) || e.Op != "encode" || !strings.HasPrefix(err.Error(), "arrowmeta: encode") {
				t.Errorf("not an encode *Error: %v", err)
			}
		})
	}
	if _, err := Encode(nil, "f", nil, nil); !errors.Is(err, ErrMismatch) {
		t.Errorf("nil schema: %v", err)
	}
}

func TestEncodeHonoursLimits(t *testing.T) {
	in := testSchema()
	es := testEntries("f")
	if _, err := Encode(in, "f", es, &EncodeOptions{Limits: Limits{MaxEntries: len(es) - 1}}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("entries: %v", err)
	}
	if _, err := Encode(in, "f", es, &EncodeOptions{Limits: Limits{MaxBytes: 100}}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("bytes: %v", err)
	}
	if _, err := Encode(in, "f", es, &EncodeOptions{Limits: Limits{MaxBytes: -1, MaxEntries: -1}}); err != nil {
		t.Errorf("no limits: %v", err)
	}
}

func ptr(m arrow.Metadata) *arrow.Metadata { return &m }

// zeroDiv is a NaN the compiler does not fold.
func zeroDiv() float64 {
	zero := 0.0
	return zero / zero
}
