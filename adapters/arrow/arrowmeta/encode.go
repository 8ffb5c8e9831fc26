package arrowmeta

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

const opEncode = "encode"

// EncodeOptions tunes Encode. A nil *EncodeOptions means the defaults.
type EncodeOptions struct {
	// Limits refuses (ErrTooLarge) context that a reader with the same
	// limits would refuse. The zero value is the defaults.
	Limits Limits
}

// positioned is a row or cell entry waiting to be written in order.
type positioned struct {
	row    int
	column string
	value  []byte // canonical JSON
}

// Encode returns a copy of schema whose metadata carries frameID and entries,
// every one of which must belong to frameID. Frame context goes to the
// schema metadata, column context to the metadata of every field of that
// name, row and cell context to the reserved schema keys, rows in ascending
// order and cells by row then column. User metadata on the schema and its
// fields is kept as it was, in its order, except that keys in Namespace are
// replaced; field types, and so nested children and their metadata, are
// untouched.
//
// Encode writes the version and frame ID even when entries is empty, so the
// frame ID travels with the data. It returns an *Error of kind ErrMismatch
// for a nil schema, an invalid frame ID, an entry of another frame, a column
// the schema lacks, a repeated key or a value that cannot be carried as JSON
// (the cause then also matches contextstore.ErrInvalidValue), and of kind
// ErrTooLarge when the result exceeds opts.Limits.
func Encode(schema *arrow.Schema, frameID string, entries []contextstore.Entry, opts *EncodeOptions) (*arrow.Schema, error) {
	if schema == nil {
		return nil, newError(opEncode, "", ErrMismatch, reason("nil schema"))
	}
	var limits Limits
	if opts != nil {
		limits = opts.Limits
	}
	if err := keys.Frame(frameID).Validate(); err != nil {
		return nil, newError(opEncode, FrameIDKey, ErrMismatch, err)
	}
	if max := limits.maxEntries(); max >= 0 && len(entries) > max {
		return nil, newError(opEncode, "", ErrTooLarge,
			fmt.Errorf("%d entries, more than the limit of %d", len(entries), max))
	}

	fieldNames := make(map[string]bool, schema.NumFields())
	for _, f := range schema.Fields() {
		fieldNames[f.Name] = true
	}
	var (
		frameValue []byte
		columns    = make(map[string]string)
		rows       []positioned
		cells      []positioned
	)
	for _, e := range entries {
		k := e.Key
		if err := k.Validate(); err != nil {
			return nil, newError(opEncode, "", ErrMismatch, err)
		}
		if k.FrameID() != frameID {
			return nil, newError(opEncode, "", ErrMismatch,
				fmt.Errorf("entry %s belongs to frame %q, not %q", k, k.FrameID(), frameID))
		}
		if k.HasColumn() && !fieldNames[k.ColumnName()] {
			return nil, newError(opEncode, "", ErrMismatch,
				fmt.Errorf("entry %s names column %q, which the schema lacks", k, k.ColumnName()))
		}
		if k.HasRow() && k.RowIndex() > MaxRow {
			return nil, newError(opEncode, "", ErrMismatch,
				fmt.Errorf("entry %s: row beyond %d", k, int64(MaxRow)))
		}
		v, err := contextstore.AppendValue(nil, e.Value)
		if err != nil {
			return nil, newError(opEncode, "", ErrMismatch,
				fmt.Errorf("entry %s: %w: %w", k, contextstore.ErrInvalidValue, err))
		}
		switch k.Kind() {
		case keys.KindFrame:
			if frameValue != nil {
				return nil, newError(opEncode, FrameKey, ErrMismatch, fmt.Errorf("repeated entry %s", k))
			}
			frameValue = v
		case keys.KindColumn:
			if _, dup := columns[k.ColumnName()]; dup {
				return nil, newError(opEncode, ColumnKey, ErrMismatch, fmt.Errorf("repeated entry %s", k))
			}
			columns[k.ColumnName()] = string(v)
		case keys.KindRow:
			rows = append(rows, positioned{row: k.RowIndex(), value: v})
		case keys.KindCell:
			cells = append(cells, positioned{row: k.RowIndex(), column: k.ColumnName(), value: v})
		}
	}

	ours := make([]string, 0, 10) // key, value pairs for the schema
	ours = append(ours, VersionKey, versionText, FrameIDKey, string(contextstore.AppendJSONString(nil, frameID)))
	if frameValue != nil {
		ours = append(ours, FrameKey, string(frameValue))
	}
	if len(rows) > 0 {
		text, err := encodePositioned(RowsKey, rows, false)
		if err != nil {
			return nil, err
		}
		ours = append(ours, RowsKey, text)
	}
	if len(cells) > 0 {
		text, err := encodePositioned(CellsKey, cells, true)
		if err != nil {
			return nil, err
		}
		ours = append(ours, CellsKey, text)
	}

	size := int64(0)
	for _, s := range ours {
		size += int64(len(s))
	}
	fields := schema.Fields()
	for i, f := range fields {
		text, has := columns[f.Name]
		if !has && !hasNamespace(f.Metadata) {
			continue
		}
		var extra []string
		if has {
			extra = []string{ColumnKey, text}
			size += int64(len(ColumnKey) + len(text))
		}
		md := replaceNamespace(f.Metadata, extra)
		fields[i].Metadata = md
	}
	if max := limits.maxBytes(); max >= 0 && size > max {
		return nil, newError(opEncode, "", ErrTooLarge,
			fmt.Errorf("%d bytes of context metadata, more than the limit of %d", size, max))
	}
	md := replaceNamespace(schema.Metadata(), ours)
	return arrow.NewSchemaWithEndian(fields, &md, schema.Endianness()), nil
}

// encodePositioned writes rows ([row,object]) or cells ([row,"column",object])
// as one JSON array, sorted, refusing repeated positions.
func encodePositioned(key string, ps []positioned, withColumn bool) (string, error) {
	order := positionOrder(ps)
	b := make([]byte, 0, 32*len(ps))
	b = append(b, '[')
	for i := range ps {
		p := ps[order(i)]
		if i > 0 {
			if prev := ps[order(i-1)]; prev.row == p.row && prev.column == p.column {
				return "", newError(opEncode, key, ErrMismatch,
					fmt.Errorf("repeated entry for row %d column %q", p.row, p.column))
			}
			b = append(b, ',')
		}
		b = append(b, '[')
		b = strconv.AppendInt(b, int64(p.row), 10)
		b = append(b, ',')
		if withColumn {
			b = contextstore.AppendJSONString(b, p.column)
			b = append(b, ',')
		}
		b = append(b, p.value...)
		b = append(b, ']')
	}
	b = append(b, ']')
	return string(b), nil
}

// byPosition orders positioned entries as the encoding lists them: by row,
// then column.
func byPosition(a, b positioned) int {
	if c := cmp.Compare(a.row, b.row); c != 0 {
		return c
	}
	return strings.Compare(a.column, b.column)
}

// byKey orders them as keys.Compare orders their keys: by column, then
// row.
func byKey(a, b positioned) int {
	if c := strings.Compare(a.column, b.column); c != 0 {
		return c
	}
	return cmp.Compare(a.row, b.row)
}

// positionOrder returns the order of ps by position, as the index of the
// i-th entry. Entries read from a store come in key order: each column's
// cells by row, one column after another. A stable counting pass by row
// then gives the position order in linear time, where a comparison sort of
// a million cells takes most of a second; it runs only when the rows are
// no sparser than the entries (it counts per row), anything else is
// sorted in place.
func positionOrder(ps []positioned) func(int) int {
	identity := func(i int) int { return i }
	if slices.IsSortedFunc(ps, byPosition) {
		return identity
	}
	top := 0
	for _, p := range ps {
		top = max(top, p.row)
	}
	if top >= 4*len(ps)+1024 || len(ps) > math.MaxInt32 || !slices.IsSortedFunc(ps, byKey) {
		slices.SortFunc(ps, byPosition)
		return identity
	}
	next := make([]int32, top+2) // where each row's entries start, then the next free place
	for _, p := range ps {
		next[p.row+1]++
	}
	for i := 1; i < len(next); i++ {
		next[i] += next[i-1]
	}
	order := make([]int32, len(ps))
	for j, p := range ps { // in key order: a row's cells come by column
		order[next[p.row]] = int32(j)
		next[p.row]++
	}
	return func(i int) int { return int(order[i]) }
}

// hasNamespace reports whether md holds any key of ours.
func hasNamespace(md arrow.Metadata) bool {
	for _, k := range md.Keys() {
		if strings.HasPrefix(k, Namespace) {
			return true
		}
	}
	return false
}

// replaceNamespace returns md without its Namespace keys, followed by the
// key, value pairs in ours.
func replaceNamespace(md arrow.Metadata, ours []string) arrow.Metadata {
	mk, mv := md.Keys(), md.Values()
	ks := make([]string, 0, len(mk)+len(ours)/2)
	vs := make([]string, 0, len(mk)+len(ours)/2)
	for i, k := range mk {
		if !strings.HasPrefix(k, Namespace) {
			ks = append(ks, k)
			vs = append(vs, mv[i])
		}
	}
	for i := 0; i+1 < len(ours); i += 2 {
		ks = append(ks, ours[i])
		vs = append(vs, ours[i+1])
	}
	return arrow.NewMetadata(ks, vs)
}
