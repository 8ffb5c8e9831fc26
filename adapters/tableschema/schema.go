package tableschema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
)

// ErrMalformed is matched by errors for a document that is not a Table
// Schema (not JSON, fields missing or of the wrong type).
var ErrMalformed = errors.New("tableschema: malformed table schema")

// Schema is a Table Schema: its fields and the schema-level properties
// ctxframe keeps. Extra holds any other schema-level property, kept for
// round trips but not stored as context.
type Schema struct {
	Fields        []Field
	MissingValues []string // nil when the schema does not say
	PrimaryKey    []string // a single-column key is read from a string too
	ForeignKeys   []any    // kept as JSON values
	Extra         map[string]any
}

// Field describes one column. Custom holds every property other than name,
// title, description, type, format and constraints (rdfType, example,
// units...).
type Field struct {
	Name        string
	Title       string
	Description string
	Type        string
	Format      string
	Constraints map[string]any
	Custom      map[string]any
}

// Parse reads a Table Schema from JSON. Numbers keep their JSON form as far
// as contextstore's normal form does (integers as int64, others float64).
func Parse(data []byte) (*Schema, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: data after the schema", ErrMalformed)
	}
	return fromMap(normalizeNumbers(raw).(map[string]any))
}

// Read reads a Table Schema from r (at most maxSchemaBytes).
func Read(r io.Reader) (*Schema, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxSchemaBytes+1))
	if err != nil {
		return nil, fmt.Errorf("tableschema: reading: %w", err)
	}
	if len(data) > maxSchemaBytes {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrMalformed, maxSchemaBytes)
	}
	return Parse(data)
}

// maxSchemaBytes bounds Read, so a hostile input cannot exhaust memory.
const maxSchemaBytes = 16 << 20

func fromMap(raw map[string]any) (*Schema, error) {
	s := &Schema{}
	fields, ok := raw["fields"].([]any)
	if !ok {
		return nil, fmt.Errorf("%w: \"fields\" must be an array", ErrMalformed)
	}
	seen := map[string]bool{}
	for i, x := range fields {
		m, ok := x.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%w: field %d is not an object", ErrMalformed, i)
		}
		f, err := fieldFromMap(m)
		if err != nil {
			return nil, fmt.Errorf("%w: field %d: %w", ErrMalformed, i, err)
		}
		if seen[f.Name] {
			return nil, fmt.Errorf("%w: field %q appears twice", ErrMalformed, f.Name)
		}
		seen[f.Name] = true
		s.Fields = append(s.Fields, f)
	}
	for k, x := range raw {
		switch k {
		case "fields":
		case "missingValues":
			mv, err := stringList(x)
			if err != nil {
				return nil, fmt.Errorf("%w: missingValues: %w", ErrMalformed, err)
			}
			s.MissingValues = mv
		case "primaryKey":
			if str, ok := x.(string); ok {
				s.PrimaryKey = []string{str}
				break
			}
			pk, err := stringList(x)
			if err != nil {
				return nil, fmt.Errorf("%w: primaryKey: %w", ErrMalformed, err)
			}
			s.PrimaryKey = pk
		case "foreignKeys":
			fk, ok := x.([]any)
			if !ok {
				return nil, fmt.Errorf("%w: foreignKeys must be an array", ErrMalformed)
			}
			s.ForeignKeys = fk
		default:
			if s.Extra == nil {
				s.Extra = map[string]any{}
			}
			s.Extra[k] = x
		}
	}
	return s, nil
}

func fieldFromMap(m map[string]any) (Field, error) {
	var f Field
	name, ok := m["name"].(string)
	if !ok || name == "" {
		return f, errors.New("\"name\" must be a non-empty string")
	}
	f.Name = name
	for k, x := range m {
		var err error
		switch k {
		case "name":
		case "title":
			f.Title, err = str(k, x)
		case "description":
			f.Description, err = str(k, x)
		case "type":
			f.Type, err = str(k, x)
		case "format":
			f.Format, err = str(k, x)
		case "constraints":
			c, ok := x.(map[string]any)
			if !ok {
				return f, errors.New("\"constraints\" must be an object")
			}
			f.Constraints = c
		default:
			if f.Custom == nil {
				f.Custom = map[string]any{}
			}
			f.Custom[k] = x
		}
		if err != nil {
			return f, err
		}
	}
	return f, nil
}

func str(name string, x any) (string, error) {
	s, ok := x.(string)
	if !ok {
		return "", fmt.Errorf("%q must be a string", name)
	}
	return s, nil
}

func stringList(x any) ([]string, error) {
	xs, ok := x.([]any)
	if !ok {
		return nil, errors.New("must be an array of strings")
	}
	out := make([]string, len(xs))
	for i, e := range xs {
		s, ok := e.(string)
		if !ok {
			return nil, errors.New("must be an array of strings")
		}
		out[i] = s
	}
	return out, nil
}

// normalizeNumbers turns json.Numbers into int64 or float64, as
// contextstore's normal form has them.
func normalizeNumbers(x any) any {
	switch x := x.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case map[string]any:
		for k, e := range x {
			x[k] = normalizeNumbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = normalizeNumbers(e)
		}
	}
	return x
}

// Map returns s as a JSON-like map (the document MarshalJSON writes).
func (s *Schema) Map() map[string]any {
	out := maps.Clone(s.Extra)
	if out == nil {
		out = map[string]any{}
	}
	fields := make([]any, len(s.Fields))
	for i, f := range s.Fields {
		fields[i] = f.Map()
	}
	out["fields"] = fields
	if s.MissingValues != nil {
		out["missingValues"] = anyList(s.MissingValues)
	}
	if len(s.PrimaryKey) > 0 {
		out["primaryKey"] = anyList(s.PrimaryKey)
	}
	if len(s.ForeignKeys) > 0 {
		out["foreignKeys"] = s.ForeignKeys
	}
	return out
}

// Map returns f as a JSON-like map: its custom properties, then the
// standard ones (which win over a custom property of the same name).
func (f Field) Map() map[string]any {
	out := maps.Clone(f.Custom)
	if out == nil {
		out = map[string]any{}
	}
	out["name"] = f.Name
	set := func(k, v string) {
		if v != "" {
			out[k] = v
		}
	}
	set("title", f.Title)
	set("description", f.Description)
	set("type", f.Type)
	set("format", f.Format)
	if f.Constraints != nil {
		out["constraints"] = f.Constraints
	}
	return out
}

func anyList(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// MarshalJSON writes s as a Table Schema document (object keys sorted).
func (s *Schema) MarshalJSON() ([]byte, error) { return json.Marshal(s.Map()) }

// UnmarshalJSON reads s from a Table Schema document (see Parse).
func (s *Schema) UnmarshalJSON(data []byte) error {
	p, err := Parse(data)
	if err != nil {
		return err
	}
	*s = *p
	return nil
}

// Field returns the field called name, or false.
func (s *Schema) Field(name string) (Field, bool) {
	i := slices.IndexFunc(s.Fields, func(f Field) bool { return f.Name == name })
	if i < 0 {
		return Field{}, false
	}
	return s.Fields[i], true
}
