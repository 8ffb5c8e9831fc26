//go:build !linux

package arrow

import "os"

func limitAddressSpace(uint64) error { return nil }

func peakRSS(*os.ProcessState) (int64, bool) { return 0, false }
