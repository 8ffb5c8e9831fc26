// Command notebook is ctxframe's walkthrough: the session of a data scientist
// who annotates a weather data set, cleans and reshapes it, joins station
// metadata, hands the result to another service as Arrow IPC and checks that
// every annotation arrived. Run it from the repository root:
//
//	go run ./examples/notebook
//
// It uses the embedded in-memory store by default; -store picks any store
// URL (sqlite:ctx.db, redis://..., postgres://...), and -data the folder
// with weather.csv and stations.csv. notebook_test.go keeps it executable.
package main
