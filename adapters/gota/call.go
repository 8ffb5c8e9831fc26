package gota

import (
	"fmt"
	"github.com/go-gota/gota/series"

	"github.com/go-gota/gota/dataframe"
)

// callGota runs one gota call and turns both ways gota fails into an error:
// a DataFrame with Err set, and a panic (gota panics on some inputs, such as
// an out-of-range row index or an unknown filter aggregation). The cause is
// returned unwrapped; callers wrap it with gotaError.
func callGota(run func() dataframe.DataFrame) (df dataframe.DataFrame, err error) {
	defer func() {
		if r := recover(); r != nil {
			df = dataframe.DataFrame{}
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	df = run()
	if df.Err != nil {
		return dataframe.DataFrame{}, df.Err
	}
	return df, nil
}

// checkSeries is a small guard so a zero series.Series (which gota panics on)
// is reported, not run.
func checkSeries(s series.Series) error {
	if s.Err != nil {
		return s.Err
	}
	switch s.Type() {
	case series.String, series.Int, series.Float, series.Bool:
		return nil
	}
	return fmt.Errorf("series %q has no type", s.Name)
}
