package ra_test

// Oracle tests against github.com/mdlayher/ndp: our builders' output is
// parsed by ndp, and our parser reads ndp's output, for a table of messages
// and for randomly generated ones (fixed seed).
//
// Known ndp limitations, where ndp (not radish) departs from the RFCs; the
// comparisons below work around them:
//   - ndp's Route Information decoder keeps only PrefixLength/8 whole bytes
//     of the prefix, dropping the bits of a partial byte (a /60 loses its
//     last nibble), so routes are compared on those whole bytes only.
//   - ndp computes an option's byte length in 8 bits (Length*8 as uint8), so
//     it rejects any option of 32 units (256 bytes) or more: RDNSS with 16+
//     servers, long DNSSLs, big unknown options.
//   - ndp ignores the PIO P flag (RFC 9762) and does not decode Advertisement
//     Interval, Home Agent Information or DNR options (they stay raw).

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/mdlayher/ndp"
	"github.com/radish-net/radish/ra"
)

// diffRA compares ndp's view of an RA with ours and describes the first
// difference.
func diffRA(n *ndp.RouterAdvertisement, m ra.RouterAdvert) error {
	h := m.Header()
	if n.CurrentHopLimit != h.CurHopLimit || n.ManagedConfiguration != h.Managed || n.OtherConfiguration != h.Other ||
		n.MobileIPv6HomeAgent != h.HomeAgent || n.NeighborDiscoveryProxy != h.Proxy ||
		uint8(n.RouterSelectionPreference) != uint8(h.Preference) ||
		n.RouterLifetime != time.Duration(h.RouterLifetime)*time.Second ||
		n.ReachableTime != time.Duration(h.ReachableTime)*time.Millisecond ||
		n.RetransmitTimer != time.Duration(h.RetransTimer)*time.Millisecond {
		return fmt.Errorf("header: ndp %+v, radish %+v", n, h)
	}
	return diffOptions(n.Options, m.AllOptions())
}

func diffOptions(nopts []ndp.Option, it ra.OptionIter) error {
	i := 0
	for ; it.Next(); i++ {
		if i >= len(nopts) {
			return fmt.Errorf("radish has more than ndp's %d options", len(nopts))
		}
		if err := diffOption(nopts[i], it.Option()); err != nil {
			return fmt.Errorf("option %d (%v): %w", i, it.Option().Type, err)
		}
	}
	if it.Err() != nil {
		return it.Err()
	}
	if i != len(nopts) {
		return fmt.Errorf("radish has %d options, ndp %d", i, len(nopts))
	}
	return nil
}

func diffOption(no ndp.Option, o ra.Option) error {
	if no.Code() != byte(o.Type) {
		return fmt.Errorf("type: ndp %d", no.Code())
	}
	secs := func(d time.Duration) uint32 { return uint32(d / time.Second) }
	switch n := no.(type) {
	case *ndp.LinkLayerAddress:
		if a := ra.ParseLinkLayerAddr(o); !bytes.Equal(a, n.Addr) {
			return fmt.Errorf("addr %x, ndp %x", a, n.Addr)
		}
	case *ndp.MTU:
		if v, err := ra.ParseMTU(o); err != nil || uint32(v) != n.MTU {
			return fmt.Errorf("mtu %d (%v), ndp %d", v, err, n.MTU)
		}
	case *ndp.PrefixInformation:
		p, err := ra.ParsePrefixInfo(o)
		if err != nil || p.Prefix.Masked().Addr() != n.Prefix || p.Prefix.Bits() != int(n.PrefixLength) ||
			p.OnLink != n.OnLink || p.Autonomous != n.AutonomousAddressConfiguration ||
			p.ValidLifetime != secs(n.ValidLifetime) || p.PreferredLifetime != secs(n.PreferredLifetime) {
			return fmt.Errorf("prefix %+v (%v), ndp %+v", p, err, n)
		}
	case *ndp.RouteInformation:
		r, err := ra.ParseRouteInfo(o)
		whole := int(n.PrefixLength) / 8 * 8
		if err != nil || netip.PrefixFrom(r.Prefix.Addr(), whole).Masked() != netip.PrefixFrom(n.Prefix, whole).Masked() ||
			r.Prefix.Bits() != int(n.PrefixLength) || uint8(r.Preference) != uint8(n.Preference) || r.Lifetime != secs(n.RouteLifetime) {
			return fmt.Errorf("route %+v (%v), ndp %+v", r, err, n)
		}
	case *ndp.RecursiveDNSServer:
		v, err := ra.ParseRDNSS(o)
		if err != nil || v.Lifetime() != secs(n.Lifetime) || v.Len() != len(n.Servers) {
			return fmt.Errorf("rdnss (%v), ndp %+v", err, n)
		}
		for i, s := range n.Servers {
			if v.Server(i) != s {
				return fmt.Errorf("rdnss server %d: %v, ndp %v", i, v.Server(i), s)
			}
		}
	case *ndp.DNSSearchList:
		v, err := ra.ParseDNSSL(o)
		if err != nil || v.Lifetime() != secs(n.Lifetime) {
			return fmt.Errorf("dnssl (%v), ndp %+v", err, n)
		}
		var names []string
		it := v.Names()
		for it.Next() {
			names = append(names, string(it.AppendText(nil)))
		}
		if strings.Join(names, " ") != strings.Join(n.DomainNames, " ") {
			return fmt.Errorf("dnssl names %q, ndp %q", names, n.DomainNames)
		}
	case *ndp.CaptivePortal:
		if u, err := ra.ParseCaptivePortal(o); err != nil || string(u) != n.URI {
			return fmt.Errorf("captive portal %q (%v), ndp %q", u, err, n.URI)
		}
	case *ndp.PREF64:
		if p, err := ra.ParsePREF64(o); err != nil || p.Prefix != n.Prefix || p.Lifetime != secs(n.Lifetime) {
			return fmt.Errorf("pref64 %+v (%v), ndp %+v", p, err, n)
		}
	case *ndp.RAFlagsExtension:
		f, err := ra.ParseFlagsExpansion(o)
		if err != nil || !bytes.Equal(o.Body, n.Flags) || !bytes.Equal(f[:], n.Flags[:6]) {
			return fmt.Errorf("flags %x (%v), ndp %x", o.Body, err, n.Flags)
		}
	case *ndp.RawOption:
		if !bytes.Equal(o.Body, n.Value) {
			return fmt.Errorf("raw body %x, ndp %x", o.Body, n.Value)
		}
	case *ndp.Nonce:
		// Type matched; ndp keeps the value private.
	default:
		return fmt.Errorf("unhandled ndp option %T", no)
	}
	return nil
}

// TestOracleBuildersParsedByNDP: everything our builders produce is parsed
// by ndp with the same field values.
func TestOracleBuildersParsedByNDP(t *testing.T) {
	h, opts, rich := richRA(t)
	_, seedOpts := seedOptions()
	cases := map[string][]byte{"rich": rich}
	if b, err := ra.AppendRouterAdvert(nil, ra.Header{CurHopLimit: 64, Other: true, Preference: ra.High, RouterLifetime: 30}, seedOpts...); err == nil {
		cases["seed"] = b
	}
	for _, o := range opts { // one RA per option type
		b, err := ra.AppendRouterAdvert(nil, h, o)
		if err != nil {
			t.Fatal(err)
		}
		cases["only "+o.OptionType().String()+fmt.Sprint(len(b))] = b
	}
	for _, p := range []string{"::/0", "2000::/3", "2001:db8::/32", "2001:db8:0:1::/64", "2001:db8::1:0:0:0/65", "2001:db8::1/128"} {
		b, _ := ra.AppendRouterAdvert(nil, h, ra.RouteInfo{Prefix: netip.MustParsePrefix(p), Preference: ra.Low, Lifetime: 7})
		cases["route "+p] = b
	}
	for _, p := range []string{"64:ff9b::/96", "2001:db8::/32", "2001:db8:100::/40", "2001:db8:1::/48", "2001:db8:0:100::/56", "2001:db8:0:1::/64"} {
		b, _ := ra.AppendRouterAdvert(nil, h, ra.PREF64{Prefix: netip.MustParsePrefix(p), Lifetime: 600})
		cases["pref64 "+p] = b
	}
	for name, b := range cases {
		t.Run(name, func(t *testing.T) {
			nm, err := ndp.ParseMessage(b)
			if err != nil {
				t.Fatalf("ndp rejects our %x: %v", b, err)
			}
			m, err := ra.ParseRouterAdvert(b)
			if err != nil {
				t.Fatal(err)
			}
			if err := diffRA(nm.(*ndp.RouterAdvertisement), m); err != nil {
				t.Fatal(err)
			}
		})
	}
	t.Run("rs", func(t *testing.T) {
		b, err := ra.AppendRouterSolicit(nil, ra.SourceLinkLayerAddr([]byte{2, 0, 0, 0, 0, 9}))
		if err != nil {
			t.Fatal(err)
		}
		nm, err := ndp.ParseMessage(b)
		if err != nil {
			t.Fatal(err)
		}
		rs, err := ra.ParseRouterSolicit(b)
		if err != nil {
			t.Fatal(err)
		}
		if err := diffOptions(nm.(*ndp.RouterSolicitation).Options, rs.AllOptions()); err != nil {
			t.Fatal(err)
		}
	})
}

// genNDP generates a random RA with ndp's types.
func genNDP(r *rand.Rand) *ndp.RouterAdvertisement {
	prefs := []ndp.Preference{ndp.Medium, ndp.High, ndp.Low}
	m := &ndp.RouterAdvertisement{
		CurrentHopLimit:           uint8(r.UintN(256)),
		ManagedConfiguration:      r.IntN(2) == 0,
		OtherConfiguration:        r.IntN(2) == 0,
		MobileIPv6HomeAgent:       r.IntN(2) == 0,
		RouterSelectionPreference: prefs[r.IntN(3)],
		NeighborDiscoveryProxy:    r.IntN(2) == 0,
		RouterLifetime:            time.Duration(r.UintN(65536)) * time.Second,
		ReachableTime:             time.Duration(r.UintN(3600001)) * time.Millisecond,
		RetransmitTimer:           time.Duration(r.Uint32()) * time.Millisecond,
	}
	addr := func() netip.Addr {
		var a [16]byte
		for i := range a {
			a[i] = byte(r.UintN(256))
		}
		return netip.AddrFrom16(a)
	}
	label := func() string {
		const chars = "abcdefghijklmnopqrstuvwxyz0123456789"
		b := make([]byte, 1+r.IntN(12))
		for i := range b {
			b[i] = chars[r.IntN(len(chars))]
		}
		return string(b)
	}
	life := func() time.Duration { return time.Duration(r.Uint32()) * time.Second }
	for range r.IntN(9) {
		var o ndp.Option
		switch r.IntN(10) {
		case 0:
			mac := make(net.HardwareAddr, 6)
			for i := range mac {
				mac[i] = byte(r.UintN(256))
			}
			o = &ndp.LinkLayerAddress{Direction: ndp.Direction(1 + r.IntN(2)), Addr: mac}
		case 1:
			o = ndp.NewMTU(r.Uint32())
		case 2:
			bits := r.IntN(129)
			o = &ndp.PrefixInformation{PrefixLength: uint8(bits), OnLink: r.IntN(2) == 0, AutonomousAddressConfiguration: r.IntN(2) == 0,
				ValidLifetime: life(), PreferredLifetime: life(), Prefix: netip.PrefixFrom(addr(), bits).Masked().Addr()}
		case 3:
			bits := r.IntN(129)
			o = &ndp.RouteInformation{PrefixLength: uint8(bits), Preference: prefs[r.IntN(3)], RouteLifetime: life(),
				Prefix: netip.PrefixFrom(addr(), bits).Masked().Addr()}
		case 4:
			s := make([]netip.Addr, 1+r.IntN(8))
			for i := range s {
				s[i] = addr()
			}
			o = &ndp.RecursiveDNSServer{Lifetime: life(), Servers: s}
		case 5:
			names := make([]string, 1+r.IntN(4))
			for i := range names {
				labels := make([]string, 1+r.IntN(4))
				for j := range labels {
					labels[j] = label()
				}
				names[i] = strings.Join(labels, ".")
			}
			o = &ndp.DNSSearchList{Lifetime: life(), DomainNames: names}
		case 6:
			o = &ndp.CaptivePortal{URI: "https://" + label() + ".example/" + label()}
		case 7:
			bits := []int{96, 64, 56, 48, 40, 32}[r.IntN(6)]
			o = &ndp.PREF64{Lifetime: time.Duration(r.UintN(8192)*8) * time.Second, Prefix: netip.PrefixFrom(addr(), bits).Masked()}
		case 8:
			f := make(ndp.RAFlags, 6)
			f[r.IntN(6)] = byte(1 + r.UintN(255))
			o = &ndp.RAFlagsExtension{Flags: f}
		case 9:
			v := make([]byte, 8*(1+r.IntN(4))-2)
			for i := range v {
				v[i] = byte(r.UintN(256))
			}
			types := []uint8{100, 200, 253}
			o = &ndp.RawOption{Type: types[r.IntN(len(types))], Length: uint8((len(v) + 2) / 8), Value: v}
		}
		m.Options = append(m.Options, o)
	}
	return m
}

// TestOracleParseNDPOutput: our parser reads what ndp marshals, with the
// same field values, for a table of messages and 2000 random ones.
func TestOracleParseNDPOutput(t *testing.T) {
	r := rand.New(rand.NewPCG(4861, 4191))
	msgs := []*ndp.RouterAdvertisement{
		{},
		{CurrentHopLimit: 64, OtherConfiguration: true, RouterSelectionPreference: ndp.High, RouterLifetime: 30 * time.Second},
		{RouterSelectionPreference: ndp.Low, Options: []ndp.Option{&ndp.CaptivePortal{URI: ndp.Unrestricted}}},
	}
	for range 2000 {
		msgs = append(msgs, genNDP(r))
	}
	for i, nm := range msgs {
		b, err := ndp.MarshalMessage(nm)
		if err != nil {
			t.Fatalf("message %d: ndp.MarshalMessage: %v", i, err)
		}
		m, err := ra.ParseRouterAdvert(b)
		if err != nil {
			t.Fatalf("message %d: %v\n%x", i, err, b)
		}
		if err := diffRA(nm, m); err != nil {
			t.Fatalf("message %d: %v\n%x", i, err, b)
		}
		// Our checksum agrees with x/net/icmp's (through ndp).
		src, dst := netip.MustParseAddr("fe80::1"), netip.IPv6LinkLocalAllNodes()
		if i%2 == 1 {
			dst = netip.MustParseAddr("fe80::2:3")
		}
		cb, err := ndp.MarshalMessageChecksum(nm, src, dst)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := ra.Checksum(src, dst, b), uint16(cb[2])<<8|uint16(cb[3]); got != want {
			t.Fatalf("message %d: checksum %#04x, x/net/icmp %#04x", i, got, want)
		}
		// Our builders re-encode what we decoded to the same bytes.
		if rb := rebuild(t, m); !bytes.Equal(rb, b) {
			t.Fatalf("message %d: rebuild\n got %x\nwant %x", i, rb, b)
		}
	}
	// RS with and without options.
	for _, rs := range []*ndp.RouterSolicitation{{}, {Options: []ndp.Option{&ndp.LinkLayerAddress{Direction: ndp.Source, Addr: net.HardwareAddr{2, 1, 2, 3, 4, 5}}}}} {
		b, err := ndp.MarshalMessage(rs)
		if err != nil {
			t.Fatal(err)
		}
		m, err := ra.ParseRouterSolicit(b)
		if err != nil {
			t.Fatal(err)
		}
		if err := diffOptions(rs.Options, m.AllOptions()); err != nil {
			t.Fatal(err)
		}
	}
}
