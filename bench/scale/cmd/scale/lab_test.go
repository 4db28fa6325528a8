package main

import (
	"context"
	"net"
	"net/netip"
	"os"
	"testing"
	"time"

	"golang.org/x/net/ipv6"
)

// TestFirstRAAfterReady sends one multicast Router Advertisement from the
// router end of a one-link lab as soon as the lab is ready and the
// receiver is counting, the moment a daemon started by the harness sends
// its first, and checks that the receiver counts it. Until the lab waited
// for the sink's end of each link too, this RA was dropped by the sink's
// IPv6 stack (Ip6InNoRoutes) and never reached the socket.
func TestFirstRAAfterReady(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds network namespaces; skipped under -short")
	}
	if os.Geteuid() != 0 {
		t.Skip("end-to-end: needs root to create network namespaces")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	l, err := newLab(ctx, 1, t.TempDir())
	t.Cleanup(func() {
		if err := l.close(); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.waitLinkLocals(ctx, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	rcv, err := newReceiver(l.sink, l.links, linkPrefix)
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			rcv.stop()
		}
	})
	rcv.start(time.Now())

	var conn *ipv6.PacketConn
	var ifi *net.Interface
	err = inNamespace(l.router, func() error {
		var err error
		if ifi, err = net.InterfaceByName(l.links[0]); err != nil {
			return err
		}
		c, err := net.ListenPacket("ip6:ipv6-icmp", "::")
		if err != nil {
			return err
		}
		conn = ipv6.NewPacketConn(c)
		return nil
	})
	if err != nil {
		t.Fatalf("router socket: %v", err)
	}
	defer conn.Close()
	if err := conn.SetMulticastHopLimit(255); err != nil {
		t.Fatal(err)
	}
	if err := conn.SetMulticastInterface(ifi); err != nil {
		t.Fatal(err)
	}
	k0, err := readCounters(ctx, l.router, l.sink)
	if err != nil {
		t.Fatal(err)
	}
	ra := testRA(linkPrefix(0))
	dst := &net.IPAddr{IP: net.ParseIP("ff02::1")}
	if _, err := conn.WriteTo(ra, &ipv6.ControlMessage{HopLimit: 255, IfIndex: ifi.Index}, dst); err != nil {
		t.Fatalf("sending RA: %v", err)
	}

	// A sink that drops the RA never counts it; one that does counts it
	// within milliseconds.
	time.Sleep(500 * time.Millisecond)
	arrivals, foreign, badPx, err := rcv.stop()
	stopped = true
	if err != nil {
		t.Fatalf("receiver: %v", err)
	}
	k1, err := readCounters(ctx, l.router, l.sink)
	if err != nil {
		t.Fatal(err)
	}
	rcvd, noRoutes := k1.rcvdRAs-k0.rcvdRAs, k1.noRoutes-k0.noRoutes
	if got := len(arrivals[0]); got != 1 {
		t.Errorf("receiver counted %d RAs on the link, want 1 (sink kernel: Icmp6InRouterAdvertisements=%d Ip6InNoRoutes=%d)",
			got, rcvd, noRoutes)
	}
	if foreign != 0 || badPx != 0 {
		t.Errorf("foreign=%d bad_prefix=%d, want 0 and 0", foreign, badPx)
	}
	if rcvd != 1 || noRoutes != 0 {
		t.Errorf("sink kernel while sending: Icmp6InRouterAdvertisements +%d, Ip6InNoRoutes +%d, want +1 and +0", rcvd, noRoutes)
	}
}

// testRA returns an ICMPv6 Router Advertisement (RFC 4861 §4.2) with one
// Prefix Information option (§4.6.2) for p; the kernel fills in the
// checksum.
func testRA(p netip.Prefix) []byte {
	b := []byte{
		raType, 0, 0, 0, // type, code, checksum
		64, 0, 0x07, 0x08, // cur hop limit, flags, router lifetime 1800 s
		0, 0, 0, 0, // reachable time
		0, 0, 0, 0, // retrans timer
		3, 4, byte(p.Bits()), 0xc0, // prefix information, 32 bytes, on-link and autonomous
		0, 0x27, 0x8d, 0x00, // valid lifetime 2592000 s
		0, 0x09, 0x3a, 0x80, // preferred lifetime 604800 s
		0, 0, 0, 0, // reserved
	}
	a := p.Addr().As16()
	return append(b, a[:]...)
}
