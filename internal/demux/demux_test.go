package demux_test

import (
	"bytes"
	"errors"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/radish-net/radish/iface"
	"github.com/radish-net/radish/iface/ifacetest"
	"github.com/radish-net/radish/internal/demux"
)

var (
	client   = netip.MustParseAddr("fe80::2")
	allDHCP  = netip.MustParseAddr("ff02::1:2")
	allRtrs  = netip.MustParseAddr("ff02::2")
	rs       = []byte{133, 0, 0, 0, 0, 0, 0, 0}
	infoReq  = []byte{11, 1, 2, 3, 0, 6, 0, 2, 0, 23}
	infoReq2 = []byte{11, 4, 5, 6}
)

func icmpMeta(idx int) iface.Meta {
	return iface.Meta{IfIndex: idx, Src: client, Dst: allRtrs, HopLimit: 255}
}

func udpMeta(idx int) iface.Meta {
	return iface.Meta{IfIndex: idx, Src: client, Dst: allDHCP, SrcPort: 546, DstPort: 547, HopLimit: 1}
}

func replyMeta(idx int) iface.Meta {
	return iface.Meta{IfIndex: idx, Dst: client, SrcPort: 547, DstPort: 546}
}

func inject(t *testing.T, c *ifacetest.FakeConn, b []byte, m iface.Meta) {
	t.Helper()
	if err := c.Inject(b, m); err != nil {
		t.Fatal(err)
	}
}

func serve(t *testing.T, x *demux.Mux, udp iface.Conn) *demux.ServerConn {
	t.Helper()
	s, err := x.Serve(udp)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func read(t *testing.T, c iface.Conn) ([]byte, iface.Meta) {
	t.Helper()
	b := make([]byte, 2048)
	var m iface.Meta
	n, err := c.ReadFrom(b, &m)
	if err != nil {
		t.Fatalf("ReadFrom: %v", err)
	}
	return b[:n], m
}

// TestLinkSplitsTraffic: the engine reading a Link sees only ICMPv6; the
// UDP packets read meanwhile come out of the ServerConn, in order, with
// their metadata, after the kernel conn's packets queued before them.
func TestLinkSplitsTraffic(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		x := demux.New(demux.Options{})
		udp, pc := new(ifacetest.FakeConn), new(ifacetest.FakeConn)
		s := serve(t, x, udp)
		l := x.Link(7, pc)

		inject(t, udp, infoReq2, udpMeta(3))
		synctest.Wait() // the kernel reader queued it
		inject(t, pc, infoReq, udpMeta(7))
		inject(t, pc, rs, icmpMeta(7))
		inject(t, pc, infoReq2, udpMeta(7))
		inject(t, pc, rs[:4], icmpMeta(7))

		for i, want := range [][]byte{rs, rs[:4]} {
			b, m := read(t, l)
			if !bytes.Equal(b, want) || m != icmpMeta(7) {
				t.Errorf("engine read %d: %x %+v, want %x %+v", i, b, m, want, icmpMeta(7))
			}
		}
		for i, want := range []struct {
			b []byte
			m iface.Meta
		}{{infoReq2, udpMeta(3)}, {infoReq, udpMeta(7)}, {infoReq2, udpMeta(7)}} {
			b, m := read(t, s)
			if !bytes.Equal(b, want.b) || m != want.m {
				t.Errorf("server read %d: %x %+v, want %x %+v", i, b, m, want.b, want.m)
			}
		}
		c := x.Counters()
		if c.Forwarded.Load() != 2 || c.Kernel.Load() != 1 || c.QueueFull.Load() != 0 || c.NoServer.Load() != 0 {
			t.Errorf("counters forwarded=%d kernel=%d queue_full=%d no_server=%d, want 2 1 0 0",
				c.Forwarded.Load(), c.Kernel.Load(), c.QueueFull.Load(), c.NoServer.Load())
		}
	})
}

// TestDrops: a full queue and a Mux without a ServerConn drop a Link's UDP
// packets and count them; oversized packets too. RSes still reach the
// engine.
func TestDrops(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		x := demux.New(demux.Options{Slots: 2, SlotSize: 16})
		pc := new(ifacetest.FakeConn)
		l := x.Link(7, pc)
		inject(t, pc, infoReq, udpMeta(7))
		inject(t, pc, rs, icmpMeta(7))
		if b, _ := read(t, l); !bytes.Equal(b, rs) {
			t.Fatalf("engine read %x", b)
		}
		if got := x.Counters().NoServer.Load(); got != 1 {
			t.Errorf("NoServer = %d, want 1", got)
		}

		s := serve(t, x, new(ifacetest.FakeConn))
		synctest.Wait() // the kernel reader waits holding one slot: one is left
		for range 3 {
			inject(t, pc, infoReq, udpMeta(7))
		}
		inject(t, pc, make([]byte, 17), udpMeta(7))
		inject(t, pc, rs, icmpMeta(7))
		read(t, l)
		c := x.Counters()
		if c.Forwarded.Load() != 1 || c.QueueFull.Load() != 2 || c.Oversize.Load() != 1 {
			t.Errorf("forwarded=%d queue_full=%d oversize=%d, want 1 2 1", c.Forwarded.Load(), c.QueueFull.Load(), c.Oversize.Load())
		}
		// Reading frees the slot: the next packet is queued.
		read(t, s)
		inject(t, pc, infoReq2, udpMeta(7))
		inject(t, pc, rs, icmpMeta(7))
		read(t, l)
		if c.Forwarded.Load() != 2 {
			t.Errorf("packet not queued after the server read the queue")
		}
		if b, _ := read(t, s); !bytes.Equal(b, infoReq2) {
			t.Errorf("server read %x, want %x", b, infoReq2)
		}
	})
}

// TestWriteRouting: replies leave through the Link of their ifindex and
// through the kernel conn otherwise, one by one and in batches.
func TestWriteRouting(t *testing.T) {
	x := demux.New(demux.Options{})
	udp, pc := new(ifacetest.FakeConn), new(ifacetest.FakeConn)
	s := serve(t, x, udp)
	x.Link(7, pc)

	for _, idx := range []int{7, 3, 0} {
		m := replyMeta(idx)
		if _, err := s.WriteTo([]byte{7, byte(idx)}, &m); err != nil {
			t.Fatalf("WriteTo link %d: %v", idx, err)
		}
	}
	bufs := [][]byte{{1}, {2}, {3}, {4}, {5}}
	metas := []iface.Meta{replyMeta(3), replyMeta(3), replyMeta(7), replyMeta(4), replyMeta(7)}
	if n, err := s.WriteBatch(bufs, metas); n != 5 || err != nil {
		t.Fatalf("WriteBatch = %d, %v", n, err)
	}
	got := func(c *ifacetest.FakeConn) (s []string) {
		for _, p := range c.Written() {
			s = append(s, string(p.Data)+"@"+string(rune('0'+p.Meta.IfIndex)))
		}
		return s
	}
	wantPkt := []string{"\x07\x07@7", "\x03@7", "\x05@7"}
	wantUDP := []string{"\x07\x03@3", "\x07\x00@0", "\x01@3", "\x02@3", "\x04@4"}
	if g := got(pc); !equal(g, wantPkt) {
		t.Errorf("packet conn got %q, want %q", g, wantPkt)
	}
	if g := got(udp); !equal(g, wantUDP) {
		t.Errorf("kernel conn got %q, want %q", g, wantUDP)
	}

	// A batch stops at the first failure and says how many went out.
	pc.SetWriteErr(errors.New("boom"))
	if n, err := s.WriteBatch(bufs, metas); n != 2 || err == nil {
		t.Errorf("WriteBatch with a failing link = %d, %v; want 2 and an error", n, err)
	}
	// A Link closed under the server is ErrLinkGone, not iface.ErrClosed
	// (which would stop the server's loop).
	pc.SetWriteErr(nil)
	pc.Close()
	m := replyMeta(7)
	if _, err := s.WriteTo([]byte{1}, &m); err != demux.ErrLinkGone {
		t.Errorf("write to a closed packet conn: %v, want ErrLinkGone", err)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestLinkClose: a closed Link is unregistered (replies for its ifindex go
// to the kernel conn again) and its conn closed; an engine reading it gets
// iface.ErrClosed.
func TestLinkClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		x := demux.New(demux.Options{})
		udp, pc := new(ifacetest.FakeConn), new(ifacetest.FakeConn)
		s := serve(t, x, udp)
		l := x.Link(7, pc)
		errc := make(chan error, 1)
		go func() {
			_, err := l.ReadFrom(make([]byte, 64), new(iface.Meta))
			errc <- err
		}()
		synctest.Wait()
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		if err := <-errc; err != iface.ErrClosed {
			t.Errorf("engine read after Close: %v, want iface.ErrClosed", err)
		}
		if !pc.Closed() {
			t.Error("packet conn not closed")
		}
		m := replyMeta(7)
		if _, err := s.WriteTo([]byte{1}, &m); err != nil {
			t.Fatal(err)
		}
		if udp.WriteCount() != 1 || pc.WriteCount() != 0 {
			t.Errorf("reply after Close: kernel %d, packet %d writes; want 1, 0", udp.WriteCount(), pc.WriteCount())
		}
		// A new Link for the ifindex takes over; closing the old one
		// again does not unregister it.
		pc2 := new(ifacetest.FakeConn)
		x.Link(7, pc2)
		l.Close()
		if _, err := s.WriteTo([]byte{2}, &m); err != nil || pc2.WriteCount() != 1 {
			t.Errorf("reply to the new Link: %v, %d writes", err, pc2.WriteCount())
		}
	})
}

// TestGroupsFollowTransport: ff02::1:2 is joined where the link's packets
// arrive, and moves when a Link registers and closes.
func TestGroupsFollowTransport(t *testing.T) {
	var errs []error
	x := demux.New(demux.Options{OnError: func(err error) { errs = append(errs, err) }})
	udp := new(ifacetest.FakeConn)
	s := serve(t, x, udp)

	// Joined before the packet conn exists: on the kernel socket.
	if err := s.JoinGroup(7, allDHCP); err != nil {
		t.Fatal(err)
	}
	if !udp.Joined(7, allDHCP) {
		t.Fatal("not joined on the kernel conn")
	}
	pc := new(ifacetest.FakeConn)
	l := x.Link(7, pc)
	if !pc.Joined(7, allDHCP) || udp.Joined(7, allDHCP) {
		t.Errorf("after the Link registered: packet %v, kernel %v; want the group on the packet conn only", pc.Groups(), udp.Groups())
	}
	// The engine's own group on the same conn is untouched.
	if err := l.JoinGroup(7, allRtrs); err != nil {
		t.Fatal(err)
	}
	// Joining again is a no-op; another link's group goes to the kernel.
	if err := s.JoinGroup(7, allDHCP); err != nil {
		t.Errorf("second join: %v", err)
	}
	if err := s.JoinGroup(3, allDHCP); err != nil || !udp.Joined(3, allDHCP) {
		t.Errorf("join on a kernel link: %v, %v", err, udp.Groups())
	}
	l.Close()
	if !udp.Joined(7, allDHCP) {
		t.Errorf("after the Link closed the group is not back on the kernel conn: %v", udp.Groups())
	}
	// Registered again, then left: gone from both.
	pc2 := new(ifacetest.FakeConn)
	x.Link(7, pc2)
	if !pc2.Joined(7, allDHCP) || udp.Joined(7, allDHCP) {
		t.Errorf("re-registered: packet %v, kernel %v", pc2.Groups(), udp.Groups())
	}
	if err := s.LeaveGroup(7, allDHCP); err != nil {
		t.Fatal(err)
	}
	if pc2.Joined(7, allDHCP) || udp.Joined(7, allDHCP) {
		t.Errorf("after LeaveGroup: packet %v, kernel %v", pc2.Groups(), udp.Groups())
	}
	if err := s.LeaveGroup(7, allDHCP); err != demux.ErrNotJoined {
		t.Errorf("second leave: %v, want ErrNotJoined", err)
	}
	// Closing the server conn leaves the groups it joined on Links.
	s.JoinGroup(7, allDHCP)
	s.Close()
	if pc2.Joined(7, allDHCP) {
		t.Error("group still joined on the packet conn after the server conn closed")
	}
	if len(errs) != 0 {
		t.Errorf("OnError: %v", errs)
	}
}

// TestJoinFailureRecorded: a join the kernel refuses (the link's IPv6 is
// disabled) is still applied to the packet conn when it registers.
func TestJoinFailureRecorded(t *testing.T) {
	x := demux.New(demux.Options{})
	udp := new(ifacetest.FakeConn)
	s := serve(t, x, udp)
	udp.JoinGroup(7, allDHCP) // the kernel refuses the next join with ErrMembership
	if err := s.JoinGroup(7, allDHCP); err == nil {
		t.Fatal("join did not report the kernel's error")
	}
	udp.LeaveGroup(7, allDHCP)
	pc := new(ifacetest.FakeConn)
	x.Link(7, pc)
	if !pc.Joined(7, allDHCP) {
		t.Error("recorded group not joined on the packet conn")
	}
}

// TestServerClose: Close unblocks the server's read, closes the kernel
// conn, and lets a new ServerConn open; Links keep working meanwhile.
func TestServerClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		x := demux.New(demux.Options{})
		udp := new(ifacetest.FakeConn)
		s, err := x.Serve(udp)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := x.Serve(new(ifacetest.FakeConn)); err != demux.ErrServing {
			t.Errorf("second Serve: %v, want ErrServing", err)
		}
		errc := make(chan error, 1)
		go func() {
			_, err := s.ReadBatch([][]byte{make([]byte, 64)}, []int{0}, []iface.Meta{{}})
			errc <- err
		}()
		synctest.Wait()
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if err := <-errc; err != iface.ErrClosed {
			t.Errorf("read after Close: %v", err)
		}
		if !udp.Closed() {
			t.Error("kernel conn not closed")
		}
		if err := s.Close(); err != iface.ErrClosed {
			t.Errorf("second Close: %v", err)
		}
		m := replyMeta(3)
		if _, err := s.WriteTo([]byte{1}, &m); err != iface.ErrClosed {
			t.Errorf("WriteTo after Close: %v", err)
		}
		if err := s.JoinGroup(3, allDHCP); err != iface.ErrClosed {
			t.Errorf("JoinGroup after Close: %v", err)
		}

		pc := new(ifacetest.FakeConn)
		l := x.Link(7, pc)
		inject(t, pc, infoReq, udpMeta(7))
		inject(t, pc, rs, icmpMeta(7))
		read(t, l)
		if x.Counters().NoServer.Load() != 1 {
			t.Errorf("NoServer = %d, want 1", x.Counters().NoServer.Load())
		}
		s2 := serve(t, x, new(ifacetest.FakeConn))
		inject(t, pc, infoReq2, udpMeta(7))
		inject(t, pc, rs, icmpMeta(7))
		read(t, l)
		if b, _ := read(t, s2); !bytes.Equal(b, infoReq2) {
			t.Errorf("new server conn read %x", b)
		}
	})
}

// TestConcurrent runs links coming and going, the engine reading and
// writing, and the server reading and replying at once (for -race).
func TestConcurrent(t *testing.T) {
	x := demux.New(demux.Options{Slots: 8})
	udp := new(ifacetest.FakeConn)
	udp.Keep = -1
	s := serve(t, x, udp)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var closing atomic.Bool
	wg.Go(func() { // server loop
		b := make([]byte, 256)
		var m iface.Meta
		for {
			n, err := s.ReadFrom(b, &m)
			if err != nil {
				return
			}
			r := replyMeta(m.IfIndex)
			if _, err := s.WriteTo(b[:n], &r); err != nil && err != demux.ErrLinkGone && !closing.Load() {
				t.Errorf("reply: %v", err)
			}
		}
	})
	wg.Go(func() { // server's group changes
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			s.JoinGroup(7+i%2, allDHCP)
			s.LeaveGroup(7+i%2, allDHCP)
		}
	})
	for round := range 50 {
		idx := 7 + round%2
		pc := &ifacetest.FakeConn{Keep: -1}
		l := x.Link(idx, pc)
		done, rsRead := make(chan struct{}), make(chan struct{}, 20)
		go func() { // engine reader
			defer close(done)
			b := make([]byte, 256)
			var m iface.Meta
			for {
				if _, err := l.ReadFrom(b, &m); err != nil {
					return
				}
				rsRead <- struct{}{}
				m := icmpMeta(idx)
				l.WriteTo(rs, &m)
			}
		}()
		for range 20 {
			pc.Inject(infoReq, udpMeta(idx))
			pc.Inject(rs, icmpMeta(idx))
		}
		for range 20 {
			<-rsRead
		}
		l.Close()
		<-done
	}
	close(stop)
	closing.Store(true)
	s.Close()
	wg.Wait()
	c := x.Counters()
	if got := c.Forwarded.Load() + c.QueueFull.Load(); got != 50*20 {
		t.Errorf("forwarded + dropped = %d, want %d", got, 50*20)
	}
}

// TestKernelCopyOfPacketLinkDropped: on a link with a registered Link, the
// packet conn serves what is sent to a multicast or link-local address and
// the kernel socket what is sent to a global unicast address, so each
// packet is read by the server once. The kernel's copies of multicast and
// link-local packets are dropped and counted (more of them than slots:
// their slots are reused), the packet conn's copy of a global unicast is
// dropped and counted as not for us; other links' kernel packets pass.
func TestKernelCopyOfPacketLinkDropped(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		x := demux.New(demux.Options{Slots: 4})
		udp, pc := new(ifacetest.FakeConn), new(ifacetest.FakeConn)
		s := serve(t, x, udp)
		l := x.Link(7, pc)
		multicast := udpMeta(7)
		linkLocal := udpMeta(7)
		linkLocal.Dst = netip.MustParseAddr("fe80::1")
		global := udpMeta(7)
		global.Src, global.Dst = netip.MustParseAddr("2001:db8:5::5"), netip.MustParseAddr("2001:db8::1")

		for range 5 { // more than the slots: leaked slots would stall
			inject(t, udp, infoReq, multicast)
		}
		inject(t, udp, infoReq, linkLocal)
		inject(t, udp, infoReq2, udpMeta(3))
		inject(t, udp, infoReq, global)
		synctest.Wait()
		c := x.Counters()
		if c.KernelDuplicate.Load() != 6 || c.Kernel.Load() != 8 {
			t.Fatalf("kernel_duplicate=%d kernel=%d, want 6 8", c.KernelDuplicate.Load(), c.Kernel.Load())
		}
		if b, m := read(t, s); !bytes.Equal(b, infoReq2) || m != udpMeta(3) {
			t.Fatalf("server read %x %+v, want the other link's %x", b, m, infoReq2)
		}
		if b, m := read(t, s); !bytes.Equal(b, infoReq) || m != global {
			t.Fatalf("server read %x %+v, want the kernel's global unicast %+v", b, m, global)
		}

		// The packet conn's copies: the global unicast is dropped, the
		// multicast and link-local ones are served.
		inject(t, pc, infoReq, global)
		inject(t, pc, infoReq, multicast)
		inject(t, pc, infoReq2, linkLocal)
		inject(t, pc, rs, icmpMeta(7))
		if b, _ := read(t, l); !bytes.Equal(b, rs) { // forwards the UDP packets before the RS
			t.Fatalf("engine read %x, want the RS", b)
		}
		if b, m := read(t, s); !bytes.Equal(b, infoReq) || m != multicast {
			t.Errorf("server read %x %+v, want the packet conn's %x %+v", b, m, infoReq, multicast)
		}
		if b, m := read(t, s); !bytes.Equal(b, infoReq2) || m != linkLocal {
			t.Errorf("server read %x %+v, want the packet conn's %x %+v", b, m, infoReq2, linkLocal)
		}
		if c.NotForUs.Load() != 1 || c.Forwarded.Load() != 2 {
			t.Errorf("not_for_us=%d forwarded=%d, want 1 2", c.NotForUs.Load(), c.Forwarded.Load())
		}
		// Nothing else is queued: the next packet read is a marker.
		inject(t, udp, rs, udpMeta(3))
		if b, m := read(t, s); !bytes.Equal(b, rs) || m != udpMeta(3) {
			t.Errorf("server read %x %+v, want the marker %x", b, m, rs)
		}
	})
}
