package gota

import (
	"math"
	"strconv"
	"strings"

	"github.com/go-gota/gota/dataframe"
	"github.com/go-gota/gota/series"
)

// When both frames' key columns have the same types, a join's row mapping
// follows from gota's matching rule alone: rows i and j match when every
// key is present (not NA) in both and equal (floats numerically, so -0
// equals 0). keyedJoinRows computes it with a hash of the keys in
// O(rows + output) — far less than the join itself, which compares every
// pair — and lists the pairs in the order gota's loops emit them. Key
// columns of different types (where gota converts one side's values)
// return ok=false: the caller tags the rows instead.

// joinKeys holds each row's composite key and whether the row has all its
// keys: a row with a missing (NA) key matches nothing.
type joinKeys struct {
	keys    []string
	present []bool
}

// keyedJoinRows returns, per output row of the join of kind, its source
// row in a and in b (-1 for none), or ok=false when the keys' types differ
// between the frames.
func keyedJoinRows(kind joinKind, a, b dataframe.DataFrame, on []string) (rows [2][]int, ok bool) {
	if len(on) == 0 {
		return rows, false
	}
	for _, k := range on {
		ca, cb := a.Col(k), b.Col(k)
		if ca.Err != nil || cb.Err != nil || ca.Type() != cb.Type() {
			return rows, false
		}
	}
	ka, kb := keysOf(a, on), keysOf(b, on)
	na, nb := a.Nrow(), b.Nrow()
	emit := func(i, j int) {
		rows[0] = append(rows[0], i)
		rows[1] = append(rows[1], j)
	}
	switch kind {
	case innerJoin, leftJoin, outerJoin:
		byKey := index(kb)
		matchedB := make([]bool, nb)
		for i := 0; i < na; i++ {
			var js []int
			if ka.present[i] {
				js = byKey[ka.keys[i]]
			}
			for _, j := range js {
				emit(i, j)
				matchedB[j] = true
			}
			if len(js) == 0 && kind != innerJoin {
				emit(i, -1)
			}
		}
		if kind == outerJoin {
			for j := 0; j < nb; j++ {
				if !matchedB[j] {
					emit(-1, j)
				}
			}
		}
	case rightJoin:
		byKey := index(ka)
		var unmatched []int
		for j := 0; j < nb; j++ {
			var is []int
			if kb.present[j] {
				is = byKey[kb.keys[j]]
			}
			for _, i := range is {
				emit(i, j)
			}
			if len(is) == 0 {
				unmatched = append(unmatched, j)
			}
		}
		for _, j := range unmatched {
			emit(-1, j)
		}
	default:
		return rows, false
	}
	if rows[0] == nil {
		rows[0], rows[1] = []int{}, []int{}
	}
	return rows, true
}

// index maps each present key to its rows, ascending.
func index(k joinKeys) map[string][]int {
	m := make(map[string][]int, len(k.keys))
	for r, key := range k.keys {
		if k.present[r] {
			m[key] = append(m[key], r)
		}
	}
	return m
}

// keysOf encodes every row's key values into one comparable string
// (length-prefixed parts, so composite keys cannot run into each other).
func keysOf(df dataframe.DataFrame, on []string) joinKeys {
	n := df.Nrow()
	k := joinKeys{keys: make([]string, n), present: make([]bool, n)}
	for r := range k.present {
		k.present[r] = true
	}
	parts := make([][]string, len(on))
	for p, name := range on {
		col := df.Col(name)
		vals := make([]string, n)
		for r := 0; r < n; r++ {
			e := col.Elem(r)
			if e.IsNA() {
				k.present[r] = false
				continue
			}
			vals[r] = keyPart(col.Type(), e)
		}
		parts[p] = vals
	}
	var b strings.Builder
	for r := 0; r < n; r++ {
		if !k.present[r] {
			continue
		}
		if len(on) == 1 {
			k.keys[r] = parts[0][r]
			continue
		}
		b.Reset()
		for p := range on {
			b.WriteString(strconv.Itoa(len(parts[p][r])))
			b.WriteByte(':')
			b.WriteString(parts[p][r])
		}
		k.keys[r] = b.String()
	}
	return k
}

// keyPart is a present element's value as gota's Eq compares it within one
// type.
func keyPart(t series.Type, e series.Element) string {
	switch t {
	case series.Float:
		f := e.Float()
		if f == 0 {
			f = 0 // -0 == 0 for gota
		}
		return strconv.FormatUint(math.Float64bits(f), 16)
	case series.Int:
		i, _ := e.Int()
		return strconv.Itoa(i)
	case series.Bool:
		if v, _ := e.Bool(); v {
			return "t"
		}
		return "f"
	}
	return e.String()
}

// joinKind names the five gota joins.
type joinKind int

const (
	innerJoin joinKind = iota
	leftJoin
	rightJoin
	outerJoin
	crossJoin
)

func (k joinKind) String() string {
	switch k {
	case innerJoin:
		return "inner_join"
	case leftJoin:
		return "left_join"
	case rightJoin:
		return "right_join"
	case outerJoin:
		return "outer_join"
	case crossJoin:
		return "cross_join"
	}
	return "join"
}

// rawJoin runs the gota join of kind on a and b.
func rawJoin(kind joinKind, a, b dataframe.DataFrame, on []string) (dataframe.DataFrame, error) {
	return callGota(func() dataframe.DataFrame {
		switch kind {
		case innerJoin:
			return a.InnerJoin(b, on...)
		case leftJoin:
			return a.LeftJoin(b, on...)
		case rightJoin:
			return a.RightJoin(b, on...)
		case outerJoin:
			return a.OuterJoin(b, on...)
		}
		return a.CrossJoin(b)
	})
}

// taggedJoin runs the join and returns, for each output row, its source row
// in a and in b (-1 for none). A cross join's mapping is arithmetic and
// needs no tags.
func taggedJoin(kind joinKind, a, b dataframe.DataFrame, on []string) (dataframe.DataFrame, [2][]int, error) {
	var rows [2][]int
	if kind == crossJoin {
		out, err := rawJoin(kind, a, b, on)
		if err != nil {
			return out, rows, err
		}
		na, nb := a.Nrow(), b.Nrow()
		rows[0] = make([]int, na*nb)
		rows[1] = make([]int, na*nb)
		for i := 0; i < na; i++ {
			for j := 0; j < nb; j++ {
				rows[0][i*nb+j] = i
				rows[1][i*nb+j] = j
			}
		}
		return out, rows, nil
	}
	tagA := rowTagName(0, a, b)
	tagB := rowTagName(1, a, b, dataframe.New(series.New([]int{}, series.Int, tagA)))
	ta, err := withRowTag(a, tagA)
	if err != nil {
		return dataframe.DataFrame{}, rows, err
	}
	tb, err := withRowTag(b, tagB)
	if err != nil {
		return dataframe.DataFrame{}, rows, err
	}
	joined, err := rawJoin(kind, ta, tb, on)
	if err != nil {
		return dataframe.DataFrame{}, rows, err
	}
	out, maps, err := takeRowTags(joined, tagA, tagB)
	if err != nil {
		return dataframe.DataFrame{}, rows, err
	}
	rows[0], rows[1] = maps[0], maps[1]
	return out, rows, nil
}
