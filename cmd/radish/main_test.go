package main

import (
	"bytes"
	"io"
	"slices"
	"strings"
	"testing"
)

func TestDispatch(t *testing.T) {
	for _, tc := range []struct {
		name   string
		argv   []string
		code   int
		stdout string
		stderr string
	}{
		{name: "no command", argv: []string{"radish"}, code: 2, stderr: "Usage:"},
		{name: "unknown", argv: []string{"radish", "frobnicate"}, code: 2, stderr: `unknown command "frobnicate"`},
		{name: "help", argv: []string{"radish", "help"}, code: 0, stdout: "Exit status:"},
		{name: "--help", argv: []string{"radish", "--help"}, code: 0, stdout: "radish serve"},
		{name: "version", argv: []string{"/usr/bin/radish", "version"}, code: 0, stdout: "radish "},
		{name: "check", argv: []string{"radish", "check", "-c", "../../examples/seed-vlan30.toml"}, code: 0, stdout: ": ok"},
		{name: "serve usage", argv: []string{"radish", "serve", "--bogus"}, code: 2, stderr: "flag provided but not defined"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(tc.argv, &stdout, &stderr); code != tc.code {
				t.Errorf("exit code %d, want %d (stderr %q)", code, tc.code, stderr.String())
			}
			if !strings.Contains(stdout.String(), tc.stdout) || !strings.Contains(stderr.String(), tc.stderr) {
				t.Errorf("stdout %q, stderr %q; want %q and %q", stdout.String(), stderr.String(), tc.stdout, tc.stderr)
			}
		})
	}
}

// TestRadvdDispatch checks the hook for the radvd drop-in: "radish radvd
// ARGS" and a binary invoked as radvd both run the "radvd" command with
// the arguments after it, and without it registered both exit 2.
func TestRadvdDispatch(t *testing.T) {
	saved, had := commands["radvd"]
	t.Cleanup(func() {
		if had {
			commands["radvd"] = saved
		} else {
			delete(commands, "radvd")
		}
	})
	delete(commands, "radvd")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"/usr/sbin/radvd", "-C", "x"}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "no radvd mode") {
		t.Errorf("unregistered radvd by name: code %d, stderr %q", code, stderr.String())
	}
	if code := run([]string{"radish", "radvd"}, &stdout, &stderr); code != 2 {
		t.Errorf("unregistered radvd subcommand: code %d", code)
	}

	var got []string
	commands["radvd"] = func(args []string, _, _ io.Writer) int { got = args; return 7 }
	for _, argv := range [][]string{
		{"/usr/sbin/radvd", "-C", "/etc/radvd.conf", "-n"},
		{"radish", "radvd", "-C", "/etc/radvd.conf", "-n"},
	} {
		got = nil
		if code := run(argv, &stdout, &stderr); code != 7 || !slices.Equal(got, []string{"-C", "/etc/radvd.conf", "-n"}) {
			t.Errorf("run(%q): code %d, radvd got %q", argv, code, got)
		}
	}
}
