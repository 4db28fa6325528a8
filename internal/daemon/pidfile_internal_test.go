package daemon

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
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
