package radvdmode_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// expectRE is the corpus header of documented accept/reject differences
// (the same convention as config/radvdconf's corpus).
var expectRE = regexp.MustCompile(`(?m)^#\s*radish-expect:\s*(accept|reject)\s*\((.+)\)`)

func runStatus(t *testing.T, env []string, argv ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), out.String()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, out.String()
}

// TestConfigTestDifferential runs "radvd -c -C FILE" (Debian's radvd) and
// "radish radvd -c -C FILE" on every corpus file: both must agree on
// accept/reject unless the file's radish-expect header documents the
// difference, and every radish error line names the file and a line.
func TestConfigTestDifferential(t *testing.T) {
	if testing.Short() {
		t.Skip("builds cmd/radish; skipped under -short")
	}
	if _, err := os.Stat(radvdPath); err != nil {
		t.Skipf("%s not installed", radvdPath)
	}
	bin := radishBinary(t)
	files, _ := filepath.Glob("../../config/radvdconf/testdata/*.conf")
	own, _ := filepath.Glob("testdata/*.conf")
	files = append(files, own...)
	// radvd's own examples, as Debian installs them (absent when the image
	// excludes /usr/share/doc).
	examples, _ := filepath.Glob("/usr/share/doc/radvd/examples/*.conf*")
	files = append(files, examples...)
	if len(own) == 0 || len(files) < 20 {
		t.Fatalf("corpus too small: %d files", len(files))
	}
	pid := filepath.Join(t.TempDir(), "radvd.pid")
	noSettings := []string{"RADISH_RADVD_CONFIG=/dev/null"}
	errLine := regexp.MustCompile(`^(.+):(\d+) error: \S`)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			rv, rvOut := runStatus(t, nil, radvdPath, "-c", "-C", file, "-m", "stderr", "-p", pid)
			rs, rsOut := runStatus(t, noSettings, bin, "radvd", "-c", "-C", file, "-p", pid)
			if rv > 1 || rs > 1 {
				t.Fatalf("exit codes radvd %d, radish %d: want 0 or 1", rv, rs)
			}
			if m := expectRE.FindSubmatch(src); m != nil {
				want := 0
				if string(m[1]) == "reject" {
					want = 1
				}
				if rs != want || rv == want {
					t.Errorf("header: radish %s (%s); got radish %d, radvd %d\nradish: %s", m[1], m[2], rs, rv, rsOut)
				}
			} else if rs != rv {
				t.Errorf("radish exit %d, radvd exit %d\nradish: %s\nradvd: %s", rs, rv, rsOut, rvOut)
			}
			if rs == 0 {
				if !strings.Contains(rsOut, "config file, "+file+", syntax ok") {
					t.Errorf("accepted without radvd's \"syntax ok\" message: %q", rsOut)
				}
				return
			}
			n := 0
			for _, line := range strings.Split(strings.TrimSpace(rsOut), "\n") {
				if strings.HasPrefix(line, "[") { // "[date] radvd (pid): exiting, failed to read config file"
					continue
				}
				m := errLine.FindStringSubmatch(line)
				if m == nil || m[1] != file {
					t.Errorf("error line %q does not start with %s:LINE error:", line, file)
				}
				n++
			}
			if n == 0 {
				t.Errorf("rejected without an error line: %q", rsOut)
			}
			// Where radvd names a line, radish names the same one first.
			if m := regexp.MustCompile(regexp.QuoteMeta(file) + `:(\d+) error:`).FindStringSubmatch(rvOut); m != nil && rv == rs {
				if !strings.Contains(rsOut, file+":"+m[1]+" error:") {
					t.Errorf("radvd reports line %s, radish does not:\nradish: %s\nradvd: %s", m[1], rsOut, rvOut)
				}
			}
		})
	}
}

// TestCommandLine checks -v, -h, an unknown option and a missing file
// through the built binary, in both the "radish radvd" form and an
// argv[0] of radvd.
func TestCommandLine(t *testing.T) {
	if testing.Short() {
		t.Skip("builds cmd/radish; skipped under -short")
	}
	bin := radishBinary(t)
	link := filepath.Join(t.TempDir(), "radvd")
	if err := os.Symlink(bin, link); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		argv []string
		code int
		want string
	}{
		{"version", []string{bin, "radvd", "-v"}, 1, "Version: 2.21"},
		{"help", []string{link, "-h"}, 1, "usage: radvd"},
		{"unknown option", []string{link, "--bogus"}, 1, "bogus"},
		{"missing file", []string{bin, "radvd", "-c", "-C", "/nonexistent/radvd.conf"}, 1, "can't open /nonexistent/radvd.conf"},
		{"check --radvd", []string{bin, "check", "--radvd", "testdata/neutron_stateless.conf"}, 0, "servers = [\"2001:db8:7::2\", \"2001:db8:7::3\"]"},
		{"check --radvd=", []string{bin, "check", "--radvd=testdata/reject_nova_typo.conf"}, 1, "testdata/reject_nova_typo.conf:5 error: "},
		{"-c with bad settings", []string{link, "-c", "-C", "testdata/nova_bridge.conf"}, 0, "settings.toml:1: mode: "},
		{"bad settings", []string{link, "-n", "-C", "testdata/nova_bridge.conf", "-m", "stderr", "-p", filepath.Join(t.TempDir(), "p")}, 1, "settings.toml:1: mode:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			settings := filepath.Join(t.TempDir(), "settings.toml")
			writeFile(t, settings, "mode = \"loud\"\n")
			code, out := runStatus(t, []string{"RADISH_RADVD_CONFIG=" + settings}, tc.argv...)
			if code != tc.code || !strings.Contains(out, tc.want) {
				t.Errorf("exit %d, output %q; want %d and %q", code, out, tc.code, tc.want)
			}
		})
	}
}

// TestForegroundBrokenFile: as radvd, a foreground (-n) start with a broken
// radvd.conf reports radvd's FILE:LINE lines on stderr, bare, whatever the
// log method, and exits 1. (The raw socket is opened first, as in radvd,
// so this needs root; nothing is sent.)
func TestForegroundBrokenFile(t *testing.T) {
	needRoot(t)
	bin := radishBinary(t)
	for _, method := range []string{"syslog", "none", "logfile", "stderr_syslog", "stderr"} {
		t.Run(method, func(t *testing.T) {
			dir := t.TempDir()
			argv := []string{bin, "radvd", "-n", "-C", "testdata/reject_nova_typo.conf", "-m", method,
				"-l", filepath.Join(dir, "log"), "-p", filepath.Join(dir, "pid")}
			code, out := runStatus(t, []string{"RADISH_RADVD_CONFIG=/dev/null"}, argv...)
			if code != 1 || !regexp.MustCompile(`(?m)^testdata/reject_nova_typo.conf:5 error: `).MatchString(out) {
				t.Errorf("exit %d, output %q; want 1 and a bare testdata/reject_nova_typo.conf:5 error: line", code, out)
			}
		})
	}
}

// TestConfigTestInChroot: -c with -t checks the file the daemon would
// read, inside the chroot, as radvd does.
func TestConfigTestInChroot(t *testing.T) {
	needRoot(t)
	if _, err := user.Lookup("nobody"); err != nil {
		t.Skip("no user nobody")
	}
	bin := radishBinary(t)
	root := t.TempDir()
	os.Chmod(root, 0o755)
	conf := "/radvd.conf"
	argv := []string{bin, "radvd", "-c", "-C", conf, "-t", root, "-u", "nobody", "-m", "stderr"}
	if code, out := runStatus(t, []string{"RADISH_RADVD_CONFIG=/dev/null"}, argv...); code != 1 || !strings.Contains(out, "can't open /radvd.conf") {
		t.Errorf("file missing inside the chroot: exit %d, output %q; want 1 and can't open", code, out)
	}
	writeFile(t, filepath.Join(root, "radvd.conf"), "interface eth0 { AdvSendAdvert on; };\n")
	if code, out := runStatus(t, []string{"RADISH_RADVD_CONFIG=/dev/null"}, argv...); code != 0 || !strings.Contains(out, "syntax ok") {
		t.Errorf("file inside the chroot: exit %d, output %q; want 0 and syntax ok", code, out)
	}
}
