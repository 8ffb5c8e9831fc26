package arrow

import (
	"fmt"
	"unicode/utf8"

	"github.com/apache/arrow/go/v17/arrow"
)

// newSchemaLike returns a schema of fields with s's metadata and endianness.
func newSchemaLike(s *arrow.Schema, fields []arrow.Field) *arrow.Schema {
	md := s.Metadata()
	return arrow.NewSchemaWithEndian(fields, &md, s.Endianness())
}

// duplicateName returns a field name s holds twice, if any. Context is keyed
// by column name, so such a schema cannot be bound.
func duplicateName(s *arrow.Schema) (string, bool) {
	seen := make(map[string]bool, s.NumFields())
	for _, f := range s.Fields() {
		if seen[f.Name] {
			return f.Name, true
		}
		seen[f.Name] = true
	}
	return "", false
}

// checkSchema refuses schemas whose columns cannot be named by keys:
// duplicate names (context is keyed by name) and names that are not UTF-8.
func checkSchema(s *arrow.Schema) error {
	if name, dup := duplicateName(s); dup {
		return fmt.Errorf("duplicate column name %q", name)
	}
	for _, f := range s.Fields() {
		if !utf8.ValidString(f.Name) {
			return fmt.Errorf("column name %q is not valid UTF-8", f.Name)
		}
	}
	return nil
}
