package gota

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/go-gota/gota/dataframe"
	"github.com/go-gota/gota/series"
	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/adapters/lineage"
	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

func TestContextByReference(t *testing.T) {
	ctx := context.Background()
	store := contextstore.NewMemoryStore()
	f, err := New(ctx, store, "weather", loadCSV(t, "weather.csv"), nil)
	require.NoError(t, err)
	refs := []framectx.Ref{framectx.FrameRef(), framectx.ColumnRef("temp_c"), framectx.RowRef(11), framectx.CellRef(0, "date")}
	for _, ref := range refs {
		if err := f.Set(ctx, ref, v("note", ref.String())); err != nil {
			t.Fatalf("Set %s: %v", ref, err)
		}
		got, err := f.Get(ctx, ref)
		if err != nil || !contextstore.Equal(got, v("note", ref.String())) {
			t.Fatalf("Get %s = %v, %v", ref, got, err)
		}
	}
	require.NoError(t, f.Merge(ctx, framectx.ColumnRef("temp_c"), v("unit", "degC", "note", nil)))
	if got, _ := f.Get(ctx, framectx.ColumnRef("temp_c")); !contextstore.Equal(got, v("unit", "degC")) {
		t.Fatalf("after Merge: %v, want the patch applied and note deleted", got)
	}
	entries, err := f.List(ctx)
	if err != nil || len(entries) != 4 {
		t.Fatalf("List = %v, %v; want 4 entries", entries, err)
	}
	require.NoError(t, f.Delete(ctx, framectx.RowRef(11)))
	if _, err := f.Get(ctx, framectx.RowRef(11)); !errors.Is(err, contextstore.ErrNotFound) {
		t.Fatalf("Get after Delete: %v, want ErrNotFound", err)
	}
	if err := f.Delete(ctx, framectx.RowRef(11)); err != nil {
		t.Fatalf("second Delete: %v", err)
	}

	// References to what the frame does not have are typed key errors,
	// and nothing is written.
	bad := map[string]struct {
		ref  framectx.Ref
		kind error
	}{
		"unknown column":    {framectx.ColumnRef("temp"), keys.ErrNotInFrame},
		"row past the end":  {framectx.RowRef(12), keys.ErrNotInFrame},
		"cell of no column": {framectx.CellRef(0, "nope"), keys.ErrNotInFrame},
		"cell past the end": {framectx.CellRef(12, "date"), keys.ErrNotInFrame},
		"negative row":      {framectx.RowRef(-1), keys.ErrInvalidKey},
		"zero ref":          {framectx.Ref{}, keys.ErrInvalidKey},
		"name not UTF-8":    {framectx.ColumnRef("\xff"), keys.ErrInvalidKey},
	}
	for name, c := range bad {
		var ke *keys.KeyError
		if err := f.Set(ctx, c.ref, v("x", 1)); !errors.Is(err, c.kind) || !errors.As(err, &ke) {
			t.Errorf("%s: Set error = %v, want a *keys.KeyError of %v", name, err, c.kind)
		}
		if _, err := f.Get(ctx, c.ref); !errors.Is(err, c.kind) {
			t.Errorf("%s: Get error = %v, want %v", name, err, c.kind)
		}
		if err := f.Merge(ctx, c.ref, v("x", 1)); !errors.Is(err, c.kind) {
			t.Errorf("%s: Merge error = %v, want %v", name, err, c.kind)
		}
		if err := f.Delete(ctx, c.ref); !errors.Is(err, c.kind) {
			t.Errorf("%s: Delete error = %v, want %v", name, err, c.kind)
		}
	}
	if after, _ := f.List(ctx); len(after) != 3 {
		t.Fatalf("bad references wrote something: %v", after)
	}

	// Dropping the frame's context leaves nothing behind.
	require.NoError(t, f.DropContext(ctx))
	if ks, _ := store.ListKeys(ctx); len(ks) != 0 {
		t.Fatalf("after DropContext the store holds %v", ks)
	}
	if f.DataFrame().Nrow() != 12 || f.FrameID() != "weather" || f.Store() != store || f.Binding().FrameID() != "weather" {
		t.Fatal("accessors do not describe the frame")
	}
}

func TestPropagationWithoutRowContext(t *testing.T) {
	ctx := context.Background()
	for _, c := range propagationCases() {
		if c.want == nil {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			fx := newFixture(t)
			// Keep frame and column context only, in every frame, so the
			// raw gota calls run.
			for _, id := range []string{"weather", "stations", "qc", "feb", "humid", "scenario"} {
				for local := range allContext(t, fx.store, id) {
					if strings.HasPrefix(local, "r:") || strings.HasPrefix(local, "x:") {
						k, _ := keys.ParseLocal(id, local)
						require.NoError(t, fx.store.Delete(ctx, k))
					}
				}
			}
			w, s, o := rawFrames(fx)
			rep, err := fx.weather.Apply(ctx, c.op(fx))
			require.NoError(t, err)
			sameFrame(t, fx.weather.DataFrame(), c.raw(w, s, o))
			want := ctxMap{}
			for k, x := range c.want {
				if !strings.HasPrefix(k, "r:") && !strings.HasPrefix(k, "x:") {
					want[k] = x
				}
			}
			sameContext(t, userContext(t, fx.store, "weather"), want)
			if len(rep.Notes) != 0 {
				t.Fatalf("notes %v without row context", rep.Notes)
			}
		})
	}
}

func TestInPlaceRewritesOnlyTouchedEntries(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	rep, err := fx.weather.Apply(ctx, Rename("temp_c", "temperature"))
	require.NoError(t, err)
	// c:temp_c and x:5:temp_c move: two deletes, two puts.
	if rep.Written != 4 {
		t.Fatalf("rename wrote %d entries, want 4", rep.Written)
	}
	rep, err = fx.weather.Apply(ctx, Filter(dataframe.F{Colname: "station_id", Comparator: series.Neq, Comparando: "ZZZ"}))
	require.NoError(t, err)
	if rep.Written != 0 {
		t.Fatalf("a filter keeping every row wrote %d entries", rep.Written)
	}
}

func TestLineageFacet(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	hot, _, err := fx.weather.Derive(ctx, "hot", Filter(dataframe.F{Colname: "temp_c", Comparator: series.Greater, Comparando: 10.0}))
	require.NoError(t, err)
	tempF := series.New(make([]float64, hot.DataFrame().Nrow()), series.Float, "temp_f")
	if _, err := hot.Apply(ctx, Mutate(tempF, "temp_c").WithDescription("temp_c * 9/5 + 32")); err != nil {
		t.Fatal(err)
	}
	joined, _, err := hot.Derive(ctx, "hot_stations", InnerJoin(fx.stations, "station_id"))
	require.NoError(t, err)
	facet, err := joined.Lineage(ctx, "")
	require.NoError(t, err)
	if facet.SchemaURL != lineage.SchemaURL || facet.Producer != lineage.DefaultProducer {
		t.Fatalf("facet header = %q %q", facet.SchemaURL, facet.Producer)
	}
	field := func(name string) []lineage.InputField {
		t.Helper()
		c, ok := facet.Fields[name]
		if !ok {
			t.Fatalf("facet has no field %q: %v", name, facet.Fields)
		}
		return c.InputFields
	}
	if in := field("elevation_m"); len(in) != 1 || in[0].Name != "stations" || in[0].Field != "elevation_m" ||
		in[0].Transformations[0].Subtype != lineage.SubtypeIdentity {
		t.Fatalf("elevation_m lineage = %+v", in)
	}
	if in := field("station_id"); len(in) != 2 || in[0].Name != "hot" || in[1].Name != "stations" {
		t.Fatalf("join key lineage = %+v, want both frames' keys", in)
	}
	if in := field("temp_f"); len(in) != 1 || in[0].Name != "hot" || in[0].Field != "temp_f" {
		t.Fatalf("temp_f lineage in the joined frame = %+v", in)
	}
	// In the frame it was added to, temp_f derives from temp_c.
	hotFacet, err := hot.Lineage(ctx, "")
	require.NoError(t, err)
	in := hotFacet.Fields["temp_f"].InputFields
	if len(in) != 1 || in[0].Field != "temp_c" || in[0].Transformations[0].Subtype != lineage.SubtypeTransformation ||
		in[0].Transformations[0].Description != "temp_c * 9/5 + 32" {
		t.Fatalf("temp_f lineage = %+v", in)
	}
	// The filter is dataset-level, indirect lineage of the filtered frame.
	if len(hotFacet.Dataset) != 1 || hotFacet.Dataset[0].Field != "temp_c" ||
		hotFacet.Dataset[0].Transformations[0].Subtype != lineage.SubtypeFilter {
		t.Fatalf("hot dataset lineage = %+v", hotFacet.Dataset)
	}
	b, err := facet.JSON()
	if err != nil || !strings.Contains(string(b), `"_schemaURL": "`+lineage.SchemaURL+`"`) {
		t.Fatalf("facet JSON = %s, %v", b, err)
	}
}

func TestReadCSVBindsOrFailsWithGotaError(t *testing.T) {
	ctx := context.Background()
	store := contextstore.NewMemoryStore()
	f, err := ReadCSV(ctx, store, "w", strings.NewReader("a,b\n1,x\n2,y\n"), nil)
	require.NoError(t, err)
	if f.DataFrame().Nrow() != 2 || f.FrameID() != "w" {
		t.Fatalf("read %v as %q", f.DataFrame(), f.FrameID())
	}
	if _, err := ReadCSV(ctx, store, "bad", strings.NewReader("a,b\n1\n"), nil); !errors.Is(err, ErrGota) {
		t.Fatalf("a ragged CSV: %v, want ErrGota", err)
	}
	require.NoError(t, store.Set(ctx, keys.Column("stale", "gone"), contextstore.Value{"u": 1}))
	if _, err := ReadCSV(ctx, store, "stale", strings.NewReader("a\n1\n"), nil); !errors.Is(err, keys.ErrNotInFrame) {
		t.Fatalf("context for a column the CSV lacks: %v, want keys.ErrNotInFrame", err)
	}
}
