package netlab

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"
)

// StopGrace is how long Proc.Stop waits after SIGTERM before SIGKILL.
const StopGrace = 3 * time.Second

// Proc is a background process started with NS.Start. Its standard output
// and standard error are captured in memory.
type Proc struct {
	ns     *NS
	argv   []string
	cmd    *exec.Cmd
	stdout SyncBuffer
	stderr SyncBuffer

	done    chan struct{} // closed once the process has been reaped
	waitErr error         // valid after done

	mu       sync.Mutex
	signaled bool // Stop sent a signal
}

// Start runs argv in the background inside the namespace (through
// "ip netns exec", which execs the program in place, so the Proc's PID is
// the program's). The process leads its own process group; Stop and the
// Lab's cleanup signal that group by its id, so helpers it forks are
// stopped too. If the test binary itself dies, the kernel kills the process
// (PR_SET_PDEATHSIG). Start calls t.Fatal if the program cannot be started.
func (ns *NS) Start(argv ...string) *Proc {
	t := ns.lab.t
	t.Helper()
	if len(argv) == 0 {
		t.Fatal("netlab: Start: empty command")
	}
	p := &Proc{ns: ns, argv: argv, done: make(chan struct{})}
	p.cmd = exec.Command("ip", append([]string{"netns", "exec", ns.name}, argv...)...)
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	// Do not hang in Wait if a grandchild keeps the output pipes open.
	p.cmd.WaitDelay = time.Second

	// The parent-death signal fires when the thread that forked the child
	// exits, not the process. Fork from a goroutine locked to its thread
	// for the child's whole life, so the signal only fires when the test
	// binary goes away.
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := p.cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		p.waitErr = p.cmd.Wait()
		close(p.done)
	}()
	if err := <-started; err != nil {
		t.Fatalf("netlab: %s: starting %s: %v", ns.name, strings.Join(argv, " "), err)
	}
	ns.lab.mu.Lock()
	ns.lab.ps = append(ns.lab.ps, p)
	ns.lab.mu.Unlock()
	return p
}

// Pid returns the process id.
func (p *Proc) Pid() int { return p.cmd.Process.Pid }

func (p *Proc) String() string {
	return fmt.Sprintf("%q (pid %d in %s)", strings.Join(p.argv, " "), p.Pid(), p.ns.name)
}

// Output returns what the process has written so far to standard output
// and standard error. It may be called while the process runs.
func (p *Proc) Output() (stdout, stderr string) {
	return p.stdout.String(), p.stderr.String()
}

// Done returns a channel closed once the process has exited and been
// reaped.
func (p *Proc) Done() <-chan struct{} { return p.done }

// Wait blocks until the process exits and returns its exit status as
// exec.Cmd.Wait does (nil for exit status 0).
func (p *Proc) Wait() error {
	<-p.done
	return p.waitErr
}

// Stop ends the process: SIGTERM to its process group, then SIGKILL if it
// has not exited after StopGrace, and waits until it is reaped. It returns
// nil when the process exited cleanly or died of the signals Stop sent, and
// the exit error otherwise. Stop may be called more than once.
func (p *Proc) Stop() error {
	select {
	case <-p.done:
		return p.exitErr()
	default:
	}
	p.mu.Lock()
	p.signaled = true
	p.mu.Unlock()
	pid := p.Pid()
	_ = syscall.Kill(-pid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(StopGrace):
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		<-p.done
	}
	return p.exitErr()
}

// exitErr is waitErr with deaths by Stop's own signals removed.
func (p *Proc) exitErr() error {
	p.mu.Lock()
	sig := p.signaled
	p.mu.Unlock()
	var ee *exec.ExitError
	if sig && errors.As(p.waitErr, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() &&
			(ws.Signal() == syscall.SIGTERM || ws.Signal() == syscall.SIGKILL) {
			return nil
		}
	}
	return p.waitErr
}

// SyncBuffer is a bytes.Buffer safe for concurrent writers and readers.
// Proc output is kept in one; tests also use it as a log destination.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
