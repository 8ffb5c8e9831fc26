package gota

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"maps"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-gota/gota/dataframe"
	"github.com/go-gota/gota/series"
	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/keys"

	"github.com/ctxframe/ctxframe/contextstore/redisstore"
	"github.com/ctxframe/ctxframe/contextstore/sqlstore"
	"github.com/ctxframe/ctxframe/contextstore/storetest"
)

// The benchmarks compare each operation through the adapter with the same
// raw gota call, in the same run: sub-benchmarks "raw" and "adapter" run
// alternately (with -count, raw, adapter, raw, adapter...), so a ratio is
// taken between neighbours. See docs/PERFORMANCE.md for the commands and
// figures. Operations run in place on a fresh Frame each iteration; the
// setup (a fresh store holding the context) is not timed.

// benchFrame makes a frame of n rows: station (string), temp, wind
// (float), n (int) and extra bool flag columns flag_00, flag_01...
func benchFrame(n, flags int) dataframe.DataFrame {
	rng := rand.New(rand.NewPCG(uint64(n), uint64(flags)))
	stations := []string{"OSL", "BER", "MAD", "LIS", "ZRH"}
	st := make([]string, n)
	temp := make([]float64, n)
	wind := make([]float64, n)
	ints := make([]int, n)
	for i := range st {
		st[i] = stations[rng.IntN(len(stations))]
		temp[i] = float64(rng.IntN(600)-200) / 10
		wind[i] = float64(rng.IntN(400)) / 10
		ints[i] = rng.IntN(1000)
	}
	cols := []series.Series{
		series.New(st, series.String, "station"),
		series.New(temp, series.Float, "temp"),
		series.New(wind, series.Float, "wind"),
		series.New(ints, series.Int, "n"),
	}
	for f := 0; f < flags; f++ {
		bs := make([]bool, n)
		for i := range bs {
			bs[i] = rng.IntN(10) == 0
		}
		cols = append(cols, series.New(bs, series.Bool, fmt.Sprintf("flag_%02d", f)))
	}
	return dataframe.New(cols...)
}

// benchContext is frame context, one entry per column, and rowEntries row
// and cellEntries cell entries at random positions.
func benchContext(df dataframe.DataFrame, rowEntries, cellEntries int) []contextstore.Entry {
	const id = "bench"
	rng := rand.New(rand.NewPCG(uint64(rowEntries), uint64(cellEntries)))
	es := []contextstore.Entry{{Key: keys.Frame(id), Value: v("title", "benchmark", "source", "synthetic")}}
	for _, name := range df.Names() {
		es = append(es, contextstore.Entry{Key: keys.Column(id, name), Value: v("unit", "u", "description", "column "+name)})
	}
	rows := rng.Perm(df.Nrow())
	for i := 0; i < rowEntries; i++ {
		// Each row's flag its own (a score), so that a store cannot skip
		// the move of a value equal to the one already at its new row.
		es = append(es, contextstore.Entry{Key: keys.Row(id, rows[i]), Value: v("flag", "checked", "by", "qa", "score", int64(i))})
	}
	names := df.Names()[:4]
	for i := 0; i < cellEntries; i++ {
		r := rows[rowEntries+i%(df.Nrow()-rowEntries)]
		es = append(es, contextstore.Entry{Key: keys.Cell(id, r, names[i%len(names)]), Value: v("quality", "estimated")})
	}
	return es
}

type benchOp struct {
	name string
	raw  func(df dataframe.DataFrame) dataframe.DataFrame
	op   func(f *Frame) Op // the operation on f, a fresh frame over df in its own store
}

func benchOps() []benchOp {
	filter := dataframe.F{Colname: "temp", Comparator: series.Greater, Comparando: 10.0}
	half := func(df dataframe.DataFrame) []int {
		idx := make([]int, df.Nrow()/2)
		for i := range idx {
			idx[i] = df.Nrow() - 1 - 2*i
		}
		return idx
	}
	return []benchOp{
		{"Rename", func(df dataframe.DataFrame) dataframe.DataFrame { return df.Rename("temperature", "temp") },
			func(*Frame) Op { return Rename("temp", "temperature") }},
		{"Select", func(df dataframe.DataFrame) dataframe.DataFrame {
			return df.Select([]string{"station", "temp", "wind"})
		},
			func(*Frame) Op { return Select([]string{"station", "temp", "wind"}) }},
		{"Drop", func(df dataframe.DataFrame) dataframe.DataFrame { return df.Drop("wind") },
			func(*Frame) Op { return Drop("wind") }},
		{"Subset", func(df dataframe.DataFrame) dataframe.DataFrame { return df.Subset(half(df)) },
			func(f *Frame) Op { return Subset(half(f.DataFrame())) }},
		{"Filter", func(df dataframe.DataFrame) dataframe.DataFrame { return df.Filter(filter) },
			func(*Frame) Op { return Filter(filter) }},
		{"Arrange", func(df dataframe.DataFrame) dataframe.DataFrame { return df.Arrange(dataframe.Sort("temp")) },
			func(*Frame) Op { return Arrange(dataframe.Sort("temp")) }},
	}
}

// runBench runs op raw and through the adapter on df with context es:
// "raw" and "adapter" report each one's time and allocations; "paired"
// runs both in every iteration (each on a collected heap, in alternating
// order) and
// reports the median of the per-iteration ratios adapter/raw, which a
// loaded machine disturbs far less than two separate means.
func runBench(b *testing.B, df dataframe.DataFrame, es []contextstore.Entry, op benchOp) {
	runBenchOn(b, df, es, op, func(testing.TB) contextstore.Store { return contextstore.NewMemoryStore() })
}

// runBenchOn is runBench on the stores newStore opens: a fresh one, loaded
// with es, for every run of the adapter.
func runBenchOn(b *testing.B, df dataframe.DataFrame, es []contextstore.Entry, op benchOp, newStore func(testing.TB) contextstore.Store) {
	ctx := context.Background()
	fresh := func(b *testing.B) *Frame {
		store := newStore(b)
		require.NoError(b, contextstore.SetMany(ctx, store, es))
		bd, err := framectx.Bind(store, "bench", nil)
		require.NoError(b, err)
		return newFrame(df, bd)
	}
	raw := func(b *testing.B) {
		if out := op.raw(df); out.Err != nil {
			b.Fatal(out.Err)
		}
	}
	adapter := func(b *testing.B, f *Frame) int {
		rep, err := f.Apply(ctx, op.op(f))
		require.NoError(b, err)
		return rep.Written
	}
	b.Run("raw", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			// Each iteration, raw or adapter, starts on a collected heap,
			// so neither pays for the other's garbage.
			runtime.GC()
			b.StartTimer()
			raw(b)
		}
	})
	b.Run("adapter", func(b *testing.B) {
		b.ReportAllocs()
		written := 0
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			f := fresh(b)
			runtime.GC()
			b.StartTimer()
			written += adapter(b, f)
		}
		b.ReportMetric(float64(written)/float64(b.N), "entries-written/op")
	})
	b.Run("paired", func(b *testing.B) {
		var ratios []float64
		var rawTotal, extraTotal time.Duration
		written := 0
		for i := 0; i < b.N; i++ {
			// Alternate which goes first: the second of a pair finds the
			// heap pages the first one's garbage freed.
			var rawD, adD time.Duration
			timeRaw := func() {
				b.StopTimer()
				runtime.GC()
				t0 := time.Now()
				raw(b)
				rawD = time.Since(t0)
			}
			timeAdapter := func() {
				b.StopTimer()
				f := fresh(b)
				runtime.GC()
				b.StartTimer()
				t1 := time.Now()
				written += adapter(b, f)
				adD = time.Since(t1)
				b.StopTimer()
			}
			if i%2 == 0 {
				timeRaw()
				timeAdapter()
			} else {
				timeAdapter()
				timeRaw()
			}
			ratios = append(ratios, float64(adD)/float64(rawD))
			rawTotal += rawD
			extraTotal += adD - rawD
		}
		slices.Sort(ratios)
		b.ReportMetric(ratios[len(ratios)/2], "median-ratio")
		b.ReportMetric(float64(rawTotal.Nanoseconds())/float64(b.N), "raw-ns/op")
		b.ReportMetric(float64(extraTotal.Nanoseconds())/float64(b.N), "extra-ns/op")
		if written > 0 {
			b.ReportMetric(float64(extraTotal.Nanoseconds())/float64(written), "extra-ns/entry")
		}
	})
}

var (
	wideOnce sync.Once
	wide     dataframe.DataFrame
)

// BenchmarkNoRowContext: 1M rows, 100 columns, frame context and 100
// column entries, no row or cell context. Target: adapter <= 1.1x raw.
func BenchmarkNoRowContext(b *testing.B) {
	wideOnce.Do(func() { wide = benchFrame(1_000_000, 96) })
	es := benchContext(wide, 0, 0)
	for _, op := range benchOps() {
		b.Run(op.name, func(b *testing.B) { runBench(b, wide, es, op) })
	}
}

var (
	narrowMu sync.Mutex
	narrow   = map[int]dataframe.DataFrame{}
)

// BenchmarkRowContext: 100k and 1M rows, 5 columns, with 10k row and 10k
// cell entries. The adapter's extra cost over raw should be about the same
// at both sizes: it follows the entries touched, not the rows.
func BenchmarkRowContext(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		narrowMu.Lock()
		df, ok := narrow[n]
		if !ok {
			df = benchFrame(n, 1)
			narrow[n] = df
		}
		narrowMu.Unlock()
		es := benchContext(df, 10_000, 10_000)
		for _, op := range benchOps() {
			b.Run(op.name+"/rows="+strconv.Itoa(n), func(b *testing.B) { runBench(b, df, es, op) })
		}
	}
}

// BenchmarkContextOverhead: the same operations and context (frame and
// 100 column entries) on a 10-row, 100-column frame, where gota's own work
// is negligible: "paired" extra-ns/op is the adapter's fixed cost, which
// bounds its ratio on any frame (1 + fixed cost / raw time).
func BenchmarkContextOverhead(b *testing.B) {
	df := benchFrame(10, 96)
	es := benchContext(df, 0, 0)
	for _, op := range benchOps() {
		b.Run(op.name, func(b *testing.B) { runBench(b, df, es, op) })
	}
}

// BenchmarkJoinRowContext: a 200k-row frame left-joined with a 5-row
// station table on "station", with and without 10k row and 10k cell
// entries: what learning the join's row mapping (tagging both inputs' rows)
// costs on top of gota's join.
func BenchmarkJoinRowContext(b *testing.B) {
	df := benchFrame(200_000, 1)
	stations := dataframe.LoadRecords([][]string{
		{"station", "name", "elevation"},
		{"OSL", "Oslo Blindern", "94"}, {"BER", "Berlin-Tempelhof", "48"}, {"MAD", "Madrid Retiro", "667"},
		{"LIS", "Lisboa Geofisico", "77"}, {"ZRH", "Zurich Fluntern", "556"},
	})
	ctx := context.Background()
	for _, rowEntries := range []int{0, 10_000} {
		es := benchContext(df, rowEntries, rowEntries)
		op := benchOp{
			name: "LeftJoin",
			raw:  func(df dataframe.DataFrame) dataframe.DataFrame { return df.LeftJoin(stations, "station") },
			op: func(f *Frame) Op {
				// The joined frame lives in the same store: an operation
				// commits all its inputs through one store.
				bd, err := framectx.Bind(f.Store(), "stations", nil)
				require.NoError(b, err)
				other := newFrame(stations, bd)
				require.NoError(b, other.Set(ctx, framectx.ColumnRef("elevation"), v("unit", "m")))
				return LeftJoin(other, "station")
			},
		}
		b.Run("entries="+strconv.Itoa(2*rowEntries), func(b *testing.B) { runBench(b, df, es, op) })
	}
}

// groupByOp is group by station + MEAN and COUNT of temp, raw and through
// the adapter.
var groupByOp = benchOp{"GroupBy",
	func(df dataframe.DataFrame) dataframe.DataFrame {
		return df.GroupBy("station").Aggregation(
			[]dataframe.AggregationType{dataframe.Aggregation_MEAN, dataframe.Aggregation_COUNT}, []string{"temp", "temp"})
	},
	func(*Frame) Op {
		return GroupBy("station").Aggregation(
			[]dataframe.AggregationType{dataframe.Aggregation_MEAN, dataframe.Aggregation_COUNT}, []string{"temp", "temp"})
	}}

// BenchmarkGroupBy: group by + aggregate of 1M rows, 100 columns, with
// frame context and 100 column entries (no row context). Target: adapter
// <= 1.05x raw gota.
func BenchmarkGroupBy(b *testing.B) {
	wideOnce.Do(func() { wide = benchFrame(1_000_000, 96) })
	runBench(b, wide, benchContext(wide, 0, 0), groupByOp)
}

// BenchmarkGroupByNarrow: the same group by on 1M rows of 5 columns, where
// each run takes seconds instead of a minute, for tighter pairs.
func BenchmarkGroupByNarrow(b *testing.B) {
	df := benchFrame(1_000_000, 1)
	runBench(b, df, benchContext(df, 0, 0), groupByOp)
}

// BenchmarkRowContextAtScale is issue #14's case: 1M rows × 10 columns
// carrying one row entry per row (a QC job's flags), on the memory store
// SQLite (a file in a temporary directory), Redis and PostgreSQL (a prefix
// or table of their own, when CTXFRAME_REDIS_URL or CTXFRAME_POSTGRES_URL
// names a server), loaded afresh for every run. The raw baseline is gota's own call; the floors of the re-keying
// operations are in BenchmarkRekeyFloor. Run with -benchtime 1x or 3x;
// docs/PERFORMANCE.md has the figures.
func BenchmarkRowContextAtScale(b *testing.B) {
	df := benchFrame(1_000_000, 6)
	es := benchContext(df, 1_000_000, 0)
	for _, st := range scaleStores {
		for _, op := range benchOps() {
			if op.name == "Subset" {
				continue
			}
			b.Run(st.name+"/"+op.name, func(b *testing.B) { runBenchOn(b, df, es, op, st.open) })
		}
	}
}

// scaleStores are the stores BenchmarkRowContextAtScale runs on.
var scaleStores = []struct {
	name string
	open func(testing.TB) contextstore.Store
}{
	{"memory", func(testing.TB) contextstore.Store { return contextstore.NewMemoryStore() }},
	{"sqlite", func(tb testing.TB) contextstore.Store {
		s, err := contextstore.Open(context.Background(), "sqlite://"+filepath.ToSlash(filepath.Join(tb.TempDir(), "ctx.db"))+"?op_timeout=10m")
		require.NoError(tb, err)
		tb.Cleanup(func() { _ = contextstore.Close(s) })
		return s
	}},
	{"redis", func(tb testing.TB) contextstore.Store {
		// A prefix of its own, its frame dropped afterwards; skipped
		// without a server.
		url := storetest.ServerEnv(tb, storetest.EnvRedisURL)
		prefix := fmt.Sprintf("ctxbench%d:", time.Now().UnixNano())
		s, err := redisstore.Open(context.Background(), url+"?prefix="+prefix+"&timeout=10m")
		require.NoError(tb, err)
		tb.Cleanup(func() {
			_ = contextstore.DropFrame(context.Background(), s, "bench")
			_ = s.Client().Del(context.Background(), prefix+keys.Version+"layout").Err()
			_ = s.Close()
		})
		return s
	}},
	{"postgres", func(tb testing.TB) contextstore.Store {
		// A table of its own, dropped afterwards; skipped without a server.
		s, err := sqlstore.OpenPostgres(context.Background(), storetest.ServerEnv(tb, storetest.EnvPostgresURL),
			&sqlstore.Options{Table: fmt.Sprintf("ctxbench_%d", time.Now().UnixNano()), OpTimeout: 10 * time.Minute})
		require.NoError(tb, err)
		tb.Cleanup(func() { _ = s.DropTable(context.Background()) })
		return s
	}},
}

// BenchmarkRekeyFloor is the floor of issue #14's re-keying on the memory
// store, on the data of BenchmarkRowContextAtScale: moving 1M row values,
// held in a Go map by row, to their rows after Filter (temp > 10) and
// after Arrange by temp, into a new map sized once. The mappings are
// computed before the timer starts.
func BenchmarkRekeyFloor(b *testing.B) {
	df := benchFrame(1_000_000, 6)
	es := benchContext(df, 1_000_000, 0)
	rows := make(map[int]contextstore.Value, len(es))
	for _, e := range es {
		if e.Key.Kind() == keys.KindRow {
			rows[e.Key.RowIndex()] = e.Value
		}
	}
	temp, kept, order := scaleMappings(df)
	// Were rows keyed by a stable identity (a declared primary key), a sort
	// would move nothing and a filter would only delete the rows it drops:
	// that floor, for the decision against it in docs/PERFORMANCE.md.
	b.Run("IdentityFilter", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			own := maps.Clone(rows)
			b.StartTimer()
			for i, t := range temp {
				if t <= 10 {
					delete(own, i)
				}
			}
			if len(own) != len(kept) {
				b.Fatal("deleted the wrong rows")
			}
		}
	})
	for name, sources := range map[string][]int{"Filter": kept, "Arrange": order} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				out := make(map[int]contextstore.Value, len(sources))
				for i, src := range sources {
					if v, ok := rows[src]; ok {
						out[i] = v
					}
				}
				if len(out) == 0 {
					b.Fatal("nothing moved")
				}
			}
		})
	}
}

// BenchmarkNewAtScale binds a frame whose store holds 1M row entries (New
// reads and checks them all) against the store's raw read of the same
// entries (ReadVersioned) in the same run, on every store of
// BenchmarkRowContextAtScale.
func BenchmarkNewAtScale(b *testing.B) {
	ctx := context.Background()
	df := benchFrame(1_000_000, 6)
	es := benchContext(df, 1_000_000, 0)
	for _, st := range scaleStores {
		b.Run(st.name, func(b *testing.B) {
			store := st.open(b)
			require.NoError(b, contextstore.SetMany(ctx, store, es))
			b.Run("raw", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					snap, err := contextstore.ReadVersioned(ctx, store, "bench")
					require.NoError(b, err)
					require.Len(b, snap.Entries, len(es))
				}
			})
			b.Run("New", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					_, err := New(ctx, store, "bench", df, nil)
					require.NoError(b, err)
				}
			})
		})
	}
}

// BenchmarkSQLiteRekeyFloor is the floor of the same re-keying on SQLite,
// as issue #14 states it: one transaction of multi-row INSERTs (500 rows a
// statement) writing the 1M row entries in key order, keys and values
// encoded beforehand, into a table of the store's layout in a fresh file.
func BenchmarkSQLiteRekeyFloor(b *testing.B) {
	df := benchFrame(1_000_000, 6)
	es := benchContext(df, 1_000_000, 0)
	type row struct{ key, value []byte }
	var rows []row
	for _, e := range es {
		if e.Key.Kind() == keys.KindRow {
			rows = append(rows, row{[]byte(e.Key.Local()), contextstore.AppendNormalized(nil, e.Value)})
		}
	}
	// In key order, as a writer that re-keys a whole frame can write.
	slices.SortFunc(rows, func(a, b row) int { return bytes.Compare(a.key, b.key) })
	const per = 500
	stmt := "INSERT INTO t (frame_id, entry_key, entry_value) VALUES " + strings.Repeat("(?, ?, ?),", per-1) + "(?, ?, ?)"
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		db, err := sql.Open("sqlite", "file:"+filepath.ToSlash(filepath.Join(b.TempDir(), "floor.db"))+"?_pragma=journal_mode(WAL)")
		require.NoError(b, err)
		_, err = db.Exec("CREATE TABLE t (frame_id BLOB NOT NULL, entry_key BLOB NOT NULL, entry_value TEXT NOT NULL, PRIMARY KEY (frame_id, entry_key)) WITHOUT ROWID")
		require.NoError(b, err)
		b.StartTimer()
		tx, err := db.Begin()
		require.NoError(b, err)
		ins, err := tx.Prepare(stmt)
		require.NoError(b, err)
		args := make([]any, 0, 3*per)
		frame := []byte("bench")
		for i := 0; i+per <= len(rows); i += per {
			args = args[:0]
			for _, r := range rows[i : i+per] {
				args = append(args, frame, r.key, r.value)
			}
			_, err := ins.Exec(args...)
			require.NoError(b, err)
		}
		require.NoError(b, tx.Commit())
		b.StopTimer()
		require.NoError(b, db.Close())
		b.StartTimer()
	}
}

// BenchmarkRedisRekeyFloor is the floor of issue #14's re-keying on Redis,
// as the issue states it: one pipeline of HSETs (5000 pairs each) of the
// moved row entries, pre-encoded, and HDELs of the rows left empty, into a
// hash loaded beforehand with the 1M row entries of
// BenchmarkRowContextAtScale; after Filter (temp > 10) and after Arrange
// by temp. Skipped without CTXFRAME_REDIS_URL.
func BenchmarkRedisRekeyFloor(b *testing.B) {
	ctx := context.Background()
	opts, err := redis.ParseURL(storetest.ServerEnv(b, storetest.EnvRedisURL))
	require.NoError(b, err)
	client := redis.NewClient(opts)
	defer client.Close()
	df := benchFrame(1_000_000, 6)
	es := benchContext(df, 1_000_000, 0)
	values := encodedRows(es, df.Nrow())
	temp, kept, order := scaleMappings(df)
	const per = 5000
	pipeHSet := func(p redis.Pipeliner, name string, pairs []any) {
		for i := 0; i < len(pairs); i += 2 * per {
			p.HSet(ctx, name, pairs[i:min(i+2*per, len(pairs))]...)
		}
	}
	name := fmt.Sprintf("ctxbench-floor-%d", time.Now().UnixNano())
	defer client.Unlink(ctx, name)
	type rekey struct {
		name string
		set  []any    // moved entries: field, value
		del  []string // emptied rows
	}
	var cases []rekey
	for _, c := range []struct {
		name    string
		sources []int
	}{{"Filter", kept}, {"Arrange", order}} {
		r := rekey{name: c.name}
		for i, src := range c.sources {
			if i != src {
				r.set = append(r.set, "r:"+strconv.Itoa(i), values[src])
			}
		}
		for row := len(c.sources); row < len(values); row++ {
			r.del = append(r.del, "r:"+strconv.Itoa(row))
		}
		cases = append(cases, r)
	}
	// The identity-keyed floor (see BenchmarkRekeyFloor): a filter only
	// deletes the dropped rows' entries.
	identity := rekey{name: "IdentityFilter"}
	for row, t := range temp {
		if t <= 10 {
			identity.del = append(identity.del, "r:"+strconv.Itoa(row))
		}
	}
	cases = append(cases, identity)
	for _, c := range cases {
		set, del := c.set, c.del
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				load := make([]any, 0, 2*len(values))
				for row, v := range values {
					load = append(load, "r:"+strconv.Itoa(row), v)
				}
				_, err := client.Pipelined(ctx, func(p redis.Pipeliner) error {
					p.Unlink(ctx, name)
					pipeHSet(p, name, load)
					return nil
				})
				require.NoError(b, err)
				b.StartTimer()
				_, err = client.Pipelined(ctx, func(p redis.Pipeliner) error {
					pipeHSet(p, name, set)
					for i := 0; i < len(del); i += per {
						p.HDel(ctx, name, del[i:min(i+per, len(del))]...)
					}
					return nil
				})
				require.NoError(b, err)
			}
			b.ReportMetric(float64(len(set)/2+len(del)), "entries-written/op")
		})
	}
}

// BenchmarkPostgresRekeyFloor is the floor of issue #14's re-keying on
// PostgreSQL, as the issue states it (unnest): in one transaction, one
// DELETE of the rows left empty and one upsert of the moved entries,
// pre-encoded, each a statement over arrays (unnest), into a table of the
// store's layout loaded beforehand (COPY) with the 1M row entries of
// BenchmarkRowContextAtScale; after Filter (temp > 10) and after Arrange by
// temp. Skipped without CTXFRAME_POSTGRES_URL.
func BenchmarkPostgresRekeyFloor(b *testing.B) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, storetest.ServerEnv(b, storetest.EnvPostgresURL))
	require.NoError(b, err)
	defer conn.Close(ctx)
	df := benchFrame(1_000_000, 6)
	es := benchContext(df, 1_000_000, 0)
	values := encodedRows(es, df.Nrow())
	_, kept, order := scaleMappings(df)
	table := fmt.Sprintf("ctxbench_floor_%d", time.Now().UnixNano())
	_, err = conn.Exec(ctx, `CREATE TABLE `+table+` (frame_id bytea NOT NULL, entry_key bytea NOT NULL, entry_value jsonb NOT NULL, PRIMARY KEY (frame_id, entry_key))`)
	require.NoError(b, err)
	defer conn.Exec(ctx, `DROP TABLE `+table)
	frame := []byte("bench")
	for _, c := range []struct {
		name    string
		sources []int
	}{{"Filter", kept}, {"Arrange", order}} {
		var setKeys, delKeys, setFrames, delFrames [][]byte
		var setValues []string
		for i, src := range c.sources {
			if i != src {
				setFrames = append(setFrames, frame)
				setKeys = append(setKeys, []byte(keys.Row("bench", i).Local()))
				setValues = append(setValues, values[src])
			}
		}
		for row := len(c.sources); row < len(values); row++ {
			delFrames = append(delFrames, frame)
			delKeys = append(delKeys, []byte(keys.Row("bench", row).Local()))
		}
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				_, err := conn.Exec(ctx, `TRUNCATE `+table)
				require.NoError(b, err)
				_, err = conn.CopyFrom(ctx, pgx.Identifier{table}, []string{"frame_id", "entry_key", "entry_value"},
					pgx.CopyFromSlice(len(values), func(i int) ([]any, error) {
						return []any{frame, []byte(keys.Row("bench", i).Local()), values[i]}, nil
					}))
				require.NoError(b, err)
				b.StartTimer()
				tx, err := conn.Begin(ctx)
				require.NoError(b, err)
				if len(delKeys) > 0 {
					_, err = tx.Exec(ctx, `DELETE FROM `+table+` USING unnest($1::bytea[], $2::bytea[]) AS u(f, k) WHERE frame_id = u.f AND entry_key = u.k`, delFrames, delKeys)
					require.NoError(b, err)
				}
				_, err = tx.Exec(ctx, `INSERT INTO `+table+` (frame_id, entry_key, entry_value) SELECT f, k, v::jsonb FROM unnest($1::bytea[], $2::bytea[], $3::text[]) AS u(f, k, v) ON CONFLICT (frame_id, entry_key) DO UPDATE SET entry_value = EXCLUDED.entry_value`,
					setFrames, setKeys, setValues)
				require.NoError(b, err)
				require.NoError(b, tx.Commit(ctx))
			}
			b.ReportMetric(float64(len(setKeys)+len(delKeys)), "entries-written/op")
		})
	}
}

// scaleMappings returns the temp column of the at-scale frame and the row
// mappings of its Filter (temp > 10: the rows kept) and its Arrange by
// temp (the stable order), as the floor benchmarks re-key by them.
func scaleMappings(df dataframe.DataFrame) (temp []float64, kept, order []int) {
	temp = df.Col("temp").Float()
	for i, t := range temp {
		if t > 10 {
			kept = append(kept, i)
		}
	}
	order = identityRows(len(temp))
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(temp[a], temp[b]) })
	return temp, kept, order
}

// encodedRows returns the stored form of the row entries of es by row,
// for a frame of n rows.
func encodedRows(es []contextstore.Entry, n int) []string {
	values := make([]string, n)
	for _, e := range es {
		if e.Key.Kind() == keys.KindRow {
			values[e.Key.RowIndex()] = string(contextstore.AppendNormalized(nil, e.Value))
		}
	}
	return values
}
