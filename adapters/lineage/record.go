package lineage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// ContextField is the reserved field of column and frame context that holds
// lineage. Users must not write it by hand; adapters/framectx maintains it.
const ContextField = "ctxframe.lineage"

// ErrMalformed reports a stored lineage record that does not have the shape
// this package writes.
var ErrMalformed = errors.New("lineage: malformed lineage record")

// InputField is one input an output field derives from: a field of a
// dataset (a frame) in a namespace, with the transformations applied.
type InputField struct {
	Namespace       string           `json:"namespace"`
	Name            string           `json:"name"`
	Field           string           `json:"field"`
	Transformations []Transformation `json:"transformations,omitempty"`
}

// Column is the lineage of one output column: the JSON object OpenLineage's
// ColumnLineageDatasetFacet holds under fields[column].
type Column struct {
	InputFields []InputField `json:"inputFields"`
}

// Dataset names one frame (an OpenLineage dataset): its namespace and name
// (the frame ID).
type Dataset struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
}

// Frame is the lineage of a derived frame, kept in its frame context: the
// frames it was derived from, the operation, and the inputs that affected
// every column indirectly (filter or join conditions, sort keys).
type Frame struct {
	Inputs    []Dataset    `json:"inputs"`
	Operation string       `json:"operation,omitempty"`
	Indirect  []InputField `json:"indirect,omitempty"`
}

// Value returns c as a JSON-like value in contextstore normal form, ready to
// be stored under ContextField of a column's context. Transformations are
// normalized (the zero one is written DIRECT/IDENTITY).
func (c Column) Value() map[string]any {
	return map[string]any{"inputFields": inputFieldsValue(c.InputFields)}
}

// Value returns f as a JSON-like value in contextstore normal form, ready to
// be stored under ContextField of a frame's context.
func (f Frame) Value() map[string]any {
	inputs := make([]any, len(f.Inputs))
	for i, d := range f.Inputs {
		inputs[i] = map[string]any{"namespace": d.Namespace, "name": d.Name}
	}
	out := map[string]any{"inputs": inputs}
	if f.Operation != "" {
		out["operation"] = f.Operation
	}
	if len(f.Indirect) > 0 {
		out["indirect"] = inputFieldsValue(f.Indirect)
	}
	return out
}

func inputFieldsValue(fs []InputField) []any {
	out := make([]any, len(fs))
	for i, f := range fs {
		m := map[string]any{"namespace": f.Namespace, "name": f.Name, "field": f.Field}
		if len(f.Transformations) > 0 {
			ts := make([]any, len(f.Transformations))
			for j, t := range f.Transformations {
				t = t.Normalized()
				tm := map[string]any{"type": string(t.Type), "masking": t.Masking}
				if t.Subtype != "" {
					tm["subtype"] = string(t.Subtype)
				}
				if t.Description != "" {
					tm["description"] = t.Description
				}
				ts[j] = tm
			}
			m["transformations"] = ts
		}
		out[i] = m
	}
	return out
}

// ColumnFromValue reads a column lineage record (the value stored under
// ContextField). It returns an error matching ErrMalformed for anything else.
func ColumnFromValue(x any) (Column, error) {
	var c Column
	if err := decodeStrict(x, &c); err != nil {
		return Column{}, err
	}
	for i, f := range c.InputFields {
		if f.Name == "" || f.Field == "" {
			return Column{}, fmt.Errorf("%w: input field %d has no name or field", ErrMalformed, i)
		}
	}
	return c, nil
}

// FrameFromValue reads a frame lineage record (the value stored under
// ContextField of a frame's context). It returns an error matching
// ErrMalformed for anything else.
func FrameFromValue(x any) (Frame, error) {
	var f Frame
	if err := decodeStrict(x, &f); err != nil {
		return Frame{}, err
	}
	for i, d := range f.Inputs {
		if d.Name == "" {
			return Frame{}, fmt.Errorf("%w: input %d has no name", ErrMalformed, i)
		}
	}
	return f, nil
}

// decodeStrict re-reads a JSON-like value into a struct, refusing unknown
// fields, so a hand-edited or foreign record is reported, not half-read.
func decodeStrict(x any, dst any) error {
	if _, ok := x.(map[string]any); !ok {
		return fmt.Errorf("%w: %T is not an object", ErrMalformed, x)
	}
	b, err := json.Marshal(x)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return nil
}
