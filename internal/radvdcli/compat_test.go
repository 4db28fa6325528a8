package radvdcli_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/radish-net/radish/internal/radvdcli"
)

const radvdPath = "/usr/sbin/radvd"

// TestCompatWithRadvd runs the installed radvd on the same command lines
// and compares exit status and stderr. Every run either fails while
// parsing options or has -c (config test) as its first option, so radvd
// never starts as a daemon. Known, deliberate differences are listed in
// the package documentation and skipped here.
func TestCompatWithRadvd(t *testing.T) {
	if _, err := os.Stat(radvdPath); err != nil {
		t.Skip("radvd not installed:", err)
	}
	dir := t.TempDir()
	conf := filepath.Join(dir, "ok.conf")
	if err := os.WriteFile(conf, []byte("interface lo { AdvSendAdvert on; prefix 2001:db8::/64 {}; };\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	pid := filepath.Join(dir, "radvd.pid")

	for _, tt := range errorCases {
		t.Run("error/"+tt.name, func(t *testing.T) {
			args := strings.Fields(tt.args)
			code, stderr := runRadvd(t, args)
			_, err := radvdcli.Parse(append([]string{radvdPath}, args...))
			var e *radvdcli.ExitError
			if !errors.As(err, &e) {
				t.Fatalf("radish accepted %q; radvd exited %d: %s", tt.args, code, stderr)
			}
			if code != e.Code {
				t.Errorf("exit code radvd %d, radish %d", code, e.Code)
			}
			if tt.msg != "" && stderr != e.Message {
				t.Errorf("stderr differs:\nradvd  %q\nradish %q", stderr, e.Message)
			}
			if tt.msg == "" && firstWord(stderr) != firstWord(e.Message) {
				t.Errorf("text shape differs:\nradvd  %q\nradish %q", stderr, e.Message)
			}
		})
	}

	accepted := []string{
		"", "-d1", "-d 1", "--debug=1", "--debug 1", "-n", "-nc", "--conf" + "ig " + conf, "--fac 24",
		"-m stderr_clean", "-m stderr", "-m syslog", "-m none", "-m logfile -l " + filepath.Join(dir, "l.log"),
		"extra args", "-d abc", "-d 9", "-u nobody",
	}
	for _, a := range accepted {
		t.Run("accepted/"+a, func(t *testing.T) {
			args := append([]string{"-c", "-p", pid, "-C", conf}, strings.Fields(a)...)
			code, stderr := runRadvd(t, args)
			if code != 0 {
				t.Fatalf("radvd exited %d on %q: %s", code, args, stderr)
			}
			if _, err := radvdcli.Parse(append([]string{radvdPath}, args...)); err != nil {
				t.Errorf("radish refused %q: %v", args, err)
			}
		})
	}
}

func runRadvd(t *testing.T, args []string) (int, string) {
	t.Helper()
	cmd := exec.Command(radvdPath, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, stderr.String()
	case errors.As(err, &ee):
		return ee.ExitCode(), stderr.String()
	}
	t.Fatalf("running radvd: %v", err)
	return 0, ""
}

func firstWord(s string) string {
	w, _, _ := strings.Cut(s, " ")
	return w
}
