//go:build race

package arrow

const raceEnabled = true
