package bench_test

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/mdlayher/ndp"

	"github.com/radish-net/radish/internal/fixture"
	"github.com/radish-net/radish/ra"
)

var (
	raMAC    = net.HardwareAddr{0x02, 0xc4, 0x00, 0x00, 0x00, 0x01}
	raPrefix = netip.MustParsePrefix("2605:fd00:0:10::/64")
	raDNS    = []netip.Addr{netip.MustParseAddr("2605:fd00::2"), netip.MustParseAddr("2605:fd00::3")}
)

// BenchmarkRABuild builds the seed configuration's RA: O flag, high
// preference, SLLA, MTU 1500, one /64 prefix and two RDNSS servers. ndp
// marshals a fresh message each time; radish copies a precompiled template
// into a reused buffer and patches the router lifetime.
func BenchmarkRABuild(b *testing.B) {
	b.Run("radish", func(b *testing.B) {
		tmpl, err := ra.Compile(
			ra.Header{CurHopLimit: 64, Other: true, Preference: ra.High, RouterLifetime: 30},
			[]ra.OptionSpec{
				ra.PrefixInfo{Prefix: raPrefix, OnLink: true, Autonomous: true, ValidLifetime: 86400, PreferredLifetime: 14400},
				ra.RDNSS{Lifetime: 10, Servers: raDNS},
				ra.MTU(1500),
				ra.SourceLinkLayerAddr(raMAC),
			})
		if err != nil {
			b.Fatal(err)
		}
		buf := make([]byte, 0, 1500)
		b.ReportAllocs()
		for b.Loop() {
			msg := tmpl.AppendTo(buf[:0])
			ra.SetRouterLifetime(msg, 30)
			buf = msg
		}
		if len(buf) != 104 {
			b.Fatalf("RA of %d bytes, want 104", len(buf))
		}
	})
	b.Run("ndp", func(b *testing.B) {
		m := &ndp.RouterAdvertisement{
			CurrentHopLimit:           64,
			OtherConfiguration:        true,
			RouterSelectionPreference: ndp.High,
			RouterLifetime:            30 * time.Second,
			Options: []ndp.Option{
				&ndp.PrefixInformation{PrefixLength: 64, OnLink: true, AutonomousAddressConfiguration: true,
					ValidLifetime: 86400 * time.Second, PreferredLifetime: 14400 * time.Second, Prefix: raPrefix.Addr()},
				&ndp.RecursiveDNSServer{Lifetime: 10 * time.Second, Servers: raDNS},
				ndp.NewMTU(1500),
				&ndp.LinkLayerAddress{Direction: ndp.Source, Addr: raMAC},
			},
		}
		var out []byte
		b.ReportAllocs()
		for b.Loop() {
			var err error
			if out, err = ndp.MarshalMessage(m); err != nil {
				b.Fatal(err)
			}
		}
		if len(out) != 104 {
			b.Fatalf("RA of %d bytes, want 104", len(out))
		}
	})
}

// BenchmarkRSParse parses the Linux kernel's RS (with its SLLA option).
// radish also applies every RFC 4861 §6.1.1 check (hop limit, code,
// lengths, SLLA from the unspecified address) and looks up the SLLA; ndp
// only parses.
func BenchmarkRSParse(b *testing.B) {
	msg := fixture.Load(b, "../ra/testdata/linux-kernel-rs.hex").Bytes
	src := netip.MustParseAddr("fe80::c4:ff:fe00:2")
	b.Run("radish", func(b *testing.B) {
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			rs, err := ra.ParseRouterSolicit(msg)
			if err != nil {
				b.Fatal(err)
			}
			if err := rs.Validate(255, src); err != nil {
				b.Fatal(err)
			}
			lla, _ := rs.SourceLinkLayerAddr()
			n += len(lla)
		}
		if n == 0 {
			b.Fatal("no SLLA")
		}
	})
	b.Run("ndp", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ndp.ParseMessage(msg); err != nil {
				b.Fatal(err)
			}
		}
	})
}
