package netlab

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// NS is one network namespace of a Lab. Create it with Lab.Namespace.
type NS struct {
	lab  *Lab
	name string // full name under /run/netns
}

// NSOption changes how Lab.Namespace sets up a namespace.
type NSOption func(*nsConfig)

type nsConfig struct {
	dad bool
}

// WithDAD keeps the kernel's default Duplicate Address Detection
// (accept_dad=1) in the new namespace, for tests of DAD itself. Without it,
// Namespace sets net.ipv6.conf.{all,default}.accept_dad=0, so that
// addresses, including link-locals, are usable as soon as a link is up.
func WithDAD() NSOption { return func(c *nsConfig) { c.dad = true } }

// Namespace creates a network namespace named after name (which appears in
// the full name, see Name), brings its loopback up and applies test
// defaults: accept_dad=0 for all and future links unless WithDAD is given.
// Other sysctls keep the kernel's defaults; change them with Sysctl.
func (l *Lab) Namespace(name string, opts ...NSOption) *NS {
	l.t.Helper()
	if !validName(name, 64) {
		l.t.Fatalf("netlab: bad namespace name %q", name)
	}
	var cfg nsConfig
	for _, o := range opts {
		o(&cfg)
	}
	ns := &NS{lab: l, name: l.id + "-" + name}
	if out, err := exec.Command("ip", "netns", "add", ns.name).CombinedOutput(); err != nil {
		l.t.Fatalf("netlab: ip netns add %s: %v: %s", ns.name, err, strings.TrimSpace(string(out)))
	}
	// Registered before anything else can fail, so it is always removed.
	l.mu.Lock()
	l.nss = append(l.nss, ns)
	l.mu.Unlock()
	ns.Up("lo")
	if !cfg.dad {
		ns.Sysctl("net.ipv6.conf.all.accept_dad", "0")
		ns.Sysctl("net.ipv6.conf.default.accept_dad", "0")
	}
	return ns
}

// Name returns the namespace's full name, as ip netns list shows it.
func (ns *NS) Name() string { return ns.name }

// Path returns the namespace's bind mount, /run/netns/NAME, which can be
// opened and passed to setns(2).
func (ns *NS) Path() string { return "/run/netns/" + ns.name }

func (ns *NS) String() string { return ns.name }

// IP runs "ip -n NAME args..." and calls t.Fatal if it fails; it returns
// ip's standard output. Use it for configuration the Lab has no method for,
// such as "addr", "add", "2001:db8::1/64", "dev", "eth0".
func (ns *NS) IP(args ...string) string {
	ns.lab.t.Helper()
	return ns.ip(args...)
}

func (ns *NS) ip(args ...string) string {
	ns.lab.t.Helper()
	argv := append([]string{"-n", ns.name}, args...)
	var stdout, stderr bytes.Buffer
	cmd := exec.Command("ip", argv...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		ns.lab.t.Fatalf("netlab: ip %s: %v: %s", strings.Join(argv, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String()
}

// Up sets link ifName administratively up.
func (ns *NS) Up(ifName string) {
	ns.lab.t.Helper()
	ns.ip("link", "set", "dev", ifName, "up")
}

// Down sets link ifName administratively down.
func (ns *NS) Down(ifName string) {
	ns.lab.t.Helper()
	ns.ip("link", "set", "dev", ifName, "down")
}

// Delete removes link ifName (for a veth, both ends).
func (ns *NS) Delete(ifName string) {
	ns.lab.t.Helper()
	ns.ip("link", "delete", "dev", ifName)
}

// SetMaster enslaves link ifName to bridge br in the same namespace.
func (ns *NS) SetMaster(ifName, br string) {
	ns.lab.t.Helper()
	ns.ip("link", "set", "dev", ifName, "master", br)
}

// sysctlPath maps a sysctl key to its file under /proc/sys. Keys use dots
// ("net.ipv6.conf.eth0.accept_ra") or, for link names containing dots,
// slashes ("net/ipv6/conf/eth0.100/accept_ra").
func sysctlPath(key string) string {
	if !strings.Contains(key, "/") {
		key = strings.ReplaceAll(key, ".", "/")
	}
	return filepath.Join("/proc/sys", filepath.Clean("/"+key))
}

// Sysctl writes value to sysctl key inside the namespace, calling t.Fatal
// on failure. See ReadSysctl for the key syntax.
func (ns *NS) Sysctl(key, value string) {
	ns.lab.t.Helper()
	p := sysctlPath(key)
	if err := ns.Do(func() error { return os.WriteFile(p, []byte(value), 0) }); err != nil {
		ns.lab.t.Fatalf("netlab: %s: sysctl %s=%s: %v", ns.name, key, value, err)
	}
}

// ReadSysctl returns the value of sysctl key inside the namespace, with
// surrounding white space removed. Keys use dots
// ("net.ipv6.conf.eth0.accept_ra") or, when a link name contains a dot,
// slashes ("net/ipv6/conf/eth0.100/accept_ra").
func (ns *NS) ReadSysctl(key string) (string, error) {
	p := sysctlPath(key)
	var v []byte
	err := ns.Do(func() (err error) {
		v, err = os.ReadFile(p)
		return err
	})
	return strings.TrimSpace(string(v)), err
}

// Run runs argv inside the namespace (through "ip netns exec") and returns
// its standard output and standard error once it exits. The command is
// killed when ctx is done. A non-zero exit is an error that quotes stderr.
func (ns *NS) Run(ctx context.Context, argv ...string) (stdout, stderr string, err error) {
	if len(argv) == 0 {
		return "", "", errors.New("netlab: Run: empty command")
	}
	var o, e bytes.Buffer
	cmd := exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", ns.name}, argv...)...)
	cmd.Stdout, cmd.Stderr = &o, &e
	if err = cmd.Run(); err != nil {
		err = fmt.Errorf("netlab: %s: %s: %w: %s", ns.name, strings.Join(argv, " "), err, strings.TrimSpace(e.String()))
	}
	return o.String(), e.String(), err
}

// Do runs f inside the namespace and returns its error (a panic in f is
// recovered and returned as an error carrying the stack).
//
// Thread semantics: a Linux network namespace belongs to an OS thread, not
// to a process or a goroutine. Do starts a new goroutine, locks it to its
// OS thread with runtime.LockOSThread, moves that thread into the namespace
// with setns(2) and calls f there. The goroutine never unlocks, so when it
// returns the Go runtime terminates the thread instead of reusing it: no
// other goroutine ever runs in the lab's namespace by accident, and the
// caller's own thread is never touched. Consequences for f:
//
//   - Sockets, netlink connections and AF_PACKET sockets opened by f belong
//     to the namespace for their whole life, and may be used after Do
//     returns from any goroutine. Close them (e.g. in t.Cleanup): an open
//     socket keeps its namespace alive after the Lab deletes the name.
//   - Goroutines that f starts run on other threads, in the host's
//     namespace. Do any namespace-dependent setup in f itself.
//   - Only the network namespace changes: the mount namespace stays the
//     host's, so /sys/class/net shows the host's links; /proc/sys/net and
//     /proc/net follow the thread's namespace and show the lab's.
//
// Each call costs one OS thread creation; Do is for setup and checks, not
// for loops.
func (ns *NS) Do(f func() error) error {
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		// No UnlockOSThread: see the doc comment.
		done <- ns.enterAndRun(f)
	}()
	return <-done
}

func (ns *NS) enterAndRun(f func() error) (err error) {
	fd, err := unix.Open(ns.Path(), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("netlab: opening namespace %s: %w", ns.name, err)
	}
	err = unix.Setns(fd, unix.CLONE_NEWNET)
	unix.Close(fd)
	if err != nil {
		return fmt.Errorf("netlab: entering namespace %s: %w", ns.name, err)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("netlab: panic in %s: %v\n%s", ns.name, r, debug.Stack())
		}
	}()
	return f()
}

// WaitFor calls cond every 20 ms until it returns true (nil) or ctx is done
// (ctx.Err()). cond runs on the caller's goroutine, in the host's namespace:
// use Run, Do, Addrs or Routes inside it to look into the lab.
func (ns *NS) WaitFor(ctx context.Context, cond func() bool) error {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if cond() {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("netlab: %s: condition not met: %w", ns.name, ctx.Err())
		case <-tick.C:
		}
	}
}
