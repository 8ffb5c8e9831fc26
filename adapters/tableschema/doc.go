// Package tableschema imports and exports Frictionless Table Schemas
// (https://specs.frictionlessdata.io/table-schema/) as ctxframe context, so
// annotations flow to and from data-package tooling.
//
// Import fills each column's context from the schema field of the same
// name: the field's properties become context fields of the same name
// ("title", "description", "type", "format", "constraints", and every custom
// property such as "rdfType" or "unit"), patched into whatever context the
// column already has. The schema's "missingValues", "primaryKey" and
// "foreignKeys" go into the frame context under the same names. Export does
// the reverse: every column becomes a field whose properties are its
// context's fields (reserved "ctxframe." fields left out).
//
// Both adapters are served the same way, without either importing this
// package: gota's Frame and Arrow's Record and Table all offer Binding and
// Shape, so tableschema.Import(ctx, f.Binding(), f.Shape(), s, nil) and
// tableschema.Export(ctx, f.Binding(), f.Shape()) work on any of them.
package tableschema
