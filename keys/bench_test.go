package keys_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/keys"
)

// Typed sinks: storing into an interface would add an allocation of its own.
var (
	stringSink string
	keySink    keys.Key
)

// The budget: String and Parse of a column key with a 10-character
// name in at most 150 ns and 2 allocations each.
func BenchmarkColumnKeyString(b *testing.B) {
	k := keys.Column("weather-2024", "temp_max_c")
	b.ReportAllocs()
	for b.Loop() {
		stringSink = k.String()
	}
}

func BenchmarkColumnKeyParse(b *testing.B) {
	s := keys.Column("weather-2024", "temp_max_c").String()
	b.ReportAllocs()
	for b.Loop() {
		k, err := keys.Parse(s)
		require.NoError(b, err)
		keySink = k
	}
}

func BenchmarkCellKeyLocal(b *testing.B) {
	k := keys.Cell("weather-2024", 123456, "temp_max_c")
	b.ReportAllocs()
	for b.Loop() {
		stringSink = k.Local()
	}
}
