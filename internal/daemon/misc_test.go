package daemon_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/radish-net/radish/internal/daemon"
)

func grepLines(s string, prefixes ...string) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		for _, p := range prefixes {
			if strings.HasPrefix(line, p) {
				out = append(out, strings.Join(strings.Fields(line), " "))
			}
		}
	}
	return strings.Join(out, "; ")
}

func TestSignals(t *testing.T) {
	s := daemon.NotifySignals()
	next := func() daemon.Event {
		t.Helper()
		select {
		case e := <-s.Events():
			return e
		case <-time.After(2 * time.Second):
			t.Fatal("no event")
			return 0
		}
	}
	for _, tt := range []struct {
		sig  syscall.Signal
		want daemon.Event
	}{
		{syscall.SIGHUP, daemon.Reload},
		{syscall.SIGUSR1, daemon.ResetLifetimes},
		{syscall.SIGINT, daemon.Interrupt},
		{syscall.SIGTERM, daemon.Terminate},
	} {
		syscall.Kill(os.Getpid(), tt.sig)
		if got := next(); got != tt.want {
			t.Errorf("%v: got %v, want %v", tt.sig, got, tt.want)
		}
	}
	// Reloads pile up while the loop is busy: one is delivered.
	for range 3 {
		syscall.Kill(os.Getpid(), syscall.SIGHUP)
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	if got := next(); got != daemon.Reload {
		t.Errorf("got %v, want reload", got)
	}
	select {
	case e := <-s.Events():
		t.Errorf("extra event %v after coalesced reloads", e)
	case <-time.After(100 * time.Millisecond):
	}
	s.Stop()
	select {
	case _, ok := <-s.Events():
		if ok {
			t.Error("event after Stop")
		}
	case <-time.After(2 * time.Second):
		t.Error("Events not closed after Stop")
	}
	if daemon.Reload.String() != "reload" || daemon.Event(9).String() != "Event(9)" {
		t.Error("Event.String")
	}
}

func TestSetProcessName(t *testing.T) {
	orig, err := os.ReadFile("/proc/self/comm")
	if err != nil {
		t.Skip("no /proc")
	}
	defer daemon.SetProcessName(strings.TrimSpace(string(orig)))
	if err := daemon.SetProcessName("radvd"); err != nil {
		t.Fatal(err)
	}
	// /proc/PID/comm is the thread-group leader's name, which ps and pidof show.
	if comm, _ := os.ReadFile("/proc/self/comm"); string(comm) != "radvd\n" {
		t.Errorf("comm %q, want radvd", comm)
	}
	tasks, _ := filepath.Glob("/proc/self/task/*/comm")
	for _, p := range tasks {
		if comm, _ := os.ReadFile(p); string(comm) != "radvd\n" {
			t.Errorf("%s = %q", p, comm)
		}
	}
	daemon.SetProcessName("a-very-long-process-name")
	if comm, _ := os.ReadFile("/proc/self/comm"); string(comm) != "a-very-long-pro\n" {
		t.Errorf("long name: comm %q, want 15 bytes", comm)
	}
}

func TestLookupUser(t *testing.T) {
	root, err := daemon.LookupUser("root")
	if err != nil || root.UID != 0 || root.GID != 0 || len(root.Groups) == 0 || root.Groups[0] != 0 {
		t.Errorf("root: %+v, %v", root, err)
	}
	if byID, err := daemon.LookupUser("0"); err != nil || byID.Name != "root" {
		t.Errorf("uid 0: %+v, %v", byID, err)
	}
	if _, err := daemon.LookupUser("no-such-user-radish"); err == nil || !strings.Contains(err.Error(), "couldn't find user 'no-such-user-radish'") {
		t.Errorf("unknown user: %v", err)
	}
}

func runRole(t *testing.T, role string, args ...string) (string, string, error) {
	t.Helper()
	self, _ := filepath.Abs(os.Args[0])
	cmd := exec.Command(self, args...)
	cmd.Env = append(os.Environ(), roleEnv+"="+role)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

func TestDropPrivileges(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("dropping privileges needs root")
	}
	nobody, err := daemon.LookupUser("nobody")
	if err != nil {
		t.Skip("no user nobody:", err)
	}
	out, stderr, err := runRole(t, "drop", "-u", "nobody")
	if err != nil {
		t.Fatalf("%v: %s", err, stderr)
	}
	if strings.Contains(out, "regained root") {
		t.Fatal("setuid(0) succeeded after the drop")
	}
	uid := strconv.Itoa(nobody.UID)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for _, l := range lines {
		if !strings.HasPrefix(l, "Uid: "+uid+" "+uid+" "+uid+" "+uid+"; Gid: "+strconv.Itoa(nobody.GID)) {
			t.Errorf("thread credentials %q, want all uids %s", l, uid)
		}
		if strings.Contains(l, "Groups: 0") {
			t.Errorf("root group kept: %q", l)
		}
	}
	if len(lines) < 2 {
		t.Errorf("only %d threads checked", len(lines))
	}
}

// TestDropKeeping: after -u only CAP_NET_ADMIN and CAP_NET_RAW remain, on
// every thread, and they work (a network sysctl write, a raw socket);
// root cannot be regained. A cgo-linked binary cannot keep capabilities
// on every thread and must report kept=false and hold none.
func TestDropKeeping(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("dropping privileges needs root")
	}
	nobody, err := daemon.LookupUser("nobody")
	if err != nil {
		t.Skip("no user nobody:", err)
	}
	out, stderr, err := runRole(t, "dropkeep", "-u", "nobody")
	if err != nil {
		t.Fatalf("%v: %s", err, stderr)
	}
	if strings.Contains(out, "regained root") {
		t.Fatal("setuid(0) succeeded after the drop")
	}
	wantKept := !cgoBuild
	if !strings.Contains(out, fmt.Sprintf("kept=%v\n", wantKept)) {
		t.Fatalf("want kept=%v (cgo build: %v):\n%s", wantKept, cgoBuild, out)
	}
	caps := "0000000000000000"
	if wantKept {
		caps = "0000000000003000" // bits 12 and 13
	}
	uid := strconv.Itoa(nobody.UID)
	threads := 0
	for _, l := range strings.Split(out, "\n") {
		if !strings.HasPrefix(l, "Uid:") {
			continue
		}
		threads++
		if !strings.HasPrefix(l, "Uid: "+uid+" "+uid+" "+uid+" "+uid+";") {
			t.Errorf("thread uids %q, want %s", l, uid)
		}
		for _, set := range []string{"CapPrm: " + caps, "CapEff: " + caps, "CapInh: 0000000000000000"} {
			if !strings.Contains(l, set) {
				t.Errorf("thread %q: want %s", l, set)
			}
		}
	}
	if threads < 2 {
		t.Errorf("only %d threads checked:\n%s", threads, out)
	}
	if wantKept {
		for _, w := range []string{"capget=0x3000", "sysctl write: <nil>", "raw socket: <nil>"} {
			if !strings.Contains(out, w) {
				t.Errorf("missing %q:\n%s", w, out)
			}
		}
	} else if strings.Contains(out, "raw socket: <nil>") {
		t.Errorf("a raw socket opened without capabilities:\n%s", out)
	}
}

func TestChroot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("chroot needs root")
	}
	if _, err := daemon.LookupUser("nobody"); err != nil {
		t.Skip("no user nobody")
	}
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "inside"), []byte("in the chroot"), 0o644)
	out, stderr, err := runRole(t, "chroot", "-u", "nobody", "-t", dir)
	if err != nil {
		t.Fatalf("%v: %s", err, stderr)
	}
	if !strings.HasPrefix(out, "in the chroot wd=/ uid=") || strings.HasSuffix(out, "uid=0") {
		t.Errorf("got %q", out)
	}
}

// TestLogReopenAfterChroot: -m logfile with -t: the log file is opened
// before the chroot, where its path names something else. Pinned, a
// reopen keeps writing to the open (here rotated) file and creates
// nothing inside the chroot, and no handle outside the chroot is kept.
func TestLogReopenAfterChroot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("chroot needs root")
	}
	logDir, root := t.TempDir(), t.TempDir()
	logfile := filepath.Join(logDir, "radvd.log")
	if _, stderr, err := runRole(t, "chrootlog", "-l", logfile, "-t", root); err != nil {
		t.Fatalf("%v: %s", err, stderr)
	}
	old, _ := os.ReadFile(logfile + ".1")
	if !strings.Contains(string(old), "before the chroot") || !strings.Contains(string(old), "after the reopen") {
		t.Errorf("the open file got %q, want both lines", old)
	}
	if _, err := os.Stat(logfile); !os.IsNotExist(err) {
		t.Errorf("a new %s was created: %v", logfile, err)
	}
	if ents, _ := os.ReadDir(root); len(ents) != 0 {
		t.Errorf("the chroot got %d entries: the log was reopened inside it", len(ents))
	}
}
