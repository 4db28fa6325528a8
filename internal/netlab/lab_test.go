package netlab_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/netip"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/radish-net/radish/internal/netlab"
)

func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), d)
	t.Cleanup(cancel)
	return ctx
}

// udpEcho listens on [addr%ifName]:port inside ns and echoes one datagram
// back to its sender. The socket is opened inside the namespace by Do and
// used afterwards from another goroutine.
func udpEcho(t *testing.T, ns *netlab.NS, ifName string, addr netip.Addr, port int) {
	t.Helper()
	var c *net.UDPConn
	if err := ns.Do(func() (err error) {
		c, err = net.ListenUDP("udp6", &net.UDPAddr{IP: addr.AsSlice(), Port: port, Zone: ifName})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	go func() {
		buf := make([]byte, 1500)
		n, from, err := c.ReadFromUDP(buf)
		if err != nil {
			return
		}
		c.WriteToUDP(buf[:n], from)
	}()
}

// udpPing sends msg from ns to [dst%ifName]:port and returns the reply.
func udpPing(ns *netlab.NS, ifName string, dst netip.Addr, port int, msg []byte) ([]byte, error) {
	var reply []byte
	err := ns.Do(func() error {
		c, err := net.DialUDP("udp6", nil, &net.UDPAddr{IP: dst.AsSlice(), Port: port, Zone: ifName})
		if err != nil {
			return err
		}
		defer c.Close()
		if _, err := c.Write(msg); err != nil {
			return err
		}
		c.SetReadDeadline(time.Now().Add(3 * time.Second))
		buf := make([]byte, 1500)
		n, err := c.Read(buf)
		reply = buf[:n]
		return err
	})
	return reply, err
}

func TestVethLinkLocal(t *testing.T) {
	lab := netlab.New(t)
	a := lab.Namespace("a")
	b := lab.Namespace("b")
	lab.Veth(a, "a0", b, "b0")
	a.Up("a0")
	b.Up("b0")
	ctx := ctxTimeout(t, 10*time.Second)
	llA, err := a.LinkLocal(ctx, "a0")
	if err != nil {
		t.Fatal(err)
	}
	llB, err := b.LinkLocal(ctx, "b0")
	if err != nil {
		t.Fatal(err)
	}
	if llA == llB {
		t.Fatalf("both ends have link-local %v", llA)
	}

	t.Run("ping", func(t *testing.T) {
		if _, err := exec.LookPath("ping"); err != nil {
			t.Skip("ping (iputils-ping) not installed; the UDP exchange below covers reachability")
		}
		out, _, err := a.Run(ctx, "ping", "-6", "-c1", "-W1", llB.String()+"%a0")
		if err != nil {
			t.Fatalf("ping %v%%a0: %v\n%s", llB, err, out)
		}
	})

	t.Run("udp", func(t *testing.T) {
		udpEcho(t, b, "b0", llB, 5547)
		got, err := udpPing(a, "a0", llB, 5547, []byte("radish"))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != "radish" {
			t.Fatalf("echo = %q, want %q", got, "radish")
		}
	})

	t.Run("addrs and routes", func(t *testing.T) {
		a.IP("addr", "add", "2001:db8::1/64", "dev", "a0", "nodad")
		a.IP("route", "add", "2001:db8:1::/48", "via", llB.String(), "dev", "a0", "metric", "77")
		addrs, err := a.Addrs("a0")
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(addrs, func(x netlab.Addr) bool { return x.Prefix == netip.MustParsePrefix("2001:db8::1/64") })
		if i < 0 {
			t.Fatalf("2001:db8::1/64 missing from %+v", addrs)
		}
		if g := addrs[i]; g.Scope != "global" || !g.Has("nodad") || g.Valid != 0xffffffff {
			t.Errorf("2001:db8::1/64 = %+v, want scope global, flag nodad, valid forever", g)
		}
		if !slices.ContainsFunc(addrs, func(x netlab.Addr) bool { return x.Prefix.Addr() == llA && x.Scope == "link" }) {
			t.Errorf("link-local %v missing from %+v", llA, addrs)
		}
		routes, err := a.Routes()
		if err != nil {
			t.Fatal(err)
		}
		want := netlab.Route{Dst: netip.MustParsePrefix("2001:db8:1::/48"), Gateway: llB, Dev: "a0", Protocol: "boot", Metric: 77}
		if !slices.ContainsFunc(routes, func(r netlab.Route) bool {
			return r.Dst == want.Dst && r.Gateway == want.Gateway && r.Dev == want.Dev && r.Metric == want.Metric && r.Protocol == want.Protocol
		}) {
			t.Errorf("route %+v missing from %+v", want, routes)
		}
	})

	t.Run("link", func(t *testing.T) {
		la, err := a.Link("a0")
		if err != nil {
			t.Fatal(err)
		}
		if la.Name != "a0" || la.Index <= 1 || len(la.HardwareAddr) != 6 || !slices.Contains(la.Flags, "UP") {
			t.Errorf("Link(a0) = %+v", la)
		}
		// The EUI-64 link-local of a veth comes from its MAC.
		mac := la.HardwareAddr
		ll := llA.As16()
		if ll[8] != mac[0]^2 || ll[9] != mac[1] || ll[13] != mac[3] || ll[15] != mac[5] {
			t.Errorf("link-local %v does not match MAC %v", llA, mac)
		}
	})
}

func TestBridge(t *testing.T) {
	lab := netlab.New(t)
	sw := lab.Namespace("sw")
	h1 := lab.Namespace("h1")
	h2 := lab.Namespace("h2")
	lab.Bridge(sw, "br0")
	lab.Veth(h1, "e0", sw, "p1")
	lab.Veth(h2, "e0", sw, "p2")
	for _, p := range []string{"p1", "p2"} {
		sw.SetMaster(p, "br0")
		sw.Up(p)
	}
	sw.Up("br0")
	h1.Up("e0")
	h2.Up("e0")

	for _, p := range []string{"p1", "p2"} {
		l, err := sw.Link(p)
		if err != nil {
			t.Fatal(err)
		}
		if l.Master != "br0" {
			t.Errorf("%s master = %q, want br0", p, l.Master)
		}
	}
	ctx := ctxTimeout(t, 10*time.Second)
	ll2, err := h2.LinkLocal(ctx, "e0")
	if err != nil {
		t.Fatal(err)
	}
	udpEcho(t, h2, "e0", ll2, 5548)
	got, err := udpPing(h1, "e0", ll2, 5548, []byte("across the bridge"))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "across the bridge" {
		t.Fatalf("echo = %q", got)
	}

	// Removing a port cuts h2 off.
	sw.Delete("p2")
	if _, err := sw.Link("p2"); err == nil {
		t.Fatal("p2 still exists after Delete")
	}
	if _, err := h2.Link("e0"); err == nil {
		t.Fatal("veth peer e0 in h2 survived deleting p2")
	}
}

func TestDoIsolation(t *testing.T) {
	lab := netlab.New(t)
	ns := lab.Namespace("iso")
	lab.Veth(ns, "x0", ns, "x1")
	var inside []string
	if err := ns.Do(func() error {
		ifs, err := net.Interfaces()
		for _, i := range ifs {
			inside = append(inside, i.Name)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	slices.Sort(inside)
	if !slices.Equal(inside, []string{"lo", "x0", "x1"}) {
		t.Errorf("links inside = %v, want [lo x0 x1]", inside)
	}
	// The caller's thread stayed in the host namespace.
	if _, err := net.InterfaceByName("x0"); err == nil {
		t.Error("x0 is visible outside the namespace")
	}

	err := ns.Do(func() error { panic("boom") })
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("Do(panic) = %v, want an error quoting the panic", err)
	}
	sentinel := errors.New("sentinel")
	if err := ns.Do(func() error { return sentinel }); !errors.Is(err, sentinel) {
		t.Errorf("Do returned %v, want the function's error", err)
	}
}

func TestSysctl(t *testing.T) {
	lab := netlab.New(t)
	ns := lab.Namespace("sys")
	dad := lab.Namespace("dad", netlab.WithDAD())
	for _, tc := range []struct {
		ns   *netlab.NS
		key  string
		want string
	}{
		{ns, "net.ipv6.conf.default.accept_dad", "0"},
		{ns, "net.ipv6.conf.all.accept_dad", "0"},
		{dad, "net.ipv6.conf.default.accept_dad", "1"},
	} {
		got, err := tc.ns.ReadSysctl(tc.key)
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("%s: %s = %q, want %q", tc.ns, tc.key, got, tc.want)
		}
	}
	lab.Veth(ns, "v.1", ns, "v2")
	ns.Sysctl("net/ipv6/conf/v.1/accept_ra", "2")
	if got, err := ns.ReadSysctl("net/ipv6/conf/v.1/accept_ra"); err != nil || got != "2" {
		t.Errorf("accept_ra of v.1 = %q, %v; want 2", got, err)
	}
	ns.Sysctl("net.ipv6.conf.v2.hop_limit", "33")
	if got, err := ns.ReadSysctl("net.ipv6.conf.v2.hop_limit"); err != nil || got != "33" {
		t.Errorf("hop_limit of v2 = %q, %v; want 33", got, err)
	}
}

func TestProc(t *testing.T) {
	lab := netlab.New(t)
	ns := lab.Namespace("proc")
	ctx := ctxTimeout(t, 10*time.Second)

	p := ns.Start("sh", "-c", "echo out; echo err >&2; ip -o link show lo; exec sleep 600")
	if err := ns.WaitFor(ctx, func() bool { o, _ := p.Output(); return strings.Contains(o, "lo:") }); err != nil {
		t.Fatal(err)
	}
	if o, e := p.Output(); !strings.HasPrefix(o, "out\n") || e != "err\n" {
		t.Errorf("output = %q, %q", o, e)
	}
	if err := p.Stop(); err != nil {
		t.Errorf("Stop = %v, want nil for a process ended by SIGTERM", err)
	}
	select {
	case <-p.Done():
	default:
		t.Error("Done not closed after Stop")
	}

	t.Run("ignores SIGTERM", func(t *testing.T) {
		p := ns.Start("sh", "-c", "trap '' TERM; echo ready; while :; do sleep 0.1; done")
		if err := ns.WaitFor(ctx, func() bool { o, _ := p.Output(); return o == "ready\n" }); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if err := p.Stop(); err != nil {
			t.Errorf("Stop = %v, want nil after SIGKILL", err)
		}
		if d := time.Since(start); d < netlab.StopGrace {
			t.Errorf("stopped after %v, before the grace period", d)
		}
	})

	t.Run("exit status", func(t *testing.T) {
		p := ns.Start("sh", "-c", "exit 3")
		var ee *exec.ExitError
		if err := p.Wait(); !errors.As(err, &ee) || ee.ExitCode() != 3 {
			t.Errorf("Wait = %v, want exit status 3", err)
		}
	})

	t.Run("run", func(t *testing.T) {
		out, _, err := ns.Run(ctx, "ip", "-o", "link")
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(out, "\n"); n != 1 || !strings.Contains(out, "lo:") {
			t.Errorf("ip -o link inside a fresh namespace:\n%s", out)
		}
		_, _, err = ns.Run(ctx, "sh", "-c", "echo bad >&2; exit 1")
		if err == nil || !strings.Contains(err.Error(), "bad") {
			t.Errorf("Run of a failing command = %v, want an error quoting stderr", err)
		}
	})
}

func TestCleanup(t *testing.T) {
	var names []string
	var pid int
	t.Run("lab", func(t *testing.T) {
		lab := netlab.New(t)
		a := lab.Namespace("c1")
		b := lab.Namespace("c2")
		lab.Veth(a, "v0", b, "v1")
		lab.Bridge(b, "br0")
		names = []string{a.Name(), b.Name()}
		p := a.Start("sleep", "600")
		pid = p.Pid()
		out, err := exec.Command("ip", "netns", "list").Output()
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			if !bytes.Contains(out, []byte(n)) {
				t.Fatalf("namespace %s not listed while the lab runs:\n%s", n, out)
			}
		}
	})
	if names == nil {
		t.Skip("lab not created")
	}
	out, err := exec.Command("ip", "netns", "list").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if bytes.Contains(out, []byte(n)) {
			t.Errorf("namespace %s still listed after cleanup:\n%s", n, out)
		}
	}
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("process %d still exists after cleanup (kill 0: %v)", pid, err)
	}
}

func TestIfName(t *testing.T) {
	seen := map[string]bool{}
	for _, prefix := range []string{"", "v", "radish-bridge-very-long"} {
		for range 3 {
			n := (&netlab.Lab{}).IfName(prefix)
			if len(n) == 0 || len(n) > 15 {
				t.Errorf("IfName(%q) = %q: length %d", prefix, n, len(n))
			}
			if seen[n] {
				t.Errorf("IfName(%q) = %q twice", prefix, n)
			}
			seen[n] = true
		}
	}
}
