package daemon

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// EnvNotifyFD is the environment marker by which a re-executed process
// knows it is the detached child; its value is the number of the
// readiness pipe's file descriptor. Detach removes it from the child's
// environment.
const EnvNotifyFD = "RADISH_DAEMON_NOTIFY_FD"

// DefaultReadyTimeout is how long Detach waits for the child when
// DetachConfig.Timeout is zero.
const DefaultReadyTimeout = 30 * time.Second

// DetachConfig configures Detach.
type DetachConfig struct {
	// Pidfile, as the original process sees it, must hold the child's pid
	// and a newline before Detach reports success. Empty skips the check
	// (for example when the child writes it inside a chroot).
	Pidfile string
	// Timeout bounds the wait for the child's Ready or Fail; the child is
	// killed when it expires. Zero means DefaultReadyTimeout.
	Timeout time.Duration
}

// Detach daemonizes by re-execution, since a Go program cannot fork.
//
// In the original process it starts the same program again — the same
// path it was started as, the same argv, the same working directory —
// in a new session (setsid), with stdin, stdout and stderr on /dev/null
// and a readiness pipe as an extra descriptor named by EnvNotifyFD. It
// then waits until the child calls Ready, checks that the pidfile holds
// the child's pid, and returns parent=true with a nil error: the caller
// exits 0. If the child calls Fail, exits, or times out first, Detach
// returns parent=true and an error carrying the child's message: the
// caller prints it on stderr and exits 1.
//
// In the re-executed child it removes EnvNotifyFD from the environment,
// keeps the pipe for Ready and Fail, and returns parent=false.
//
// The path re-executed is os.Args[0] if it contains a slash, otherwise
// os.Args[0] looked up in PATH as the shell did — provided that path is
// the file actually running; else os.Executable (the running file's
// resolved path). It is deliberately not /proc/self/exe: the kernel names the
// process (comm) after the basename of the path given to execve, so
// /proc/self/exe would make it "exe" and break "pidof radvd"; and after a
// package upgrade /proc/self/exe is the deleted old binary. Callers check
// that readlink /proc/PID/exe is /usr/sbin/radvd, which holds when radish
// is installed there as a regular file (a symlink would make it read
// radish's own path).
func Detach(cfg DetachConfig) (parent bool, err error) {
	if v, ok := os.LookupEnv(EnvNotifyFD); ok {
		os.Unsetenv(EnvNotifyFD)
		fd, err := strconv.Atoi(v)
		var st syscall.Stat_t
		if err != nil || fd < 3 || syscall.Fstat(fd, &st) != nil || st.Mode&syscall.S_IFMT != syscall.S_IFIFO {
			return false, fmt.Errorf("daemon: %s=%q does not name the readiness pipe", EnvNotifyFD, v)
		}
		syscall.CloseOnExec(fd)
		notifyMu.Lock()
		notify = os.NewFile(uintptr(fd), "daemon-notify")
		notifyMu.Unlock()
		return false, nil
	}
	return true, detachParent(cfg)
}

func detachParent(cfg DetachConfig) error {
	path, err := selfPath()
	if err != nil {
		return fmt.Errorf("cannot find own executable: %w", err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	defer r.Close()
	cmd := &exec.Cmd{
		Path:        path,
		Args:        os.Args,
		Env:         append(os.Environ(), EnvNotifyFD+"=3"),
		ExtraFiles:  []*os.File{w}, // fd 3 in the child
		SysProcAttr: &syscall.SysProcAttr{Setsid: true},
		// Stdin, Stdout and Stderr nil: the child gets /dev/null.
	}
	err = cmd.Start()
	w.Close()
	if err != nil {
		return err
	}
	pid := cmd.Process.Pid

	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultReadyTimeout
	}
	r.SetReadDeadline(time.Now().Add(timeout))
	msg, rerr := io.ReadAll(io.LimitReader(r, 64<<10))
	if rerr != nil {
		cmd.Process.Kill()
		cmd.Wait()
		if errors.Is(rerr, os.ErrDeadlineExceeded) {
			return fmt.Errorf("daemon process %d not ready after %v, killed", pid, timeout)
		}
		return fmt.Errorf("daemon process %d: %w", pid, rerr)
	}
	status, text, _ := bytes.Cut(msg, []byte{'\n'})
	switch {
	case string(status) == "ok "+strconv.Itoa(pid):
	case string(status) == "error":
		cmd.Process.Release() // it exits after Fail; its new parent reaps it
		return errors.New(strings.TrimRight(string(text), "\n"))
	default:
		return fmt.Errorf("daemon process %d stopped before it was ready: %s", pid, waitBriefly(cmd))
	}
	if fi, err := os.Stat(cfg.Pidfile); cfg.Pidfile != "" && (err != nil || fi.Mode().IsRegular()) {
		// (A device such as /dev/null is written in place and reads
		// back nothing: nothing to check there.)
		b, err := os.ReadFile(cfg.Pidfile)
		if err != nil {
			return fmt.Errorf("daemon process %d ready but %w", pid, err)
		}
		if want := strconv.Itoa(pid) + "\n"; string(b) != want {
			return fmt.Errorf("daemon process %d ready but pidfile %s holds %q", pid, cfg.Pidfile, b)
		}
	}
	return cmd.Process.Release()
}

// waitBriefly reaps a child that closed the readiness pipe without a
// word and describes how it ended; a child that closed the pipe but keeps
// running is left alone.
func waitBriefly(cmd *exec.Cmd) string {
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err == nil {
			return "exit status 0"
		}
		return err.Error()
	case <-time.After(time.Second):
		cmd.Process.Release()
		return "it closed the readiness pipe"
	}
}

// selfPath finds the path this process was started as; see Detach. The
// candidate from os.Args[0] is used only if it is the very file running
// (argv[0] can differ from the executed path: exec -a, or a caller that
// passes "radvd" as argv[0] with an explicit path while another radvd
// comes first in PATH); otherwise os.Executable is used.
func selfPath() (string, error) {
	a0 := os.Args[0]
	cand := a0
	if !strings.ContainsRune(a0, '/') && a0 != "" {
		p, err := exec.LookPath(a0)
		if err != nil && !(errors.Is(err, exec.ErrDot) && p != "") {
			p = ""
		}
		cand = p
	}
	if cand != "" {
		running, rerr := os.Stat("/proc/self/exe")
		found, ferr := os.Stat(cand)
		if rerr != nil || ferr == nil && os.SameFile(running, found) {
			return cand, nil
		}
	}
	return os.Executable()
}

var (
	notifyMu sync.Mutex
	notify   *os.File // the readiness pipe in a detached child, until Ready or Fail
)

// Ready tells the waiting original process that the daemon is up; call it
// after WritePidfile. It is a no-op in a process that was not detached
// (for example with -n) and after the first Ready or Fail.
func Ready() error {
	return sendNotify("ok " + strconv.Itoa(os.Getpid()) + "\n")
}

// Fail hands msg to the waiting original process, which returns it from
// Detach so that it reaches the caller's stderr; the child's own stderr is
// /dev/null. The child should exit 1 afterwards. Fail is a no-op in a
// process that was not detached.
func Fail(msg string) error {
	return sendNotify("error\n" + msg)
}

// Detached reports whether this process is a detached child that has not
// yet called Ready or Fail.
func Detached() bool {
	notifyMu.Lock()
	defer notifyMu.Unlock()
	return notify != nil
}

func sendNotify(s string) error {
	notifyMu.Lock()
	defer notifyMu.Unlock()
	if notify == nil {
		return nil
	}
	_, err := io.WriteString(notify, s)
	if cerr := notify.Close(); err == nil {
		err = cerr
	}
	notify = nil
	return err
}
