//go:build linux

package arrow

import (
	"os"
	"syscall"
)

// limitAddressSpace caps the process's address space (ulimit -v), so an
// allocation beyond it fails at once instead of taking the machine. The
// race detector reserves terabytes of shadow memory, so under -race only
// the peak RSS check holds.
func limitAddressSpace(bytes uint64) error {
	if raceEnabled {
		return nil
	}
	return syscall.Setrlimit(syscall.RLIMIT_AS, &syscall.Rlimit{Cur: bytes, Max: bytes})
}

// peakRSS returns the peak resident set of a finished child process.
func peakRSS(ps *os.ProcessState) (int64, bool) {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, false
	}
	return ru.Maxrss << 10, true // Linux reports KiB
}
