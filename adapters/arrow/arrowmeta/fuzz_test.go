package arrowmeta

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/stretchr/testify/require"
)

const fuzzWatchdog = 3 * time.Second

// FuzzDecode feeds arbitrary metadata values to Decode. Decode must never
// panic, must fail only with one of its kinds, and whatever it accepts must
// survive Encode and a second Decode unchanged.
func FuzzDecode(f *testing.F) {
	f.Add("1", `"f"`, `{"a":1}`, `{"unit":"m"}`, `{"unit":"m"}`, `[[0,{}],[3,{"x":[1,2.5,null]}]]`, `[[1,"a",{"n":"é"}],[2,"b",{}]]`)
	f.Add("1", `"f"`, ``, ``, ``, `[]`, `[]`)
	f.Add("2", `"f"`, `{}`, `{}`, `{}`, `[]`, `[]`)
	f.Add("1", `"{%}"`, `{"a":{"b":{"c":[[[]]]}}}`, `{"u":1}`, `{"u":2}`, `[[9007199254740991,{}]]`, `[[0,"zz",{}]]`)
	f.Add("1", `"f"`, `{"a":1e400}`, `{"x":-0.0}`, `{"x":-0.0}`, `[[-1,{}]]`, `[[0,"a",{}],[0,"a",{}]]`)
	f.Add("1", `"f"`, "{\"\\u0000\":1}", `{}`, `{}`, `[[01,{}]]`, `[[1,"a",{}]] trailing`)
	f.Add("1", `"f\u00e9"`, ` {"a" : [ 1 , {"b":"]"} ] } `, `{"q":"\"}"}`, `{"q":"\"}"}`, " [ [ 0 , { } ] , [1,{\"s\":\"[\"}]] ", ` [[2, "a\u0062" ,{}],[2,"b",{"x":"\\"}] ] `)
	f.Add("1", `"f"`, `{}`, `{}`, `{}`, `[[0,{}],]`, `[[0,"a",{}]`)
	f.Fuzz(func(t *testing.T, version, frameID, frame, colA1, colA2, rows, cells string) {
		// A hang is a bug too; the fuzzer has no timeout of its own, so a
		// slow input crashes the worker and is kept as a crasher.
		watchdog := time.AfterFunc(fuzzWatchdog, func() {
			panic(fmt.Sprintf("Decode took over %v on %q", fuzzWatchdog, []string{version, frameID, frame, colA1, colA2, rows, cells}))
		})
		defer watchdog.Stop()
		schemaKV := []string{VersionKey, version, FrameIDKey, frameID, "user", "kept"}
		if frame != "" {
			schemaKV = append(schemaKV, FrameKey, frame)
		}
		if rows != "" {
			schemaKV = append(schemaKV, RowsKey, rows)
		}
		if cells != "" {
			schemaKV = append(schemaKV, CellsKey, cells)
		}
		fieldMD := func(v string) arrow.Metadata {
			if v == "" {
				return md("user", "kept")
			}
			return md("user", "kept", ColumnKey, v)
		}
		schema := arrow.NewSchema([]arrow.Field{
			{Name: "a", Type: arrow.PrimitiveTypes.Int64, Metadata: fieldMD(colA1)},
			{Name: "b", Type: arrow.BinaryTypes.String},
			{Name: "a", Type: arrow.PrimitiveTypes.Float64, Metadata: fieldMD(colA2)},
		}, ptr(md(schemaKV...)))
		limits := Limits{MaxBytes: 1 << 16, MaxEntries: 1000}

		dec, err := Decode(schema, limits)
		if err != nil {
			var e *Error
			require.ErrorAs(t, err, &e, "error is not an *Error: %v", err)
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrUnsupportedVersion) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("error of unexpected kind: %v", err)
			}
			return
		}
		// Whatever is accepted is valid JSON, so other readers agree.
		for _, text := range []string{frameID, frame, colA1, colA2, rows, cells} {
			if text != "" && !json.Valid([]byte(text)) {
				t.Fatalf("accepted invalid JSON %q", text)
			}
		}
		if hasNamespace(dec.Schema.Metadata()) || hasNamespace(dec.Schema.Field(0).Metadata) {
			t.Fatalf("decoded schema still has context keys: %v", dec.Schema)
		}
		if v, _ := dec.Schema.Metadata().GetValue("user"); v != "kept" {
			t.Fatalf("user metadata lost: %v", dec.Schema.Metadata())
		}
		again, err := Encode(dec.Schema, dec.FrameID, dec.Entries, &EncodeOptions{Limits: Limits{MaxBytes: -1, MaxEntries: -1}})
		require.NoError(t, err, "re-encoding accepted context")
		dec2, err := Decode(again, Limits{MaxBytes: -1, MaxEntries: -1})
		require.NoError(t, err, "decoding re-encoded context")
		if dec2.FrameID != dec.FrameID || dec2.MaxRow != dec.MaxRow {
			t.Fatalf("frame %q/%q, max row %d/%d", dec2.FrameID, dec.FrameID, dec2.MaxRow, dec.MaxRow)
		}
		assertEntries(t, dec2.Entries, dec.Entries)
	})
}
