package daemon_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/radish-net/radish/internal/daemon"
)

// launch runs the test binary as a fake radvd launcher (path as argv[0]
// resolution input, argv as given) and returns its exit code and stderr.
func launch(t *testing.T, path string, argv []string, env ...string) (int, string) {
	t.Helper()
	cmd := &exec.Cmd{Path: path, Args: argv, Env: append(os.Environ(), env...)}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	// The launcher's stdout must be released by the daemon (callers wait
	// for EOF on it), so read it to EOF: this hangs if the child keeps it.
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { io.Copy(io.Discard, out); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		cmd.Process.Kill()
		t.Fatal("launcher's stdout still open after 15s: the daemon did not detach")
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), stderr.String()
}

// adopt registers cleanup for a detached child pid: SIGKILL and reap if
// it is still around. The test process is a subreaper, so it is our child.
func adopt(t *testing.T, pid int) {
	t.Cleanup(func() {
		if daemon.ProcessAlive(pid) {
			syscall.Kill(pid, syscall.SIGKILL)
		}
		reap(pid, 5*time.Second)
	})
}

// reap waits for an adopted child to exit and returns its wait status.
func reap(pid int, d time.Duration) (syscall.WaitStatus, bool) {
	deadline := time.Now().Add(d)
	for {
		var ws syscall.WaitStatus
		got, err := syscall.Wait4(pid, &ws, syscall.WNOHANG, nil)
		if got == pid {
			return ws, true
		}
		if err != nil || time.Now().After(deadline) {
			return 0, false
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func readPid(t *testing.T, pidfile string) int {
	t.Helper()
	b, err := os.ReadFile(pidfile)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[1-9][0-9]*\n$`).Match(b) {
		t.Fatalf("pidfile holds %q, want decimal pid and newline", b)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid
}

func stop(t *testing.T, pid int) syscall.WaitStatus {
	t.Helper()
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	ws, ok := reap(pid, 10*time.Second)
	if !ok {
		t.Fatalf("daemon %d did not exit on SIGTERM", pid)
	}
	return ws
}

func procStat(t *testing.T, pid int) []string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
}

func TestDetachContract(t *testing.T) {
	dir := t.TempDir()
	pidfile := filepath.Join(dir, "radvd.pid")
	self, err := filepath.Abs(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	argv := []string{self, "-C", filepath.Join(dir, "router 1.conf"), "-p", pidfile, "-m", "syslog", "-d1"}
	code, stderr := launch(t, self, argv, roleEnv+"=daemon")
	if code != 0 {
		t.Fatalf("launcher exit %d: %s", code, stderr)
	}
	// The pidfile is complete when the launcher has exited.
	pid := readPid(t, pidfile)
	adopt(t, pid)
	proc := "/proc/" + strconv.Itoa(pid)

	if !daemon.ProcessAlive(pid) {
		t.Fatalf("daemon %d not running", pid)
	}
	for fd := 0; fd <= 2; fd++ {
		l, err := os.Readlink(proc + "/fd/" + strconv.Itoa(fd))
		if err != nil || l != "/dev/null" {
			t.Errorf("fd %d -> %q (%v), want /dev/null", fd, l, err)
		}
	}
	cmdline, _ := os.ReadFile(proc + "/cmdline")
	if want := strings.Join(argv, "\x00") + "\x00"; string(cmdline) != want {
		t.Errorf("cmdline %q, want %q", cmdline, want)
	}
	exe, _ := os.Readlink(proc + "/exe")
	if wantExe, _ := filepath.EvalSymlinks(self); exe != wantExe {
		t.Errorf("exe %q, want %q", exe, wantExe)
	}
	if st := procStat(t, pid); st[3] != strconv.Itoa(pid) {
		t.Errorf("session %s, want %d (setsid)", st[3], pid)
	}
	child, _ := os.ReadFile(pidfile + ".child")
	if !strings.HasPrefix(string(child), "marker=false detached=true ") {
		t.Errorf("child reported %q: the marker must be gone from its environment", child)
	}
	if fi, err := os.Stat(pidfile); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("pidfile mode %v (%v), want 0644", fi.Mode(), err)
	}

	ws := stop(t, pid)
	if !ws.Exited() || ws.ExitStatus() != 0 {
		t.Errorf("daemon ended with %v, want exit 0", ws)
	}
	if _, err := os.Stat(pidfile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("pidfile left behind after SIGTERM: %v", err)
	}
}

// TestDetachPathLookup starts the launcher the way a shell does for a bare
// command name found in PATH, from a copy of the binary named radvd: the
// child must be the same file, named radvd by the kernel.
func TestDetachPathLookup(t *testing.T) {
	bin := t.TempDir()
	radvd := filepath.Join(bin, "radvd")
	copyFile(t, os.Args[0], radvd)
	pidfile := filepath.Join(t.TempDir(), "radvd.pid")
	code, stderr := launch(t, radvd, []string{"radvd", "-p", pidfile}, roleEnv+"=daemon", "PATH="+bin)
	if code != 0 {
		t.Fatalf("launcher exit %d: %s", code, stderr)
	}
	pid := readPid(t, pidfile)
	adopt(t, pid)
	proc := "/proc/" + strconv.Itoa(pid)
	if exe, _ := os.Readlink(proc + "/exe"); exe != radvd {
		t.Errorf("exe %q, want %q", exe, radvd)
	}
	if comm, _ := os.ReadFile(proc + "/comm"); string(comm) != "radvd\n" {
		t.Errorf("comm %q, want radvd", comm)
	}
	if cmdline, _ := os.ReadFile(proc + "/cmdline"); string(cmdline) != "radvd\x00-p\x00"+pidfile+"\x00" {
		t.Errorf("cmdline %q", cmdline)
	}
	stop(t, pid)
}

// TestDetachDecoyInPath gives argv[0] "radvd" while another radvd comes
// first in PATH: the child must be the running binary, not the decoy.
func TestDetachDecoyInPath(t *testing.T) {
	self, _ := filepath.EvalSymlinks(os.Args[0])
	bin := t.TempDir()
	copyFile(t, "/bin/true", filepath.Join(bin, "radvd"))
	pidfile := filepath.Join(t.TempDir(), "radvd.pid")
	code, stderr := launch(t, self, []string{"radvd", "-p", pidfile}, roleEnv+"=daemon", "PATH="+bin)
	if code != 0 {
		t.Fatalf("launcher exit %d: %s", code, stderr)
	}
	pid := readPid(t, pidfile)
	adopt(t, pid)
	if exe, _ := os.Readlink("/proc/" + strconv.Itoa(pid) + "/exe"); exe != self {
		t.Errorf("exe %q, want the running binary %q", exe, self)
	}
	stop(t, pid)
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o755); err != nil {
		t.Fatal(err)
	}
}

func TestDetachFailures(t *testing.T) {
	self, _ := filepath.Abs(os.Args[0])
	tests := []struct {
		role string
		env  []string
		want string
	}{
		{"fail", nil, "radvd: radvd.conf:3: syntax error\nexiting, failed to read config file\n"},
		{"exit", nil, "stopped before it was ready: exit status 3"},
		{"hang", []string{timeoutEnv + "=300ms"}, "not ready after 300ms, killed"},
	}
	for _, tt := range tests {
		t.Run(tt.role, func(t *testing.T) {
			pidfile := filepath.Join(t.TempDir(), "radvd.pid")
			code, stderr := launch(t, self, []string{self, "-p", pidfile}, append(tt.env, roleEnv+"="+tt.role)...)
			if code != 1 {
				t.Errorf("launcher exit %d, want 1", code)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr %q, want it to contain %q", stderr, tt.want)
			}
			if m := regexp.MustCompile(`process (\d+)`).FindStringSubmatch(stderr); m != nil {
				pid, _ := strconv.Atoi(m[1])
				if daemon.ProcessAlive(pid) {
					t.Errorf("child %d still running", pid)
				}
			}
			if _, err := os.Stat(pidfile); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("pidfile exists after failure: %v", err)
			}
		})
	}
	// Fail's child exits on its own and was reparented to us: reap it.
	for {
		if pid, _ := syscall.Wait4(-1, nil, syscall.WNOHANG, nil); pid <= 0 {
			break
		}
	}
}

func TestDetachReplacesStalePidfile(t *testing.T) {
	self, _ := filepath.Abs(os.Args[0])
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, content string }{
		{"dead pid", strconv.Itoa(gone.Process.Pid) + "\n"},
		{"live pid of another program", strconv.Itoa(os.Getpid()) + "\n"},
		{"garbage", "radvd\n"},
		{"empty", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pidfile := filepath.Join(t.TempDir(), "radvd.pid")
			if err := os.WriteFile(pidfile, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			code, stderr := launch(t, self, []string{self, "-p", pidfile}, roleEnv+"=daemon")
			if code != 0 {
				t.Fatalf("launcher exit %d: %s", code, stderr)
			}
			pid := readPid(t, pidfile)
			adopt(t, pid)
			if fi, _ := os.Stat(pidfile); fi.Mode().Perm() != 0o644 {
				t.Errorf("mode %v, want 0644", fi.Mode())
			}
			stop(t, pid)
		})
	}
}

// TestRestartWhileOldExits is nova-network's sequence: SIGTERM to the
// running instance and, at once, a new instance on the same pidfile while
// the old one is still sending its final advertisements.
func TestRestartWhileOldExits(t *testing.T) {
	self, _ := filepath.Abs(os.Args[0])
	pidfile := filepath.Join(t.TempDir(), "radvd.pid")
	argv := []string{self, "-C", "/etc/radvd.conf", "-p", pidfile}
	env := []string{roleEnv + "=daemon", stopDelayEnv + "=700ms"}
	if code, stderr := launch(t, self, argv, env...); code != 0 {
		t.Fatalf("first launcher exit %d: %s", code, stderr)
	}
	old := readPid(t, pidfile)
	adopt(t, old)
	if err := syscall.Kill(old, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	code, stderr := launch(t, self, argv, env...)
	if code != 0 {
		t.Fatalf("second launcher exit %d while the old instance exits: %s", code, stderr)
	}
	cur := readPid(t, pidfile)
	adopt(t, cur)
	if cur == old {
		t.Fatal("pidfile still names the old instance")
	}
	if !daemon.ProcessAlive(old) {
		t.Log("old instance exited before the new one was ready; the overlap was not exercised")
	}
	if ws, ok := reap(old, 10*time.Second); !ok || ws.ExitStatus() != 0 {
		t.Fatalf("old instance: exited %v %v", ok, ws)
	}
	if got := readPid(t, pidfile); got != cur {
		t.Errorf("after the old instance exited the pidfile holds %d, want the new %d", got, cur)
	}
	stop(t, cur)
	if _, err := os.Stat(pidfile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("pidfile left after the new instance stopped: %v", err)
	}
}

// TestSecondStartWhileRunningRefused: as radvd, a second start on the
// pidfile of a healthy instance fails, and the first keeps its pidfile.
func TestSecondStartWhileRunningRefused(t *testing.T) {
	self, _ := filepath.Abs(os.Args[0])
	pidfile := filepath.Join(t.TempDir(), "radvd.pid")
	argv := []string{self, "-C", "/etc/radvd.conf", "-p", pidfile}
	env := []string{roleEnv + "=daemon"}
	if code, stderr := launch(t, self, argv, env...); code != 0 {
		t.Fatalf("first launcher exit %d: %s", code, stderr)
	}
	first := readPid(t, pidfile)
	adopt(t, first)
	code, stderr := launch(t, self, argv, env...)
	if code == 0 || !strings.Contains(stderr, "unable to lock pid file, "+pidfile) ||
		!strings.Contains(stderr, "running process "+strconv.Itoa(first)) {
		t.Errorf("second start: exit %d, stderr %q; want a failure naming the pidfile and pid %d", code, stderr, first)
	}
	if got := readPid(t, pidfile); got != first {
		t.Errorf("pidfile holds %d after the refused start, want the first instance's %d", got, first)
	}
	if !daemon.ProcessAlive(first) {
		t.Error("the first instance died")
	}
	// Killed without a chance to clean up: the kernel drops the lock and
	// the next start replaces the stale pidfile.
	syscall.Kill(first, syscall.SIGKILL)
	reap(first, 5*time.Second)
	if code, stderr := launch(t, self, argv, env...); code != 0 {
		t.Fatalf("start after kill -9: exit %d: %s", code, stderr)
	}
	next := readPid(t, pidfile)
	adopt(t, next)
	stop(t, next)
}

func TestReadyWithoutDetach(t *testing.T) {
	if daemon.Detached() {
		t.Fatal("test process reports itself detached")
	}
	if err := daemon.Ready(); err != nil {
		t.Errorf("Ready in a foreground process: %v", err)
	}
	if err := daemon.Fail("x"); err != nil {
		t.Errorf("Fail in a foreground process: %v", err)
	}
}

// TestDetachDevicePidfile: -p /dev/null (or any device) works as with
// radvd: the start succeeds although the pidfile reads back nothing.
func TestDetachDevicePidfile(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mknod needs root")
	}
	self, _ := filepath.Abs(os.Args[0])
	dir := t.TempDir()
	null := filepath.Join(dir, "null")
	if err := syscall.Mknod(null, syscall.S_IFCHR|0o666, 1<<8|3); err != nil {
		t.Skip("mknod:", err)
	}
	code, stderr := launch(t, self, []string{self, "-p", null}, roleEnv+"=daemon")
	if code != 0 {
		t.Fatalf("launcher exit %d with a device pidfile: %s", code, stderr)
	}
	// The daemon's pid is in its marker file (written by the fake).
	b, err := os.ReadFile(null + ".child")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(` pid=(\d+)`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("no pid in the marker %q", b)
	}
	pid, _ := strconv.Atoi(string(m[1]))
	adopt(t, pid)
	if fi, err := os.Stat(null); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		t.Errorf("device replaced: %v %v", fi, err)
	}
	if ws := stop(t, pid); ws.ExitStatus() != 0 {
		t.Errorf("daemon exit status %d", ws.ExitStatus())
	}
	if fi, err := os.Stat(null); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		t.Errorf("device removed or replaced on exit: %v %v", fi, err)
	}
}

// TestSimultaneousStartsOneServes: two instances started at the same
// instant on one (stale) pidfile: one serves, the other is refused.
func TestSimultaneousStartsOneServes(t *testing.T) {
	self, _ := filepath.Abs(os.Args[0])
	const rounds = 6
	var wg sync.WaitGroup
	results := make([][2]string, rounds)
	for r := range rounds {
		dir := t.TempDir()
		pidfile := filepath.Join(dir, "radvd.pid")
		os.WriteFile(pidfile, []byte("1\n"), 0o644)
		at := strconv.FormatInt(time.Now().Add(300*time.Millisecond).UnixNano(), 10)
		for i := range 2 {
			wg.Go(func() {
				cmd := exec.Command(self, "-p", pidfile)
				cmd.Env = append(os.Environ(), roleEnv+"=startat", "DAEMONTEST_AT="+at, "DAEMONTEST_HOLD=2500ms")
				out, _ := cmd.Output()
				results[r][i] = strings.TrimSpace(string(out))
			})
		}
	}
	wg.Wait()
	for r, res := range results {
		serving := 0
		for _, o := range res {
			if strings.HasPrefix(o, "serving") {
				serving++
			} else if !strings.HasPrefix(o, "refused: unable to lock pid file") {
				t.Errorf("round %d: unexpected output %q", r, o)
			}
		}
		if serving != 1 {
			t.Errorf("round %d: %d instances serve (%q), want exactly 1", r, serving, res)
		}
	}
}

// TestStartersWhileOneStops: three starters begin together while an
// instance serves and stops about 2 s later (at various offsets): at most
// one of them serves. The starters' lock is waited for as long as its
// holders may keep it, never given up on to start without it.
func TestStartersWhileOneStops(t *testing.T) {
	self, _ := filepath.Abs(os.Args[0])
	offsets := []int{-20, -10, -5, 0, 5, 20, 40, 60}
	var wg sync.WaitGroup
	results := make([][]string, len(offsets))
	for r, off := range offsets {
		dir := t.TempDir()
		pidfile := filepath.Join(dir, "radvd.pid")
		t0 := time.Now().Add(800 * time.Millisecond)
		run := func(at time.Time, hold time.Duration, i int) {
			cmd := exec.Command(self, "-p", pidfile)
			cmd.Env = append(os.Environ(), roleEnv+"=startat", "DAEMONTEST_AT="+strconv.FormatInt(at.UnixNano(), 10), "DAEMONTEST_HOLD="+hold.String())
			out, _ := cmd.Output()
			if i >= 0 {
				results[r][i] = strings.TrimSpace(string(out))
			} else {
				results[r][3] = "H " + strings.TrimSpace(string(out))
			}
		}
		results[r] = make([]string, 4)
		wg.Go(func() {
			run(t0.Add(-500*time.Millisecond), 500*time.Millisecond+2*time.Second+time.Duration(off)*time.Millisecond, -1)
		})
		for i := range 3 {
			// Starters that serve hold on past every wait, so that a
			// second one serving is a second at the same time.
			wg.Go(func() { run(t0, 9*time.Second, i) })
		}
	}
	wg.Wait()
	bad := 0
	for r, res := range results {
		n := 0
		for _, o := range res {
			if strings.HasPrefix(o, "serving") {
				n++
			}
		}
		t.Logf("H stops at +%dms: %d serve %q", offsets[r], n, res)
		if n > 1 {
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d rounds: more than one starter serves", bad, len(offsets))
	}
}
