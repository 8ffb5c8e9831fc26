// Command notebook runs ctxframe's walkthrough notebook, walkthrough.ipynb
// (a GoNB notebook for Jupyter), without Jupyter: a data scientist's session
// on 2,922 days of NOAA weather for Seattle and New York that describes the
// columns, flags a row and a cell, filters, sorts, renames, groups, joins
// station metadata, derives a column, exports lineage and ships the data as
// Arrow IPC and Parquet. Run it from the repository's root:
//
//	go run ./examples/notebook
//
// The context lives in the embedded SQLite store notebook.db (or the store
// $CTXFRAME_STORE names) and persists between runs. main.go is generated
// from the notebook's code cells; notebook_test.go checks that it is, and
// that the cells print exactly the outputs saved in the notebook, on SQLite,
// Redis and PostgreSQL. After editing the notebook, regenerate both with
//
//	CTXFRAME_UPDATE_NOTEBOOK=1 go test ./examples/notebook/
package main
