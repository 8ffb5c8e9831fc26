package lineage

// Type says whether an output field holds (a function of) the input's values,
// DIRECT, or only depends on the input, INDIRECT (a filter or join
// condition, a sort key).
type Type string

// The transformation types of OpenLineage's column lineage facet.
const (
	TypeDirect   Type = "DIRECT"
	TypeIndirect Type = "INDIRECT"
)

// Subtype refines a Type, as in OpenLineage's column lineage facet.
type Subtype string

// Subtypes of DIRECT transformations.
const (
	SubtypeIdentity       Subtype = "IDENTITY"       // values copied as they are
	SubtypeTransformation Subtype = "TRANSFORMATION" // values computed from the input row
	SubtypeAggregation    Subtype = "AGGREGATION"    // values computed from several input rows
)

// Subtypes of INDIRECT transformations.
const (
	SubtypeJoin        Subtype = "JOIN"
	SubtypeGroupBy     Subtype = "GROUP_BY"
	SubtypeFilter      Subtype = "FILTER"
	SubtypeSort        Subtype = "SORT"
	SubtypeWindow      Subtype = "WINDOW"
	SubtypeConditional Subtype = "CONDITIONAL"
)

// Transformation says how an output field derives from one input field.
// The zero Transformation means identity (DIRECT/IDENTITY), so a struct
// literal that does not mention it copies values unchanged.
type Transformation struct {
	Type        Type    `json:"type"`
	Subtype     Subtype `json:"subtype,omitempty"`
	Description string  `json:"description,omitempty"`
	Masking     bool    `json:"masking"`
}

// Identity returns the DIRECT/IDENTITY transformation: values copied as
// they are (a rename, a selection, a filter or sort of whole rows).
func Identity() Transformation {
	return Transformation{Type: TypeDirect, Subtype: SubtypeIdentity}
}

// Direct returns a DIRECT transformation with the given subtype and
// description.
func Direct(sub Subtype, description string) Transformation {
	return Transformation{Type: TypeDirect, Subtype: sub, Description: description}
}

// Indirect returns an INDIRECT transformation with the given subtype and
// description.
func Indirect(sub Subtype, description string) Transformation {
	return Transformation{Type: TypeIndirect, Subtype: sub, Description: description}
}

// IsIdentity reports whether t copies values unchanged: the zero value or
// DIRECT/IDENTITY (whatever its description). Masking is not identity.
func (t Transformation) IsIdentity() bool {
	if t.Masking {
		return false
	}
	return (t.Type == "" && t.Subtype == "") || (t.Type == TypeDirect && t.Subtype == SubtypeIdentity)
}

// Normalized returns t with the zero value spelled out as DIRECT/IDENTITY,
// the form that is stored and exported.
func (t Transformation) Normalized() Transformation {
	if t.Type == "" && t.Subtype == "" {
		t.Type, t.Subtype = TypeDirect, SubtypeIdentity
	}
	return t
}
