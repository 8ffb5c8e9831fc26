package arrow

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/ctxframe/ctxframe/contextstore"
)

// Every IPC and Parquet function fails with the adapter's one error type,
// naming its operation, whatever went wrong.
func TestExchangeErrorsAreOpErrors(t *testing.T) {
	ctx := context.Background()
	mem := checkedAlloc(t)
	store := contextstore.NewMemoryStore()
	rec := testRecord(mem, 3, 0)
	defer rec.Release()
	garbage := []byte("not arrow, not parquet, just bytes")
	var sink bytes.Buffer
	for name, c := range map[string]struct {
		call     func() error
		op       string
		invalid  bool
		kindMust error
	}{
		"stream nil reader": {func() error { _, err := ReadStream(ctx, nil, store, nil); return err }, "read ipc stream", true, nil},
		"stream garbage": {func() error {
			_, err := ReadStream(ctx, bytes.NewReader(garbage), store, nil)
			return err
		}, "read ipc stream", false, ErrCorruptIPC},
		"file garbage": {func() error {
			_, err := ReadFile(ctx, bytes.NewReader(garbage), store, nil)
			return err
		}, "read ipc file", false, ErrCorruptIPC},
		"parquet nil reader": {func() error { _, err := ReadParquet(ctx, nil, store, nil); return err }, "read parquet", true, nil},
		"parquet garbage": {func() error {
			_, err := ReadParquet(ctx, bytes.NewReader(garbage), store, nil)
			return err
		}, "read parquet", false, ErrCorruptParquet},
		"file writer nil store": {func() error {
			return WriteFile(ctx, &sink, nil, "f", rec.Schema(), []arrow.Record{rec}, nil)
		}, "new file writer", true, nil},
		"parquet nil record": {func() error {
			return WriteParquet(ctx, &sink, store, "f", rec.Schema(), []arrow.Record{nil}, nil)
		}, "write parquet", true, nil},
	} {
		t.Run(name, func(t *testing.T) {
			err := c.call()
			var oe *OpError
			if !errors.As(err, &oe) || oe.Op != c.op {
				t.Fatalf("error %v (%T), want an *OpError of op %q", err, err, c.op)
			}
			if c.invalid && !errors.Is(err, ErrInvalidArgument) {
				t.Errorf("error %v, want ErrInvalidArgument", err)
			}
			if c.kindMust != nil && !errors.Is(err, c.kindMust) {
				t.Errorf("error %v, want %v", err, c.kindMust)
			}
		})
	}
	if ks, _ := store.ListKeys(ctx); len(ks) != 0 {
		t.Fatalf("failed calls wrote %v", ks)
	}
}
