//go:build !unix

package arrow

// ipcProcessCPU is not available here; benchmarks then report wall time only.
func ipcProcessCPU() (int64, bool) { return 0, false }
