package gota

import (
	"fmt"

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
