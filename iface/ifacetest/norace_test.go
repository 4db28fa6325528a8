//go:build !race

package ifacetest_test

const raceEnabled = false
