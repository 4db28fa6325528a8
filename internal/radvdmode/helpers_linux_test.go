package radvdmode_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/radish-net/radish/internal/daemon"
	"github.com/radish-net/radish/internal/netlab"
)

const (
	radvdPath     = "/usr/sbin/radvd" // Debian's radvd 2.19, the reference; never written to
	installedPath = "/usr/sbin/radvd" // where radish is bind-mounted in a private mount namespace
)

var (
	buildOnce sync.Once
	buildDir  string
	buildBin  string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// radishBinary builds cmd/radish once per test process, into a directory
// every user can traverse (the daemon re-executes it after -u nobody).
func radishBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "radvdmode-bin")
		if buildErr != nil {
			return
		}
		os.Chmod(buildDir, 0o755)
		buildBin = filepath.Join(buildDir, "radish")
		// go test puts its own GOROOT/bin first in PATH.
		gobin, err := exec.LookPath("go")
		if err != nil {
			buildErr = err
			return
		}
		cmd := exec.Command(gobin, "build", "-o", buildBin, "github.com/radish-net/radish/cmd/radish")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildBin
}

// publicDir is a temporary directory nobody can read (mode 0755), for
// configurations a daemon rereads after dropping privileges.
func publicDir(t *testing.T) string {
	t.Helper()
	d, err := os.MkdirTemp("", "radvdmode")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(d, 0o755)
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// started is the outcome of starting a daemonizing radvd the way its
// callers do: with stdout and stderr pipes, waiting for EOF on both and
// for the exit status.
type started struct {
	code   int
	output string
}

// startInstalled runs "/usr/sbin/radvd ARGS" inside ns, with radish
// bind-mounted at /usr/sbin/radvd in a private mount namespace (so
// /proc/PID/exe reads /usr/sbin/radvd and nothing is left on the host).
// It returns once the original process has exited and both pipes are at
// EOF, or fails the test after 20 s.
func startInstalled(t *testing.T, ns *netlab.NS, env []string, args ...string) started {
	t.Helper()
	if _, err := os.Stat(installedPath); err != nil {
		t.Skipf("%s must exist to be bind-mounted over: %v", installedPath, err)
	}
	bin := radishBinary(t)
	script := `mount --bind "$0" ` + installedPath + ` && exec ` + installedPath + ` "$@"`
	argv := append([]string{"netns", "exec", ns.Name(), "unshare", "-m", "--propagation", "private", "sh", "-c", script, bin}, args...)
	cmd := exec.Command("ip", argv...)
	cmd.Env = append(os.Environ(), env...)
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = outW, errW
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	outW.Close()
	errW.Close()
	var buf [2]bytes.Buffer
	eof := make(chan struct{}, 2)
	for i, r := range []*os.File{outR, errR} {
		go func() { buf[i].ReadFrom(r); r.Close(); eof <- struct{}{} }()
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	deadline := time.After(20 * time.Second)
	var werr error
	for n := 0; n < 3; n++ {
		select {
		case <-eof:
		case werr = <-waited:
		case <-deadline:
			cmd.Process.Kill()
			t.Fatalf("radvd %q: no exit with closed pipes after 20 s (stdout %q, stderr %q)", args, buf[0].String(), buf[1].String())
		}
	}
	code := 0
	var ee *exec.ExitError
	if errors.As(werr, &ee) {
		code = ee.ExitCode()
	} else if werr != nil {
		t.Fatal(werr)
	}
	return started{code: code, output: buf[0].String() + buf[1].String()}
}

// adopt reads the pidfile and makes sure the daemon it names is killed
// when the test ends.
func adopt(t *testing.T, pidfile string) int {
	t.Helper()
	b, err := os.ReadFile(pidfile)
	if err != nil {
		t.Fatalf("pidfile: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSuffix(string(b), "\n"))
	if err != nil || string(b) != strconv.Itoa(pid)+"\n" {
		t.Fatalf("pidfile holds %q, want decimal digits and a newline", b)
	}
	t.Cleanup(func() { killPid(pid) })
	return pid
}

// killPid kills one daemon this test started, by pid, if it is still one
// of ours (comm radvd).
func killPid(pid int) {
	if comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid)); strings.TrimSpace(string(comm)) == "radvd" {
		syscall.Kill(pid, syscall.SIGKILL)
	}
}

// checkIdentity checks a daemon the way its callers do.
func checkIdentity(t *testing.T, pid int, confPath string) {
	t.Helper()
	if !daemon.ProcessAlive(pid) {
		t.Fatalf("pid %d is not running", pid)
	}
	cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if !bytes.Contains(cmdline, []byte("\x00"+confPath+"\x00")) && !bytes.HasSuffix(cmdline, []byte("\x00"+confPath+"\x00")) {
		t.Errorf("cmdline %q lacks the -C path %s", cmdline, confPath)
	}
	if !bytes.HasPrefix(cmdline, []byte(installedPath+"\x00")) {
		t.Errorf("cmdline %q does not start with %s", cmdline, installedPath)
	}
	if exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid)); err != nil || exe != installedPath {
		t.Errorf("readlink /proc/%d/exe = %q, %v; want %s", pid, exe, err, installedPath)
	}
	if comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid)); string(comm) != "radvd\n" {
		t.Errorf("comm %q, want radvd", comm)
	}
	// Detached as daemon(3) does: out of the caller's directory, at the
	// root (the chroot's, with -t).
	cwd, err1 := os.Readlink(fmt.Sprintf("/proc/%d/cwd", pid))
	root, err2 := os.Readlink(fmt.Sprintf("/proc/%d/root", pid))
	if err1 == nil && err2 == nil && cwd != root {
		t.Errorf("working directory %s, want the root %s", cwd, root)
	}
}

// waitGone waits until pid has exited.
func waitGone(t *testing.T, pid int, d time.Duration) {
	t.Helper()
	end := time.Now().Add(d)
	for daemon.ProcessAlive(pid) {
		if time.Now().After(end) {
			t.Fatalf("pid %d still running after %v", pid, d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// rdisc6 solicits on the host's eth0 and returns the answer (err when
// no RA arrived).
func rdisc6(ctx context.Context, host *netlab.NS) (string, error) {
	out, _, err := host.Run(ctx, "rdisc6", "-1", "-n", "-w", "1000", "-r", "3", "eth0")
	return out, err
}

// waitRA polls rdisc6 until the answer contains every want; runs of
// spaces are collapsed in both, so "Router lifetime : 30" matches
// rdisc6's aligned columns.
func waitRA(t *testing.T, host *netlab.NS, want ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	var last string
	for ctx.Err() == nil {
		out, err := rdisc6(ctx, host)
		last = fmt.Sprintf("%s(err: %v)", out, err)
		if err == nil {
			ok, flat := true, collapse(out)
			for _, w := range want {
				ok = ok && strings.Contains(flat, collapse(w))
			}
			if ok {
				return out
			}
		}
	}
	t.Fatalf("no RA with %q within 15 s; last rdisc6 output:\n%s", want, last)
	return ""
}

// routerLab is a router namespace with link ifName joined by a veth to
// the host namespace's eth0, forwarding on in the router and accept_ra=2
// on the host.
func routerLab(t *testing.T, ifName string) (lab *netlab.Lab, router, host *netlab.NS) {
	t.Helper()
	lab = netlab.New(t)
	router = lab.Namespace("rt")
	host = lab.Namespace("host")
	lab.Veth(router, ifName, host, "eth0")
	router.Sysctl("net.ipv6.conf.all.forwarding", "1")
	host.Sysctl("net.ipv6.conf.eth0.accept_ra", "2")
	router.Up(ifName)
	host.Up("eth0")
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if _, err := router.LinkLocal(ctx, ifName); err != nil {
		t.Fatal(err)
	}
	if _, err := host.LinkLocal(ctx, "eth0"); err != nil {
		t.Fatal(err)
	}
	return lab, router, host
}

func needRoot(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test skipped under -short")
	}
	if os.Geteuid() != 0 {
		t.Skip("end-to-end test needs root (network and mount namespaces)")
	}
}

func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }
