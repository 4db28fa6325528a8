package daemon

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Pidfile contract.
//
// A serving instance holds an open-file-description lock (F_OFD_SETLK, a
// write lock on byte 0) on its pidfile from the moment it writes it until
// it is told to stop: ReleasePidfile drops it as soon as SIGTERM or SIGINT
// arrives, before the final advertisements, and the kernel drops it when
// the process dies, even by SIGKILL. WritePidfile refuses, with
// *RunningError, a pidfile whose lock is still held after
// runningWait: as radvd, a second start never runs a second daemon next to
// a healthy one. Unlike radvd, nova-network's sequence (SIGTERM to the
// running radvd, then at once a new start on the same path) succeeds: the
// exiting instance has released its lock, and the newcomer takes the
// pidfile over atomically (a complete temporary file renamed over the
// path, so readers see the old content or the new, never an empty or
// partial file). The exiting instance then removes the path only if it
// still names its own pid (RemovePidfileIfOurs).
//
// The check-and-remove of RemovePidfileIfOurs and the rename of
// WritePidfile are serialized by a short flock on the inode currently at
// the path (independent of the OFD lock), so the old instance cannot read
// its own pid, lose the race to a newcomer's rename, and then unlink the
// newcomer's file.
//
// A pidfile path that is a symbolic link is followed, as radvd's open(2)
// does: its target is written, and removed on exit, while the link stays
// (radvd unlinks the link and leaves its target with a stale pid). A path
// that is not a regular file (a device such as /dev/null, a FIFO) is
// written in place, never replaced, locked or removed.

// pidfileLockWait bounds how long the pidfile functions wait for the
// brief lock another instance holds; after it they proceed unlocked.
const pidfileLockWait = 2 * time.Second

// runningWait is how long WritePidfile waits for another instance's
// serving lock to go before it reports that instance as running. An
// instance told to stop releases the lock as soon as the signal arrives.
const runningWait = 2 * time.Second

// RunningError is WritePidfile's error when the pidfile belongs to an
// instance that is still serving.
type RunningError struct {
	Path string
	Pid  int // the running instance's pid, 0 if the file did not say
}

func (e *RunningError) Error() string {
	if e.Pid > 0 {
		return fmt.Sprintf("unable to lock pid file, %s: held by running process %d", e.Path, e.Pid)
	}
	return fmt.Sprintf("unable to lock pid file, %s: held by a running process", e.Path)
}

// serving is the open pidfile whose OFD lock says this process serves.
var serving struct {
	sync.Mutex
	f *os.File
}

// WritePidfile atomically writes the calling process's pid followed by
// "\n" to path with mode 0644 and holds the pidfile's serving lock (see
// the contract above). It replaces a stale pidfile, one whose instance is
// stopping, and this process's own; a pidfile held by a serving instance
// is *RunningError. The containing directory is synced so the new file
// survives a crash.
func WritePidfile(path string) error {
	path = followLink(path)
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		return writeInPlace(path, os.Getpid())
	}
	// Starters take turns (a lock on the directory, held only to look at
	// the pidfile and, when it is free, to write it): two that start
	// together must not both find it free and both serve. The waiting for
	// a serving instance to stop happens outside the lock, so starters of
	// other pidfiles in the same directory are not held up.
	deadline := time.Now().Add(runningWait)
	for {
		unlock, err := lockDir(filepath.Dir(path))
		if err != nil {
			return fmt.Errorf("unable to lock pid file, %s: %w", path, err)
		}
		releaseIfAt(path)
		pid, serving := servingNow(path)
		if !serving {
			err := writePidfileHeld(path, os.Getpid(), true)
			unlock()
			return err
		}
		unlock()
		if time.Now().After(deadline) {
			return &RunningError{Path: path, Pid: pid}
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// startersWait bounds how long a starter waits for the starters' lock,
// which others hold only for a look at the pidfile and its writing.
const startersWait = pidfileLockWait

// errStarting: other instances kept the starters' lock past startersWait.
var errStarting = errors.New("other instances are starting on it")

// lockDir takes the starters' lock, a flock on dir, and returns its
// release. A directory that cannot be opened or flocked goes without (the
// start goes on as it would have); a lock still held after startersWait
// is errStarting, never a start without it.
func lockDir(dir string) (func(), error) {
	d, err := os.Open(dir)
	if err != nil {
		return func() {}, nil
	}
	deadline := time.Now().Add(startersWait)
	for {
		err := syscall.Flock(int(d.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			d.Close()
			return func() {}, nil
		}
		if time.Now().After(deadline) {
			d.Close()
			return nil, errStarting
		}
		time.Sleep(5 * time.Millisecond)
	}
	return func() {
		syscall.Flock(int(d.Fd()), syscall.LOCK_UN)
		d.Close()
	}, nil
}

// ReleasePidfile drops this process's serving lock, so that a newcomer
// may take the pidfile over while this process finishes (its final
// advertisements). The file itself stays until RemovePidfileIfOurs.
func ReleasePidfile() {
	serving.Lock()
	defer serving.Unlock()
	if serving.f != nil {
		serving.f.Close()
		serving.f = nil
	}
}

// releaseIfAt releases this process's serving lock when it is on the
// file now at path: rewriting one's own pidfile is not a second instance.
func releaseIfAt(path string) {
	serving.Lock()
	defer serving.Unlock()
	if serving.f == nil {
		return
	}
	var held, cur syscall.Stat_t
	if syscall.Fstat(int(serving.f.Fd()), &held) == nil && syscall.Stat(path, &cur) == nil &&
		held.Dev == cur.Dev && held.Ino == cur.Ino {
		serving.f.Close()
		serving.f = nil
	}
}

// servingLock is the OFD lock a serving instance holds: a write lock on
// the pidfile's first byte.
func servingLock(typ int16) unix.Flock_t {
	return unix.Flock_t{Type: typ, Whence: io.SeekStart, Start: 0, Len: 1}
}

// servingNow reports whether the pidfile at path holds a serving lock,
// with the pid it names. A missing file, or a file system without OFD
// locks, counts as not serving.
func servingNow(path string) (pid int, serving bool) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	lk := servingLock(unix.F_WRLCK)
	if err := unix.FcntlFlock(f.Fd(), unix.F_OFD_GETLK, &lk); err != nil || lk.Type == unix.F_UNLCK {
		return 0, false
	}
	var buf [32]byte
	n, _ := f.ReadAt(buf[:], 0)
	pid, _ = parsePid(buf[:n])
	return pid, true
}

// followLink returns what path names once symbolic links are followed,
// even to a target that does not exist yet (open(2) with O_CREAT creates
// it there). Directories on the way are left as they are.
func followLink(path string) string {
	for range 40 { // the kernel's own limit on nested links
		fi, err := os.Lstat(path)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			return path
		}
		target, err := os.Readlink(path)
		if err != nil {
			return path
		}
		if !filepath.IsAbs(target) {
			// Relative to the link's real directory, as the kernel
			// resolves it: with dir itself a link (/var/run → /run), a
			// ".." in the target climbs from the real one.
			dir := filepath.Dir(path)
			if real, err := filepath.EvalSymlinks(dir); err == nil {
				dir = real
			}
			target = filepath.Join(dir, target)
		}
		path = target
	}
	return path
}

// writeInPlace writes "PID\n" into an existing file that is not a
// regular one (a device, a FIFO opened without blocking).
func writeInPlace(path string, pid int) error {
	f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return fmt.Errorf("pidfile %s: %w", path, err)
	}
	_, err = f.Write(append(strconv.AppendInt(nil, int64(pid), 10), '\n'))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("pidfile %s: %w", path, err)
	}
	return nil
}

func writePidfile(path string, pid int) error { return writePidfileHeld(path, pid, false) }

// writePidfileHeld writes the pidfile and, with hold, keeps its serving
// lock in this process (replacing any previous one).
func writePidfileHeld(path string, pid int, hold bool) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		// Name the pidfile, not the temporary file next to it.
		return fmt.Errorf("pidfile %s: %w", path, unwrapPath(err))
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
	locked := false
	if err == nil && hold {
		// Locked before the rename, so the pidfile is never seen
		// unlocked while this process serves. A file system without
		// OFD locks just goes without.
		lk := servingLock(unix.F_WRLCK)
		locked = unix.FcntlFlock(tmp.Fd(), unix.F_OFD_SETLK, &lk) == nil
	}
	if err != nil {
		tmp.Close()
		return fmt.Errorf("pidfile %s: %w", path, err)
	}
	unlock := lockCurrent(path)
	err = os.Rename(tmpName, path)
	unlock()
	if err != nil {
		tmp.Close()
		return fmt.Errorf("pidfile %s: %w", path, err)
	}
	syncDir(dir)
	if !locked {
		return tmp.Close()
	}
	serving.Lock()
	if serving.f != nil {
		serving.f.Close()
	}
	serving.f = tmp
	serving.Unlock()
	return nil
}

// RemovePidfileIfOurs removes path if it holds the calling process's pid.
// It reports whether it removed the file; a missing file or another pid is
// not an error (another instance has taken over).
func RemovePidfileIfOurs(path string) (bool, error) {
	return removePidfileIf(path, os.Getpid())
}

func removePidfileIf(path string, pid int) (bool, error) {
	if pid == os.Getpid() {
		ReleasePidfile()
	}
	// A symbolic link is followed: the file written through it is
	// removed and the link stays, ready for the next start. A device or
	// FIFO written in place is never removed.
	path = followLink(path)
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		return false, nil
	}
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

// unwrapPath strips the *fs.PathError around err, keeping its cause.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
