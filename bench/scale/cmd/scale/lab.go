package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// nsPrefix starts every namespace this program creates: "scale" + pid +
// "-r" (router) or "-s" (sink).
const nsPrefix = "scale"

var staleNS = regexp.MustCompile(`^` + nsPrefix + `([0-9]+)-[rs]$`)

// lab is a router namespace and a sink namespace joined by n veth pairs.
// Both ends of pair i have the same name (unique per namespace).
type lab struct {
	router, sink string
	links        []string
	dir          string // scratch files (batch files, daemon config, logs)
}

// ipCmd runs ip(8) with args and returns its combined output on error.
func ipCmd(ctx context.Context, args ...string) error {
	out, err := exec.CommandContext(ctx, "ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return nil
}

// sysctls sets key=value pairs inside namespace ns.
func sysctls(ctx context.Context, ns string, kv ...string) error {
	args := append([]string{"netns", "exec", ns, "sysctl", "-q", "-w"}, kv...)
	return ipCmd(ctx, args...)
}

// removeStale deletes namespaces left by an earlier run of this program
// that was killed outright (SIGKILL), identified by the pid in their name.
func removeStale(ctx context.Context) {
	ents, err := os.ReadDir("/run/netns")
	if err != nil {
		return
	}
	for _, e := range ents {
		m := staleNS.FindStringSubmatch(e.Name())
		if m == nil {
			continue
		}
		pid, _ := strconv.Atoi(m[1])
		if pid == os.Getpid() || unix.Kill(pid, 0) != unix.ESRCH {
			continue
		}
		if err := ipCmd(ctx, "netns", "del", e.Name()); err == nil {
			logf("removed stale namespace %s", e.Name())
		}
	}
}

// linkName is the name of veth pair i: "sc" + pid + "x" + i, at most 15
// bytes for pids below 10^7 and i below 10^4.
func linkName(pid, i int) string { return fmt.Sprintf("sc%dx%d", pid, i) }

// newLab creates the namespaces and n veth pairs. On error it returns the
// partly built lab, which close removes.
func newLab(ctx context.Context, n int, dir string) (*lab, error) {
	pid := os.Getpid()
	l := &lab{
		router: fmt.Sprintf("%s%d-r", nsPrefix, pid),
		sink:   fmt.Sprintf("%s%d-s", nsPrefix, pid),
		dir:    dir,
	}
	for i := range n {
		name := linkName(pid, i)
		if len(name) > 15 {
			return l, fmt.Errorf("link name %s longer than 15 bytes", name)
		}
		l.links = append(l.links, name)
	}
	for _, ns := range []string{l.router, l.sink} {
		if err := ipCmd(ctx, "netns", "add", ns); err != nil {
			return l, err
		}
		if err := ipCmd(ctx, "-n", ns, "link", "set", "lo", "up"); err != nil {
			return l, err
		}
	}
	// Before any link exists, so that new links inherit the defaults:
	// no DAD (addresses usable at once), forwarding on the router, and a
	// sink that neither solicits nor accepts RAs (it only counts them).
	if err := sysctls(ctx, l.router,
		"net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0",
		"net.ipv6.conf.all.forwarding=1", "net.ipv6.conf.default.forwarding=1"); err != nil {
		return l, err
	}
	if err := sysctls(ctx, l.sink,
		"net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0",
		"net.ipv6.conf.all.accept_ra=0", "net.ipv6.conf.default.accept_ra=0",
		"net.ipv6.conf.default.router_solicitations=0"); err != nil {
		return l, err
	}
	var rb, sb strings.Builder
	for _, name := range l.links {
		fmt.Fprintf(&rb, "link add %s type veth peer name %s netns %s\n", name, name, l.sink)
	}
	for _, name := range l.links {
		fmt.Fprintf(&rb, "link set %s up\n", name)
		fmt.Fprintf(&sb, "link set %s up\n", name)
	}
	for _, b := range []struct{ ns, file, text string }{
		{l.router, "router.batch", rb.String()},
		{l.sink, "sink.batch", sb.String()},
	} {
		path := filepath.Join(dir, b.file)
		if err := os.WriteFile(path, []byte(b.text), 0o600); err != nil {
			return l, err
		}
		if err := ipCmd(ctx, "-n", b.ns, "-batch", path); err != nil {
			return l, err
		}
	}
	return l, nil
}

// countLinkLocals returns how many link-local addresses namespace ns has.
func countLinkLocals(ctx context.Context, ns string) (int, error) {
	out, err := exec.CommandContext(ctx, "ip", "-n", ns, "-6", "-o", "addr", "show", "scope", "link").Output()
	if err != nil {
		return 0, fmt.Errorf("ip -n %s addr: %w", ns, err)
	}
	n := 0
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if strings.Contains(sc.Text(), " fe80::") {
			n++
		}
	}
	return n, nil
}

// waitLinkLocals waits until every link has its link-local address at
// both ends. The router needs its own to send at all. The sink needs its
// own because the kernel gives a link its address only once it has
// brought IPv6 up there (with the ff00::/8 route that multicast input
// looks up): until then RAs arriving on the link are dropped before
// ICMPv6 sees them (Ip6InNoRoutes). The sink's end of a veth pair can
// come up a second after the router's, so waiting for the router alone
// let the daemon's first RAs fall into that gap.
func (l *lab) waitLinkLocals(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		ready := true
		for _, ns := range []string{l.router, l.sink} {
			got, err := countLinkLocals(ctx, ns)
			if err != nil {
				return err
			}
			if got >= len(l.links) {
				continue
			}
			ready = false
			if time.Now().After(deadline) {
				return fmt.Errorf("namespace %s has %d of %d link-local addresses after %v", ns, got, len(l.links), timeout)
			}
		}
		if ready {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// close deletes both namespaces, which destroys every veth pair. It uses
// its own context: it runs after an interrupt has cancelled the run's.
func (l *lab) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var errs []error
	for _, ns := range []string{l.router, l.sink} {
		if _, err := os.Stat("/run/netns/" + ns); err != nil {
			continue
		}
		errs = append(errs, ipCmd(ctx, "netns", "del", ns))
	}
	return errors.Join(errs...)
}

// inNamespace runs f on a goroutine locked to an OS thread that has
// entered namespace ns. Sockets f creates stay in ns afterwards. The
// thread returns to the original namespace when f is done; if it cannot,
// it is left locked and so exits with the goroutine.
func inNamespace(ns string, f func() error) error {
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			done <- err
			return
		}
		defer unix.Close(orig)
		fd, err := unix.Open("/run/netns/"+ns, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			done <- err
			return
		}
		err = unix.Setns(fd, unix.CLONE_NEWNET)
		unix.Close(fd)
		if err != nil {
			done <- fmt.Errorf("entering namespace %s: %w", ns, err)
			return
		}
		err = f()
		if unix.Setns(orig, unix.CLONE_NEWNET) == nil {
			runtime.UnlockOSThread()
		}
		done <- err
	}()
	return <-done
}
