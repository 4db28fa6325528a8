package dhcpv6_test

import (
	"bytes"
	"net"
	"net/netip"
	"slices"
	"testing"
	"time"

	ins "github.com/insomniacslk/dhcp/dhcpv6"
	"github.com/insomniacslk/dhcp/iana"

	"github.com/radish-net/radish/dhcpv6"
	"github.com/radish-net/radish/internal/fixture"
)

// The oracle is github.com/insomniacslk/dhcp/dhcpv6: everything we build
// must parse there with the same field values, and everything it builds
// must parse here.

// musts returns a function that unwraps a builder's result, failing tb on
// error.
func musts(tb testing.TB) func([]byte, error) []byte {
	return func(b []byte, err error) []byte {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
		return b
	}
}

func ips(addrs ...string) ([]netip.Addr, []net.IP) {
	var a []netip.Addr
	var n []net.IP
	for _, s := range addrs {
		a = append(a, netip.MustParseAddr(s))
		n = append(n, net.ParseIP(s))
	}
	return a, n
}

func TestOracleParsesBuilders(t *testing.T) {
	mk := musts(t)
	dns, dnsIP := ips("2605:fd00::2", "2605:fd00::3")
	sntp, sntpIP := ips("2001:db8::31")
	llt := mk(dhcpv6.AppendDUIDLLT(nil, 1, 0x329b9603, []byte{2, 0xc6, 0, 0, 0, 0x0c}))

	var b []byte
	b = dhcpv6.AppendHeader(b, dhcpv6.Advertise, dhcpv6.TransactionID{1, 2, 3})
	b = dhcpv6.AppendClientID(b, llt)
	b = dhcpv6.AppendServerID(b, dhcpv6.AppendDUIDUUID(nil, [16]byte{0: 0xaa, 15: 0xbb}))
	b = dhcpv6.AppendStatusCode(b, dhcpv6.StatusNoAddrsAvail, "no addresses here")
	b = dhcpv6.AppendElapsedTime(b, 1234)
	b = mk(dhcpv6.AppendDNSServers(b, dns...))
	b = mk(dhcpv6.AppendDomainSearch(b, "example.com", "lab.example.org."))
	b = mk(dhcpv6.AppendSNTPServers(b, sntp...))
	b = mk(dhcpv6.AppendNTPServerAddr(b, netip.MustParseAddr("2001:db8::123")))
	b = mk(dhcpv6.AppendNTPMulticast(b, netip.MustParseAddr("ff05::101")))
	b = mk(dhcpv6.AppendNTPServerFQDN(b, "ntp.example.com"))
	b = dhcpv6.AppendInfoRefreshTime(b, 3600)
	b = dhcpv6.AppendSolMaxRT(b, 7200)
	b = dhcpv6.AppendInfMaxRT(b, 1800)
	b = mk(dhcpv6.AppendVendorOpts(b, 4491, dhcpv6.VendorOption{Code: 32, Data: []byte("tftp")}, dhcpv6.VendorOption{Code: 2, Data: nil}))
	b = dhcpv6.AppendIANA(b, 0xdeadbeef, 0, 0, dhcpv6.StatusNoAddrsAvail, "stateless")
	b = mk(dhcpv6.AppendDNR(b, 1, "resolver.example.net", dns, []byte{0, 1, 0, 4, 3, 'd', 'o', 't'}))
	b = dhcpv6.AppendORO(b, 23, 24)

	// Our own parser accepts it too.
	if _, err := dhcpv6.ParseMessage(b); err != nil {
		t.Fatalf("ParseMessage: %v", err)
	}
	d, err := ins.FromBytes(b)
	if err != nil {
		t.Fatalf("oracle: %v", err)
	}
	m := d.(*ins.Message)
	if m.MessageType != ins.MessageTypeAdvertise || m.TransactionID != (ins.TransactionID{1, 2, 3}) {
		t.Errorf("header %v %v", m.MessageType, m.TransactionID)
	}
	checks := []struct {
		name string
		ok   bool
	}{
		{"client id", func() bool {
			c, ok := m.Options.ClientID().(*ins.DUIDLLT)
			return ok && c.HWType == iana.HWTypeEthernet && c.Time == 0x329b9603 &&
				bytes.Equal(c.LinkLayerAddr, []byte{2, 0xc6, 0, 0, 0, 0x0c})
		}()},
		{"server id", func() bool {
			s, ok := m.Options.ServerID().(*ins.DUIDUUID)
			return ok && s.UUID == [16]byte{0: 0xaa, 15: 0xbb}
		}()},
		{"status", func() bool {
			s := m.Options.Status()
			return s != nil && s.StatusCode == iana.StatusNoAddrsAvail && s.StatusMessage == "no addresses here"
		}()},
		{"elapsed", m.Options.ElapsedTime() == 12340*time.Millisecond},
		{"dns", slices.EqualFunc(m.Options.DNS(), dnsIP, net.IP.Equal)},
		{"search", func() bool {
			l := m.Options.DomainSearchList()
			return l != nil && slices.Equal(l.Labels, []string{"example.com", "lab.example.org"})
		}()},
		{"sntp", slices.EqualFunc(m.Options.SNTP(), sntpIP, net.IP.Equal)},
		{"ntp", func() bool {
			ntp := m.Options.Get(ins.OptionNTPServer)
			if len(ntp) != 3 || !slices.EqualFunc(m.Options.NTPServers(), []net.IP{net.ParseIP("2001:db8::123")}, net.IP.Equal) {
				return false
			}
			mc, ok1 := ntp[1].(*ins.OptNTPServer).Suboptions[0].(*ins.NTPSuboptionMCAddr)
			fq, ok2 := ntp[2].(*ins.OptNTPServer).Suboptions[0].(*ins.NTPSuboptionSrvFQDN)
			return ok1 && ok2 && net.IP(*mc).Equal(net.ParseIP("ff05::101")) &&
				slices.Equal(fq.Labels.Labels, []string{"ntp.example.com"})
		}()},
		{"info refresh", m.Options.InformationRefreshTime(0) == time.Hour},
		{"sol max rt", bytes.Equal(m.Options.GetOne(ins.OptionSolMaxRT).ToBytes(), []byte{0, 0, 0x1c, 0x20})},
		{"inf max rt", bytes.Equal(m.Options.GetOne(ins.OptionInfMaxRT).ToBytes(), []byte{0, 0, 0x07, 0x08})},
		{"vendor", func() bool {
			v := m.Options.VendorOpts()
			if len(v) != 1 || v[0].EnterpriseNumber != 4491 || len(v[0].VendorOpts) != 2 {
				return false
			}
			o := v[0].VendorOpts
			return o[0].Code() == 32 && string(o[0].ToBytes()) == "tftp" && o[1].Code() == 2 && len(o[1].ToBytes()) == 0
		}()},
		{"ia_na", func() bool {
			ia := m.Options.OneIANA()
			if ia == nil || ia.IaId != [4]byte{0xde, 0xad, 0xbe, 0xef} || ia.T1 != 0 || ia.T2 != 0 {
				return false
			}
			s := ia.Options.Status()
			return s != nil && s.StatusCode == iana.StatusNoAddrsAvail && s.StatusMessage == "stateless"
		}()},
		{"dnr (opaque to the oracle)", func() bool {
			o := m.Options.GetOne(ins.OptionCode(144))
			return o != nil && len(o.ToBytes()) == 2+2+22+2+32+8
		}()},
		{"oro", slices.Equal(m.Options.RequestedOptions(), ins.OptionCodes{23, 24})},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s: oracle sees a different value", c.name)
		}
	}
}

func TestOracleParsesRelayReply(t *testing.T) {
	req := fixture.Load(t, "testdata/dhclient-information-request.hex").Bytes
	var c dhcpv6.RelayChain
	if err := c.Parse(relayForward(req, twoLevels...)); err != nil {
		t.Fatal(err)
	}
	mk := musts(t)
	dns, dnsIP := ips("2605:fd00::2", "2605:fd00::3")
	set, err := dhcpv6.NewOptionSet(mk(dhcpv6.AppendDNSServers(nil, dns...)), nil)
	if err != nil {
		t.Fatal(err)
	}
	out := c.AppendRelayReplyHeaders(nil)
	out = set.AppendReply(out, dhcpv6.Reply, c.Message(), keaDUID(t))
	out, err = c.FinishRelayReply(out)
	if err != nil {
		t.Fatal(err)
	}
	d, err := ins.FromBytes(out)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range twoLevels {
		r, ok := d.(*ins.RelayMessage)
		if !ok || r.MessageType != ins.MessageTypeRelayReply {
			t.Fatalf("level %d: %T", i, d)
		}
		if r.HopCount != want.hop || !r.LinkAddr.Equal(net.ParseIP(want.link)) || !r.PeerAddr.Equal(net.ParseIP(want.peer)) {
			t.Errorf("level %d: %s", i, r)
		}
		if string(r.Options.InterfaceID()) != want.ifaceID {
			t.Errorf("level %d interface-id %q", i, r.Options.InterfaceID())
		}
		if p := r.Options.RelayPort(); p == nil || int(p.DownstreamSourcePort) != want.port {
			t.Errorf("level %d relay port %v", i, p)
		}
		d = r.Options.RelayMessage()
	}
	m, ok := d.(*ins.Message)
	if !ok || m.MessageType != ins.MessageTypeReply || m.TransactionID != (ins.TransactionID{0x7b, 0x23, 0xc6}) {
		t.Fatalf("inner: %v", d)
	}
	if !slices.EqualFunc(m.Options.DNS(), dnsIP, net.IP.Equal) {
		t.Errorf("dns %v", m.Options.DNS())
	}
	if en, ok := m.Options.ServerID().(*ins.DUIDEN); !ok || en.EnterpriseNumber != 32473 {
		t.Errorf("server id %v", m.Options.ServerID())
	}
}

func TestOracleParsesDUIDs(t *testing.T) {
	mk := musts(t)
	mac := []byte{2, 0xc6, 0, 0, 0, 0x0c}
	tests := []struct {
		name string
		duid []byte
		ok   func(ins.DUID) bool
	}{
		{"llt", mk(dhcpv6.AppendDUIDLLT(nil, 1, 12345, mac)), func(d ins.DUID) bool {
			v, ok := d.(*ins.DUIDLLT)
			return ok && v.HWType == iana.HWTypeEthernet && v.Time == 12345 && bytes.Equal(v.LinkLayerAddr, mac)
		}},
		{"en", mk(dhcpv6.AppendDUIDEN(nil, 32473, []byte("radish"))), func(d ins.DUID) bool {
			v, ok := d.(*ins.DUIDEN)
			return ok && v.EnterpriseNumber == 32473 && string(v.EnterpriseIdentifier) == "radish"
		}},
		{"ll", mk(dhcpv6.AppendDUIDLL(nil, 1, mac)), func(d ins.DUID) bool {
			v, ok := d.(*ins.DUIDLL)
			return ok && v.HWType == iana.HWTypeEthernet && bytes.Equal(v.LinkLayerAddr, mac)
		}},
		{"uuid", dhcpv6.AppendDUIDUUID(nil, [16]byte{1, 2, 3}), func(d ins.DUID) bool {
			v, ok := d.(*ins.DUIDUUID)
			return ok && v.UUID == [16]byte{1, 2, 3}
		}},
		{"opaque", mk(dhcpv6.AppendDUID(nil, 42, []byte{9, 8, 7})), func(d ins.DUID) bool {
			v, ok := d.(*ins.DUIDOpaque)
			return ok && v.Type == 42 && bytes.Equal(v.Data, []byte{9, 8, 7})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ins.DUIDFromBytes(tt.duid)
			if err != nil || !tt.ok(d) {
				t.Errorf("oracle: %v, %v", d, err)
			}
		})
	}
}
