// Package netlab builds small network labs for radish's end-to-end tests:
// network namespaces joined by veth pairs and bridges, with programs and Go
// code running inside them, all removed when the test ends.
//
// Contract:
//
//   - New skips the test (it does not fail it) when the process is not root,
//     under -short, or when the ip(8) command is missing.
//   - Everything a Lab creates lives inside namespaces the Lab created
//     itself. There is deliberately no way to configure the host's own
//     namespace: links are created directly inside lab namespaces (the veth
//     peer is placed in its namespace at creation), so a test never adds,
//     changes or removes anything the host can see except the namespace
//     names under /run/netns.
//   - Namespace names are unique per process and lab: "nl" + pid + "-" +
//     lab counter + "-" + the caller's name. Link names are chosen by the
//     caller; they only need to be unique inside their own namespace (and
//     at most 15 bytes, the kernel's IFNAMSIZ-1). IfName makes unique ones
//     for tests that want them.
//   - Everything is registered with t.Cleanup when created, so it is
//     removed even when the test fails, calls t.Fatal or panics: first
//     processes started with NS.Start are stopped by PID (SIGTERM to the
//     process group, SIGKILL after a grace period) and reaped, then the
//     namespaces are deleted, which destroys their links.
//   - Namespaces left behind by an earlier test process that was killed
//     outright (so its cleanups never ran) are removed by the next New,
//     when the process id in their name no longer exists.
//
// A typical test:
//
//	lab := netlab.New(t)
//	router := lab.Namespace("router")
//	host := lab.Namespace("host")
//	lab.Bridge(router, "br0")
//	lab.Veth(router, "p0", host, "eth0")
//	router.SetMaster("p0", "br0")
//	router.Up("p0")
//	router.Up("br0")
//	host.Sysctl("net.ipv6.conf.eth0.accept_ra", "2")
//	host.Up("eth0")
//	var conn *net.UDPConn
//	err := router.Do(func() (err error) {
//		conn, err = net.ListenUDP("udp6", &net.UDPAddr{Port: 547})
//		return err
//	})
//	...
//	p := host.Start("rdisc6", "eth0")
//
// Methods that build the lab (Namespace, Veth, Bridge, Up, Down, Delete,
// SetMaster, Sysctl, IP, Start) call t.Fatal on failure and so must be
// called from the test goroutine. Methods that observe or run things (Run,
// Do, ReadSysctl, Addrs, Routes, Link, LinkLocal, WaitFor and the Proc
// methods) return errors and may be called from any goroutine.
package netlab

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// namePrefix starts every namespace name a Lab creates.
const namePrefix = "nl"

// maxIfName is the longest interface name the kernel accepts (IFNAMSIZ-1).
const maxIfName = 15

var (
	labSeq  atomic.Uint64 // labs created by this process
	nameSeq atomic.Uint64 // names made by IfName in this process
)

// Lab is a set of namespaces, links and processes belonging to one test.
// Create it with New. Its methods are safe for concurrent use, but those
// that call t.Fatal must run on the test goroutine.
type Lab struct {
	t   testing.TB
	id  string // "nl<pid>-<seq>"
	mu  sync.Mutex
	nss []*NS
	ps  []*Proc
}

// New returns an empty Lab whose contents are removed when t ends. It skips
// t with a message saying why when the process is not root, under
// testing.Short(), or when ip(8) is not installed.
func New(t testing.TB) *Lab {
	t.Helper()
	if testing.Short() {
		t.Skip("netlab: end-to-end test skipped under -short")
	}
	if os.Geteuid() != 0 {
		t.Skip("netlab: end-to-end test needs root to create network namespaces")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("netlab: end-to-end test needs the ip command (iproute2)")
	}
	removeStale(t)
	l := &Lab{
		t:  t,
		id: fmt.Sprintf("%s%d-%d", namePrefix, os.Getpid(), labSeq.Add(1)),
	}
	t.Cleanup(l.cleanup)
	return l
}

// IfName returns an interface name unique in this process, built from
// prefix (truncated as needed), the process id and a counter, and at most
// 15 bytes long.
func (l *Lab) IfName(prefix string) string {
	suffix := strconv.FormatInt(int64(os.Getpid()), 36) + strconv.FormatUint(nameSeq.Add(1), 36)
	if n := maxIfName - len(suffix); len(prefix) > n {
		prefix = prefix[:max(n, 0)]
	}
	s := prefix + suffix
	if len(s) > maxIfName {
		s = s[len(s)-maxIfName:]
	}
	return s
}

// cleanup stops processes, then deletes namespaces, in reverse order of
// creation. Failures are reported with t.Errorf.
func (l *Lab) cleanup() {
	l.mu.Lock()
	ps, nss := l.ps, l.nss
	l.ps, l.nss = nil, nil
	l.mu.Unlock()
	for i := len(ps) - 1; i >= 0; i-- {
		if err := ps[i].Stop(); err != nil {
			l.t.Logf("netlab: stopping %s: %v", ps[i], err)
		}
	}
	for i := len(nss) - 1; i >= 0; i-- {
		if out, err := exec.Command("ip", "netns", "delete", nss[i].name).CombinedOutput(); err != nil {
			l.t.Errorf("netlab: deleting namespace %s: %v: %s", nss[i].name, err, strings.TrimSpace(string(out)))
		}
	}
}

// staleName matches namespace names made by New: nl<pid>-<seq>-<name>.
var staleName = regexp.MustCompile(`^` + namePrefix + `([0-9]+)-[0-9]+-`)

// removeStale deletes lab namespaces whose owning process no longer exists.
func removeStale(t testing.TB) {
	ents, err := os.ReadDir("/run/netns")
	if err != nil {
		return
	}
	for _, e := range ents {
		m := staleName.FindStringSubmatch(e.Name())
		if m == nil {
			continue
		}
		pid, err := strconv.Atoi(m[1])
		if err != nil || pid == os.Getpid() {
			continue
		}
		if _, err := os.Stat("/proc/" + m[1]); err == nil {
			continue // owner still running
		}
		if out, err := exec.Command("ip", "netns", "delete", e.Name()).CombinedOutput(); err != nil {
			t.Logf("netlab: removing stale namespace %s: %v: %s", e.Name(), err, strings.TrimSpace(string(out)))
		}
	}
}

// validName reports whether s is usable as a link or namespace name part.
func validName(s string, maxLen int) bool {
	if s == "" || len(s) > maxLen {
		return false
	}
	for _, c := range []byte(s) {
		if c <= ' ' || c == '/' || c == ':' || c >= 0x7f {
			return false
		}
	}
	return true
}

// Veth creates a veth pair with end aIf in namespace a and end bIf in
// namespace b (a and b may be the same namespace). Both ends are left down.
func (l *Lab) Veth(a *NS, aIf string, b *NS, bIf string) {
	l.t.Helper()
	if !validName(aIf, maxIfName) || !validName(bIf, maxIfName) {
		l.t.Fatalf("netlab: bad veth names %q, %q (1-15 bytes, no spaces, '/' or ':')", aIf, bIf)
	}
	a.ip("link", "add", aIf, "type", "veth", "peer", "name", bIf, "netns", b.name)
}

// Bridge creates bridge name in ns, with STP off and multicast snooping off
// (so every multicast frame reaches every port and the bridge itself, as on
// a plain switch). It is left down, so that sysctls such as disable_ipv6
// can be set before the kernel configures it; add ports with NS.SetMaster
// and bring it up with NS.Up.
func (l *Lab) Bridge(ns *NS, name string) {
	l.t.Helper()
	if !validName(name, maxIfName) {
		l.t.Fatalf("netlab: bad bridge name %q", name)
	}
	ns.ip("link", "add", name, "type", "bridge", "stp_state", "0", "mcast_snooping", "0")
}
