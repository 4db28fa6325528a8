package ra_test

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/radish-net/radish/ra"
)

// seedOptions is the radvd seed configuration's option list.
func seedOptions() (ra.Header, []ra.OptionSpec) {
	h := ra.Header{CurHopLimit: 64, Other: true, Preference: ra.High, RouterLifetime: 30}
	return h, []ra.OptionSpec{
		ra.PrefixInfo{Prefix: netip.MustParsePrefix("2001:db8:10::/64"), OnLink: true, Autonomous: true, ValidLifetime: 86400, PreferredLifetime: 14400},
		ra.RDNSS{Lifetime: 10, Servers: []netip.Addr{netip.MustParseAddr("2001:db8::2"), netip.MustParseAddr("2001:db8::3")}},
		ra.MTU(1500),
		ra.SourceLinkLayerAddr([]byte{2, 0xc4, 0, 0, 0, 1}),
	}
}

func TestCompileMatchesAppend(t *testing.T) {
	h, opts := seedOptions()
	tmpl, err := ra.Compile(h, opts)
	if err != nil {
		t.Fatal(err)
	}
	want, err := ra.AppendRouterAdvert(nil, h, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if got := tmpl.AppendTo(nil); string(got) != string(want) {
		t.Fatalf("template\n%x\nwant\n%x", got, want)
	}
	fx := loadFixture(t, "radvd-ra-seed.hex")
	msg := tmpl.AppendTo(make([]byte, 0, 1500))
	ra.SetChecksum(msg, fx.Meta.Src, fx.Meta.Dst)
	if string(msg) != string(fx.Bytes) {
		t.Fatalf("template+checksum differs from radvd's capture")
	}
}

func TestTemplatePatch(t *testing.T) {
	h := ra.Header{CurHopLimit: 64, RouterLifetime: 1800}
	opts := []ra.OptionSpec{
		ra.SourceLinkLayerAddr([]byte{2, 0, 0, 0, 0, 1}),
		ra.PrefixInfo{Prefix: netip.MustParsePrefix("2001:db8:1::/64"), OnLink: true, Autonomous: true, ValidLifetime: 86400, PreferredLifetime: 14400},
		ra.RouteInfo{Prefix: netip.MustParsePrefix("2001:db8:f::/48"), Preference: ra.Low, Lifetime: 1800},
		ra.RDNSS{Lifetime: 1800, Servers: []netip.Addr{netip.MustParseAddr("2001:db8::53")}},
		ra.DNSSL{Lifetime: 1800, Domains: []string{"example.com"}},
		ra.PREF64{Prefix: netip.MustParsePrefix("64:ff9b::/96"), Lifetime: 1800},
		ra.DNR{Priority: 1, Lifetime: 1800, ADN: "dns.example.com", Addrs: []netip.Addr{netip.MustParseAddr("2001:db8::53")}, SvcParams: []byte{0, 1, 0, 3, 2, 'h', '2'}},
		ra.MTU(1500),
		ra.PrefixInfo{Prefix: netip.MustParsePrefix("2001:db8:2::/64"), OnLink: true, ValidLifetime: 600, PreferredLifetime: 300},
	}
	tmpl, err := ra.Compile(h, opts)
	if err != nil {
		t.Fatal(err)
	}
	msg := tmpl.AppendTo(nil)
	ra.SetRouterLifetime(msg, 0)
	if !tmpl.SetPreferredLifetime(msg, 1, 0) || !tmpl.SetLifetime(msg, 1, 7200) {
		t.Fatal("prefix 1 not patchable")
	}
	if tmpl.SetLifetime(msg, 0, 1) || tmpl.SetLifetime(msg, 7, 1) || tmpl.SetPreferredLifetime(msg, 2, 1) || tmpl.SetLifetime(msg, 99, 1) {
		t.Fatal("a setter accepted an option without that lifetime")
	}
	tmpl.SetLifetime(msg, 2, 0)
	if n := tmpl.SetLifetimes(msg, ra.TypeRDNSS, 0) + tmpl.SetLifetimes(msg, ra.TypeDNSSL, 0); n != 2 {
		t.Fatalf("flushed %d resolver options, want 2", n)
	}
	tmpl.SetLifetime(msg, 5, 100) // rounds up to 104
	tmpl.SetLifetime(msg, 6, 0)
	if n := tmpl.SetLifetimes(msg, ra.TypePrefixInfo, 42); n != 2 {
		t.Fatalf("SetLifetimes(prefix) = %d, want 2", n)
	}

	m, err := ra.ParseRouterAdvert(msg)
	if err != nil {
		t.Fatal(err)
	}
	if m.RouterLifetime() != 0 || m.CurHopLimit() != 64 {
		t.Fatalf("header after patch: %+v", m.Header())
	}
	it := m.Options()
	var got []string
	for it.Next() {
		o := it.Option()
		switch o.Type {
		case ra.TypePrefixInfo:
			p, _ := ra.ParsePrefixInfo(o)
			got = append(got, fmt.Sprintf("pio %d/%d", p.ValidLifetime, p.PreferredLifetime))
		case ra.TypeRouteInfo:
			r, _ := ra.ParseRouteInfo(o)
			got = append(got, fmt.Sprintf("route %d %v", r.Lifetime, r.Preference))
		case ra.TypeRDNSS:
			v, _ := ra.ParseRDNSS(o)
			got = append(got, fmt.Sprintf("rdnss %d", v.Lifetime()))
		case ra.TypeDNSSL:
			v, _ := ra.ParseDNSSL(o)
			got = append(got, fmt.Sprintf("dnssl %d", v.Lifetime()))
		case ra.TypePREF64:
			p, _ := ra.ParsePREF64(o)
			got = append(got, fmt.Sprintf("pref64 %d %v", p.Lifetime, p.Prefix))
		case ra.TypeDNR:
			v, _ := ra.ParseDNR(o)
			got = append(got, fmt.Sprintf("dnr %d", v.Lifetime()))
		}
	}
	want := "[pio 42/0 route 0 low rdnss 0 dnssl 0 pref64 104 64:ff9b::/96 dnr 0 pio 42/300]"
	if fmt.Sprint(got) != want {
		t.Fatalf("after patching:\n got %v\nwant %s", got, want)
	}
	// The template itself is untouched.
	if string(tmpl.Bytes()) == string(msg) {
		t.Fatal("patching changed the template")
	}
	if fresh := tmpl.AppendTo(nil); string(fresh) != string(tmpl.Bytes()) {
		t.Fatal("AppendTo differs from Bytes")
	}
	if off, size, ok := tmpl.OptionOffset(2); !ok || size != 16 || msg[off] != byte(ra.TypeRouteInfo) {
		t.Fatalf("OptionOffset(2) = %d, %d, %v", off, size, ok)
	}
}

func TestSplit(t *testing.T) {
	h := ra.Header{CurHopLimit: 64, RouterLifetime: 1800}
	slla := ra.SourceLinkLayerAddr([]byte{2, 0, 0, 0, 0, 1})
	opts := []ra.OptionSpec{slla, ra.MTU(1280)}
	for i := range 60 { // 60 × 32 bytes of prefixes: far over 1240
		p := netip.PrefixFrom(netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 0, byte(i)}), 64)
		opts = append(opts, ra.PrefixInfo{Prefix: p, OnLink: true, Autonomous: true, ValidLifetime: uint32(1000 + i), PreferredLifetime: 500})
	}
	opts = append(opts, ra.RDNSS{Lifetime: 600, Servers: []netip.Addr{netip.MustParseAddr("2001:db8::53")}})
	const budget = 1280 - 40
	tmpls, err := ra.Split(h, opts, budget)
	if err != nil {
		t.Fatal(err)
	}
	// header 16 + SLLA 8 + MTU 8 = 32; (1240-32)/32 = 37 prefixes per RA.
	if len(tmpls) != 2 {
		t.Fatalf("%d RAs, want 2", len(tmpls))
	}
	next := 2 // index of the next prefix/RDNSS expected, in order
	for k, tm := range tmpls {
		if tm.Len() > budget {
			t.Fatalf("RA %d is %d bytes, over %d", k, tm.Len(), budget)
		}
		m, err := ra.ParseRouterAdvert(tm.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		if m.RouterLifetime() != 1800 {
			t.Fatalf("RA %d: header not repeated", k)
		}
		var sawSLLA, sawMTU bool
		it := m.Options()
		for it.Next() {
			o := it.Option()
			switch o.Type {
			case ra.TypeSourceLinkLayerAddr:
				sawSLLA = true
			case ra.TypeMTU:
				sawMTU = true
			case ra.TypePrefixInfo:
				p, _ := ra.ParsePrefixInfo(o)
				if p.ValidLifetime != uint32(1000+next-2) {
					t.Fatalf("RA %d: prefix with lifetime %d out of order, want option %d", k, p.ValidLifetime, next)
				}
				if !tm.Has(next) {
					t.Fatalf("RA %d: Has(%d) false", k, next)
				}
				next++
			case ra.TypeRDNSS:
				if next != len(opts)-1 {
					t.Fatalf("RDNSS out of order")
				}
				next++
			}
		}
		if !sawSLLA || !sawMTU {
			t.Fatalf("RA %d lacks SLLA/MTU", k)
		}
	}
	if next != len(opts) {
		t.Fatalf("saw options up to %d, want all %d", next, len(opts))
	}
	// Patching by original index works on whichever template holds it.
	last := len(opts) - 1
	if tmpls[0].Has(last) || !tmpls[1].Has(last) {
		t.Fatal("RDNSS should be in the second RA only")
	}
	msg := tmpls[1].AppendTo(nil)
	if tmpls[0].SetLifetime(msg, last, 0) || !tmpls[1].SetLifetime(msg, last, 0) {
		t.Fatal("SetLifetime by original index")
	}

	// Everything fits: Split is Compile.
	small, err := ra.Split(h, opts[:5], budget)
	if err != nil || len(small) != 1 {
		t.Fatalf("Split(small) = %d, %v", len(small), err)
	}
	c, _ := ra.Compile(h, opts[:5])
	if string(c.Bytes()) != string(small[0].Bytes()) {
		t.Fatal("single-RA Split differs from Compile")
	}
	// One option larger than the budget left after the per-RA options.
	if _, err := ra.Split(h, opts, 16+16+31); !errors.Is(err, ra.ErrTooBig) {
		t.Fatalf("tiny budget: %v, want ErrTooBig", err)
	}
	// The per-RA options alone exceed the budget.
	if _, err := ra.Split(h, []ra.OptionSpec{ra.CaptivePortal(strings.Repeat("x", 100))}, 64); !errors.Is(err, ra.ErrTooBig) {
		t.Fatalf("oversized per-RA options: %v, want ErrTooBig", err)
	}
	// A raw option of a patchable type is copied, never patched.
	rt, err := ra.Compile(h, []ra.OptionSpec{ra.RawOption{Type: ra.TypePrefixInfo, Body: []byte{64}}})
	if err != nil || rt.Has(0) || rt.SetLifetime(rt.AppendTo(nil), 0, 1) {
		t.Fatalf("raw PIO treated as patchable (%v)", err)
	}
	// Builder errors surface.
	if _, err := ra.Split(h, []ra.OptionSpec{ra.RDNSS{}}, budget); !errors.Is(err, ra.ErrInvalid) {
		t.Fatalf("bad option: %v, want ErrInvalid", err)
	}
}
