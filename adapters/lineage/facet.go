package lineage

import (
	"encoding/json"
	"fmt"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// SchemaURL is the schema of the facet Facet exports: OpenLineage's
// ColumnLineageDatasetFacet, spec 1-2-0.
const SchemaURL = "https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json"

// DefaultProducer is the _producer written when none is given.
const DefaultProducer = "https://github.com/ctxframe/ctxframe"

// Facet is an OpenLineage ColumnLineageDatasetFacet (spec 1-2-0). Marshal
// it with encoding/json; field names come out sorted, so output is stable.
type Facet struct {
	Producer  string            `json:"_producer"`
	SchemaURL string            `json:"_schemaURL"`
	Fields    map[string]Column `json:"fields"`
	// Dataset lists inputs that affect the whole dataset indirectly (filter
	// and join conditions, sort keys): the facet's optional "dataset".
	Dataset []InputField `json:"dataset,omitempty"`
}

// FacetFromEntries builds the facet of one frame from its context entries
// (as contextstore.ReadFrame returns them): every column whose context has a
// lineage record becomes a field, and the frame's indirect inputs become
// Dataset. Row and cell entries are ignored. An empty producer means
// DefaultProducer. A malformed record is an error matching ErrMalformed that
// names the key.
func FacetFromEntries(producer string, entries []contextstore.Entry) (*Facet, error) {
	if producer == "" {
		producer = DefaultProducer
	}
	f := &Facet{Producer: producer, SchemaURL: SchemaURL, Fields: map[string]Column{}}
	for _, e := range entries {
		raw, ok := e.Value[ContextField]
		if !ok {
			continue
		}
		switch e.Key.Kind() {
		case keys.KindColumn:
			c, err := ColumnFromValue(raw)
			if err != nil {
				return nil, fmt.Errorf("lineage: %s: %w", e.Key, err)
			}
			for i := range c.InputFields {
				normalizeTransformations(c.InputFields[i].Transformations)
			}
			f.Fields[e.Key.ColumnName()] = c
		case keys.KindFrame:
			fr, err := FrameFromValue(raw)
			if err != nil {
				return nil, fmt.Errorf("lineage: %s: %w", e.Key, err)
			}
			for i := range fr.Indirect {
				normalizeTransformations(fr.Indirect[i].Transformations)
			}
			f.Dataset = fr.Indirect
		}
	}
	return f, nil
}

func normalizeTransformations(ts []Transformation) {
	for i := range ts {
		ts[i] = ts[i].Normalized()
	}
}

// JSON returns the facet as indented JSON, the form golden files hold.
func (f *Facet) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("lineage: %w", err)
	}
	return b, nil
}
