//go:build unix

package arrow

import "syscall"

// ipcProcessCPU returns the CPU time this process has used (user + system)
// in nanoseconds, so benchmarks can report CPU per operation, which other
// processes on a shared machine disturb far less than wall time.
func ipcProcessCPU() (int64, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return ru.Utime.Nano() + ru.Stime.Nano(), true
}
