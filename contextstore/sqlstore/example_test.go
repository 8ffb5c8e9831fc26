package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log"
	"net/url"
	"os"
	"path/filepath"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/contextstore/sqlstore"
	"github.com/ctxframe/ctxframe/keys"
)

// Context written to a SQLite file outlives the process: a later store on
// the same file reads it back.
func ExampleOpenSQLite() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "ctxframe-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "ctx.db")

	s, err := sqlstore.OpenSQLite(ctx, path, nil)
	if err != nil {
		log.Fatal(err)
	}
	price := keys.Column("sales-2024", "price")
	if err := s.Set(ctx, price, contextstore.Value{"unit": "EUR", "scale": 2.0}); err != nil {
		log.Fatal(err)
	}
	if err := s.Close(); err != nil {
		log.Fatal(err)
	}

	again, err := sqlstore.OpenSQLite(ctx, path, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer again.Close()
	v, err := again.Get(ctx, price)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%v %T\n", v["unit"], v["scale"])
	// Output: EUR float64
}

// A batch is one transaction: every mutation takes effect, or none does.
func ExampleStore_Apply() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "ctxframe-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	s, err := sqlstore.OpenSQLite(ctx, filepath.Join(dir, "ctx.db"), &sqlstore.Options{Table: "etl_context"})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	err = s.Apply(ctx, []contextstore.Mutation{
		contextstore.Put(keys.Frame("orders"), contextstore.Value{"owner": "etl"}),
		contextstore.Put(keys.Cell("orders", 3, "total"), contextstore.Value{"flag": "outlier"}),
		contextstore.Remove(keys.Column("orders", "legacy")),
	})
	if err != nil {
		log.Fatal(err)
	}
	entries, err := s.ReadFrame(ctx, "orders")
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range entries {
		fmt.Println(e.Key, e.Value)
	}
	// Output:
	// ctx1:{orders}f map[owner:etl]
	// ctx1:{orders}x:3:total map[flag:outlier]
}

// Importing the package registers its URL schemes with contextstore.Open.
func Example_openURL() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "ctxframe-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	u := "sqlite://" + (&url.URL{Path: filepath.Join(dir, "ctx.db")}).EscapedPath() + "?table=notebook&busy_timeout=2s"

	s, err := contextstore.Open(ctx, u)
	if err != nil {
		log.Fatal(err)
	}
	defer contextstore.Close(s)
	if err := s.Set(ctx, keys.Row("iris", 0), contextstore.Value{"checked": true}); err != nil {
		log.Fatal(err)
	}
	frames, err := contextstore.ListFrames(ctx, s)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(frames)
	// Output: [iris]
}

// New takes a *sql.DB its caller opened and configured; SQLiteDSN gives
// the data source name with the settings several writers need.
func ExampleNew() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "ctxframe-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	dsn, err := sqlstore.SQLiteDSN(filepath.Join(dir, "ctx.db"), nil)
	if err != nil {
		log.Fatal(err)
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close() // the store leaves db to its owner

	s, err := sqlstore.New(ctx, db, sqlstore.SQLite, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	if err := s.Set(ctx, keys.Column("trips", "fare"), contextstore.Value{"currency": "USD"}); err != nil {
		log.Fatal(err)
	}
	_, err = s.Get(ctx, keys.Column("trips", "tip"))
	fmt.Println(errors.Is(err, contextstore.ErrNotFound), s.Table())
	// Output: true ctxframe_context
}
