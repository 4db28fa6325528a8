//go:build !race

package ra_test

// raceEnabled skips allocation assertions: the race detector allocates.
const raceEnabled = false
