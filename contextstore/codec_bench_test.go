package contextstore

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The one-pass encoder and decoder against the reference paths they stand in
// for (normalize-then-write, encoding/json-then-normalize): docs/PERFORMANCE.md.

var codecValues = map[string]Value{
	"typical": {
		"unit":        "degC",
		"description": "air temperature at 2 m",
		"quality":     0.97,
		"flags":       []any{"checked", "interpolated"},
		"source":      map[string]any{"station": "LEJ", "id": 10469},
	},
	"small": {"unit": "m"},
}

func BenchmarkEncode(b *testing.B) {
	for _, name := range []string{"small", "typical"} {
		v := codecValues[name]
		b.Run(name+"/onepass", func(b *testing.B) {
			b.ReportAllocs()
			var buf []byte
			for b.Loop() {
				var err error
				if buf, err = AppendValue(buf[:0], v); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/reference", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := slowMarshal(v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDecode(b *testing.B) {
	for _, name := range []string{"small", "typical"} {
		data, err := MarshalValue(codecValues[name])
		require.NoError(b, err)
		text := string(data)
		b.Run(name+"/onepass", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := UnmarshalValue(text); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/reference", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := unmarshalSlow(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
