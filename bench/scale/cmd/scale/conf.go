package main

import (
	"fmt"
	"net/netip"
	"strings"
)

// Advertisement timing shared by both daemons: nova-network's radvd
// template. RFC 4861 §6.2.4 draws each interval uniformly from [min, max],
// so a link is due 60 / ((3 + 10) / 2) ≈ 9.2 RAs a minute on average.
const (
	minInterval = 3
	maxInterval = 10
)

// dueRAsPerMinute is the long-run mean rate of unsolicited RAs per link.
const dueRAsPerMinute = 60.0 / ((minInterval + maxInterval) / 2.0)

// linkPrefix is the static /64 advertised on router link i:
// 2001:db8:i::/64 (i < 65536).
func linkPrefix(i int) netip.Prefix {
	var a [16]byte
	a[0], a[1], a[2], a[3] = 0x20, 0x01, 0x0d, 0xb8
	a[4], a[5] = byte(i>>8), byte(i)
	return netip.PrefixFrom(netip.AddrFrom16(a), 64)
}

// radvdConf is the radvd.conf an operator writes for these links: one
// interface block per link, each with its own static prefix.
func radvdConf(links []string) string {
	var b strings.Builder
	b.WriteString("# radish bench/scale: one block per link.\n")
	for i, name := range links {
		fmt.Fprintf(&b, "interface %s {\n", name)
		b.WriteString("\tAdvSendAdvert on;\n")
		fmt.Fprintf(&b, "\tMinRtrAdvInterval %d;\n", minInterval)
		fmt.Fprintf(&b, "\tMaxRtrAdvInterval %d;\n", maxInterval)
		fmt.Fprintf(&b, "\tprefix %s { };\n", linkPrefix(i))
		b.WriteString("};\n")
	}
	return b.String()
}

// radishConf is the TOML an operator writes for radish. With pattern
// false it has one [[interface]] stanza per link with that link's own
// static prefix, the same content as radvdConf. With pattern true it has
// a single stanza matching every link (glob), advertising 2001:db8::/64
// on all of them: fewer lines, but not the same RAs as radvdConf.
func radishConf(links []string, pattern string) string {
	var b strings.Builder
	b.WriteString("# radish bench/scale.\n")
	stanza := func(name string, p netip.Prefix) {
		fmt.Fprintf(&b, "\n[[interface]]\nname = %q\n", name)
		fmt.Fprintf(&b, "[interface.ra]\nmin_interval = %d\nmax_interval = %d\n", minInterval, maxInterval)
		fmt.Fprintf(&b, "[[interface.ra.prefix]]\nprefix = %q\n", p.String())
	}
	if pattern != "" {
		stanza(pattern, linkPrefix(0))
		return b.String()
	}
	for i, name := range links {
		stanza(name, linkPrefix(i))
	}
	return b.String()
}
