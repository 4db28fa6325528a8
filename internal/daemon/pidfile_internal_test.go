package daemon

import (
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestTakeoverRace runs an exiting instance's RemovePidfileIfOurs against
// a newcomer's WritePidfile many times: the newcomer's pidfile must
// survive every time. Without the inode lock the remover can read its own
// pid, lose the rename race and unlink the newcomer's file.
func TestTakeoverRace(t *testing.T) {
	path := filepath.Join(runDir(t), "radvd.pid")
	const oldPid, newPid = 1001, 1002
	for i := range 300 {
		if err := writePidfile(path, oldPid); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		wg.Go(func() {
			if err := writePidfile(path, newPid); err != nil {
				t.Error(err)
			}
		})
		wg.Go(func() {
			if _, err := removePidfileIf(path, oldPid); err != nil {
				t.Error(err)
			}
		})
		wg.Wait()
		b, err := os.ReadFile(path)
		if err != nil || string(b) != "1002\n" {
			t.Fatalf("round %d: pidfile %q (%v), want the newcomer's", i, b, err)
		}
	}
}

// runDir returns a fresh directory on tmpfs when there is one, as /run is
// on a real system: fsync there is free, so stress loops stay fast.
func runDir(t *testing.T) string {
	t.Helper()
	d, err := os.MkdirTemp("/dev/shm", "daemontest")
	if err != nil {
		return t.TempDir()
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

// TestOtherPidfileSameDirNotHeldUp: starters waiting for a serving
// instance on a.pid do not hold up a start on the free b.pid in the same
// directory (neutron keeps one pidfile per router in one directory), and
// they are refused naming the serving pid.
func TestOtherPidfileSameDirNotHeldUp(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.pid"), filepath.Join(dir, "b.pid")
	if err := os.WriteFile(a, []byte("4242\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(a, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lk := servingLock(unix.F_WRLCK)
	if err := unix.FcntlFlock(f.Fd(), unix.F_OFD_SETLK, &lk); err != nil {
		t.Skip("no OFD locks here:", err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() { errs[i] = WritePidfile(a) })
	}
	time.Sleep(50 * time.Millisecond)
	t0 := time.Now()
	err = WritePidfile(b)
	took := time.Since(t0)
	wg.Wait()
	if err != nil || took > time.Second {
		t.Errorf("start on the free b.pid: %v after %v, want success at once", err, took)
	}
	for i, err := range errs {
		var re *RunningError
		if !errors.As(err, &re) || re.Pid != 4242 {
			t.Errorf("starter %d on a.pid: %v, want RunningError naming 4242", i, err)
		}
	}
	ReleasePidfile()
}
