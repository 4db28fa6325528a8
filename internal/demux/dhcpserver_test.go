package demux_test

import (
	"context"
	"net/netip"
	"testing"
	"testing/synctest"

	"github.com/radish-net/radish/config"
	r6 "github.com/radish-net/radish/dhcpv6"
	"github.com/radish-net/radish/dhcpv6/server"
	"github.com/radish-net/radish/iface"
	"github.com/radish-net/radish/iface/ifacetest"
	"github.com/radish-net/radish/internal/demux"
)

// serverConfig serves lan0 (ifindex 2), joins ff05::1:3 and has no rate
// limits.
const serverConfig = `
[dhcpv6]
relay_group = true
[dhcpv6.duid]
type = "raw"
id = "0002000000090102030405"
[dhcpv6.rate_limit]
per_source = 0
global = 0
[[interface]]
name = "lan0"
[interface.dhcpv6]
dns_servers = ["2001:db8::53"]
`

// packetLinkServer runs the daemon's arrangement with fakes: lan0
// (ifindex 2) on the packet transport through a Mux, an engine reader on
// its Link, and a DHCPv6 server on the ServerConn. It returns the kernel
// UDP conn, the link's packet conn and the Mux. Call it inside a synctest
// bubble.
func packetLinkServer(t *testing.T) (udp, pc *ifacetest.FakeConn, x *demux.Mux) {
	t.Helper()
	cfg, err := config.Parse("test.toml", []byte(serverConfig))
	if err != nil {
		t.Fatal(err)
	}
	x = demux.New(demux.Options{})
	udp, pc = new(ifacetest.FakeConn), new(ifacetest.FakeConn)
	s, err := x.Serve(udp)
	if err != nil {
		t.Fatal(err)
	}
	l := x.Link(2, pc)
	go func() { // the RA engine's reader
		b := make([]byte, 2048)
		var m iface.Meta
		for {
			if _, err := l.ReadFrom(b, &m); err != nil {
				return
			}
		}
	}()
	w := &ifacetest.FakeWatcher{}
	w.Sync([]iface.Link{{Index: 2, Name: "lan0", Up: true, MTU: 1500, HardwareAddr: [6]byte{2, 0, 0, 0, 0, 2}}}, nil)
	srv, err := server.New(server.Options{Config: cfg, Conn: s, Watcher: w})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	<-srv.Ready()
	t.Cleanup(func() { cancel(); <-done; l.Close() })
	synctest.Wait()
	return udp, pc, x
}

// relayForward is a Relay-forward holding an Information-request, as a
// relay on the client's link sends it.
func relayForward() []byte {
	inner := r6.AppendHeader(nil, r6.InformationRequest, r6.TransactionID{1, 2, 3})
	inner = r6.AppendClientID(inner, []byte{0, 3, 0, 1, 2, 0, 0, 0, 0, 9})
	b := r6.AppendRelayHeader(nil, r6.RelayForward, 0, netip.IPv6Unspecified().As16(), netip.MustParseAddr("fe80::99").As16())
	return r6.AppendRelayMessage(b, inner)
}

// TestRelayOnPacketLinkAnsweredOnLink: a relay on a packet-transport link
// that sends its Relay-forward to ff05::1:3 from a global address gets its
// Relay-reply through the link's packet conn, not through the kernel
// socket, which cannot reach it when the link's IPv6 is disabled.
func TestRelayOnPacketLinkAnsweredOnLink(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		udp, pc, _ := packetLinkServer(t)
		relay := netip.MustParseAddr("2001:db8:10::5")
		m := iface.Meta{IfIndex: 2, Src: relay, Dst: server.AllServers, SrcPort: 547, DstPort: 547, HopLimit: 64}
		inject(t, pc, relayForward(), m)
		synctest.Wait()
		for _, p := range udp.Written() {
			t.Errorf("Relay-reply left through the kernel conn: dst %v port %d ifindex %d", p.Meta.Dst, p.Meta.DstPort, p.Meta.IfIndex)
		}
		w := pc.Written()
		if len(w) != 1 {
			t.Fatalf("packet conn wrote %d packets, want 1 Relay-reply", len(w))
		}
		if w[0].Meta.Dst != relay || w[0].Meta.DstPort != 547 || r6.MessageType(w[0].Data[0]) != r6.RelayReply {
			t.Errorf("packet conn wrote type %d to [%v]:%d, want a Relay-reply to [%v]:547",
				w[0].Data[0], w[0].Meta.Dst, w[0].Meta.DstPort, relay)
		}
	})
}

// TestForwardedRelayForwardNotAnswered: a packet conn also reads the
// frames that reach the router's MAC only to be routed on. A downstream
// relay's Relay-forward to another DHCPv6 server's global address, seen
// that way on a packet-transport link, is dropped and counted, not
// answered; the same relay sending to ff05::1:3 is answered.
func TestForwardedRelayForwardNotAnswered(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		udp, pc, x := packetLinkServer(t)
		m := iface.Meta{IfIndex: 2, Src: netip.MustParseAddr("2001:db8:10::5"), Dst: netip.MustParseAddr("2001:db8:ffff::547"),
			SrcPort: 547, DstPort: 547, HopLimit: 63}
		inject(t, pc, relayForward(), m)
		synctest.Wait()
		for _, c := range []*ifacetest.FakeConn{pc, udp} {
			for _, p := range c.Written() {
				t.Errorf("answered a Relay-forward to %v: reply to %v port %d ifindex %d", m.Dst, p.Meta.Dst, p.Meta.DstPort, p.Meta.IfIndex)
			}
		}
		if got := x.Counters().NotForUs.Load(); got != 1 {
			t.Errorf("NotForUs = %d, want 1", got)
		}

		before := len(pc.Written()) + len(udp.Written())
		m.Dst = server.AllServers
		inject(t, pc, relayForward(), m)
		synctest.Wait()
		if n := len(pc.Written()) + len(udp.Written()) - before; n != 1 {
			t.Errorf("%d replies to the relay's multicast Relay-forward, want 1", n)
		}
	})
}
