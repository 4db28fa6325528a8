//go:build race

package iface_test

const raceEnabled = true
