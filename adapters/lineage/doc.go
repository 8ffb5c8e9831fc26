// Package lineage is ctxframe's model of column-level lineage: which input
// fields (namespace, dataset or frame name, field) an output column came from
// and how (a Transformation of type DIRECT or INDIRECT with a subtype such as
// IDENTITY, TRANSFORMATION, AGGREGATION, FILTER, SORT, JOIN or GROUP_BY).
//
// The model follows OpenLineage's ColumnLineageDatasetFacet (spec 1-2-0) so
// that export is a plain re-shaping: a column's lineage is stored in its
// column context under the reserved field ContextField as exactly the JSON
// object OpenLineage puts under fields[name] ({"inputFields": [...]}), and a
// derived frame's own lineage (its input frames and the operation) is stored
// in its frame context under the same field name.
//
// The package knows nothing of gota or arrow; adapters/framectx writes these
// records while propagating context, and Facet exports them.
package lineage
