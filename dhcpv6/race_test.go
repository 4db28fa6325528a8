//go:build race

package dhcpv6_test

// raceEnabled is true when the race detector, which allocates, is on.
const raceEnabled = true
