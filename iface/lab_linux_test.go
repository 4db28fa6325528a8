package iface_test

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/radish-net/radish/iface"
	"github.com/radish-net/radish/internal/netlab"
)

// pair is two namespaces joined by a veth pair: the router side A (where
// the conns under test run) and the host side B (the peer). Sockets are
// opened inside a namespace with netlab's NS.Do, which runs a function on
// an OS thread moved into the namespace with setns(2) and never returned to
// the scheduler; a socket belongs to the namespace it was created in for
// its whole life, so it may then be used from any goroutine. This needs no
// re-exec of the test binary and leaves the test's own threads untouched.
type pair struct {
	lab        *netlab.Lab
	a, b       *netlab.NS
	ifA, ifB   string
	idxA, idxB int
	llA, llB   netip.Addr
}

// newPair builds the lab, with both ends up and usable, and the kernel's
// own Router Solicitations turned off so only the test's packets flow.
// It skips the test when not root or under -short.
func newPair(t *testing.T) *pair {
	t.Helper()
	l := netlab.New(t)
	p := &pair{lab: l, a: l.Namespace("a"), b: l.Namespace("b"), ifA: "ra0", ifB: "rb0"}
	l.Veth(p.a, p.ifA, p.b, p.ifB)
	p.a.Sysctl("net.ipv6.conf."+p.ifA+".router_solicitations", "0")
	p.b.Sysctl("net.ipv6.conf."+p.ifB+".router_solicitations", "0")
	p.a.Up(p.ifA)
	p.b.Up(p.ifB)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	var err error
	if p.llA, err = p.a.LinkLocal(ctx, p.ifA); err != nil {
		t.Fatal(err)
	}
	if p.llB, err = p.b.LinkLocal(ctx, p.ifB); err != nil {
		t.Fatal(err)
	}
	la, err := p.a.Link(p.ifA)
	if err != nil {
		t.Fatal(err)
	}
	lb, err := p.b.Link(p.ifB)
	if err != nil {
		t.Fatal(err)
	}
	p.idxA, p.idxB = la.Index, lb.Index
	return p
}

// listenICMP opens an ICMPConn inside ns, closed when the test ends.
func listenICMP(t *testing.T, ns *netlab.NS) *iface.ICMPConn {
	t.Helper()
	var c *iface.ICMPConn
	if err := ns.Do(func() (err error) { c, err = iface.ListenICMP(); return err }); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// listenUDP opens a UDPConn on port inside ns, closed when the test ends.
func listenUDP(t *testing.T, ns *netlab.NS, port, batch int) *iface.UDPConn {
	t.Helper()
	var c *iface.UDPConn
	if err := ns.Do(func() (err error) { c, err = iface.ListenUDP(port, batch); return err }); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// readTimeout reads one packet from c, failing the test (and closing c to
// release the reader) if none arrives within d.
func readTimeout(t *testing.T, c iface.Conn, b []byte, m *iface.Meta, d time.Duration) int {
	t.Helper()
	type result struct {
		n   int
		err error
	}
	done := make(chan result, 1)
	go func() {
		n, err := c.ReadFrom(b, m)
		done <- result{n, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			t.Fatalf("ReadFrom: %v", r.err)
		}
		return r.n
	case <-time.After(d):
		c.Close()
		<-done
		t.Fatalf("no packet within %v", d)
		return 0
	}
}

// closeAfter closes the conns if the test is still running after d, so a
// lost packet turns a blocking read into a failure instead of a hang. The
// returned function disarms it.
func closeAfter(t *testing.T, d time.Duration, conns ...iface.Conn) (stop func() bool) {
	t.Helper()
	tm := time.AfterFunc(d, func() {
		t.Errorf("watchdog: test still blocked after %v; closing its conns", d)
		for _, c := range conns {
			c.Close()
		}
	})
	return tm.Stop
}
