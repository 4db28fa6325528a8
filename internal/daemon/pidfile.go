package daemon

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// Pidfile contract.
//
// WritePidfile never refuses because another process holds the pidfile:
// nova-network sends SIGTERM to the running radvd and immediately starts a
// new one on the same path, and radvd 2.x's exclusive flock makes that new
// instance fail while the old one finishes its final advertisements. Here
// the newcomer takes the pidfile over atomically (a complete temporary
// file renamed over the path, so readers see the old content or the new,
// never an empty or partial file), and the exiting instance removes the
// path only if it still names its own pid (RemovePidfileIfOurs).
//
// The check-and-remove of RemovePidfileIfOurs and the rename of
// WritePidfile are serialized by a short flock on the inode currently at
// the path, so the old instance cannot read its own pid, lose the race to
// a newcomer's rename, and then unlink the newcomer's file. No lock is held
// between calls, so a crashed or stopped instance never blocks another.

// pidfileLockWait bounds how long the pidfile functions wait for the
// brief lock another instance holds; after it they proceed unlocked.
const pidfileLockWait = 2 * time.Second

// WritePidfile atomically writes the calling process's pid followed by
// "\n" to path with mode 0644, replacing any previous pidfile, stale or
// not (see the contract above). The containing directory is synced so the
// new file survives a crash.
func WritePidfile(path string) error {
	return writePidfile(path, os.Getpid())
}

func writePidfile(path string, pid int) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("pidfile %s: %w", path, err)
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName) // no-op after a successful rename
	_, err = tmp.Write(strconv.AppendInt(nil, int64(pid), 10))
	if err == nil {
		_, err = tmp.Write([]byte{'\n'})
	}
	if err == nil {
		err = tmp.Chmod(0o644) // CreateTemp uses 0600 and umask must not narrow 0644
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("pidfile %s: %w", path, err)
	}
	unlock := lockCurrent(path)
	err = os.Rename(tmpName, path)
	unlock()
	if err != nil {
		return fmt.Errorf("pidfile %s: %w", path, err)
	}
	syncDir(dir)
	return nil
}

// RemovePidfileIfOurs removes path if it holds the calling process's pid.
// It reports whether it removed the file; a missing file or another pid is
// not an error (another instance has taken over).
func RemovePidfileIfOurs(path string) (bool, error) {
	return removePidfileIf(path, os.Getpid())
}

func removePidfileIf(path string, pid int) (bool, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("pidfile %s: %w", path, err)
	}
	defer f.Close()
	locked := flockWait(f)
	if locked {
		defer syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	}
	// The path must still name the inode we locked and read.
	var held, cur syscall.Stat_t
	if syscall.Fstat(int(f.Fd()), &held) != nil || syscall.Stat(path, &cur) != nil ||
		held.Dev != cur.Dev || held.Ino != cur.Ino {
		return false, nil
	}
	var buf [32]byte
	n, _ := f.ReadAt(buf[:], 0)
	got, ok := parsePid(buf[:n])
	if !ok || got != pid {
		return false, nil
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("pidfile %s: %w", path, err)
	}
	return true, nil
}

// ReadPidfile returns the pid recorded in path. A file that does not hold
// a positive decimal pid (optionally followed by a newline) is an error.
func ReadPidfile(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	pid, ok := parsePid(b)
	if !ok {
		return 0, fmt.Errorf("pidfile %s: no pid in %q", path, b)
	}
	return pid, nil
}

// ProcessAlive reports whether a process with this pid exists and is not
// a zombie. It is the "kill -0" test that callers of radvd use.
func ProcessAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true // no /proc: trust kill
	}
	// The state follows the parenthesized command name, which may contain ')'.
	if i := bytes.LastIndexByte(b, ')'); i >= 0 && i+2 < len(b) {
		return b[i+2] != 'Z' && b[i+2] != 'X'
	}
	return true
}

func parsePid(b []byte) (int, bool) {
	b = bytes.TrimSuffix(b, []byte{'\n'})
	if len(b) == 0 || len(b) > 10 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, n > 0
}

// lockCurrent takes the brief lock on the inode currently at path, if
// any, and returns its release.
func lockCurrent(path string) func() {
	f, err := os.Open(path)
	if err != nil {
		return func() {}
	}
	if !flockWait(f) {
		f.Close()
		return func() {}
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}
}

// flockWait takes an exclusive flock on f, polling for at most
// pidfileLockWait so that a stuck holder cannot wedge a start or a stop.
func flockWait(f *os.File) bool {
	deadline := time.Now().Add(pidfileLockWait)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return true
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) || time.Now().After(deadline) {
			return false
		}
		time.Sleep(time.Millisecond)
	}
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
