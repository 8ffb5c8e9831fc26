package arrow

import (
	"context"
	"slices"
	"strconv"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/adapters/lineage"
	"github.com/ctxframe/ctxframe/contextstore"
)

// srcContext is the context every propagation case starts from: the
// source frame has 5 rows and columns id, name, temp.
func srcContext() ctxMap {
	return ctxMap{
		"f":        v("title", "weather"),
		"c:id":     v("role", "key"),
		"c:name":   v("desc", "label"),
		"c:temp":   v("unit", "C"),
		"r:0":      v("q", "ok"),
		"r:2":      v("q", "bad"),
		"r:4":      v("q", "late"),
		"x:1:temp": v("flag", "estimated"),
		"x:3:name": v("flag", "typo"),
		"x:4:temp": v("flag", "sensor"),
		"x:0:id":   v("flag", "first"),
		"x:2:name": v("flag", "renamed"),
		"x:2:temp": v("flag", "rounded"),
		"x:3:id":   v("flag", "dup"),
		"x:4:name": v("flag", "end"),
		"x:0:temp": v("flag", "start"),
		"x:1:name": v("flag", "second"),
		"x:1:id":   v("flag", "one"),
		"x:0:name": v("flag", "zero"),
		"x:3:temp": v("flag", "null"),
		"x:2:id":   v("flag", "two"),
		"x:4:id":   v("flag", "four"),
	}
}

// without returns m minus the listed keys.
func without(m ctxMap, drop ...string) ctxMap {
	out := ctxMap{}
	for k, x := range m {
		if !slices.Contains(drop, k) {
			out[k] = x
		}
	}
	return out
}

// with returns m plus the given entries.
func with(m ctxMap, add ctxMap) ctxMap {
	out := ctxMap{}
	for k, x := range m {
		out[k] = x
	}
	for k, x := range add {
		out[k] = x
	}
	return out
}

// otherContext is the context of the second input of concat cases: 3 rows.
func otherContext() ctxMap {
	return ctxMap{
		"f":        v("title", "weather", "part", int64(2)),
		"c:temp":   v("unit", "C", "sensor", "b"),
		"r:1":      v("q", "other"),
		"x:0:name": v("flag", "other-zero"),
	}
}

type propagationCase struct {
	name string
	// op builds the operation; other is the second input of a concat (nil
	// otherwise).
	op         func(t *testing.T, mem memory.Allocator, other Frame) Op
	needsOther bool
	policy     framectx.Policy
	wantCols   []string
	wantIDs    []int64
	want       ctxMap // user context of the output
	// noWritesInPlace marks operations that change no context in place
	// (metadata-only changes): they make no store write to fail.
	noWritesInPlace bool
	// check, when set, inspects the output schema (Arrow metadata).
	check func(t *testing.T, s *arrow.Schema)
	// lineageCols are output columns whose context must hold lineage even
	// in place (replaced or added columns).
	lineageCols []string
}

func propagationCases() []propagationCase {
	src := srcContext()
	cells := func(row int, cols ...string) []string {
		var out []string
		for _, c := range cols {
			out = append(out, "x:"+strconv.Itoa(row)+":"+c)
		}
		return out
	}
	allCells := func(col string) []string {
		var out []string
		for r := 0; r < 5; r++ {
			out = append(out, cells(r, col)...)
		}
		return out
	}
	return []propagationCase{
		{
			name:     "rename column moves column and cell context",
			op:       func(*testing.T, memory.Allocator, Frame) Op { return Rename("temp", "t") },
			wantCols: []string{"id", "name", "t"},
			wantIDs:  []int64{0, 1, 2, 3, 4},
			want: with(without(src, append(allCells("temp"), "c:temp")...), ctxMap{
				"c:t": v("unit", "C"), "x:0:t": v("flag", "start"), "x:1:t": v("flag", "estimated"),
				"x:2:t": v("flag", "rounded"), "x:3:t": v("flag", "null"), "x:4:t": v("flag", "sensor"),
			}),
		},
		{
			name:     "select keeps context of kept columns only",
			op:       func(*testing.T, memory.Allocator, Frame) Op { return Select("name", "id") },
			wantCols: []string{"name", "id"},
			wantIDs:  []int64{0, 1, 2, 3, 4},
			want:     without(src, append(allCells("temp"), "c:temp")...),
		},
		{
			name:     "drop removes the column's context",
			op:       func(*testing.T, memory.Allocator, Frame) Op { return Drop("name") },
			wantCols: []string{"id", "temp"},
			wantIDs:  []int64{0, 1, 2, 3, 4},
			want:     without(src, append(allCells("name"), "c:name")...),
		},
		{
			name:     "slice re-keys rows and drops rows outside",
			op:       func(*testing.T, memory.Allocator, Frame) Op { return Slice(1, 4) },
			wantCols: []string{"id", "name", "temp"},
			wantIDs:  []int64{1, 2, 3},
			want: ctxMap{
				"f": src["f"], "c:id": src["c:id"], "c:name": src["c:name"], "c:temp": src["c:temp"],
				"r:1":    v("q", "bad"),
				"x:0:id": v("flag", "one"), "x:0:name": v("flag", "second"), "x:0:temp": v("flag", "estimated"),
				"x:1:id": v("flag", "two"), "x:1:name": v("flag", "renamed"), "x:1:temp": v("flag", "rounded"),
				"x:2:id": v("flag", "dup"), "x:2:name": v("flag", "typo"), "x:2:temp": v("flag", "null"),
			},
		},
		{
			name:     "take follows rows and repeats a repeated row's context",
			op:       func(*testing.T, memory.Allocator, Frame) Op { return Take(4, 1, 1) },
			wantCols: []string{"id", "name", "temp"},
			wantIDs:  []int64{4, 1, 1},
			want: ctxMap{
				"f": src["f"], "c:id": src["c:id"], "c:name": src["c:name"], "c:temp": src["c:temp"],
				"r:0":    v("q", "late"),
				"x:0:id": v("flag", "four"), "x:0:name": v("flag", "end"), "x:0:temp": v("flag", "sensor"),
				"x:1:id": v("flag", "one"), "x:1:name": v("flag", "second"), "x:1:temp": v("flag", "estimated"),
				"x:2:id": v("flag", "one"), "x:2:name": v("flag", "second"), "x:2:temp": v("flag", "estimated"),
			},
		},
		{
			name: "filter keeps the context of kept rows",
			op: func(t *testing.T, mem memory.Allocator, _ Frame) Op {
				b := array.NewBooleanBuilder(mem)
				defer b.Release()
				b.AppendValues([]bool{true, false, false, true, false}, []bool{true, true, false, true, true})
				mask := b.NewBooleanArray()
				t.Cleanup(mask.Release)
				return Filter(mask)
			},
			wantCols: []string{"id", "name", "temp"},
			wantIDs:  []int64{0, 3},
			want: ctxMap{
				"f": src["f"], "c:id": src["c:id"], "c:name": src["c:name"], "c:temp": src["c:temp"],
				"r:0":    v("q", "ok"),
				"x:0:id": v("flag", "first"), "x:0:name": v("flag", "zero"), "x:0:temp": v("flag", "start"),
				"x:1:id": v("flag", "dup"), "x:1:name": v("flag", "typo"), "x:1:temp": v("flag", "null"),
			},
		},
		{
			name:     "sort descending follows each row; nulls last",
			op:       func(*testing.T, memory.Allocator, Frame) Op { return Sort(Desc("temp")) },
			wantCols: []string{"id", "name", "temp"},
			wantIDs:  []int64{4, 2, 1, 0, 3},
			want: ctxMap{
				"f": src["f"], "c:id": src["c:id"], "c:name": src["c:name"], "c:temp": src["c:temp"],
				"r:0": v("q", "late"), "r:1": v("q", "bad"), "r:3": v("q", "ok"),
				"x:0:id": v("flag", "four"), "x:0:name": v("flag", "end"), "x:0:temp": v("flag", "sensor"),
				"x:1:id": v("flag", "two"), "x:1:name": v("flag", "renamed"), "x:1:temp": v("flag", "rounded"),
				"x:2:id": v("flag", "one"), "x:2:name": v("flag", "second"), "x:2:temp": v("flag", "estimated"),
				"x:3:id": v("flag", "first"), "x:3:name": v("flag", "zero"), "x:3:temp": v("flag", "start"),
				"x:4:id": v("flag", "dup"), "x:4:name": v("flag", "typo"), "x:4:temp": v("flag", "null"),
			},
		},
		{
			name:     "sort on two keys, nulls first",
			op:       func(*testing.T, memory.Allocator, Frame) Op { return Sort(Asc("temp").WithNullsFirst(), Desc("name")) },
			wantCols: []string{"id", "name", "temp"},
			wantIDs:  []int64{3, 0, 1, 2, 4},
			want: ctxMap{
				"f": src["f"], "c:id": src["c:id"], "c:name": src["c:name"], "c:temp": src["c:temp"],
				"r:1": v("q", "ok"), "r:3": v("q", "bad"), "r:4": v("q", "late"),
				"x:0:id": v("flag", "dup"), "x:0:name": v("flag", "typo"), "x:0:temp": v("flag", "null"),
				"x:1:id": v("flag", "first"), "x:1:name": v("flag", "zero"), "x:1:temp": v("flag", "start"),
				"x:2:id": v("flag", "one"), "x:2:name": v("flag", "second"), "x:2:temp": v("flag", "estimated"),
				"x:3:id": v("flag", "two"), "x:3:name": v("flag", "renamed"), "x:3:temp": v("flag", "rounded"),
				"x:4:id": v("flag", "four"), "x:4:name": v("flag", "end"), "x:4:temp": v("flag", "sensor"),
			},
		},
		{
			name:     "empty slice keeps frame and column context only",
			op:       func(*testing.T, memory.Allocator, Frame) Op { return Slice(5, 5) },
			wantCols: []string{"id", "name", "temp"},
			wantIDs:  []int64{},
			want:     ctxMap{"f": src["f"], "c:id": src["c:id"], "c:name": src["c:name"], "c:temp": src["c:temp"]},
		},
		{
			name: "replace a column's values drops its cells and notes lineage",
			op: func(t *testing.T, mem memory.Allocator, _ Frame) Op {
				return SetColumn("temp", float64Array(t, mem, 10, 11, 12, 13, 14),
					Derivation{From: []string{"temp"}, Transformation: lineage.Direct(lineage.SubtypeTransformation, "recalibrated")})
			},
			wantCols:    []string{"id", "name", "temp"},
			wantIDs:     []int64{0, 1, 2, 3, 4},
			want:        without(src, allCells("temp")...),
			lineageCols: []string{"temp"},
		},
		{
			name: "add a derived column records lineage only",
			op: func(t *testing.T, mem memory.Allocator, _ Frame) Op {
				return SetColumn("temp_f", float64Array(t, mem, 32, 33, 34, 35, 36),
					Derivation{From: []string{"temp"}, Transformation: lineage.Direct(lineage.SubtypeTransformation, "temp*9/5+32")})
			},
			wantCols:    []string{"id", "name", "temp", "temp_f"},
			wantIDs:     []int64{0, 1, 2, 3, 4},
			want:        src,
			lineageCols: []string{"temp_f"},
		},
		{
			name:        "cast a column is a replacement of its values",
			op:          func(*testing.T, memory.Allocator, Frame) Op { return CastColumn("id", arrow.PrimitiveTypes.Int32) },
			wantCols:    []string{"id", "name", "temp"},
			want:        without(src, allCells("id")...),
			lineageCols: []string{"id"},
		},
		{
			name: "replacing schema metadata keeps all context",
			op: func(*testing.T, memory.Allocator, Frame) Op {
				return WithSchemaMetadata(arrow.NewMetadata([]string{"k"}, []string{"v"}))
			},
			wantCols:        []string{"id", "name", "temp"},
			wantIDs:         []int64{0, 1, 2, 3, 4},
			want:            src,
			noWritesInPlace: true,
			check: func(t *testing.T, s *arrow.Schema) {
				wantMetadata(t, s.Metadata(), "k", "v")
				wantMetadata(t, s.Field(1).Metadata, "origin", "registry")
			},
		},
		{
			name: "replacing field metadata keeps all context",
			op: func(*testing.T, memory.Allocator, Frame) Op {
				return WithFieldMetadata("temp", arrow.NewMetadata([]string{"k"}, []string{"v"}))
			},
			wantCols:        []string{"id", "name", "temp"},
			wantIDs:         []int64{0, 1, 2, 3, 4},
			want:            src,
			noWritesInPlace: true,
			check: func(t *testing.T, s *arrow.Schema) {
				wantMetadata(t, s.Metadata(), "source", "test")
				wantMetadata(t, s.Field(1).Metadata, "origin", "registry")
				wantMetadata(t, s.Field(2).Metadata, "k", "v")
			},
		},
		{
			name:       "concat offsets rows, override keeps the first frame's context",
			op:         func(_ *testing.T, _ memory.Allocator, o Frame) Op { return Concat(o) },
			needsOther: true,
			wantCols:   []string{"id", "name", "temp"},
			wantIDs:    []int64{0, 1, 2, 3, 4, 0, 1, 2},
			want: with(src, ctxMap{
				"r:6":      v("q", "other"),
				"x:5:name": v("flag", "other-zero"),
			}),
		},
		{
			name:       "concat with no_conflicts merges frame and column context",
			op:         func(_ *testing.T, _ memory.Allocator, o Frame) Op { return Concat(o) },
			needsOther: true,
			policy:     framectx.NoConflicts,
			wantCols:   []string{"id", "name", "temp"},
			wantIDs:    []int64{0, 1, 2, 3, 4, 0, 1, 2},
			want: with(src, ctxMap{
				"f":        v("title", "weather", "part", int64(2)),
				"c:temp":   v("unit", "C", "sensor", "b"),
				"r:6":      v("q", "other"),
				"x:5:name": v("flag", "other-zero"),
			}),
		},
		{
			name:       "concat with drop keeps rows and cells only",
			op:         func(_ *testing.T, _ memory.Allocator, o Frame) Op { return Concat(o) },
			needsOther: true,
			policy:     framectx.Drop,
			wantCols:   []string{"id", "name", "temp"},
			wantIDs:    []int64{0, 1, 2, 3, 4, 0, 1, 2},
			check: func(t *testing.T, s *arrow.Schema) {
				// Drop drops Arrow metadata too: the policy said so.
				if s.Metadata().Len() != 0 || s.Field(1).Metadata.Len() != 0 {
					t.Fatalf("metadata kept under policy drop: %v", s)
				}
			},
			want: with(without(src, "f", "c:id", "c:name", "c:temp"), ctxMap{
				"r:6":      v("q", "other"),
				"x:5:name": v("flag", "other-zero"),
			}),
		},
	}
}

// float64Array builds a float64 array released when the test ends.
func float64Array(t *testing.T, mem memory.Allocator, vs ...float64) arrow.Array {
	b := array.NewFloat64Builder(mem)
	defer b.Release()
	b.AppendValues(vs, nil)
	a := b.NewArray()
	t.Cleanup(a.Release)
	return a
}

// kinds runs a propagation test on a Record and on a Table of two chunks.
var kinds = []struct {
	name string
	bind func(t *testing.T, mem memory.Allocator, store contextstore.Store, frameID string, n int, m ctxMap) Frame
}{
	{"record", func(t *testing.T, mem memory.Allocator, store contextstore.Store, frameID string, n int, m ctxMap) Frame {
		return bindRecord(t, mem, store, frameID, n, m)
	}},
	{"table", func(t *testing.T, mem memory.Allocator, store contextstore.Store, frameID string, n int, m ctxMap) Frame {
		return bindTable(t, mem, store, frameID, []int{2, n - 2}, m)
	}},
}

// applyOp runs op in place on f.
func applyOp(ctx context.Context, f Frame, op Op) (Report, error) {
	switch x := f.(type) {
	case *Record:
		return x.Apply(ctx, op)
	case *Table:
		return x.Apply(ctx, op)
	}
	panic("unknown frame kind")
}

// deriveOp runs op into frameID; the test releases the result.
func deriveOp(t *testing.T, ctx context.Context, f Frame, frameID string, op Op) (Frame, error) {
	switch x := f.(type) {
	case *Record:
		out, _, err := x.Derive(ctx, frameID, op)
		if err == nil {
			t.Cleanup(out.Release)
		}
		return out, err
	case *Table:
		out, _, err := x.Derive(ctx, frameID, op)
		if err == nil {
			t.Cleanup(out.Release)
		}
		return out, err
	}
	panic("unknown frame kind")
}

func TestPropagationInPlace(t *testing.T) {
	ctx := context.Background()
	for _, kind := range kinds {
		for _, tc := range propagationCases() {
			t.Run(kind.name+"/"+tc.name, func(t *testing.T) {
				mem := checkedAlloc(t)
				store := contextstore.NewMemoryStore()
				src := kind.bind(t, mem, store, "src", 5, srcContext())
				var other Frame
				if tc.needsOther {
					other = kind.bind(t, mem, store, "other", 3, otherContext())
				}
				op := tc.op(t, mem, other)
				if tc.policy != framectx.DefaultPolicy {
					op = op.WithPolicy(tc.policy)
				}
				if _, err := applyOp(ctx, src, op); err != nil {
					t.Fatal(err)
				}
				if got := columnNames(src); !slices.Equal(got, tc.wantCols) {
					t.Fatalf("columns %v, want %v", got, tc.wantCols)
				}
				if tc.wantIDs != nil {
					if got := int64s(t, src, "id"); !slices.Equal(got, tc.wantIDs) {
						t.Fatalf("ids %v, want %v", got, tc.wantIDs)
					}
				}
				sameContext(t, userContext(t, store, "src"), tc.want)
				checkSchemaKept(t, src.core().data.schema(), tc.check)
				all := allContext(t, store, "src")
				for _, c := range tc.lineageCols {
					if _, ok := all["c:"+c][lineage.ContextField]; !ok {
						t.Errorf("column %q has no lineage: %v", c, all["c:"+c])
					}
				}
				if tc.needsOther {
					sameContext(t, userContext(t, store, "other"), otherContext())
				}
			})
		}
	}
}

func TestPropagationNewFrame(t *testing.T) {
	ctx := context.Background()
	for _, kind := range kinds {
		for _, tc := range propagationCases() {
			t.Run(kind.name+"/"+tc.name, func(t *testing.T) {
				mem := checkedAlloc(t)
				store := contextstore.NewMemoryStore()
				src := kind.bind(t, mem, store, "src", 5, srcContext())
				var other Frame
				if tc.needsOther {
					other = kind.bind(t, mem, store, "other", 3, otherContext())
				}
				op := tc.op(t, mem, other)
				if tc.policy != framectx.DefaultPolicy {
					op = op.WithPolicy(tc.policy)
				}
				out, err := deriveOp(t, ctx, src, "out", op)
				require.NoError(t, err)
				if out.FrameID() != "out" {
					t.Fatalf("derived frame ID %q", out.FrameID())
				}
				if got := columnNames(out); !slices.Equal(got, tc.wantCols) {
					t.Fatalf("columns %v, want %v", got, tc.wantCols)
				}
				if tc.wantIDs != nil {
					if got := int64s(t, out, "id"); !slices.Equal(got, tc.wantIDs) {
						t.Fatalf("ids %v, want %v", got, tc.wantIDs)
					}
				}
				sameContext(t, userContext(t, store, "out"), tc.want)
				checkSchemaKept(t, out.core().data.schema(), tc.check)
				// The source keeps its data and context.
				if got := columnNames(src); !slices.Equal(got, []string{"id", "name", "temp"}) {
					t.Fatalf("source columns changed to %v", got)
				}
				if got := int64s(t, src, "id"); !slices.Equal(got, []int64{0, 1, 2, 3, 4}) {
					t.Fatalf("source ids changed to %v", got)
				}
				sameContext(t, allContext(t, store, "src"), srcContext())
				// The new frame records where it came from, and so does
				// every column with a source.
				all := allContext(t, store, "out")
				fl, err := lineage.FrameFromValue(all["f"][lineage.ContextField])
				require.NoError(t, err, "frame lineage: %v (frame context %v)", err, all["f"])
				wantInputs := []string{"src"}
				if tc.needsOther {
					wantInputs = append(wantInputs, "other")
				}
				var gotInputs []string
				for _, d := range fl.Inputs {
					gotInputs = append(gotInputs, d.Name)
				}
				if !slices.Equal(gotInputs, wantInputs) {
					t.Fatalf("frame lineage inputs %v, want %v", gotInputs, wantInputs)
				}
				for _, c := range tc.wantCols {
					if _, err := lineage.ColumnFromValue(all["c:"+c][lineage.ContextField]); err != nil {
						t.Errorf("column %q lineage: %v", c, err)
					}
				}
			})
		}
	}
}

// checkSchemaKept runs check on s, or, without one, checks that the Arrow
// metadata of the test schema survived: the schema's and field "name"'s
// (under whatever position it now has).
func checkSchemaKept(t *testing.T, s *arrow.Schema, check func(*testing.T, *arrow.Schema)) {
	t.Helper()
	if check != nil {
		check(t, s)
		return
	}
	wantMetadata(t, s.Metadata(), "source", "test")
	if i := fieldIndex(s, "name"); i >= 0 {
		wantMetadata(t, s.Field(i).Metadata, "origin", "registry")
	}
}

// wantMetadata fails unless md is exactly {key: value}.
func wantMetadata(t *testing.T, md arrow.Metadata, key, value string) {
	t.Helper()
	if got, ok := md.GetValue(key); !ok || got != value || md.Len() != 1 {
		t.Fatalf("metadata %v, want {%s: %s}", md, key, value)
	}
}
