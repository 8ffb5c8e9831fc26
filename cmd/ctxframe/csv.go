package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/go-gota/gota/dataframe"
	"github.com/go-gota/gota/series"
)

// naText is what a missing value is written as: gota's own NA token, which
// reading the CSV back turns into a missing value again.
const naText = "NA"

// writeCSV writes df as CSV with every value exact: a float in the fewest
// digits that read back as the same float (-9.7, not gota's -9.700000), a
// missing value as NA (not NaN), integers, booleans and strings as they are.
func writeCSV(w io.Writer, df dataframe.DataFrame) error {
	cw := csv.NewWriter(w)
	names := df.Names()
	if err := cw.Write(names); err != nil {
		return err
	}
	cols := make([]series.Series, len(names))
	for i, name := range names {
		cols[i] = df.Col(name)
		if cols[i].Err != nil {
			return cols[i].Err
		}
	}
	row := make([]string, len(cols))
	for r := range df.Nrow() {
		for c, s := range cols {
			text, err := cellText(s, r)
			if err != nil {
				return fmt.Errorf("column %q row %d: %w", names[c], r, err)
			}
			row[c] = text
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func cellText(s series.Series, r int) (string, error) {
	e := s.Elem(r)
	if e.IsNA() {
		return naText, nil
	}
	switch s.Type() {
	case series.Float:
		return floatText(e.Float()), nil
	case series.Int:
		n, err := e.Int()
		if err != nil {
			return "", err
		}
		return strconv.Itoa(n), nil
	case series.Bool:
		b, err := e.Bool()
		if err != nil {
			return "", err
		}
		return strconv.FormatBool(b), nil
	}
	return e.String(), nil
}

// floatText is f in the fewest digits that read back as f, without an
// exponent unless the number is very large or very small (as JavaScript
// prints numbers): -9.7, 1234567, 0.25, 1e+21, 1e-7.
func floatText(f float64) string {
	if a := math.Abs(f); a != 0 && (a >= 1e21 || a < 1e-6) {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}
