//go:build !race

package arrow

const raceEnabled = false
