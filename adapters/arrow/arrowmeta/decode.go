package arrowmeta

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

const opDecode = "decode"

// Decoded is the context Decode found in a schema.
type Decoded struct {
	// FrameID is the frame the context was written for, or "" when the
	// schema carries no context at all (plain Arrow data).
	FrameID string
	// Entries are the context entries, keyed under FrameID and sorted by
	// keys.Compare, values in normal form.
	Entries []contextstore.Entry
	// Schema is the input schema without the Namespace keys: user metadata
	// only, in its order, fields and nested children otherwise untouched.
	Schema *arrow.Schema
	// MaxRow is the highest row position named by row or cell context, or
	// -1 when there is none. CheckRows compares it to the data's length.
	MaxRow int
}

// CheckRows returns an *Error of kind ErrMalformed when the context names a
// row at or beyond numRows, the number of rows the data actually has.
func (d Decoded) CheckRows(numRows int64) error {
	if d.MaxRow >= 0 && int64(d.MaxRow) >= numRows {
		return newError("check rows", "", ErrMalformed,
			fmt.Errorf("context names row %d but the data has %d rows", d.MaxRow, numRows))
	}
	return nil
}

// Decode reads the context that Encode wrote into schema. A schema with no
// key in Namespace carries no context: Decode returns it unchanged with an
// empty FrameID and no error.
//
// Decode treats schema as untrusted. It checks the total size against
// limits before parsing anything and counts entries as it parses, so it
// never allocates more than the limits allow, and it returns an *Error whose
// kind is ErrUnsupportedVersion for a version other than Version,
// ErrTooLarge beyond the limits or MaxDepth, and ErrMalformed for anything
// else that does not follow the encoding (see the package documentation and
// docs/SPEC.md). It never panics.
func Decode(schema *arrow.Schema, limits Limits) (Decoded, error) {
	if schema == nil {
		return Decoded{}, newError(opDecode, "", ErrMalformed, reason("nil schema"))
	}
	size, found := namespaceSize(schema.Metadata())
	for _, f := range schema.Fields() {
		n, has := namespaceSize(f.Metadata)
		size += n
		found = found || has
	}
	if max := limits.maxBytes(); max >= 0 && size > max {
		return Decoded{}, newError(opDecode, "", ErrTooLarge,
			fmt.Errorf("%d bytes of context metadata, more than the limit of %d", size, max))
	}
	if !found {
		return Decoded{Schema: schema, MaxRow: -1}, nil
	}
	d := decoder{maxEntries: limits.maxEntries(), maxRow: -1}
	if err := d.schemaKeys(schema.Metadata()); err != nil {
		return Decoded{}, err
	}
	if err := d.fields(schema.Fields()); err != nil {
		return Decoded{}, err
	}
	if err := d.positioned(RowsKey, d.rowsText, false); err != nil {
		return Decoded{}, err
	}
	if err := d.positioned(CellsKey, d.cellsText, true); err != nil {
		return Decoded{}, err
	}
	sortEntries(d.entries)
	for i := 1; i < len(d.entries); i++ {
		if d.entries[i].Key == d.entries[i-1].Key {
			return Decoded{}, newError(opDecode, "", ErrMalformed,
				fmt.Errorf("repeated entry %s", quoteShort(d.entries[i].Key.String())))
		}
	}
	return Decoded{
		FrameID: d.frameID,
		Entries: d.entries,
		Schema:  withoutNamespace(schema),
		MaxRow:  d.maxRow,
	}, nil
}

// decoder holds the state of one Decode.
type decoder struct {
	maxEntries int // -1: no limit
	frameID    string
	rowsText   *string // nil: the key is absent
	cellsText  *string
	names      map[string]int // top-level field name -> how many fields have it
	entries    []contextstore.Entry
	maxRow     int
}

func namespaceSize(md arrow.Metadata) (int64, bool) {
	var n int64
	found := false
	vs := md.Values()
	for i, k := range md.Keys() {
		if strings.HasPrefix(k, Namespace) {
			n += int64(len(k) + len(vs[i]))
			found = true
		}
	}
	return n, found
}

// add appends an entry, enforcing the entry limit as it goes.
func (d *decoder) add(key string, k keys.Key, v contextstore.Value) error {
	if d.maxEntries >= 0 && len(d.entries) >= d.maxEntries {
		return newError(opDecode, key, ErrTooLarge,
			fmt.Errorf("more than the limit of %d entries", d.maxEntries))
	}
	d.entries = append(d.entries, contextstore.Entry{Key: k, Value: v})
	return nil
}

// schemaKeys reads the schema-level keys: the version first, so a file of
// another version is reported as such rather than as unknown keys.
func (d *decoder) schemaKeys(md arrow.Metadata) error {
	ks, vs := md.Keys(), md.Values()
	version, versions := "", 0
	for i, k := range ks {
		if k == VersionKey {
			version = vs[i]
			versions++
		}
	}
	switch {
	case versions == 0:
		return newError(opDecode, VersionKey, ErrMalformed,
			reason("context keys present but the version key is missing"))
	case versions > 1:
		return newError(opDecode, VersionKey, ErrMalformed, reason("repeated key"))
	case version != versionText:
		return newError(opDecode, VersionKey, ErrUnsupportedVersion,
			fmt.Errorf("version %s; this reader reads version %d", quoteShort(version), Version))
	}
	var frameText string
	var haveFrameID, haveFrame, haveRows, haveCells bool
	for i, k := range ks {
		if !strings.HasPrefix(k, Namespace) || k == VersionKey {
			continue
		}
		var seen *bool
		switch k {
		case FrameIDKey:
			seen = &haveFrameID
			var id *string // a pointer, so JSON null is told apart
			if !utf8.ValidString(vs[i]) || json.Unmarshal([]byte(vs[i]), &id) != nil || id == nil {
				return newError(opDecode, k, ErrMalformed, reason("not a JSON string"))
			}
			d.frameID = *id
		case FrameKey:
			seen, frameText = &haveFrame, vs[i]
		case RowsKey:
			seen, d.rowsText = &haveRows, &vs[i]
		case CellsKey:
			seen, d.cellsText = &haveCells, &vs[i]
		default:
			return newError(opDecode, quoteShort(k), ErrMalformed, reason("unknown key in the ctxframe namespace"))
		}
		if *seen {
			return newError(opDecode, k, ErrMalformed, reason("repeated key"))
		}
		*seen = true
	}
	if !haveFrameID {
		return newError(opDecode, FrameIDKey, ErrMalformed, reason("missing"))
	}
	if err := keys.Frame(d.frameID).Validate(); err != nil {
		return newError(opDecode, FrameIDKey, ErrMalformed, err)
	}
	if haveFrame {
		v, err := d.object(FrameKey, frameText)
		if err != nil {
			return err
		}
		return d.add(FrameKey, keys.Frame(d.frameID), v)
	}
	return nil
}

// fields reads each field's column context; fields of one name must agree.
func (d *decoder) fields(fields []arrow.Field) error {
	d.names = make(map[string]int, len(fields))
	for _, f := range fields {
		d.names[f.Name]++
	}
	type seenColumn struct {
		value  contextstore.Value
		copies int
	}
	columns := make(map[string]*seenColumn)
	for _, f := range fields {
		ks, vs := f.Metadata.Keys(), f.Metadata.Values()
		found := false
		for i, k := range ks {
			if !strings.HasPrefix(k, Namespace) {
				continue
			}
			where := "field " + quoteShort(f.Name) + " " + ColumnKey
			if k != ColumnKey {
				return newError(opDecode, "field "+quoteShort(f.Name)+" "+quoteShort(k), ErrMalformed,
					reason("unknown key in the ctxframe namespace"))
			}
			if found {
				return newError(opDecode, where, ErrMalformed, reason("repeated key"))
			}
			found = true
			key := keys.Column(d.frameID, f.Name)
			if err := key.Validate(); err != nil {
				return newError(opDecode, where, ErrMalformed, err)
			}
			v, err := d.object(where, vs[i])
			if err != nil {
				return err
			}
			if prev := columns[f.Name]; prev != nil {
				if !contextstore.Equal(prev.value, v) {
					return newError(opDecode, where, ErrMalformed,
						reason("fields of the same name carry different context"))
				}
				prev.copies++
				continue
			}
			columns[f.Name] = &seenColumn{value: v, copies: 1}
			if err := d.add(where, key, v); err != nil {
				return err
			}
		}
	}
	for name, c := range columns {
		if c.copies != d.names[name] {
			return newError(opDecode, "field "+quoteShort(name)+" "+ColumnKey, ErrMalformed,
				reason("fields of the same name carry different context"))
		}
	}
	return nil
}

// object parses one context value.
func (d *decoder) object(key, text string) (contextstore.Value, error) {
	if err := checkText(key, text, 0); err != nil {
		return nil, err
	}
	v, err := contextstore.UnmarshalValue([]byte(text))
	if err != nil {
		return nil, newError(opDecode, key, ErrMalformed, err)
	}
	return v, nil
}

// checkText refuses invalid UTF-8 and nesting beyond MaxDepth (plus the
// levels the encoding's own arrays add) before the JSON decoder sees text.
func checkText(key, text string, outer int) error {
	if !utf8.ValidString(text) {
		return newError(opDecode, key, ErrMalformed, reason("not valid UTF-8"))
	}
	if contextstore.NestingDepth(text) > MaxDepth+outer {
		return newError(opDecode, key, ErrTooLarge, fmt.Errorf("JSON nested deeper than %d levels", MaxDepth))
	}
	return nil
}

// positioned reads the rows ([row, object]) or cells ([row, column, object])
// array, one entry at a time so the entry limit stops it early.
func (d *decoder) positioned(key string, present *string, withColumn bool) error {
	if present == nil {
		return nil
	}
	text := *present
	if err := checkText(key, text, 2); err != nil {
		return err
	}
	shape := "[row, object]"
	if withColumn {
		shape = "[row, column, object]"
	}
	p := tupleScanner{s: text}
	if !p.consume('[') {
		return newError(opDecode, key, ErrMalformed, reason("not a JSON array"))
	}
	if p.consume(']') {
		return d.endOfArray(key, &p)
	}
	for i := 0; ; i++ {
		fail := func(err error) error {
			return newError(opDecode, key, ErrMalformed, fmt.Errorf("entry %d: %w", i, err))
		}
		if !p.consume('[') {
			return fail(fmt.Errorf("not %s", shape))
		}
		row, err := parseRow(p.scalar())
		if err != nil {
			return fail(err)
		}
		if !p.consume(',') {
			return fail(fmt.Errorf("not %s", shape))
		}
		k := keys.Row(d.frameID, row)
		if withColumn {
			column, err := d.column(&p)
			if err != nil {
				return fail(err)
			}
			if !p.consume(',') {
				return fail(fmt.Errorf("not %s", shape))
			}
			k = keys.Cell(d.frameID, row, column)
		}
		span, ok := p.valueSpan()
		if !ok {
			return fail(reason("bad JSON value"))
		}
		v, err := contextstore.UnmarshalValue([]byte(span))
		if err != nil {
			return fail(err)
		}
		if !p.consume(']') {
			return fail(fmt.Errorf("not %s", shape))
		}
		if err := d.add(key, k, v); err != nil {
			return err
		}
		d.maxRow = max(d.maxRow, row)
		if p.consume(']') {
			return d.endOfArray(key, &p)
		}
		if !p.consume(',') {
			return fail(reason("expected ',' or ']' after the entry"))
		}
	}
}

func (d *decoder) endOfArray(key string, p *tupleScanner) error {
	if !p.atEnd() {
		return newError(opDecode, key, ErrMalformed, reason("data after the array"))
	}
	return nil
}

// parseRow accepts a JSON integer in [0, MaxRow] written without sign,
// fraction, exponent or leading zeros.
func parseRow(raw string) (int, error) {
	if len(raw) > 0 && raw[0] == '-' {
		return 0, fmt.Errorf("negative row %s", quoteShort(raw))
	}
	bad := func() (int, error) {
		return 0, fmt.Errorf("row %s is not an integer in [0, %d]", quoteShort(raw), int64(MaxRow))
	}
	if len(raw) == 0 || len(raw) > 16 || (len(raw) > 1 && raw[0] == '0') {
		return bad()
	}
	for _, c := range raw {
		if c < '0' || c > '9' {
			return bad()
		}
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n > MaxRow || int64(int(n)) != n {
		return bad()
	}
	return int(n), nil
}

// column reads a cell's column name, which must name a field.
func (d *decoder) column(p *tupleScanner) (string, error) {
	span, ok := p.stringSpan()
	if !ok {
		return "", reason("column is not a JSON string")
	}
	name, ok := unquote(span)
	if !ok {
		return "", reason("column is not a JSON string")
	}
	if d.names[name] == 0 {
		return "", fmt.Errorf("column %s is not in the schema", quoteShort(name))
	}
	return name, nil
}

// withoutNamespace returns schema with the Namespace keys removed from its
// metadata and its top-level fields' metadata.
func withoutNamespace(schema *arrow.Schema) *arrow.Schema {
	fields := schema.Fields()
	for i, f := range fields {
		if hasNamespace(f.Metadata) {
			fields[i].Metadata = replaceNamespace(f.Metadata, nil)
		}
	}
	md := replaceNamespace(schema.Metadata(), nil)
	return arrow.NewSchemaWithEndian(fields, &md, schema.Endianness())
}

// quoteShort quotes s for an error message, cut to a readable length so a
// hostile input cannot make the message huge.
func quoteShort(s string) string {
	const max = 64
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		return strconv.Quote(s[:cut]) + "..."
	}
	return strconv.Quote(s)
}

// sortEntries puts es in key order. Decoded cells come row by row, and
// key order is column by column: grouping them by level and column, in the
// order they come, leaves each group in row order when it was, and then
// putting the groups in order is all the sort there is to do (a million
// cells: a pass instead of a 1.3 s comparison sort). Any other order is
// sorted.
func sortEntries(es []contextstore.Entry) {
	byKey := func(a, b contextstore.Entry) int { return keys.Compare(a.Key, b.Key) }
	if len(es) < 1024 {
		slices.SortFunc(es, byKey)
		return
	}
	// A group: one frame's row entries, or its cells of one column, or its
	// frame and column entries together.
	groupOf := func(k keys.Key) [3]string {
		if k.HasRow() {
			return [3]string{k.FrameID(), k.Kind().String(), k.ColumnName()}
		}
		return [3]string{k.FrameID(), "", ""}
	}
	// Count, then fill groups sized once.
	index := map[[3]string]int{}
	var sizes []int
	for _, e := range es {
		id := groupOf(e.Key)
		g, ok := index[id]
		if !ok {
			g = len(sizes)
			index[id] = g
			sizes = append(sizes, 0)
		}
		sizes[g]++
	}
	groups := make([][]contextstore.Entry, len(sizes))
	for g, n := range sizes {
		groups[g] = make([]contextstore.Entry, 0, n)
	}
	for _, e := range es {
		g := index[groupOf(e.Key)]
		groups[g] = append(groups[g], e)
	}
	for _, g := range groups {
		if !slices.IsSortedFunc(g, byKey) {
			slices.SortFunc(g, byKey)
		}
	}
	// Groups do not overlap in key order, so their first entries order them.
	slices.SortFunc(groups, func(a, b []contextstore.Entry) int { return byKey(a[0], b[0]) })
	out := es[:0]
	for _, g := range groups {
		out = append(out, g...)
	}
}
