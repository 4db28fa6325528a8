package ra_test

import (
	"fmt"
	"net/netip"

	"github.com/radish-net/radish/ra"
)

func ExampleAppendRouterAdvert() {
	msg, err := ra.AppendRouterAdvert(nil,
		ra.Header{CurHopLimit: 64, Other: true, Preference: ra.High, RouterLifetime: 1800},
		ra.PrefixInfo{Prefix: netip.MustParsePrefix("2001:db8:1::/64"), OnLink: true, Autonomous: true, ValidLifetime: 86400, PreferredLifetime: 14400},
		ra.RDNSS{Lifetime: 1800, Servers: []netip.Addr{netip.MustParseAddr("2001:db8::53")}},
		ra.MTU(1500),
	)
	if err != nil {
		panic(err)
	}
	ra.SetChecksum(msg, netip.MustParseAddr("fe80::1"), netip.IPv6LinkLocalAllNodes())
	fmt.Println(len(msg), "bytes")
	fmt.Printf("% x\n", msg[:16])
	// Output:
	// 80 bytes
	// 86 00 e0 6a 40 48 07 08 00 00 00 00 00 00 00 00
}

func ExampleParseRouterAdvert() {
	msg, _ := ra.AppendRouterAdvert(nil, ra.Header{CurHopLimit: 64, RouterLifetime: 600},
		ra.SourceLinkLayerAddr([]byte{2, 0, 0, 0, 0, 1}),
		ra.RouteInfo{Prefix: netip.MustParsePrefix("2001:db8:f::/48"), Preference: ra.Low, Lifetime: 600},
		ra.DNSSL{Lifetime: 600, Domains: []string{"example.com", "corp.example"}},
	)
	m, err := ra.ParseRouterAdvert(msg)
	if err != nil {
		panic(err)
	}
	if err := m.Validate(255, netip.MustParseAddr("fe80::1")); err != nil {
		panic(err)
	}
	fmt.Println("router lifetime", m.RouterLifetime(), "preference", m.Preference())
	var name []byte
	it := m.Options()
	for it.Next() {
		o := it.Option()
		switch o.Type {
		case ra.TypeSourceLinkLayerAddr:
			fmt.Printf("slla %x\n", ra.ParseLinkLayerAddr(o))
		case ra.TypeRouteInfo:
			r, err := ra.ParseRouteInfo(o)
			if err == nil {
				fmt.Println("route", r.Prefix, r.Preference, r.Lifetime)
			}
		case ra.TypeDNSSL:
			v, err := ra.ParseDNSSL(o)
			if err != nil {
				continue
			}
			names := v.Names()
			for names.Next() {
				name = names.AppendText(name[:0])
				fmt.Println("search", string(name))
			}
		}
	}
	if err := it.Err(); err != nil {
		panic(err)
	}
	// Output:
	// router lifetime 600 preference medium
	// slla 020000000001
	// route 2001:db8:f::/48 low 600
	// search example.com
	// search corp.example
}

func ExampleParseRouterSolicit() {
	// The Linux kernel's RS from testdata/linux-kernel-rs.hex.
	msg := []byte{0x85, 0x00, 0x79, 0xa2, 0, 0, 0, 0, 0x01, 0x01, 0x02, 0xc4, 0, 0, 0, 0x02}
	rs, err := ra.ParseRouterSolicit(msg)
	if err != nil {
		panic(err)
	}
	// Metadata from the socket: hop limit and source address.
	fmt.Println(rs.Validate(255, netip.MustParseAddr("fe80::c4:ff:fe00:2")))
	fmt.Println(rs.Validate(64, netip.MustParseAddr("fe80::c4:ff:fe00:2")))
	fmt.Println(rs.Validate(255, netip.IPv6Unspecified()))
	lla, _ := rs.SourceLinkLayerAddr()
	fmt.Printf("%x\n", lla)
	// Output:
	// <nil>
	// ra: IPv6 hop limit is not 255
	// ra: source link-layer address option from the unspecified address
	// 02c400000002
}

func ExampleCompile() {
	opts := []ra.OptionSpec{
		ra.SourceLinkLayerAddr([]byte{2, 0, 0, 0, 0, 1}),
		ra.PrefixInfo{Prefix: netip.MustParsePrefix("2001:db8:1::/64"), OnLink: true, Autonomous: true, ValidLifetime: 86400, PreferredLifetime: 14400},
		ra.RDNSS{Lifetime: 1800, Servers: []netip.Addr{netip.MustParseAddr("2001:db8::53")}},
	}
	// Control plane: compile once.
	tmpl, err := ra.Compile(ra.Header{CurHopLimit: 64, RouterLifetime: 1800}, opts)
	if err != nil {
		panic(err)
	}
	// Data plane: copy into the send buffer and patch, without allocating.
	buf := make([]byte, 0, 1500)
	msg := tmpl.AppendTo(buf[:0])
	// A final RA: no longer a default router, prefix deprecated, DNS flushed.
	ra.SetRouterLifetime(msg, 0)
	tmpl.SetPreferredLifetime(msg, 1, 0)
	tmpl.SetLifetime(msg, 1, 7200)
	tmpl.SetLifetimes(msg, ra.TypeRDNSS, 0)

	m, _ := ra.ParseRouterAdvert(msg)
	it := m.Options()
	for it.Next() {
		if p, err := ra.ParsePrefixInfo(it.Option()); err == nil {
			fmt.Println(m.RouterLifetime(), p.Prefix, p.ValidLifetime, p.PreferredLifetime)
		}
	}
	// Output:
	// 0 2001:db8:1::/64 7200 0
}

func ExampleSplit() {
	var opts []ra.OptionSpec
	opts = append(opts, ra.SourceLinkLayerAddr([]byte{2, 0, 0, 0, 0, 1}), ra.MTU(1280))
	for i := range 50 {
		p := netip.PrefixFrom(netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 0, byte(i)}), 64)
		opts = append(opts, ra.PrefixInfo{Prefix: p, OnLink: true, Autonomous: true, ValidLifetime: 86400, PreferredLifetime: 14400})
	}
	// AdvRAMTU 1280 minus the IPv6 header.
	tmpls, err := ra.Split(ra.Header{CurHopLimit: 64, RouterLifetime: 1800}, opts, 1280-40)
	if err != nil {
		panic(err)
	}
	for _, t := range tmpls {
		fmt.Println(t.Len(), "bytes")
	}
	// Output:
	// 1216 bytes
	// 448 bytes
}
