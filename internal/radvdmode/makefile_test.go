package radvdmode_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMakeInstallRadvd runs the Makefile's install-radvd and
// uninstall-radvd targets into a DESTDIR (never the machine's /usr/sbin):
// a real radvd is kept as radvd.radvd-orig, a second install does not
// overwrite that backup, uninstall restores it, and a second uninstall
// leaves the restored radvd alone.
func TestMakeInstallRadvd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds cmd/radish; skipped under -short")
	}
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make not installed")
	}
	bin := radishBinary(t)
	dest := t.TempDir()
	sbin := filepath.Join(dest, "usr/sbin")
	if err := os.MkdirAll(sbin, 0o755); err != nil {
		t.Fatal(err)
	}
	real := []byte("#!/bin/sh\n# stand-in for a real radvd\nexit 0\n")
	dst, bak := filepath.Join(sbin, "radvd"), filepath.Join(sbin, "radvd.radvd-orig")
	if err := os.WriteFile(dst, real, 0o755); err != nil {
		t.Fatal(err)
	}
	radish, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	mk := func(target string) string {
		t.Helper()
		// -o build: use the binary built for the tests; never write bin/.
		cmd := exec.Command("make", "-s", "-C", "../..", "-o", "build", target, "DESTDIR="+dest, "BIN="+bin)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("make %s: %v\n%s", target, err, out)
		}
		return string(out)
	}
	same := func(path string, want []byte) bool {
		got, err := os.ReadFile(path)
		return err == nil && bytes.Equal(got, want)
	}

	mk("install-radvd")
	if fi, err := os.Lstat(dst); err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o755 || !same(dst, radish) {
		t.Fatalf("after install %s is not a 0755 copy of radish: %v %v", dst, fi, err)
	}
	if !same(bak, real) {
		t.Fatal("the real radvd was not kept as radvd.radvd-orig")
	}
	mk("install-radvd")
	if !same(bak, real) || !same(dst, radish) {
		t.Fatal("a second install replaced the backup")
	}
	mk("uninstall-radvd")
	if !same(dst, real) {
		t.Fatal("uninstall did not restore the real radvd")
	}
	if _, err := os.Lstat(bak); !os.IsNotExist(err) {
		t.Errorf("backup still there after uninstall: %v", err)
	}
	if out := mk("uninstall-radvd"); !strings.Contains(out, "not radish") || !same(dst, real) {
		t.Errorf("second uninstall: %q", out)
	}

	// Without a previous radvd: install, then uninstall removes radish.
	os.Remove(dst)
	mk("install-radvd")
	if _, err := os.Lstat(bak); !os.IsNotExist(err) {
		t.Errorf("a backup was made of nothing: %v", err)
	}
	mk("uninstall-radvd")
	if _, err := os.Lstat(dst); !os.IsNotExist(err) {
		t.Errorf("radish left at %s after uninstall: %v", dst, err)
	}
}
