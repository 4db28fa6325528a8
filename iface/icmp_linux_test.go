package iface_test

import (
	"bytes"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/radish-net/radish/iface"
	"github.com/radish-net/radish/internal/inet"
)

var (
	rsMsg = []byte{133, 0, 0, 0, 0, 0, 0, 0} // RFC 4861 §4.1, checksum left to the kernel
	// raMsg is an RFC 4861 §4.2 Router Advertisement: cur hop limit 64, no
	// flags, router lifetime 1800 s, reachable time 0, retrans timer 0.
	raMsg = []byte{134, 0, 0, 0, 64, 0, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0, 0}
)

// checkICMP verifies that a received message is msg with a checksum the
// kernel computed correctly for src and dst.
func checkICMP(t *testing.T, got []byte, src, dst netip.Addr, msg []byte) {
	t.Helper()
	if len(got) != len(msg) || got[0] != msg[0] || !bytes.Equal(got[4:], msg[4:]) {
		t.Errorf("payload %x, want %x (checksum aside)", got, msg)
	}
	if got[2] == 0 && got[3] == 0 {
		t.Errorf("checksum not filled in: %x", got)
	}
	if c := inet.Checksum(src, dst, inet.ProtoICMPv6, got); c != 0 {
		t.Errorf("checksum does not verify (residue %#04x): %x", c, got)
	}
}

func TestICMPExchange(t *testing.T) {
	p := newPair(t)
	ca := listenICMP(t, p.a)
	cb := listenICMP(t, p.b)
	if err := ca.JoinGroup(p.idxA, allRtr); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1500)

	t.Run("RS to all-routers", func(t *testing.T) {
		if _, err := cb.WriteTo(rsMsg, &iface.Meta{IfIndex: p.idxB, Dst: allRtr}); err != nil {
			t.Fatal(err)
		}
		var m iface.Meta
		n := readTimeout(t, ca, buf, &m, 5*time.Second)
		want := iface.Meta{IfIndex: p.idxA, Src: p.llB, Dst: allRtr, HopLimit: 255}
		if m != want {
			t.Errorf("meta %+v, want %+v", m, want)
		}
		checkICMP(t, buf[:n], p.llB, allRtr, rsMsg)
	})
	t.Run("RA to all-nodes with source", func(t *testing.T) {
		if _, err := ca.WriteTo(raMsg, &iface.Meta{IfIndex: p.idxA, Src: p.llA, Dst: allNode}); err != nil {
			t.Fatal(err)
		}
		var m iface.Meta
		n := readTimeout(t, cb, buf, &m, 5*time.Second)
		want := iface.Meta{IfIndex: p.idxB, Src: p.llA, Dst: allNode, HopLimit: 255}
		if m != want {
			t.Errorf("meta %+v, want %+v", m, want)
		}
		checkICMP(t, buf[:n], p.llA, allNode, raMsg)
	})
	t.Run("RA unicast, kernel-chosen source", func(t *testing.T) {
		// Ports, as a generic reply helper might copy them, are ignored.
		if _, err := ca.WriteTo(raMsg, &iface.Meta{IfIndex: p.idxA, Dst: p.llB, SrcPort: 547, DstPort: 546}); err != nil {
			t.Fatal(err)
		}
		var m iface.Meta
		n := readTimeout(t, cb, buf, &m, 5*time.Second)
		want := iface.Meta{IfIndex: p.idxB, Src: p.llA, Dst: p.llB, HopLimit: 255}
		if m != want {
			t.Errorf("meta %+v, want %+v", m, want)
		}
		checkICMP(t, buf[:n], p.llA, p.llB, raMsg)
	})
	t.Run("after LeaveGroup no RS arrives", func(t *testing.T) {
		if err := ca.LeaveGroup(p.idxA, allRtr); err != nil {
			t.Fatal(err)
		}
		if _, err := cb.WriteTo(rsMsg, &iface.Meta{IfIndex: p.idxB, Dst: allRtr}); err != nil {
			t.Fatal(err)
		}
		// A unicast RS after it proves the socket still works and that the
		// multicast one was not delivered first.
		if _, err := cb.WriteTo(rsMsg, &iface.Meta{IfIndex: p.idxB, Dst: p.llA}); err != nil {
			t.Fatal(err)
		}
		var m iface.Meta
		readTimeout(t, ca, buf, &m, 5*time.Second)
		if m.Dst != p.llA {
			t.Errorf("first packet after LeaveGroup went to %v, want the unicast %v", m.Dst, p.llA)
		}
	})
	t.Run("bad group", func(t *testing.T) {
		if err := ca.JoinGroup(p.idxA, global); err == nil {
			t.Error("JoinGroup accepted a unicast address")
		}
	})
}

// TestICMPRdisc6 has rdisc6 (ndisc6) solicit on the host side; the
// solicitation must reach ListenICMP on the router side, and the
// advertisement written back must be printed by rdisc6.
func TestICMPRdisc6(t *testing.T) {
	p := newPair(t)
	ca := listenICMP(t, p.a)
	if err := ca.JoinGroup(p.idxA, allRtr); err != nil {
		t.Fatal(err)
	}
	proc := p.b.Start("rdisc6", "-1", "-r", "1", "-w", "5000", p.ifB)
	buf := make([]byte, 1500)
	var m iface.Meta
	n := readTimeout(t, ca, buf, &m, 5*time.Second)
	want := iface.Meta{IfIndex: p.idxA, Src: p.llB, Dst: allRtr, HopLimit: 255}
	if m != want || n < 8 || buf[0] != 133 {
		t.Fatalf("RS from rdisc6: %x meta %+v, want meta %+v", buf[:n], m, want)
	}
	if _, err := ca.WriteTo(raMsg, &iface.Meta{IfIndex: m.IfIndex, Src: p.llA, Dst: allNode}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-proc.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("rdisc6 did not finish")
	}
	out, errOut := proc.Output()
	if err := proc.Wait(); err != nil {
		t.Fatalf("rdisc6: %v\n%s%s", err, out, errOut)
	}
	for _, s := range []string{"Hop limit", "64", "Router lifetime", "1800", "from " + p.llA.String()} {
		if !strings.Contains(out, s) {
			t.Errorf("rdisc6 output lacks %q:\n%s", s, out)
		}
	}
}

func TestICMPClose(t *testing.T) {
	p := newPair(t)
	c := listenICMP(t, p.a)
	done := make(chan error, 1)
	go func() {
		var m iface.Meta
		_, err := c.ReadFrom(make([]byte, 64), &m)
		done <- err
	}()
	time.Sleep(50 * time.Millisecond) // let the reader block in the poller
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, iface.ErrClosed) {
			t.Errorf("ReadFrom after Close: %v, want ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not unblock ReadFrom")
	}
	if _, err := c.WriteTo(rsMsg, &iface.Meta{Dst: allRtr, IfIndex: p.idxA}); !errors.Is(err, iface.ErrClosed) {
		t.Errorf("WriteTo after Close: %v", err)
	}
}

func TestICMPNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	p := newPair(t)
	ca := listenICMP(t, p.a)
	cb := listenICMP(t, p.b)
	defer closeAfter(t, 20*time.Second, ca, cb)()
	if err := ca.JoinGroup(p.idxA, allRtr); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1500)
	var rm iface.Meta
	wa := iface.Meta{IfIndex: p.idxA, Src: p.llA, Dst: allNode}
	wb := iface.Meta{IfIndex: p.idxB, Dst: allRtr}
	// Prime both directions (and fail clearly, not by hanging, if broken).
	cb.WriteTo(rsMsg, &wb)
	readTimeout(t, ca, buf, &rm, 5*time.Second)
	var failed bool
	allocs := testing.AllocsPerRun(200, func() {
		if _, err := cb.WriteTo(rsMsg, &wb); err != nil {
			failed = true
		}
		if _, err := ca.ReadFrom(buf, &rm); err != nil || rm.Src != p.llB {
			failed = true
		}
		if _, err := ca.WriteTo(raMsg, &wa); err != nil {
			failed = true
		}
		if _, err := cb.ReadFrom(buf, &rm); err != nil || rm.Src != p.llA {
			failed = true
		}
	})
	if failed {
		t.Fatal("exchange failed during the allocation run")
	}
	if allocs != 0 {
		t.Errorf("RS/RA exchange: %v allocations per round, want 0", allocs)
	}
}
