package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/contextstore/internal/decoratortest"
	"github.com/ctxframe/ctxframe/contextstore/storetest"
	"github.com/ctxframe/ctxframe/keys"
)

// The benchmarks compare the store with the raw driver doing the same work
// in the same run: go test -bench . -benchmem, then divide. See
// docs/PERFORMANCE.md.

const benchBatch = 10_000

// benchEntries is one frame's worth of cell context, as an adapter writes it.
func benchEntries() []contextstore.Mutation {
	ms := make([]contextstore.Mutation, benchBatch)
	for i := range ms {
		ms[i] = contextstore.Put(keys.Cell("bench", i, "price"),
			contextstore.Value{"unit": "EUR", "quality": 0.98, "source": "feed-7", "row": i})
	}
	return ms
}

// rawRows is what the raw baselines write: the same keys and JSON, encoded
// before the clock starts (the store validates and encodes inside it).
func rawRows(b *testing.B, ms []contextstore.Mutation) (frames, locals, values [][]byte) {
	for _, m := range ms {
		js, err := contextstore.MarshalValue(m.Value)
		require.NoError(b, err)
		f, l := keyBytes(m.Key)
		frames, locals, values = append(frames, f), append(locals, l), append(values, js)
	}
	return frames, locals, values
}

func reportEntries(b *testing.B, n int) {
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "entries/s")
}

func BenchmarkSQLiteBatch10k(b *testing.B) {
	s, err := OpenSQLite(bg, filepath.Join(b.TempDir(), "bench.db"), nil)
	require.NoError(b, err)
	defer s.Close()
	ms := benchEntries()
	frames, locals, values := rawRows(b, ms)
	raw := func() error {
		tx, err := s.DB().BeginTx(bg, nil)
		if err != nil {
			return err
		}
		defer func() { _ = tx.Rollback() }()
		stmt, err := tx.PrepareContext(bg, s.stmts.set)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i := range frames {
			if _, err := stmt.ExecContext(bg, frames[i], locals[i], string(values[i])); err != nil {
				return err
			}
		}
		return tx.Commit()
	}
	compare(b, "vs-prepared-insert-loop", raw, func() error { return s.Apply(bg, ms) })
}

// compare runs, under name, the raw baseline and the store as
// sub-benchmarks "raw" and "store", then both in turn as "interleaved" (see
// interleave).
func compare(b *testing.B, name string, raw, store func() error) {
	run := func(f func() error) func(b *testing.B) {
		return func(b *testing.B) {
			for b.Loop() {
				require.NoError(b, f())
			}
			reportEntries(b, benchBatch)
		}
	}
	b.Run(name+"/raw", run(raw))
	b.Run(name+"/store", run(store))
	b.Run(name+"/interleaved", func(b *testing.B) { interleave(b, raw, store) })
}

func BenchmarkPostgresBatch10k(b *testing.B) {
	dsn := storetest.ServerEnv(b, storetest.EnvPostgresURL)
	s := benchPostgresStore(b, dsn)
	conn, err := pgx.Connect(bg, dsn)
	require.NoError(b, err)
	defer conn.Close(context.Background())
	ms := benchEntries()
	frames, locals, values := rawRows(b, ms)
	// Two raw baselines: the JSON as jsonb[] (pgx encodes it), and as text[]
	// cast on the server, the statement the store itself sends.
	upsertJSONB := `INSERT INTO "` + s.Table() + `" (frame_id, entry_key, entry_value)
		SELECT * FROM unnest($1::bytea[], $2::bytea[], $3::jsonb[])
		ON CONFLICT (frame_id, entry_key) DO UPDATE SET entry_value = EXCLUDED.entry_value`
	upsertText := `INSERT INTO "` + s.Table() + `" (frame_id, entry_key, entry_value)
		SELECT f, k, v::jsonb FROM unnest($1::bytea[], $2::bytea[], $3::text[]) AS u(f, k, v)
		ON CONFLICT (frame_id, entry_key) DO UPDATE SET entry_value = EXCLUDED.entry_value`
	texts := make([]string, len(values))
	for i, v := range values {
		texts[i] = string(v)
	}
	store := func() error { return s.Apply(bg, ms) }
	compare(b, "vs-unnest-jsonb", func() error {
		_, err := conn.Exec(bg, upsertJSONB, frames, locals, values)
		return err
	}, store)
	compare(b, "vs-unnest-text", func() error {
		_, err := conn.Exec(bg, upsertText, frames, locals, texts)
		return err
	}, store)
}

func benchPostgresStore(b *testing.B, dsn string) *Store {
	table := randomTable()
	s, err := OpenPostgres(bg, dsn, &Options{Table: table})
	require.NoError(b, err)
	b.Cleanup(func() {
		_, _ = s.DB().ExecContext(bg, `DROP TABLE IF EXISTS "`+table+`"`)
		_, _ = s.DB().ExecContext(bg, `DELETE FROM `+metaTable+` WHERE table_name = $1`, table)
		_ = s.Close()
	})
	return s
}

// benchSingle measures one Get and one Set against the raw driver running
// the same statements through the same *sql.DB (SQLite) or one pgx
// connection (PostgreSQL).
func benchSingle(b *testing.B, s *Store, rawGet func(frame, local []byte) error, rawSet func(frame, local []byte, value string) error) {
	k := keys.Column("bench", "price")
	v := contextstore.Value{"unit": "EUR", "quality": 0.98, "source": "feed-7"}
	require.NoError(b, s.Set(bg, k, v))
	frame, local := keyBytes(k)
	js, err := contextstore.MarshalValue(v)
	require.NoError(b, err)
	b.Run("get", func(b *testing.B) {
		interleave(b, func() error { return rawGet(frame, local) }, func() error {
			_, err := s.Get(bg, k)
			return err
		})
	})
	b.Run("set", func(b *testing.B) {
		interleave(b, func() error { return rawSet(frame, local, string(js)) }, func() error {
			return s.Set(bg, k, v)
		})
	})
}

// interleave runs the raw call and the store's in turn, so that load which
// comes and goes weighs on both alike, and reports each one's time per call
// and the store's throughput as a fraction of the raw one's. ns/op is the
// time of the pair.
func interleave(b *testing.B, raw, store func() error) {
	var rawTime, storeTime time.Duration
	for b.Loop() {
		start := time.Now()
		require.NoError(b, raw())
		mid := time.Now()
		require.NoError(b, store())
		rawTime, storeTime = rawTime+mid.Sub(start), storeTime+time.Since(mid)
	}
	b.ReportMetric(float64(rawTime.Microseconds())/float64(b.N), "raw-µs/op")
	b.ReportMetric(float64(storeTime.Microseconds())/float64(b.N), "store-µs/op")
	b.ReportMetric(float64(rawTime)/float64(storeTime), "store/raw-throughput")
}

func BenchmarkSQLiteSingle(b *testing.B) {
	s, err := OpenSQLite(bg, filepath.Join(b.TempDir(), "bench.db"), nil)
	require.NoError(b, err)
	defer s.Close()
	get, err := s.DB().PrepareContext(bg, s.stmts.get)
	require.NoError(b, err)
	defer get.Close()
	set, err := s.DB().PrepareContext(bg, s.stmts.set)
	require.NoError(b, err)
	defer set.Close()
	benchSingle(b, s,
		func(frame, local []byte) error {
			var raw sql.RawBytes
			rows, err := get.QueryContext(bg, frame, local)
			if err != nil {
				return err
			}
			defer rows.Close()
			if !rows.Next() {
				return fmt.Errorf("no row: %v", rows.Err())
			}
			return rows.Scan(&raw)
		},
		func(frame, local []byte, value string) error {
			_, err := set.ExecContext(bg, frame, local, value)
			return err
		})
}

func BenchmarkPostgresSingle(b *testing.B) {
	dsn := storetest.ServerEnv(b, storetest.EnvPostgresURL)
	s := benchPostgresStore(b, dsn)
	conn, err := pgx.Connect(bg, dsn)
	require.NoError(b, err)
	defer conn.Close(context.Background())
	benchSingle(b, s,
		func(frame, local []byte) error {
			var raw []byte
			return conn.QueryRow(bg, s.stmts.get, frame, local).Scan(&raw)
		},
		func(frame, local []byte, value string) error {
			_, err := conn.Exec(bg, s.stmts.set, frame, local, value)
			return err
		})
}

// BenchmarkDecorators: docs/PERFORMANCE.md, "Observable and cached stores".
func BenchmarkDecorators(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) {
		decoratortest.Bench(b, func(b *testing.B) contextstore.Store {
			s, err := OpenSQLite(bg, filepath.Join(b.TempDir(), "bench.db"), nil)
			require.NoError(b, err)
			b.Cleanup(func() { _ = s.Close() })
			return s
		})
	})
	b.Run("postgres", func(b *testing.B) {
		decoratortest.Bench(b, func(b *testing.B) contextstore.Store {
			dsn := storetest.ServerEnv(b, storetest.EnvPostgresURL)
			table := randomTable()
			dropPostgresTableAtCleanup(b, dsn, table)
			s, err := OpenPostgres(bg, dsn, &Options{Table: table})
			require.NoError(b, err)
			b.Cleanup(func() { _ = s.Close() })
			return s
		})
	})
}
