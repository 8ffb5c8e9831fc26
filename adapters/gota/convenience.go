package gota

import (
	"context"
	"fmt"
	"io"

	"github.com/go-gota/gota/dataframe"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/contextstore"
)

// ReadCSV reads CSV from r with gota (dataframe.ReadCSV and its load
// options) and binds it to frameID in store, as New does, in one call.
// gota's failure to read is an ErrGota error; context already stored for
// frameID must fit the data, as with New.
func ReadCSV(ctx context.Context, store contextstore.Store, frameID string, r io.Reader, opts *framectx.Options, load ...dataframe.LoadOption) (*Frame, error) {
	df, err := callGota(func() dataframe.DataFrame { return dataframe.ReadCSV(r, load...) })
	if err != nil {
		return nil, gotaError("read_csv", frameID, err)
	}
	return New(ctx, store, frameID, df, opts)
}

// Print writes the frame for people: gota's table of its data, then its
// context, one entry a line (framectx.WriteContext: lineage left out).
func (f *Frame) Print(ctx context.Context, w io.Writer) error {
	entries, err := f.List(ctx)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(w, "%v\ncontext of %q (%d entries):\n", f.df, f.FrameID(), len(entries)); err != nil {
		return err
	}
	return framectx.WriteContext(w, entries)
}
