package bench_test

import (
	"net"
	"net/netip"
	"testing"

	ins "github.com/insomniacslk/dhcp/dhcpv6"
	"github.com/insomniacslk/dhcp/iana"

	"github.com/radish-net/radish/dhcpv6"
	"github.com/radish-net/radish/internal/fixture"
)

var (
	dhcpv6MAC  = net.HardwareAddr{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}
	dhcpv6DNS  = []string{"2605:fd00::2", "2605:fd00::3"}
	dhcpv6Link = net.ParseIP("2001:db8:0:1::1")
)

// dhcpv6Relayed wraps the client message in two Relay-forward levels: an
// outer relay and the relay on the client's link with an Interface-Id.
func dhcpv6Relayed(b *testing.B, inner []byte) []byte {
	r1, err := ins.EncapsulateRelay(dhcpv6MustIns(b, inner), ins.MessageTypeRelayForward, net.IPv6zero, net.ParseIP("fe80::c"))
	if err != nil {
		b.Fatal(err)
	}
	r1.AddOption(ins.OptInterfaceID([]byte("eth0.10")))
	r2, err := ins.EncapsulateRelay(r1, ins.MessageTypeRelayForward, dhcpv6Link, net.ParseIP("fe80::2"))
	if err != nil {
		b.Fatal(err)
	}
	return r2.ToBytes()
}

func dhcpv6MustIns(b *testing.B, p []byte) ins.DHCPv6 {
	d, err := ins.FromBytes(p)
	if err != nil {
		b.Fatal(err)
	}
	return d
}

// radishDHCPv6Set is the control-plane half for radish: the server DUID and
// the link's compiled options.
func radishDHCPv6Set(b *testing.B) (dhcpv6.DUID, *dhcpv6.OptionSet) {
	sid, err := dhcpv6.AppendDUIDLL(nil, 1, dhcpv6MAC)
	if err != nil {
		b.Fatal(err)
	}
	var addrs []netip.Addr
	for _, s := range dhcpv6DNS {
		addrs = append(addrs, netip.MustParseAddr(s))
	}
	opts, err := dhcpv6.AppendDNSServers(nil, addrs...)
	if err != nil {
		b.Fatal(err)
	}
	set, err := dhcpv6.NewOptionSet(opts, nil)
	if err != nil {
		b.Fatal(err)
	}
	return sid, set
}

// dhcpv6InsReply builds insomniacslk's Reply: Client-ID echoed, Server-ID, and
// the DNS servers when the ORO asks for them.
func dhcpv6InsReply(b *testing.B, req *ins.Message, sid ins.DUID, dns []net.IP) *ins.Message {
	mods := []ins.Modifier{ins.WithServerID(sid)}
	if req.IsOptionRequested(ins.OptionDNSRecursiveNameServer) {
		mods = append(mods, ins.WithDNS(dns...))
	}
	rep, err := ins.NewReplyFromMessage(req, mods...)
	if err != nil {
		b.Fatal(err)
	}
	return rep
}

// BenchmarkInfoRequestReply parses dhclient's Information-request
// (Client-ID, ORO, Elapsed Time) and builds and serializes the Reply
// (Server-ID, Client-ID, DNS servers) into a buffer.
func BenchmarkInfoRequestReply(b *testing.B) {
	req := fixture.Load(b, "../dhcpv6/testdata/dhclient-information-request.hex").Bytes
	buf := make([]byte, 0, 1500)
	b.Run("radish", func(b *testing.B) {
		sid, set := radishDHCPv6Set(b)
		b.ReportAllocs()
		for b.Loop() {
			m, err := dhcpv6.ParseMessage(req)
			if err != nil || m.Type() != dhcpv6.InformationRequest {
				b.Fatal(err)
			}
			buf = set.AppendReply(buf[:0], dhcpv6.Reply, m, sid)
		}
	})
	b.Run("insomniacslk", func(b *testing.B) {
		sid := &ins.DUIDLL{HWType: iana.HWTypeEthernet, LinkLayerAddr: dhcpv6MAC}
		dns := []net.IP{net.ParseIP(dhcpv6DNS[0]), net.ParseIP(dhcpv6DNS[1])}
		b.ReportAllocs()
		for b.Loop() {
			m, err := ins.MessageFromBytes(req)
			if err != nil || m.MessageType != ins.MessageTypeInformationRequest {
				b.Fatal(err)
			}
			buf = append(buf[:0], dhcpv6InsReply(b, m, sid, dns).ToBytes()...)
		}
	})
}

// BenchmarkRelayedInfoRequestReply does the same through two relay levels:
// parse the Relay-forward chain, build the Reply and wrap it in the
// mirrored Relay-reply chain.
func BenchmarkRelayedInfoRequestReply(b *testing.B) {
	req := dhcpv6Relayed(b, fixture.Load(b, "../dhcpv6/testdata/dhclient-information-request.hex").Bytes)
	buf := make([]byte, 0, 1500)
	b.Run("radish", func(b *testing.B) {
		sid, set := radishDHCPv6Set(b)
		var chain dhcpv6.RelayChain
		b.ReportAllocs()
		for b.Loop() {
			if err := chain.Parse(req); err != nil {
				b.Fatal(err)
			}
			buf = chain.AppendRelayReplyHeaders(buf[:0])
			buf = set.AppendReply(buf, dhcpv6.Reply, chain.Message(), sid)
			var err error
			if buf, err = chain.FinishRelayReply(buf); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("insomniacslk", func(b *testing.B) {
		sid := &ins.DUIDLL{HWType: iana.HWTypeEthernet, LinkLayerAddr: dhcpv6MAC}
		dns := []net.IP{net.ParseIP(dhcpv6DNS[0]), net.ParseIP(dhcpv6DNS[1])}
		b.ReportAllocs()
		for b.Loop() {
			r, err := ins.RelayMessageFromBytes(req)
			if err != nil {
				b.Fatal(err)
			}
			m, err := r.GetInnerMessage()
			if err != nil {
				b.Fatal(err)
			}
			rr, err := ins.NewRelayReplFromRelayForw(r, dhcpv6InsReply(b, m, sid, dns))
			if err != nil {
				b.Fatal(err)
			}
			buf = append(buf[:0], rr.ToBytes()...)
		}
	})
}
