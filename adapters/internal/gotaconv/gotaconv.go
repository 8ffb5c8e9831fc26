// Package gotaconv converts the data of gota DataFrames to Arrow arrays
// and back, value for value, and nothing else: no context, no store. It is
// the one place both the public bridge (adapters/gotaarrow) and the Arrow
// adapter's hostile-input tests reach the conversion, so the Arrow adapter
// itself never links gota.
//
// Types: gota String, Int, Float and Bool become Arrow utf8, int64, float64
// and bool. Back to gota, utf8 and large_utf8 become String, every integer
// type Int (a uint64 beyond the int64 range is ErrUnsupportedType), float32
// and float64 Float, bool Bool; any other Arrow type is ErrUnsupportedType.
//
// Missing values: a gota NA becomes an Arrow null and an Arrow null a gota
// NA. gota cannot tell NaN from NA (a float NaN and the string "NaN" are NA
// to gota), so an Arrow float NaN or a string "NaN" becomes NA in gota, and
// a null when converted back.
package gotaconv

import (
	"errors"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/go-gota/gota/dataframe"
	"github.com/go-gota/gota/series"
)

// ErrUnsupportedType reports a type with no counterpart on the other side.
var ErrUnsupportedType = errors.New("gotaconv: unsupported type")

// Record builds the Arrow record of a DataFrame, allocated with mem. The
// caller releases it.
func Record(mem memory.Allocator, df dataframe.DataFrame) (arrow.Record, error) {
	names := df.Names()
	fields := make([]arrow.Field, len(names))
	cols := make([]arrow.Array, len(names))
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	for i, name := range names {
		s := df.Col(name)
		if s.Err != nil {
			return nil, s.Err
		}
		arr, err := arrayFromSeries(mem, s)
		if err != nil {
			return nil, err
		}
		cols[i] = arr
		fields[i] = arrow.Field{Name: name, Type: arr.DataType(), Nullable: true}
	}
	return array.NewRecord(arrow.NewSchema(fields, nil), cols, int64(df.Nrow())), nil
}

// DataFrame builds the gota DataFrame of the columns of schema s, column
// i held in chunks(i). Nothing is retained: gota gets copies of the values.
func DataFrame(s *arrow.Schema, chunks func(i int) []arrow.Array) (dataframe.DataFrame, error) {
	if s.NumFields() == 0 {
		return dataframe.DataFrame{}, fmt.Errorf("%w: gota cannot hold a frame without columns", ErrUnsupportedType)
	}
	cols := make([]series.Series, s.NumFields())
	for i := range cols {
		var err error
		cols[i], err = seriesFromChunks(s.Field(i).Name, s.Field(i).Type, chunks(i))
		if err != nil {
			return dataframe.DataFrame{}, err
		}
	}
	df := dataframe.New(cols...)
	if df.Err != nil {
		return dataframe.DataFrame{}, df.Err
	}
	return df, nil
}

// RecordDataFrame builds the gota DataFrame of an Arrow record.
func RecordDataFrame(rec arrow.Record) (dataframe.DataFrame, error) {
	return DataFrame(rec.Schema(), func(i int) []arrow.Array { return []arrow.Array{rec.Column(i)} })
}

// TableDataFrame builds the gota DataFrame of an Arrow table, its chunks
// read in place. arrow-go lets a table's columns be longer than the table:
// they are cut to its rows.
func TableDataFrame(tbl arrow.Table) (dataframe.DataFrame, error) {
	rows := tbl.NumRows()
	cut := make([]*arrow.Chunked, tbl.NumCols())
	defer func() {
		for _, c := range cut {
			if c != nil {
				c.Release()
			}
		}
	}()
	for i := range cut {
		col := tbl.Column(i).Data()
		if int64(col.Len()) < rows {
			return dataframe.DataFrame{}, fmt.Errorf("column %q holds %d rows of the table's %d", tbl.Schema().Field(i).Name, col.Len(), rows)
		}
		cut[i] = array.NewChunkedSlice(col, 0, rows)
	}
	return DataFrame(tbl.Schema(), func(i int) []arrow.Array { return cut[i].Chunks() })
}
