package ra_test

import (
	"net/netip"
	"path/filepath"
	"testing"

	"github.com/radish-net/radish/internal/fixture"
	"github.com/radish-net/radish/ra"
)

// loadFixture loads testdata/name, a captured packet whose comments record
// the source, destination and hop limit it was received with.
func loadFixture(t testing.TB, name string) fixture.Fixture {
	t.Helper()
	return fixture.Load(t, filepath.Join("testdata", name)).RequireAddrs(t)
}

// rsFixtures and raFixtures name the captured messages in testdata.
var (
	rsFixtures = []string{"linux-kernel-rs.hex", "rdisc6-rs.hex"}
	raFixtures = []string{"radvd-ra-seed.hex", "radvd-ra-options.hex", "radvd-ra-final.hex"}
)

func TestFixtureChecksums(t *testing.T) {
	for _, name := range append(append([]string{}, rsFixtures...), raFixtures...) {
		t.Run(name, func(t *testing.T) {
			fx := loadFixture(t, name)
			if !ra.VerifyChecksum(fx.Bytes, fx.Meta.Src, fx.Meta.Dst) {
				t.Fatalf("checksum does not verify with %v -> %v", fx.Meta.Src, fx.Meta.Dst)
			}
			want := uint16(fx.Bytes[2])<<8 | uint16(fx.Bytes[3])
			if got := ra.Checksum(fx.Meta.Src, fx.Meta.Dst, fx.Bytes); got != want {
				t.Fatalf("Checksum = %#04x, want the captured %#04x", got, want)
			}
			c := append([]byte(nil), fx.Bytes...)
			c[2], c[3] = 0xde, 0xad
			ra.SetChecksum(c, fx.Meta.Src, fx.Meta.Dst)
			if string(c) != string(fx.Bytes) {
				t.Fatalf("SetChecksum produced %x, want %x", c[2:4], fx.Bytes[2:4])
			}
			if ra.VerifyChecksum(fx.Bytes, fx.Meta.Src, netip.MustParseAddr("ff02::3")) {
				t.Fatal("checksum verified against the wrong destination")
			}
		})
	}
}

func TestFixtureRS(t *testing.T) {
	for _, name := range rsFixtures {
		t.Run(name, func(t *testing.T) {
			fx := loadFixture(t, name)
			rs, err := ra.ParseRouterSolicit(fx.Bytes)
			if err != nil {
				t.Fatal(err)
			}
			if err := rs.Validate(fx.Meta.HopLimit, fx.Meta.Src); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			lla, ok := rs.SourceLinkLayerAddr()
			switch name {
			case "linux-kernel-rs.hex":
				// The kernel sends its MAC 02:c4:00:00:00:02.
				if !ok || string(lla) != "\x02\xc4\x00\x00\x00\x02" {
					t.Fatalf("SLLA = %x, %v; want 02c400000002", lla, ok)
				}
			case "rdisc6-rs.hex":
				if ok {
					t.Fatalf("rdisc6 -n sends no SLLA, got %x", lla)
				}
			}
		})
	}
}

func TestFixtureRA(t *testing.T) {
	fx := loadFixture(t, "radvd-ra-seed.hex")
	m, err := ra.ParseRouterAdvert(fx.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Validate(fx.Meta.HopLimit, fx.Meta.Src); err != nil {
		t.Fatal(err)
	}
	want := ra.Header{CurHopLimit: 64, Other: true, Preference: ra.High, RouterLifetime: 30}
	if got := m.Header(); got != want {
		t.Fatalf("header = %+v, want %+v", got, want)
	}
	var types []ra.OptionType
	it := m.Options()
	for it.Next() {
		o := it.Option()
		types = append(types, o.Type)
		switch o.Type {
		case ra.TypePrefixInfo:
			pi, err := ra.ParsePrefixInfo(o)
			if err != nil {
				t.Fatal(err)
			}
			wantPI := ra.PrefixInfo{Prefix: netip.MustParsePrefix("2001:db8:10::/64"), OnLink: true, Autonomous: true, ValidLifetime: 86400, PreferredLifetime: 14400}
			if pi != wantPI {
				t.Errorf("prefix = %+v, want %+v", pi, wantPI)
			}
		case ra.TypeRDNSS:
			v, err := ra.ParseRDNSS(o)
			if err != nil {
				t.Fatal(err)
			}
			if v.Lifetime() != 10 || v.Len() != 2 || v.Server(0) != netip.MustParseAddr("2001:db8::2") || v.Server(1) != netip.MustParseAddr("2001:db8::3") {
				t.Errorf("rdnss = %d %v", v.Lifetime(), v.Len())
			}
		case ra.TypeMTU:
			if mtu, err := ra.ParseMTU(o); err != nil || mtu != 1500 {
				t.Errorf("mtu = %d, %v", mtu, err)
			}
		case ra.TypeSourceLinkLayerAddr:
			if a := ra.ParseLinkLayerAddr(o); string(a) != "\x02\xc4\x00\x00\x00\x01" {
				t.Errorf("slla = %x", a)
			}
		}
	}
	if it.Err() != nil {
		t.Fatal(it.Err())
	}
	wantTypes := []ra.OptionType{ra.TypePrefixInfo, ra.TypeRDNSS, ra.TypeMTU, ra.TypeSourceLinkLayerAddr}
	if len(types) != len(wantTypes) {
		t.Fatalf("options %v, want %v", types, wantTypes)
	}
	for i := range types {
		if types[i] != wantTypes[i] {
			t.Fatalf("options %v, want %v", types, wantTypes)
		}
	}

	// Our builder reproduces radvd's bytes exactly (checksum aside).
	built, err := ra.AppendRouterAdvert(nil, want,
		ra.PrefixInfo{Prefix: netip.MustParsePrefix("2001:db8:10::/64"), OnLink: true, Autonomous: true, ValidLifetime: 86400, PreferredLifetime: 14400},
		ra.RDNSS{Lifetime: 10, Servers: []netip.Addr{netip.MustParseAddr("2001:db8::2"), netip.MustParseAddr("2001:db8::3")}},
		ra.MTU(1500),
		ra.SourceLinkLayerAddr([]byte{2, 0xc4, 0, 0, 0, 1}),
	)
	if err != nil {
		t.Fatal(err)
	}
	ra.SetChecksum(built, fx.Meta.Src, fx.Meta.Dst)
	if string(built) != string(fx.Bytes) {
		t.Fatalf("built\n%x\nwant radvd's\n%x", built, fx.Bytes)
	}
}
