package lineage

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

func TestTransformations(t *testing.T) {
	tests := []struct {
		t        Transformation
		identity bool
		norm     Transformation
	}{
		{Transformation{}, true, Transformation{Type: TypeDirect, Subtype: SubtypeIdentity}},
		{Identity(), true, Identity()},
		{Transformation{Type: TypeDirect, Subtype: SubtypeIdentity, Description: "copy"}, true,
			Transformation{Type: TypeDirect, Subtype: SubtypeIdentity, Description: "copy"}},
		{Transformation{Type: TypeDirect, Subtype: SubtypeIdentity, Masking: true}, false,
			Transformation{Type: TypeDirect, Subtype: SubtypeIdentity, Masking: true}},
		{Direct(SubtypeAggregation, "sum"), false, Direct(SubtypeAggregation, "sum")},
		{Indirect(SubtypeFilter, "x > 0"), false, Indirect(SubtypeFilter, "x > 0")},
		{Transformation{Type: TypeDirect}, false, Transformation{Type: TypeDirect}},
	}
	for _, tc := range tests {
		if got := tc.t.IsIdentity(); got != tc.identity {
			t.Errorf("%+v.IsIdentity = %v", tc.t, got)
		}
		if got := tc.t.Normalized(); got != tc.norm {
			t.Errorf("%+v.Normalized = %+v, want %+v", tc.t, got, tc.norm)
		}
	}
}

func TestRecordsRoundTrip(t *testing.T) {
	col := Column{InputFields: []InputField{
		{Namespace: "ns", Name: "weather", Field: "temp_c", Transformations: []Transformation{Direct(SubtypeTransformation, "°C→°F")}},
		{Namespace: "ns", Name: "weather", Field: "station_id", Transformations: []Transformation{Indirect(SubtypeJoin, ""), Indirect(SubtypeFilter, "")}},
		{Namespace: "ns", Name: "stations", Field: "name"},
	}}
	// Through a store's normal form and back, as propagation stores it.
	stored, err := contextstore.Normalize(contextstore.Value{ContextField: col.Value()})
	require.NoError(t, err)
	got, err := ColumnFromValue(stored[ContextField])
	require.NoError(t, err)
	if !reflect.DeepEqual(got, col) {
		t.Errorf("column round trip:\n got %+v\nwant %+v", got, col)
	}
	fr := Frame{
		Inputs:    []Dataset{{Namespace: "ns", Name: "weather"}, {Namespace: "ns", Name: "stations"}},
		Operation: "inner_join",
		Indirect:  []InputField{{Namespace: "ns", Name: "weather", Field: "station_id", Transformations: []Transformation{Indirect(SubtypeJoin, "")}}},
	}
	stored, err = contextstore.Normalize(contextstore.Value{ContextField: fr.Value()})
	require.NoError(t, err)
	gotFrame, err := FrameFromValue(stored[ContextField])
	require.NoError(t, err)
	if !reflect.DeepEqual(gotFrame, fr) {
		t.Errorf("frame round trip:\n got %+v\nwant %+v", gotFrame, fr)
	}
}

func TestMalformedRecords(t *testing.T) {
	bad := []any{
		nil,
		"DIRECT",
		[]any{},
		map[string]any{"inputFields": "x"},
		map[string]any{"inputFields": []any{map[string]any{"name": "f"}}},                       // no field
		map[string]any{"inputFields": []any{map[string]any{"name": "f", "field": "a", "x": 1}}}, // unknown property
		map[string]any{"inputFields": []any{}, "extra": true},
	}
	for _, x := range bad {
		if _, err := ColumnFromValue(x); !errors.Is(err, ErrMalformed) {
			t.Errorf("ColumnFromValue(%v) = %v, want ErrMalformed", x, err)
		}
	}
	badFrames := []any{
		map[string]any{"inputs": []any{map[string]any{"namespace": "ns"}}},
		map[string]any{"inputs": 3},
		7,
	}
	for _, x := range badFrames {
		if _, err := FrameFromValue(x); !errors.Is(err, ErrMalformed) {
			t.Errorf("FrameFromValue(%v) = %v, want ErrMalformed", x, err)
		}
	}
	entries := []contextstore.Entry{{Key: keys.Column("f", "a"), Value: contextstore.Value{ContextField: "nonsense"}}}
	if _, err := FacetFromEntries("", entries); !errors.Is(err, ErrMalformed) {
		t.Errorf("FacetFromEntries with a bad record = %v, want ErrMalformed", err)
	}
}

func TestFacetFromEntries(t *testing.T) {
	col := Column{InputFields: []InputField{{Namespace: "ns", Name: "src", Field: "a", Transformations: []Transformation{{}}}}}
	entries := []contextstore.Entry{
		{Key: keys.Frame("f"), Value: contextstore.Value{"title": "t", ContextField: Frame{
			Inputs:   []Dataset{{Namespace: "ns", Name: "src"}},
			Indirect: []InputField{{Namespace: "ns", Name: "src", Field: "k", Transformations: []Transformation{Indirect(SubtypeSort, "")}}},
		}.Value()}},
		{Key: keys.Column("f", "a"), Value: contextstore.Value{"unit": "m", ContextField: col.Value()}},
		{Key: keys.Column("f", "b"), Value: contextstore.Value{"unit": "s"}},      // no lineage: not a field
		{Key: keys.Cell("f", 0, "a"), Value: contextstore.Value{ContextField: 1}}, // cells are ignored
	}
	f, err := FacetFromEntries("me", entries)
	require.NoError(t, err)
	b, err := json.Marshal(f)
	require.NoError(t, err)
	want := `{"_producer":"me","_schemaURL":"` + SchemaURL + `",` +
		`"fields":{"a":{"inputFields":[{"namespace":"ns","name":"src","field":"a","transformations":[{"type":"DIRECT","subtype":"IDENTITY","masking":false}]}]}},` +
		`"dataset":[{"namespace":"ns","name":"src","field":"k","transformations":[{"type":"INDIRECT","subtype":"SORT","masking":false}]}]}`
	if string(b) != want {
		t.Errorf("facet JSON:\n got %s\nwant %s", b, want)
	}
	empty, err := FacetFromEntries("", nil)
	if err != nil || empty.Producer != DefaultProducer || len(empty.Fields) != 0 {
		t.Errorf("empty facet = %+v, %v", empty, err)
	}
	if b, _ := json.Marshal(empty); string(b) != `{"_producer":"`+DefaultProducer+`","_schemaURL":"`+SchemaURL+`","fields":{}}` {
		t.Errorf("empty facet JSON = %s", b)
	}
}
