package daemon_test

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/radish-net/radish/internal/daemon"
)

// TestPidfileNeverPartial rewrites the pidfile while readers poll it:
// every read sees either no file yet or the complete "PID\n".
func TestPidfileNeverPartial(t *testing.T) {
	dir := tmpfsDir(t)
	path := filepath.Join(dir, "radvd.pid")
	want := strconv.Itoa(os.Getpid()) + "\n"
	var stopped atomic.Bool
	var reads, bad atomic.Int64
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for !stopped.Load() {
				b, err := os.ReadFile(path)
				if errors.Is(err, os.ErrNotExist) {
					continue
				}
				reads.Add(1)
				if err != nil || string(b) != want {
					bad.Add(1)
					t.Errorf("read %q (%v), want %q", b, err, want)
				}
			}
		})
	}
	for range 300 {
		if err := daemon.WritePidfile(path); err != nil {
			t.Fatal(err)
		}
	}
	stopped.Store(true)
	wg.Wait()
	if reads.Load() == 0 {
		t.Fatal("readers never saw the pidfile")
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("directory holds %d entries, want only the pidfile (temporary files leaked)", len(ents))
	}
	t.Logf("%d reads during 300 writes, %d bad", reads.Load(), bad.Load())
}

func TestPidfileModeIgnoresUmask(t *testing.T) {
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	path := filepath.Join(t.TempDir(), "radvd.pid")
	if err := daemon.WritePidfile(path); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v (%v), want 0644", fi.Mode(), err)
	}
}

func TestRemovePidfileIfOurs(t *testing.T) {
	tests := []struct {
		name        string
		content     *string
		wantRemoved bool
	}{
		{"ours", ptr(strconv.Itoa(os.Getpid()) + "\n"), true},
		{"ours without newline", ptr(strconv.Itoa(os.Getpid())), true},
		{"another instance took over", ptr(strconv.Itoa(os.Getpid()+1) + "\n"), false},
		{"garbage", ptr("x\n"), false},
		{"missing", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "radvd.pid")
			if tt.content != nil {
				if err := os.WriteFile(path, []byte(*tt.content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			removed, err := daemon.RemovePidfileIfOurs(path)
			if err != nil || removed != tt.wantRemoved {
				t.Fatalf("RemovePidfileIfOurs = %v, %v; want %v", removed, err, tt.wantRemoved)
			}
			_, statErr := os.Stat(path)
			if exists := statErr == nil; exists != (tt.content != nil && !tt.wantRemoved) {
				t.Errorf("file exists = %v after removal %v", exists, removed)
			}
		})
	}
}

func TestReadPidfile(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		content string
		pid     int
		ok      bool
	}{
		{"123\n", 123, true}, {"123", 123, true}, {"", 0, false}, {"0\n", 0, false},
		{"-1\n", 0, false}, {"12 \n", 0, false}, {"99999999999\n", 0, false},
	} {
		path := filepath.Join(dir, "p")
		os.WriteFile(path, []byte(tt.content), 0o644)
		pid, err := daemon.ReadPidfile(path)
		if (err == nil) != tt.ok || pid != tt.pid {
			t.Errorf("ReadPidfile(%q) = %d, %v", tt.content, pid, err)
		}
	}
}

func TestProcessAlive(t *testing.T) {
	if !daemon.ProcessAlive(os.Getpid()) {
		t.Error("own process not alive")
	}
	for _, pid := range []int{0, -1} {
		if daemon.ProcessAlive(pid) {
			t.Errorf("ProcessAlive(%d)", pid)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// tmpfsDir returns a fresh directory on tmpfs when there is one, as /run
// is on a real system: fsync there is free, so stress loops stay fast.
func tmpfsDir(t *testing.T) string {
	t.Helper()
	d, err := os.MkdirTemp("/dev/shm", "daemontest")
	if err != nil {
		return t.TempDir()
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

// TestPidfileSpecialPaths: a pidfile path that is a symbolic link is
// followed: its target is written and removed on exit, the link stays; a
// device node such as /dev/null is written in place and never replaced or
// removed.
func TestPidfileSpecialPaths(t *testing.T) {
	dir := t.TempDir()
	target, link := filepath.Join(dir, "target.pid"), filepath.Join(dir, "link.pid")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := daemon.WritePidfile(link); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the symbolic link was replaced: %v %v", fi.Mode(), err)
	}
	want := strconv.Itoa(os.Getpid()) + "\n"
	if b, err := os.ReadFile(target); err != nil || string(b) != want {
		t.Errorf("link target holds %q (%v), want %q", b, err, want)
	}
	if removed, err := daemon.RemovePidfileIfOurs(link); !removed || err != nil {
		t.Errorf("RemovePidfileIfOurs(link) = %v, %v", removed, err)
	}
	if _, err := os.Stat(target); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("target still there after removal, with a stale pid: %v", err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link is gone after removal: %v", err)
	}

	if os.Geteuid() != 0 {
		t.Skip("mknod needs root")
	}
	null := filepath.Join(dir, "null")
	if err := syscall.Mknod(null, syscall.S_IFCHR|0o666, 1<<8|3); err != nil { // 1,3: /dev/null
		t.Skip("mknod:", err)
	}
	if err := daemon.WritePidfile(null); err != nil {
		t.Fatal(err)
	}
	if removed, err := daemon.RemovePidfileIfOurs(null); removed || err != nil {
		t.Errorf("RemovePidfileIfOurs(device) = %v, %v; want false, nil", removed, err)
	}
	if fi, err := os.Stat(null); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		t.Errorf("the device node was replaced or removed: %v %v", fi, err)
	}
}

// TestPidfileRelativeLinkFromLinkedDir: the pidfile's directory is a link
// (as /var/run → /run) and the pidfile a relative link with "..": it is
// resolved from the real directory, as the kernel does.
func TestPidfileRelativeLinkFromLinkedDir(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"a", "b/run", "a/pid", "b/pid"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(root, "b/run"), filepath.Join(root, "a/run")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../pid/radvd.pid", filepath.Join(root, "b/run/radvd.pid")); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(root, "a/run/radvd.pid")
	if err := daemon.WritePidfile(path); err != nil {
		t.Fatal(err)
	}
	want := strconv.Itoa(os.Getpid()) + "\n"
	if b, err := os.ReadFile(path); err != nil || string(b) != want {
		t.Errorf("reading %s: %q, %v; want %q", path, b, err, want)
	}
	if removed, err := daemon.RemovePidfileIfOurs(path); !removed || err != nil {
		t.Errorf("RemovePidfileIfOurs = %v, %v", removed, err)
	}
	if _, err := os.Stat(filepath.Join(root, "b/pid/radvd.pid")); !os.IsNotExist(err) {
		t.Errorf("target left after removal: %v", err)
	}
}
