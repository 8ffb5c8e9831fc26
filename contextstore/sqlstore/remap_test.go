package sqlstore

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// TestRemapAgreesWithTheMemoryStore runs random remaps (sources repeated,
// left out or none, entries past the frame's rows, cells of columns kept
// and dropped, column names with ':' and non-ASCII letters, marked rows)
// on each dialect, PostgreSQL re-keying on the server and SQLite in the
// client, and on the memory store: the frames and the counts of entries
// written must be the same.
func TestRemapAgreesWithTheMemoryStore(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			s := b.open(t, nil)
			for seed := range uint64(25) {
				rnd := rand.New(rand.NewPCG(seed, 7))
				f := fmt.Sprint("f", seed)
				rows := 1 + rnd.IntN(40)
				columns := []string{"a", "b:1", "é x", "gone"}
				var ms []contextstore.Mutation
				ms = append(ms, contextstore.Put(keys.Column(f, "a"), contextstore.Value{"unit": "m"}))
				for row := range rows + 3 { // a few past the frame's rows
					if rnd.IntN(3) > 0 {
						v := contextstore.Value{"qc": int64(row), "seed": int64(seed)}
						if rnd.IntN(4) == 0 {
							v[contextstore.ReservedPrefix+"state"] = "x"
						}
						ms = append(ms, contextstore.Put(keys.Row(f, row), v))
					}
					for _, col := range columns {
						if rnd.IntN(3) == 0 {
							ms = append(ms, contextstore.Put(keys.Cell(f, row, col), contextstore.Value{"q": fmt.Sprint(row, col)}))
						}
					}
				}
				sources := make([]int, rnd.IntN(rows+5))
				for i := range sources {
					sources[i] = rnd.IntN(rows+1) - 1 // -1: a new row with no source
				}
				var keep []string
				for _, col := range columns[:3] {
					if rnd.IntN(2) == 0 {
						keep = append(keep, col)
					}
				}
				r := contextstore.Remap{Sources: sources, Rows: rows, Columns: keep}

				ref := contextstore.NewMemoryStore()
				require.NoError(t, contextstore.Apply(bg, ref, ms))
				require.NoError(t, contextstore.Apply(bg, s, ms))
				_, wantN, err := ref.RemapIf(bg, nil, nil, f, r)
				require.NoError(t, err)
				_, n, err := s.RemapIf(bg, nil, nil, f, r)
				require.NoError(t, err, "seed %d", seed)
				want, err := ref.ReadFrame(bg, f)
				require.NoError(t, err)
				got, err := s.ReadFrame(bg, f)
				require.NoError(t, err)
				require.Equal(t, want, got, "seed %d: %+v", seed, r)
				require.Equal(t, wantN, n, "seed %d: entries written", seed)
				marked, err := contextstore.ReadSubset(bg, s, f, contextstore.Subset{RowsWith: contextstore.ReservedPrefix})
				require.NoError(t, err)
				require.Equal(t, contextstore.Subset{RowsWith: contextstore.ReservedPrefix}.Filter(want), marked.Entries, "seed %d: marked rows", seed)
			}
		})
	}
}
