package ra_test

import (
	"net/netip"
	"testing"

	"github.com/radish-net/radish/ra"
)

func requireNoAllocs(t *testing.T, name string, f func()) {
	t.Helper()
	if n := testing.AllocsPerRun(200, f); n != 0 {
		t.Errorf("%s: %v allocations per run, want 0", name, n)
	}
}

// richRA builds an RA carrying every option type this package knows.
func richRA(t testing.TB) (ra.Header, []ra.OptionSpec, []byte) {
	h := ra.Header{CurHopLimit: 64, Managed: true, Other: true, HomeAgent: true, Preference: ra.Low, Proxy: true, RouterLifetime: 1800, ReachableTime: 30000, RetransTimer: 1000}
	opts := []ra.OptionSpec{
		ra.SourceLinkLayerAddr([]byte{2, 0, 0, 0, 0, 1}),
		ra.MTU(1500),
		ra.AdvInterval(600000),
		ra.HomeAgentInfo{Preference: -3, Lifetime: 900},
		ra.FlagsExpansion{0x80},
		ra.PrefixInfo{Prefix: netip.MustParsePrefix("2001:db8:1::/64"), OnLink: true, Autonomous: true, PDPreferred: true, ValidLifetime: ra.Infinity, PreferredLifetime: 14400},
		ra.PrefixInfo{Prefix: netip.MustParsePrefix("2001:db8:2::1/64"), RouterAddr: true, ValidLifetime: 600, PreferredLifetime: 0},
		ra.RouteInfo{Prefix: netip.MustParsePrefix("::/0"), Preference: ra.High, Lifetime: 1800},
		ra.RouteInfo{Prefix: netip.MustParsePrefix("2001:db8:f00::/40"), Lifetime: 1800},
		ra.RouteInfo{Prefix: netip.MustParsePrefix("2001:db8:f00:1:2::/80"), Preference: ra.Low, Lifetime: 60},
		ra.RDNSS{Lifetime: 1800, Servers: []netip.Addr{netip.MustParseAddr("2001:db8::53"), netip.MustParseAddr("2001:db8::54")}},
		ra.DNSSL{Lifetime: 1800, Domains: []string{"example.com", "corp.example.org."}},
		ra.CaptivePortal("https://portal.example/api"),
		ra.PREF64{Prefix: netip.MustParsePrefix("64:ff9b::/96"), Lifetime: 1800},
		ra.SixLoWPANContext{Prefix: netip.MustParsePrefix("2001:db8:6::/48"), Compression: true, ID: 15, Lifetime: 60},
		ra.ABRO{VersionLow: 1, VersionHigh: 0xffff, Address: netip.MustParseAddr("2001:db8::6")},
		ra.DNR{Priority: 10, Lifetime: 1800, ADN: "resolver.example", Addrs: []netip.Addr{netip.MustParseAddr("2001:db8::853")}, SvcParams: []byte{0, 1, 0, 4, 3, 'd', 'o', 't'}},
		ra.DNR{Priority: 20, Lifetime: 1800, ADN: "adn-only.example"},
		ra.RawOption{Type: 200, Body: []byte{1, 2, 3}},
	}
	b, err := ra.AppendRouterAdvert(nil, h, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return h, opts, b
}

// sink keeps results alive so the compiler cannot drop the work.
var sink int

func TestNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	rsMsg := loadFixture(t, "linux-kernel-rs.hex")
	_, opts, raMsg := richRA(t)
	tmpl, err := ra.Compile(ra.Header{RouterLifetime: 1800}, opts)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 0, 1500)
	names := make([]byte, 0, 256)

	requireNoAllocs(t, "parse+validate RS", func() {
		rs, err := ra.ParseRouterSolicit(rsMsg.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		if err := rs.Validate(255, rsMsg.Meta.Src); err != nil {
			t.Fatal(err)
		}
		if lla, ok := rs.SourceLinkLayerAddr(); ok {
			sink += len(lla)
		}
		if !ra.VerifyChecksum(rsMsg.Bytes, rsMsg.Meta.Src, rsMsg.Meta.Dst) {
			t.Fatal("checksum")
		}
	})
	requireNoAllocs(t, "template copy+patch", func() {
		msg := tmpl.AppendTo(buf[:0])
		ra.SetRouterLifetime(msg, 0)
		tmpl.SetLifetime(msg, 5, 100)
		tmpl.SetPreferredLifetime(msg, 5, 0)
		tmpl.SetLifetimes(msg, ra.TypeRDNSS, 0)
		tmpl.SetLifetimes(msg, ra.TypePREF64, 0)
		ra.SetChecksum(msg, netip.IPv6LinkLocalAllNodes(), netip.IPv6LinkLocalAllNodes())
		sink += len(msg)
	})
	requireNoAllocs(t, "parse RA and iterate options", func() {
		m, err := ra.ParseRouterAdvert(raMsg)
		if err != nil {
			t.Fatal(err)
		}
		sink += int(m.Header().RouterLifetime)
		it := m.AllOptions()
		for it.Next() {
			o := it.Option()
			switch o.Type {
			case ra.TypePrefixInfo:
				p, _ := ra.ParsePrefixInfo(o)
				sink += p.Prefix.Bits()
			case ra.TypeRouteInfo:
				r, _ := ra.ParseRouteInfo(o)
				sink += r.Prefix.Bits()
			case ra.TypeRDNSS:
				v, _ := ra.ParseRDNSS(o)
				for i := range v.Len() {
					sink += int(v.Server(i).As16()[15])
				}
			case ra.TypeDNSSL:
				v, _ := ra.ParseDNSSL(o)
				ns := v.Names()
				for ns.Next() {
					names = ns.AppendText(names[:0])
				}
			case ra.TypeDNR:
				v, _ := ra.ParseDNR(o)
				names = v.AppendADN(names[:0])
				sink += v.NumAddrs() + len(v.SvcParams())
			case ra.TypePREF64:
				p, _ := ra.ParsePREF64(o)
				sink += int(p.Lifetime)
			case ra.TypeCaptivePortal:
				u, _ := ra.ParseCaptivePortal(o)
				sink += len(u)
			case ra.TypeMTU:
				v, _ := ra.ParseMTU(o)
				sink += int(v)
			}
		}
		if it.Err() != nil {
			t.Fatal(it.Err())
		}
	})
	requireNoAllocs(t, "append options with capacity", func() {
		b := ra.Header{RouterLifetime: 1}.AppendTo(buf[:0])
		for _, o := range opts {
			b, _ = o.AppendTo(b)
		}
		sink += len(b)
	})
	garbage := make([]byte, 64<<10)
	for i := range garbage {
		garbage[i] = byte(i * 7)
	}
	requireNoAllocs(t, "reject hostile input", func() {
		for _, c := range hostile {
			ra.ParseRouterSolicit(c.msg)
			ra.ParseRouterAdvert(c.msg)
		}
		ra.ParseRouterAdvert(garbage)
		ra.ParseRouterSolicit(garbage)
	})
}
