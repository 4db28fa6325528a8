package fuzz_test

// Cross-checks of package ra against github.com/mdlayher/ndp: wherever ndp
// accepts a Router Solicitation or Advertisement, radish accepts it too and
// agrees on every field.
//
// Genuine disagreements, where ndp departs from the RFCs, are tolerated:
// those internal/oracle reports as oracle.ErrNDPDeviation (prefix lengths
// over 128, DNSSL names beyond RFC 1035 limits or in IDNA form; see its
// documentation), and:
//   - ndp ignores the ICMPv6 Code; RFC 4861 §6.1.1/§6.1.2 require 0, so radish
//     rejects a non-zero code with ra.ErrCode.
//   - Unknown option types reach ndp as RawOption and radish's AllOptions
//     alike; radish's Options iterator skips them by design.

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/mdlayher/ndp"

	"github.com/radish-net/radish/internal/fixture"
	"github.com/radish-net/radish/internal/oracle"
	"github.com/radish-net/radish/ra"
)

// raSeeds returns the ra package's captured fixtures plus a few built
// messages covering every option type.
func raSeeds(f *testing.F) [][]byte {
	var seeds [][]byte
	for _, fx := range fixture.LoadAll(f, "../ra/testdata/*.hex") {
		seeds = append(seeds, fx.Bytes)
	}
	built, err := ra.AppendRouterAdvert(nil,
		ra.Header{CurHopLimit: 64, Managed: true, Preference: ra.Low, RouterLifetime: 1800, ReachableTime: 1, RetransTimer: 2},
		ra.SourceLinkLayerAddr([]byte{2, 0, 0, 0, 0, 1}),
		ra.MTU(1500),
		ra.PrefixInfo{Prefix: netip.MustParsePrefix("2001:db8:1::/64"), OnLink: true, Autonomous: true, ValidLifetime: 600, PreferredLifetime: 300},
		ra.RouteInfo{Prefix: netip.MustParsePrefix("2001:db8:f0::/44"), Preference: ra.High, Lifetime: 600},
		ra.RDNSS{Lifetime: 600, Servers: []netip.Addr{netip.MustParseAddr("2001:db8::53")}},
		ra.DNSSL{Lifetime: 600, Domains: []string{"example.com", "a.b"}},
		ra.CaptivePortal("https://portal.example/"),
		ra.PREF64{Prefix: netip.MustParsePrefix("64:ff9b::/96"), Lifetime: 600},
		ra.FlagsExpansion{0, 0x01},
		ra.DNR{Priority: 1, Lifetime: 600, ADN: "dns.example", Addrs: []netip.Addr{netip.MustParseAddr("2001:db8::853")}},
		ra.AdvInterval(600000),
	)
	if err != nil {
		f.Fatal(err)
	}
	rs, err := ra.AppendRouterSolicit(nil, ra.SourceLinkLayerAddr([]byte{2, 0, 0, 0, 0, 9}))
	if err != nil {
		f.Fatal(err)
	}
	return append(seeds, built, rs)
}

// bothAccept parses b with ndp and, if ndp sees a message of type N, with
// radish's parse. It reports whether the fuzz target should compare the
// two views: not when ndp rejects b or sees another type, nor when b has
// a non-zero Code (which ndp ignores and radish must reject with
// ra.ErrCode); and it fails the test when ndp accepts what radish rejects.
func bothAccept[N ndp.Message, M any](t *testing.T, b []byte, parse func([]byte) (M, error)) (N, M, bool) {
	t.Helper()
	var n N
	var m M
	nm, err := ndp.ParseMessage(b)
	if err != nil {
		return n, m, false
	}
	n, ok := nm.(N)
	if !ok {
		return n, m, false
	}
	m, err = parse(b)
	if b[1] != 0 {
		if err != ra.ErrCode {
			t.Fatalf("code %d: got %v, want ErrCode", b[1], err)
		}
		return n, m, false
	}
	if err != nil {
		t.Fatalf("ndp accepts, radish rejects: %v\n%x", err, b)
	}
	return n, m, true
}

func FuzzNDPRouterAdvert(f *testing.F) {
	for _, s := range raSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		n, m, ok := bothAccept[*ndp.RouterAdvertisement](t, b, ra.ParseRouterAdvert)
		if !ok {
			return
		}
		if err := oracle.DiffRA(n, m); err != nil && !errors.Is(err, oracle.ErrNDPDeviation) {
			t.Fatalf("%v\n%x", err, b)
		}
	})
}

func FuzzNDPRouterSolicit(f *testing.F) {
	for _, s := range raSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		n, m, ok := bothAccept[*ndp.RouterSolicitation](t, b, ra.ParseRouterSolicit)
		if !ok {
			return
		}
		if err := oracle.DiffNDPOptions(n.Options, m.AllOptions()); err != nil && !errors.Is(err, oracle.ErrNDPDeviation) {
			t.Fatalf("%v\n%x", err, b)
		}
		// ndp has no notion of §6.1.1's SLLA rule; check ours is coherent.
		_, hasSLLA := m.SourceLinkLayerAddr()
		if got := m.Validate(255, netip.IPv6Unspecified()); (got == ra.ErrUnspecifiedSLLA) != hasSLLA {
			t.Fatalf("Validate from :: = %v with SLLA %v", got, hasSLLA)
		}
	})
}
