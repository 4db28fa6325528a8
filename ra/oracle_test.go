package ra_test

// Oracle tests against github.com/mdlayher/ndp: our builders' output is
// parsed by ndp, and our parser reads ndp's output, for a table of messages
// and for randomly generated ones (fixed seed).
//
// The comparisons are internal/oracle's, which documents how they work
// around ndp's departures from the RFCs. Further ndp limitations that
// shape the generated messages:
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

	"github.com/radish-net/radish/internal/oracle"
	"github.com/radish-net/radish/ra"
)

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
			if err := oracle.DiffRA(nm.(*ndp.RouterAdvertisement), m); err != nil {
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
		if err := oracle.DiffNDPOptions(nm.(*ndp.RouterSolicitation).Options, rs.AllOptions()); err != nil {
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
		if err := oracle.DiffRA(nm, m); err != nil {
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
		if err := oracle.DiffNDPOptions(rs.Options, m.AllOptions()); err != nil {
			t.Fatal(err)
		}
	}
}
