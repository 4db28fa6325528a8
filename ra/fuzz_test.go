package ra_test

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"

	"github.com/radish-net/radish/ra"
)

// addSeeds seeds a fuzz target with the captured fixtures, the messages
// the tests build, and the hostile table.
func addSeeds(f *testing.F) {
	for _, name := range append(append([]string{}, rsFixtures...), raFixtures...) {
		f.Add(loadFixture(f, name).Bytes)
	}
	_, _, rich := richRA(f)
	f.Add(rich)
	for _, c := range hostile {
		if len(c.msg) < 4096 {
			f.Add(c.msg)
		}
	}
}

var fuzzSources = []netip.Addr{netip.IPv6Unspecified(), netip.MustParseAddr("fe80::1"), netip.MustParseAddr("2001:db8::1")}

func FuzzParseRouterSolicit(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		var n int
		check := func() {
			rs, err := ra.ParseRouterSolicit(b)
			if err != nil {
				return
			}
			for _, src := range fuzzSources {
				err := rs.Validate(255, src)
				if err != nil && err != ra.ErrUnspecifiedSLLA {
					t.Fatalf("Validate(255, %v) = %v", src, err)
				}
				if rs.Validate(254, src) != ra.ErrHopLimit {
					t.Fatal("hop limit 254 accepted")
				}
			}
			it := rs.AllOptions()
			for it.Next() {
				n += it.Option().Len()
			}
			if it.Err() != nil {
				t.Fatalf("iterator error %v on a parsed RS", it.Err())
			}
		}
		check()
		if rs, err := ra.ParseRouterSolicit(b); err == nil && n != len(rs.Bytes())-ra.RouterSolicitLen {
			t.Fatalf("options cover %d bytes of %d", n, len(b)-ra.RouterSolicitLen)
		}
		if _, err := ra.ParseRouterSolicit(b); err == nil && !raceEnabled {
			if a := testing.AllocsPerRun(1, check); a != 0 {
				t.Fatalf("%v allocations", a)
			}
		}
	})
}

// decodeAll runs every typed decoder over every option of m.
func decodeAll(m ra.RouterAdvert, names []byte) int {
	n := 0
	it := m.AllOptions()
	for it.Next() {
		o := it.Option()
		ra.ParseLinkLayerAddr(o)
		ra.ParseMTU(o)
		ra.ParseAdvInterval(o)
		ra.ParseHomeAgentInfo(o)
		ra.ParseFlagsExpansion(o)
		ra.ParsePrefixInfo(o)
		ra.ParseRouteInfo(o)
		ra.ParsePREF64(o)
		ra.ParseSixLoWPANContext(o)
		ra.ParseABRO(o)
		ra.ParseCaptivePortal(o)
		if v, err := ra.ParseRDNSS(o); err == nil {
			for i := range v.Len() {
				v.Server(i)
			}
		}
		if v, err := ra.ParseDNSSL(o); err == nil {
			ns := v.Names()
			for ns.Next() {
				names = ns.AppendText(names[:0])
			}
		}
		if v, err := ra.ParseDNR(o); err == nil {
			names = v.AppendADN(names[:0])
			for i := range v.NumAddrs() {
				v.Addr(i)
			}
		}
		n++
	}
	return n
}

func FuzzParseRouterAdvert(f *testing.F) {
	addSeeds(f)
	names := make([]byte, 0, 512)
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ra.ParseRouterAdvert(b)
		if err != nil {
			return
		}
		decodeAll(m, names)
		if !raceEnabled {
			if a := testing.AllocsPerRun(1, func() {
				m, _ := ra.ParseRouterAdvert(b)
				decodeAll(m, names)
			}); a != 0 {
				t.Fatalf("%v allocations", a)
			}
		}
		// parse → rebuild → parse: the rebuilt message parses, keeps the
		// header and the option types, and rebuilding is then a fixed point.
		rb := rebuild(t, m)
		m2, err := ra.ParseRouterAdvert(rb)
		if err != nil {
			t.Fatalf("rebuilt message does not parse: %v\n%x", err, rb)
		}
		if m2.Header() != m.Header() {
			t.Fatalf("header %+v became %+v", m.Header(), m2.Header())
		}
		it1, it2 := m.AllOptions(), m2.AllOptions()
		for it1.Next() {
			if !it2.Next() || it1.Option().Type != it2.Option().Type {
				t.Fatalf("option lists differ after rebuild")
			}
		}
		if it2.Next() {
			t.Fatal("rebuild added options")
		}
		if rb2 := rebuild(t, m2); !bytes.Equal(rb, rb2) {
			t.Fatalf("rebuild not stable:\n%x\n%x", rb, rb2)
		}
		// The checksum helpers agree with each other.
		src, dst := netip.MustParseAddr("fe80::1"), netip.IPv6LinkLocalAllNodes()
		c := append([]byte(nil), b...)
		ra.SetChecksum(c, src, dst)
		if !ra.VerifyChecksum(c, src, dst) {
			t.Fatal("SetChecksum result does not verify")
		}
	})
}

// FuzzTemplate compiles the options of any parsable RA, splits them under
// a budget and patches every lifetime: nothing panics, every piece parses
// and fits.
func FuzzTemplate(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ra.ParseRouterAdvert(b)
		if err != nil {
			return
		}
		var specs []ra.OptionSpec
		it := m.AllOptions()
		for it.Next() {
			specs = append(specs, specOf(it.Option()))
		}
		budget := 1280 - 40
		tmpls, err := ra.Split(m.Header(), specs, budget)
		if err != nil {
			if err != ra.ErrTooBig {
				t.Fatalf("Split: %v", err)
			}
			return
		}
		for _, tm := range tmpls {
			if len(tmpls) > 1 && tm.Len() > budget {
				t.Fatalf("piece of %d bytes over the budget", tm.Len())
			}
			msg := tm.AppendTo(nil)
			ra.SetRouterLifetime(msg, 0)
			for i := range specs {
				tm.SetLifetime(msg, i, uint32(i)*1000)
				tm.SetPreferredLifetime(msg, i, 0)
			}
			if _, err := ra.ParseRouterAdvert(msg); err != nil {
				t.Fatalf("patched template does not parse: %v", err)
			}
		}
	})
}

// FuzzAppendDomainName: a name the encoder accepts decodes back to itself.
func FuzzAppendDomainName(f *testing.F) {
	for _, s := range []string{"example.com", "example.com.", "a..b", "", ".", "x_y-z.example", strings.Repeat("a", 64)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		b, err := ra.DNSSL{Lifetime: 1, Domains: []string{name}}.AppendTo(nil)
		if err != nil {
			return
		}
		it := ra.IterOptions(b)
		if !it.Next() {
			t.Fatalf("no option: %v", it.Err())
		}
		v, err := ra.ParseDNSSL(it.Option())
		if err != nil {
			t.Fatalf("ParseDNSSL(%x) of %q: %v", b, name, err)
		}
		ns := v.Names()
		if !ns.Next() {
			t.Fatal("no name")
		}
		if got := string(ns.AppendText(nil)); got != strings.TrimSuffix(name, ".") {
			t.Fatalf("name %q decoded as %q", name, got)
		}
		if ns.Next() {
			t.Fatal("extra name")
		}
	})
}
