package server_test

import (
	"bytes"
	"net"
	"net/netip"
	"slices"
	"testing"

	"github.com/insomniacslk/dhcp/dhcpv6"

	r6 "github.com/radish-net/radish/dhcpv6"
	"github.com/radish-net/radish/dhcpv6/server"
	"github.com/radish-net/radish/internal/fixture"
)

const relayConfig = plainServer + `[[interface]]
name = "lan0"
[interface.dhcpv6]
dns_servers = ["2001:db8::53"]
interface_id = "relay-port-0"
link_addresses = ["2001:db8:10::/48"]
[[interface]]
name = "lan1"
[interface.dhcpv6]
dns_servers = ["2001:db8:1::53"]
interface_id = "relay-port-7"
link_addresses = ["2001:db8:20::/48", "2001:db8:10:5::/64"]
[[interface]]
name = "wan0"
`

var (
	dnsLan0 = netip.MustParseAddr("2001:db8::53")
	dnsLan1 = netip.MustParseAddr("2001:db8:1::53")
)

// The link of a relayed request: innermost non-zero link-address, then
// the Interface-Id, then the receiving interface.
func TestRelayLinkSelection(t *testing.T) {
	h := start(t, parseConfig(t, relayConfig), false)
	for _, tc := range []struct {
		name    string
		levels  []relayLevel
		ingress int
		want    netip.Addr
	}{
		{"link-address beats Interface-Id", []relayLevel{lvl("2001:db8:20::1", "relay-port-0")}, lan0.Index, dnsLan1},
		{"link-address beats ingress", []relayLevel{lvl("2001:db8:10::1", "")}, lan1.Index, dnsLan0},
		{"longest prefix wins", []relayLevel{lvl("2001:db8:10:5::1", "")}, lan0.Index, dnsLan1},
		{"Interface-Id when link-address is ::", []relayLevel{lvl("::", "relay-port-7")}, lan0.Index, dnsLan1},
		{"Interface-Id when link-address unknown", []relayLevel{lvl("2001:db8:99::1", "relay-port-7")}, lan0.Index, dnsLan1},
		{"Interface-Id must match exactly", []relayLevel{lvl("::", "relay-port-")}, lan0.Index, dnsLan0},
		{"ingress when nothing matches", []relayLevel{lvl("::", "other")}, lan1.Index, dnsLan1},
		{"ingress when nothing matches (lan0)", []relayLevel{lvl("::", "")}, lan0.Index, dnsLan0},
		{"relay arriving on an unserved uplink", []relayLevel{lvl("2001:db8:10::1", "")}, wan0.Index, dnsLan0},
		{"innermost non-zero link-address", []relayLevel{lvl("2001:db8:10::1", ""), lvl("2001:db8:20::1", "")}, wan0.Index, dnsLan1},
		{"inner :: skipped (RFC 6221)", []relayLevel{lvl("2001:db8:20::1", ""), lvl("::", "")}, wan0.Index, dnsLan1},
		{"innermost Interface-Id", []relayLevel{lvl("::", "relay-port-0"), lvl("::", "relay-port-7")}, wan0.Index, dnsLan1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, ok := h.exchange(wrap(infoReq(optORO(23)), tc.levels...), relayed(tc.ingress))
			if !ok {
				t.Fatal("no reply")
			}
			p := parseReply(t, innerReply(t, d.Data, len(tc.levels)))
			if got := p.dnsServers(t); len(got) != 1 || got[0] != tc.want {
				t.Errorf("DNS = %v, want %v", got, tc.want)
			}
		})
	}
}

// Every relay level is mirrored in the Relay-reply, checked with
// insomniacslk/dhcp; the reply goes to the relay's address and source
// port (RFC 8357).
func TestRelayMirroring(t *testing.T) {
	h := start(t, parseConfig(t, relayConfig), true)
	levels := []relayLevel{
		{hop: 2, link: netip.MustParseAddr("2001:db8:ff::1"), peer: netip.MustParseAddr("2001:db8:fe::2"), ifaceID: []byte("uplink"), port: 10547},
		{hop: 1, link: netip.MustParseAddr("::"), peer: netip.MustParseAddr("fe80::1234"), port: -1},
		{hop: 0, link: netip.MustParseAddr("2001:db8:20::1"), peer: clientLL, ifaceID: []byte{0, 1, 2, 3}, port: 0},
	}
	req := wrap(infoReq(optORO(23)), levels...)
	m := relayed(wan0.Index)
	m.SrcPort = 10547
	d, ok := h.exchange(req, m)
	if !ok {
		t.Fatal("no reply")
	}
	if d.Meta.Dst != relayAddr || d.Meta.DstPort != 10547 || d.Meta.Src != serverGUA {
		t.Errorf("reply meta %+v, want [%v]:10547 from %v", d.Meta, relayAddr, serverGUA)
	}
	if d.Meta.IfIndex != 0 {
		t.Errorf("reply to a global relay address pinned to ifindex %d, want routed (0)", d.Meta.IfIndex)
	}
	var msg dhcpv6.DHCPv6
	msg, err := dhcpv6.FromBytes(d.Data)
	if err != nil {
		t.Fatalf("oracle: %v", err)
	}
	for i, l := range levels {
		rm, ok := msg.(*dhcpv6.RelayMessage)
		if !ok || rm.MessageType != dhcpv6.MessageTypeRelayReply {
			t.Fatalf("level %d: %T %v, want Relay-reply", i, msg, msg.Type())
		}
		if rm.HopCount != l.hop || !rm.LinkAddr.Equal(net.IP(l.link.AsSlice())) || !rm.PeerAddr.Equal(net.IP(l.peer.AsSlice())) {
			t.Errorf("level %d: hop %d link %v peer %v, want %d %v %v", i, rm.HopCount, rm.LinkAddr, rm.PeerAddr, l.hop, l.link, l.peer)
		}
		if !bytes.Equal(rm.Options.InterfaceID(), l.ifaceID) {
			t.Errorf("level %d: Interface-Id %q, want %q", i, rm.Options.InterfaceID(), l.ifaceID)
		}
		rp := rm.Options.RelayPort()
		switch {
		case l.port < 0 && rp != nil:
			t.Errorf("level %d: Relay Source Port %v not in the request", i, rp)
		case l.port >= 0 && (rp == nil || int(rp.DownstreamSourcePort) != l.port):
			t.Errorf("level %d: Relay Source Port %v, want %d", i, rp, l.port)
		}
		msg = rm.Options.RelayMessage()
	}
	reply, ok := msg.(*dhcpv6.Message)
	if !ok || reply.MessageType != dhcpv6.MessageTypeReply {
		t.Fatalf("innermost: %v, want Reply", msg)
	}
	if got := reply.Options.DNS(); len(got) != 1 || !got[0].Equal(net.IP(dnsLan1.AsSlice())) {
		t.Errorf("DNS = %v, want lan1's", got)
	}
	if !bytes.Equal(reply.Options.ClientID().ToBytes(), clientID) {
		t.Errorf("client id %v", reply.Options.ClientID())
	}
}

// dhcrelay's captured Relay-forwards (link-address 2001:db8:1::1, which
// no stanza lists) are answered with the ingress link's options, mirrored
// byte for byte in the headers.
func TestDhcrelayFixtures(t *testing.T) {
	h := start(t, parseConfig(t, relayConfig), false)
	for _, file := range []string{"dhcrelay-relay-forward.hex", "dhcrelay-relay-forward-interface-id.hex"} {
		t.Run(file, func(t *testing.T) {
			req := fixture.Load(t, "testdata/"+file).Bytes
			m := relayed(lan1.Index)
			m.Src = netip.MustParseAddr("fe80::1")
			d, ok := h.exchange(req, m)
			if !ok {
				t.Fatal("no reply")
			}
			if d.Meta.IfIndex != lan1.Index || d.Meta.DstPort != 547 || d.Meta.Dst != m.Src {
				t.Errorf("meta %+v, want [fe80::1]:547 via %d", d.Meta, lan1.Index)
			}
			fwd, _ := r6.ParseRelay(req)
			rep, err := r6.ParseRelay(d.Data)
			if err != nil {
				t.Fatal(err)
			}
			if rep.HopCount() != fwd.HopCount() || rep.LinkAddress() != fwd.LinkAddress() || rep.PeerAddress() != fwd.PeerAddress() {
				t.Errorf("header not mirrored")
			}
			id1, ok1 := fwd.InterfaceID()
			id2, ok2 := rep.InterfaceID()
			if ok1 != ok2 || !bytes.Equal(id1, id2) {
				t.Errorf("Interface-Id %x/%v, want %x/%v", id2, ok2, id1, ok1)
			}
			p := parseReply(t, rep.RelayMessage())
			if got := p.dnsServers(t); !slices.Equal(got, []netip.Addr{dnsLan1}) {
				t.Errorf("DNS = %v, want lan1's", got)
			}
			if p.msg.TransactionID() != [3]byte{0x7b, 0x23, 0xc6} {
				t.Errorf("xid %x", p.msg.TransactionID())
			}
		})
	}
	if got := h.srv.Counters().RelayForwardReceived.Load(); got != 2 {
		t.Errorf("pkt6-relay-forward-received = %d, want 2", got)
	}
}

// TestRelayReplyInterface: a Relay-reply leaves through the ingress
// interface when the relay is known to be on that link (its source is
// link-local, or it sent to ff02::1:2 or ff05::1:3, even from a global
// address), and is left to the routing table (ifindex 0) only for a relay
// with a global address that reached one of our unicast addresses.
func TestRelayReplyInterface(t *testing.T) {
	h := start(t, parseConfig(t, relayConfig), false)
	relayLL := netip.MustParseAddr("fe80::5")
	for _, tc := range []struct {
		name     string
		src, dst netip.Addr
		want     int
	}{
		{"global source to ff05::1:3", relayAddr, server.AllServers, lan0.Index},
		{"global source to ff02::1:2", relayAddr, server.AllRelayAgentsAndServers, lan0.Index},
		{"link-local source to ff02::1:2", relayLL, server.AllRelayAgentsAndServers, lan0.Index},
		{"link-local source to unicast", relayLL, serverGUA, lan0.Index},
		{"global source to unicast", relayAddr, serverGUA, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := relayed(lan0.Index)
			m.Src, m.Dst = tc.src, tc.dst
			d, ok := h.exchange(wrap(infoReq(), lvl("2001:db8:10::1", "")), m)
			if !ok {
				t.Fatal("no reply")
			}
			if d.Meta.IfIndex != tc.want || d.Meta.Dst != tc.src || d.Meta.DstPort != 547 {
				t.Errorf("reply meta %+v, want [%v]:547 via ifindex %d", d.Meta, tc.src, tc.want)
			}
		})
	}
}
