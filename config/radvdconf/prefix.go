package radvdconf

import (
	"net/netip"

	"github.com/radish-net/radish/config"
)

// addrPrefix reads "ADDR/LEN", whose first token t is already consumed.
// Host bits are allowed and masked off, as radvd masks them when it builds
// the option. what names the block in messages.
func (p *parser) addrPrefix(t token, what string) (netip.Addr, netip.Prefix, bool) {
	if t.kind != tAddr {
		return netip.Addr{}, netip.Prefix{}, p.unexpected(t, "IPv6 address")
	}
	if !p.expect(tSlash) {
		return netip.Addr{}, netip.Prefix{}, false
	}
	n := p.next()
	if n.kind != tNumber {
		return netip.Addr{}, netip.Prefix{}, p.unexpected(n, "prefix length")
	}
	if n.num > 128 {
		p.errorf(n.line, "invalid %s length %d (more than 128)", what, n.num)
		return t.addr, netip.Prefix{}, true
	}
	if t.addr.Is4In6() {
		p.errorf(t.line, "%s %s: IPv4-mapped addresses are not IPv6 prefixes", what, t.addr)
		return t.addr, netip.Prefix{}, true
	}
	pfx, _ := t.addr.Prefix(int(n.num))
	return t.addr, pfx, true
}

// prefixBlock parses `prefix ADDR/LEN [{ ... }];`.
func (p *parser) prefixBlock(s *ifaceState) bool {
	kw := p.next()
	addr, pfx, ok := p.addrPrefix(p.next(), "prefix")
	if !ok {
		return false
	}
	pi := config.Prefix{
		Prefix: pfx, OnLink: true, Autonomous: true,
		ValidLifetime: dfltValidLifetime, PreferredLifetime: dfltPreferredLifetime, Line: kw.line,
	}
	if p.peek().kind == tLBrace {
		if !p.body("prefix option", false, func(t token) (bool, bool) { return p.prefixParam(&pi, t) }) {
			return false
		}
	} else if !p.expect(tSemi) {
		return false
	}
	if !pfx.IsValid() {
		return true // length error already reported
	}
	if pi.PreferredLifetime > pi.ValidLifetime {
		p.errorf(kw.line, "prefix %s: AdvValidLifetime must be greater than or equal to AdvPreferredLifetime", pfx)
	}
	if pi.Base6Interface != "" && pfx.Bits() != 64 {
		p.errorf(kw.line, "prefix %s: only /64 is allowed with Base6Interface", pfx)
	}
	// As in the TOML format, Auto marks the all-zeros address whatever
	// else the block says; Base6Interface and Base6to4Interface take
	// precedence over it when the prefix is built.
	pi.Auto = addr.IsUnspecified()
	if pi.RouterAddr {
		s.mipv6Use = true
	}
	s.ifc.RA.Prefixes = append(s.ifc.RA.Prefixes, pi)
	return true
}

// prefixParam parses the rest of the prefix option whose keyword is t
// (see body).
func (p *parser) prefixParam(pi *config.Prefix, t token) (ok, known bool) {
	if t.kind != tKeyword {
		return false, false
	}
	snap := *pi // restored if the value is malformed
	switch t.text {
	case "advonlink":
		pi.OnLink, ok = p.switchValue()
	case "advautonomous":
		pi.Autonomous, ok = p.switchValue()
	case "advrouteraddr":
		pi.RouterAddr, ok = p.switchValue()
	case "advdhcpv6pdpreferred":
		pi.PDPreferred, ok = p.switchValue()
	case "advvalidlifetime":
		pi.ValidLifetime, ok = p.lifetimeValue()
	case "advpreferredlifetime":
		pi.PreferredLifetime, ok = p.lifetimeValue()
	case "deprecateprefix":
		pi.DeprecatePrefix, ok = p.switchValue()
	case "decrementlifetimes":
		pi.DecrementLifetime, ok = p.switchValue()
	case "base6interface":
		pi.Base6Interface, ok = p.baseName("Base6Interface")
	case "base6to4interface":
		pi.Base6to4Interface, ok = p.baseName("Base6to4Interface")
	default:
		return false, false
	}
	if !ok {
		*pi = snap
	}
	return ok, true
}

// routeBlock parses `route ADDR/LEN { ... };` (the braces are required).
func (p *parser) routeBlock(s *ifaceState) bool {
	kw := p.next()
	_, pfx, ok := p.addrPrefix(p.next(), "route prefix")
	if !ok {
		return false
	}
	r := config.Route{
		Prefix: pfx, Lifetime: threeTimes(s.ifc.RA.MaxInterval), RemoveOnExit: true, Line: kw.line,
	}
	if !p.body("route option", false, func(t token) (ok, known bool) {
		switch {
		case isKeyword(t, "advroutepreference"):
			r.Preference, ok = p.preferenceValue()
		case isKeyword(t, "advroutelifetime"):
			r.Lifetime, ok = p.lifetimeValue()
		case isKeyword(t, "removeroute"):
			r.RemoveOnExit, ok = p.switchValue()
		default:
			return false, false
		}
		return ok, true
	}) {
		return false
	}
	if pfx.IsValid() {
		s.ifc.RA.Routes = append(s.ifc.RA.Routes, r)
	}
	return true
}

// nat64Block parses `nat64prefix ADDR/LEN [{ AdvValidLifetime N; }];`
// (RFC 8781 PREF64).
func (p *parser) nat64Block(s *ifaceState) bool {
	kw := p.next()
	addr, pfx, ok := p.addrPrefix(p.next(), "nat64prefix")
	if !ok {
		return false
	}
	n := config.PREF64{Prefix: pfx, Lifetime: min(threeTimes(s.ifc.RA.MaxInterval), maxNAT64Lifetime), Line: kw.line}
	if p.peek().kind == tLBrace {
		if !p.body("AdvValidLifetime", false, func(t token) (bool, bool) {
			if !isKeyword(t, "advvalidlifetime") {
				return false, false
			}
			v, ok := p.numberValue()
			if !ok {
				return false, true
			}
			if v > maxNAT64Lifetime {
				p.errorf(t.line, "maximum for NAT64 AdvValidLifetime is %d", maxNAT64Lifetime)
			}
			n.Lifetime = v
			return true, true
		}) {
			return false
		}
	} else if !p.expect(tSemi) {
		return false
	}
	if addr.IsUnspecified() {
		p.errorf(kw.line, "invalid all-zeros nat64prefix")
		return true
	}
	if !pfx.IsValid() {
		return true
	}
	switch pfx.Bits() {
	case 32, 40, 48, 56, 64, 96:
	default:
		p.errorf(kw.line, "nat64prefix %s: only /96, /64, /56, /48, /40 and /32 are allowed", pfx)
		return true
	}
	s.ifc.RA.PREF64 = append(s.ifc.RA.PREF64, n)
	return true
}

// autoIgnoreBlock parses `autoignoreprefixes { ADDR/LEN; ... };`: prefixes
// that the automatic ::/64 prefix skips.
func (p *parser) autoIgnoreBlock(s *ifaceState) bool {
	p.next()
	// addrPrefix reports a statement that does not start with an address.
	return p.body("IPv6 prefix", true, func(t token) (bool, bool) {
		_, pfx, ok := p.addrPrefix(t, "autoignoreprefixes prefix")
		if !ok || !p.expect(tSemi) {
			return false, true
		}
		if pfx.IsValid() {
			s.ifc.RA.AutoIgnore = append(s.ifc.RA.AutoIgnore, pfx)
		}
		return true, true
	})
}

// baseName reads "NAME ;" for Base6Interface and Base6to4Interface.
func (p *parser) baseName(what string) (string, bool) {
	name, line, ok := p.name(what)
	if !ok || !p.expect(tSemi) {
		return "", false
	}
	if msg := checkLinkName(name, false); msg != "" {
		p.errorf(line, "%s %s", what, msg)
	}
	return name, true
}
