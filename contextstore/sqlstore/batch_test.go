package sqlstore

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// TestSortedOrderIsByteOrder checks the order PostgreSQL batches write
// rows in, which keeps concurrent batches from deadlocking: (frame, key) by
// bytes, whether or not rows share their frame's bytes.
func TestSortedOrderIsByteOrder(t *testing.T) {
	ms := []contextstore.Mutation{
		contextstore.Put(keys.Cell("b", 10, "x"), nil),
		contextstore.Put(keys.Cell("b", 2, "x"), nil),
		contextstore.Remove(keys.Frame("a\x00")),
		contextstore.Put(keys.Column("a", "z"), nil),
		contextstore.Put(keys.Frame("b"), nil),
		contextstore.Put(keys.Column("a", "y"), nil),
		contextstore.Put(keys.Column("ab", ""), nil),
		contextstore.Put(keys.Cell("b", 1, "x"), nil),
		contextstore.Put(keys.Column("a", "y"), contextstore.Value{"last": true}),
	}
	normalized, err := contextstore.ValidateBatch(ms)
	require.NoError(t, err)
	puts, dels, err := (&Store{}).resolve(context.Background(), nil, contextstore.FoldBatch(normalized))
	require.NoError(t, err)
	if len(puts) != 7 || len(dels) != 1 {
		t.Fatalf("fold kept %d puts and %d deletes, want 7 and 1", len(puts), len(dels))
	}
	order := sortedOrder(puts)
	var got []string
	for i, j := range order {
		r := puts[j]
		got = append(got, string(r.frame)+"|"+string(r.local))
		if i > 0 {
			p := puts[order[i-1]]
			if c := bytes.Compare(p.frame, r.frame); c > 0 || (c == 0 && bytes.Compare(p.local, r.local) >= 0) {
				t.Fatalf("rows out of order: %q", got)
			}
		}
	}
	want := []string{"a|c:y", "a|c:z", "ab|c:", "b|f", "b|x:10:x", "b|x:1:x", "b|x:2:x"}
	if len(got) != len(want) {
		t.Fatalf("order %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("order %q, want %q", got, want)
		}
	}
	for _, r := range puts {
		if string(r.local) == "c:y" && r.value != `{"last":true}` {
			t.Fatalf("the last mutation of a key must win, got %s", r.value)
		}
	}
}
