package gota

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/go-gota/gota/dataframe"
	"github.com/go-gota/gota/series"
	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/adapters/framectx/framectxtest"
	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"
)

// flakyWrites hides every optional capability of the store it wraps, so
// contextstore.Apply falls back to one Set or Delete at a time with undo,
// and fails the nth write (Set or Delete) from when it is armed: a failure
// in the middle of a batch, which must still change nothing. Later writes,
// the undo's, succeed.
type flakyWrites struct {
	contextstore.Store
	mu     sync.Mutex
	writes int
	failAt int // 0: never
}

func (s *flakyWrites) arm(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failAt = s.writes + n
}

func (s *flakyWrites) write() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writes++
	if s.writes == s.failAt {
		return contextstore.NewError("write", "flaky", keys.Key{}, contextstore.ErrUnavailable, framectxtest.ErrInjected)
	}
	return nil
}

func (s *flakyWrites) Set(ctx context.Context, k keys.Key, v contextstore.Value) error {
	if err := s.write(); err != nil {
		return err
	}
	return s.Store.Set(ctx, k, v)
}

func (s *flakyWrites) Delete(ctx context.Context, k keys.Key) error {
	if err := s.write(); err != nil {
		return err
	}
	return s.Store.Delete(ctx, k)
}

func failureOps(fx *fixture) map[string]Op {
	return map[string]Op{
		"rename":  Rename("temp_c", "temperature"),
		"filter":  Filter(dataframe.F{Colname: "temp_c", Comparator: series.Greater, Comparando: 10.0}),
		"arrange": Arrange(dataframe.Sort("temp_c")),
		"mutate":  Mutate(series.New(make([]float64, 12), series.Float, "temp_c")),
		"join":    LeftJoin(fx.stations, "station_id"),
		"rbind":   RBind(fx.others["feb"]),
	}
}

// failingFixture is newFixture with every frame bound through a
// FailingStore over the fixture's memory store.
func failingFixture(t *testing.T, wrap func(*framectxtest.FailingStore) contextstore.Store) (*fixture, *framectxtest.FailingStore) {
	t.Helper()
	fx := newFixture(t)
	fs := framectxtest.NewFailingStore(fx.store)
	store := wrap(fs)
	rebind := func(f *Frame) *Frame {
		g, err := New(context.Background(), store, f.FrameID(), f.DataFrame(), nil)
		require.NoError(t, err)
		return g
	}
	fx.weather, fx.stations = rebind(fx.weather), rebind(fx.stations)
	for id, f := range fx.others {
		fx.others[id] = rebind(f)
	}
	return fx, fs
}

func TestStoreFailureChangesNothing(t *testing.T) {
	ctx := context.Background()
	type injection struct {
		name   string
		wrap   func(*framectxtest.FailingStore) contextstore.Store
		inject func(*framectxtest.FailingStore)
	}
	asIs := func(fs *framectxtest.FailingStore) contextstore.Store { return fs }
	var flaky *flakyWrites
	basic := func(fs *framectxtest.FailingStore) contextstore.Store {
		flaky = &flakyWrites{Store: fs}
		// A store of basic calls has no versioned frames of its own: the
		// local versions add them, and commit through its fallback Apply.
		return contextstore.WithLocalVersions(flaky)
	}
	injections := []injection{
		{"commit fails", asIs, func(fs *framectxtest.FailingStore) { fs.FailApply(1) }},
		{"reading fails", asIs, func(fs *framectxtest.FailingStore) { fs.FailAlways(framectxtest.OpListKeys) }},
		{"second write of the batch fails", basic, func(*framectxtest.FailingStore) { flaky.arm(2) }},
	}
	for _, inj := range injections {
		for _, derive := range []bool{false, true} {
			fx0, _ := failingFixture(t, inj.wrap)
			for name := range failureOps(fx0) {
				t.Run(inj.name+"/"+name+map[bool]string{false: "/in place", true: "/new frame"}[derive], func(t *testing.T) {
					fx, fs := failingFixture(t, inj.wrap)
					op := failureOps(fx)[name]
					before := map[string]ctxMap{"weather": allContext(t, fx.store, "weather")}
					for id, m := range snapshotOthers(t, fx) {
						before[id] = m
					}
					df := fx.weather.DataFrame()
					inj.inject(fs)
					var err error
					if derive {
						var out *Frame
						out, _, err = fx.weather.Derive(ctx, "derived", op)
						if out != nil {
							t.Fatal("Derive returned a frame with its error")
						}
					} else {
						_, err = fx.weather.Apply(ctx, op)
					}
					if !errors.Is(err, contextstore.ErrUnavailable) || !errors.Is(err, framectxtest.ErrInjected) {
						t.Fatalf("error = %v, want the injected ErrUnavailable", err)
					}
					fs.Reset()
					sameFrame(t, fx.weather.DataFrame(), df)
					for id, m := range before {
						sameContext(t, allContext(t, fx.store, id), m)
					}
					sameContext(t, allContext(t, fx.store, "derived"), ctxMap{})
				})
			}
		}
	}
}

func TestGotaFailureChangesNothing(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	cases := map[string]Op{
		"rename unknown column":      Rename("nope", "x"),
		"select unknown column":      Select([]string{"nope"}),
		"subset out of range":        Subset([]int{0, 99}),
		"subset negative":            Subset(-1),
		"filter unknown column":      Filter(dataframe.F{Colname: "nope", Comparator: series.Eq, Comparando: 1}),
		"filter column out of range": Filter(dataframe.F{Colidx: 42, Comparator: series.Eq, Comparando: 1}),
		"arrange no order":           Arrange(),
		"arrange unknown column":     Arrange(dataframe.Sort("nope")),
		"mutate wrong length":        Mutate(series.New([]float64{1}, series.Float, "x")),
		"capply panicking function":  Capply(func(series.Series) series.Series { panic("boom") }),
		"cbind different rows":       CBind(fx.stations),
		"rbind different columns":    RBind(fx.stations),
		"join unknown key":           InnerJoin(fx.stations, "nope"),
		"join no key":                InnerJoin(fx.stations),
	}
	for name, op := range cases {
		t.Run(name, func(t *testing.T) {
			df := fx.weather.DataFrame()
			before := allContext(t, fx.store, "weather")
			_, err := fx.weather.Apply(ctx, op)
			var oe *OpError
			if !errors.Is(err, ErrGota) || !errors.As(err, &oe) || oe.Op != op.String() || oe.Frame != "weather" {
				t.Fatalf("error = %v, want an ErrGota *OpError of %s on weather", err, op)
			}
			sameFrame(t, fx.weather.DataFrame(), df)
			sameContext(t, allContext(t, fx.store, "weather"), before)
		})
	}
}

func TestInvalidArguments(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	cases := map[string]Op{
		"rename onto another column": Rename("temp_c", "date"),
		"unknown aggregation": FilterAggregation(dataframe.Aggregation(9),
			dataframe.F{Colidx: 0, Comparator: series.Eq, Comparando: "OSL"},
			dataframe.F{Colidx: 0, Comparator: series.Eq, Comparando: "BER"}),
		"filter with a bad function": Filter(dataframe.F{Colidx: 0, Comparator: series.CompFunc, Comparando: 3}),
		"mutate from unknown column": Mutate(series.New(make([]float64, 12), series.Float, "x"), "nope"),
		"mutate zero series":         Mutate(series.Series{}),
		"capply nil":                 Capply(nil),
		"join with nil frame":        InnerJoin(nil, "station_id"),
		"zero op":                    {},
	}
	for name, op := range cases {
		t.Run(name, func(t *testing.T) {
			before := allContext(t, fx.store, "weather")
			_, err := fx.weather.Apply(ctx, op)
			require.ErrorIs(t, err, ErrInvalidArgument, "error = %v, want ErrInvalidArgument", err)
			sameContext(t, allContext(t, fx.store, "weather"), before)
		})
	}
}

func TestNewRefusesWhatCannotCarryContext(t *testing.T) {
	ctx := context.Background()
	store := contextstore.NewMemoryStore()
	weather := loadCSV(t, "weather.csv")
	if _, err := New(ctx, store, "w", dataframe.DataFrame{Err: errors.New("bad csv")}, nil); !errors.Is(err, ErrGota) {
		t.Fatalf("frame with Err: error = %v, want ErrGota", err)
	}
	dup := weather.Copy()
	require.NoError(t, dup.SetNames("a", "b", "a", "c", "d"))
	if _, err := New(ctx, store, "w", dup, nil); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("duplicate names: error = %v, want ErrInvalidArgument", err)
	}
	if _, err := New(ctx, store, "", weather, nil); !errors.Is(err, keys.ErrInvalidKey) {
		t.Fatalf("empty frame ID: error = %v, want keys.ErrInvalidKey", err)
	}
	seed(t, store, "stale", ctxMap{"c:humidity": v("unit", "%")})
	if _, err := New(ctx, store, "stale", weather, nil); !errors.Is(err, keys.ErrNotInFrame) {
		t.Fatalf("stale context: error = %v, want keys.ErrNotInFrame", err)
	}
	seed(t, store, "stale-row", ctxMap{"r:12": v("flag", "x")})
	if _, err := New(ctx, store, "stale-row", weather, nil); !errors.Is(err, keys.ErrNotInFrame) {
		t.Fatalf("stale row: error = %v, want keys.ErrNotInFrame", err)
	}
	if _, err := New(ctx, store, "w", weather, &framectx.Options{Policy: framectx.Policy(42)}); err == nil {
		t.Fatal("unknown policy accepted")
	}
}
