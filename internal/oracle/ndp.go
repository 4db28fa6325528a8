// Package oracle compares radish's wire views with the reference libraries
// its tests use as oracles: github.com/mdlayher/ndp for package ra and
// github.com/insomniacslk/dhcp/dhcpv6 for package dhcpv6 (STYLE.md §13).
// It is shared by the wire packages' tests and the cross-package fuzz
// targets, and is imported by tests only: the wire packages themselves use
// the standard library alone.
//
// Each Diff function returns nil when both views agree and otherwise an
// error describing the first difference. Where the reference library is
// known to depart from the RFCs, the error wraps ErrNDPDeviation: strict
// tests fail on any error, fuzz targets skip inputs whose only difference
// is such a deviation.
//
// Known ndp deviations, reported as ErrNDPDeviation:
//   - ndp accepts a Prefix Information option with a prefix length over 128
//     (its netip.Prefix is then invalid); radish's ParsePrefixInfo rejects it.
//   - ndp's DNSSL decoder does not enforce RFC 1035 limits (labels of at
//     most 63 bytes, names of at most 255) and turns "xn--" labels into
//     Unicode; radish rejects the former and returns names as sent.
//
// Known ndp limitations worked around without an error:
//   - ndp's Route Information decoder keeps only PrefixLength/8 whole bytes
//     of the prefix, dropping the bits of a partial byte, so routes are
//     compared on those whole bytes.
//   - ndp keeps a Nonce option's value private: only its type is compared.
package oracle

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/mdlayher/ndp"

	"github.com/radish-net/radish/ra"
)

// ErrNDPDeviation marks a difference caused by a documented ndp departure
// from the RFCs (see the package documentation).
var ErrNDPDeviation = errors.New("documented ndp deviation")

// DiffRA compares ndp's view of a Router Advertisement with radish's: the
// header fields, then every option in order (AllOptions, so unknown types
// too).
func DiffRA(n *ndp.RouterAdvertisement, m ra.RouterAdvert) error {
	h := m.Header()
	if n.CurrentHopLimit != h.CurHopLimit || n.ManagedConfiguration != h.Managed || n.OtherConfiguration != h.Other ||
		n.MobileIPv6HomeAgent != h.HomeAgent || n.NeighborDiscoveryProxy != h.Proxy ||
		uint8(n.RouterSelectionPreference) != uint8(h.Preference) ||
		n.RouterLifetime != time.Duration(h.RouterLifetime)*time.Second ||
		n.ReachableTime != time.Duration(h.ReachableTime)*time.Millisecond ||
		n.RetransmitTimer != time.Duration(h.RetransTimer)*time.Millisecond {
		return fmt.Errorf("header: ndp %+v, radish %+v", n, h)
	}
	return DiffNDPOptions(n.Options, m.AllOptions())
}

// DiffNDPOptions compares ndp's options with those it yields, in order,
// and reports the iterator's error.
func DiffNDPOptions(nopts []ndp.Option, it ra.OptionIter) error {
	i := 0
	for ; it.Next(); i++ {
		if i >= len(nopts) {
			return fmt.Errorf("radish has more than ndp's %d options", len(nopts))
		}
		if err := DiffNDPOption(nopts[i], it.Option()); err != nil {
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

// DiffNDPOption compares one ndp option with radish's view of the same
// option, decoding it with the ra.ParseX function for its type.
func DiffNDPOption(no ndp.Option, o ra.Option) error {
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
		if n.PrefixLength > 128 {
			return fmt.Errorf("%w: prefix length %d", ErrNDPDeviation, n.PrefixLength)
		}
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
		for _, name := range n.DomainNames {
			if deviantName(name) {
				return fmt.Errorf("%w: dnssl name %q", ErrNDPDeviation, name)
			}
		}
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
		if f, err := ra.ParseFlagsExpansion(o); err != nil || !bytes.Equal(o.Body, n.Flags) || !bytes.Equal(f[:], n.Flags[:6]) {
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

// deviantName reports whether ndp's decoding of a DNSSL name departs from
// RFC 8106/1035 as radish reads it: too long, a label over 63 bytes, or
// an IDNA label ndp turned into Unicode.
func deviantName(name string) bool {
	if len(name) > 253 || strings.Contains(strings.ToLower(name), "xn--") {
		return true
	}
	for i := 0; i < len(name); i++ {
		if name[i] >= 0x80 {
			return true
		}
	}
	for l := range strings.SplitSeq(name, ".") {
		if len(l) > 63 {
			return true
		}
	}
	return false
}
