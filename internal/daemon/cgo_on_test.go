//go:build cgo

package daemon_test

const cgoBuild = true
