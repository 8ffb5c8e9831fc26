package gota

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/go-gota/gota/dataframe"
	"github.com/go-gota/gota/series"
	"github.com/stretchr/testify/require"
)

// randomKeyColumn makes n values of type t drawn from a few, with missing
// values and, for floats, both zeros, so matches, repeats and NA all occur.
func randomKeyColumn(rng *rand.Rand, t series.Type, name string, n int) series.Series {
	vals := make([]any, n)
	for i := range vals {
		if rng.IntN(6) == 0 {
			vals[i] = nil
			continue
		}
		switch t {
		case series.Float:
			vals[i] = []float64{0, math.Copysign(0, -1), 1.5, 2, math.Inf(1)}[rng.IntN(5)]
		case series.Int:
			vals[i] = rng.IntN(4)
		case series.Bool:
			vals[i] = rng.IntN(2) == 0
		default:
			vals[i] = []string{"a", "b", "c", "NaN", ""}[rng.IntN(5)]
		}
	}
	return series.New(vals, t, name)
}

// TestKeyedJoinRowsMatchTags checks the hashed row mapping against the
// exact one the row tags give, on random frames of every key type.
func TestKeyedJoinRowsMatchTags(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 2))
	types := []series.Type{series.String, series.Float, series.Int, series.Bool}
	for iter := 0; iter < 300; iter++ {
		nkeys := 1 + rng.IntN(2)
		var on []string
		var ta, tb []series.Type
		for k := 0; k < nkeys; k++ {
			on = append(on, string(rune('p'+k)))
			typ := types[rng.IntN(len(types))]
			ta, tb = append(ta, typ), append(tb, typ)
		}
		mk := func(ts []series.Type, n int, extra string) dataframe.DataFrame {
			var cols []series.Series
			for k, name := range on {
				cols = append(cols, randomKeyColumn(rng, ts[k], name, n))
			}
			cols = append(cols, series.New(make([]int, n), series.Int, extra))
			return dataframe.New(cols...)
		}
		a, b := mk(ta, 1+rng.IntN(8), "va"), mk(tb, 1+rng.IntN(8), "vb")
		for _, kind := range []joinKind{innerJoin, leftJoin, rightJoin, outerJoin} {
			_, want, err := taggedJoin(kind, a, b, on)
			require.NoError(t, err)
			got, ok := keyedJoinRows(kind, a, b, on)
			if !ok {
				t.Fatalf("iteration %d %s: same key types refused", iter, kind)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("iteration %d %s on %v:\n a=%v\n b=%v\n hashed %v\n tagged %v", iter, kind, on, a, b, got, want)
			}
		}
	}
}

func TestKeyedJoinRowsRefusesMixedTypes(t *testing.T) {
	a := dataframe.New(series.New([]int{1, 2}, series.Int, "k"))
	b := dataframe.New(series.New([]float64{1, 2}, series.Float, "k"))
	if _, ok := keyedJoinRows(innerJoin, a, b, []string{"k"}); ok {
		t.Fatal("keys of different types hashed: gota converts them, tags must be used")
	}
}
