package radvdconf

import (
	"net/netip"
	"strings"

	"github.com/radish-net/radish/config"
)

// rdnssBlock parses `RDNSS ADDR... { ... };` (RFC 8106 §5.1). The body may
// be empty ({}), but the braces are required, as in radvd.
func (p *parser) rdnssBlock(s *ifaceState) bool {
	kw := p.next()
	r := config.RDNSS{Lifetime: threeTimes(s.ifc.RA.MaxInterval), Flush: true, Line: kw.line}
	for p.peek().kind == tAddr {
		t := p.next()
		if msg := unicastProblem(t.addr); msg != "" {
			p.errorf(t.line, "RDNSS server %s %s", t.addr, msg)
		}
		r.Servers = append(r.Servers, t.addr)
	}
	if len(r.Servers) == 0 {
		return p.unexpected(p.peek(), "IPv6 address")
	}
	if len(r.Servers) > maxRDNSSServers {
		p.errorf(kw.line, "too many RDNSS servers (%d): the upper limit is %d (RFC 8106 §5.1)", len(r.Servers), maxRDNSSServers)
	}
	if !p.body("RDNSS option", false, func(t token) (ok, known bool) {
		switch {
		case isKeyword(t, "advrdnsslifetime"):
			r.Lifetime, ok = p.lifetimeValue()
			if ok && r.Lifetime != 0 && r.Lifetime != config.Infinity &&
				uint64(r.Lifetime)*1e9 < uint64(s.ifc.RA.MaxInterval) {
				p.warnf(t.line, "AdvRDNSSLifetime %d is less than MaxRtrAdvInterval: clients may drop the servers between RAs", r.Lifetime)
			}
		case isKeyword(t, "flushrdnss"):
			r.Flush, ok = p.switchValue()
		case isKeyword(t, "advrdnsspreference"):
			_, ok = p.numberValue()
			p.warnf(t.line, "ignoring deprecated RDNSS preference")
		case isKeyword(t, "advrdnssopen"):
			_, ok = p.switchValue()
			p.warnf(t.line, "ignoring deprecated RDNSS open flag")
		default:
			return false, false
		}
		return ok, true
	}) {
		return false
	}
	s.ifc.RA.RDNSS = append(s.ifc.RA.RDNSS, r)
	return true
}

// dnsslBlock parses `DNSSL NAME... { ... };` (RFC 8106 §5.2).
func (p *parser) dnsslBlock(s *ifaceState) bool {
	kw := p.next()
	d := config.DNSSL{Lifetime: threeTimes(s.ifc.RA.MaxInterval), Flush: true, Line: kw.line}
	n := 0
	for p.peek().kind == tString || p.peek().kind == tQuoted {
		t := p.next()
		n++
		name, msg := checkDomain(t.text)
		if msg != "" {
			p.errorf(t.line, "invalid domain suffix %q: %s", t.text, msg)
			continue
		}
		d.Domains = append(d.Domains, name)
	}
	if n == 0 {
		return p.unexpected(p.peek(), "domain name")
	}
	if !p.body("DNSSL option", false, func(t token) (ok, known bool) {
		switch {
		case isKeyword(t, "advdnssllifetime"):
			d.Lifetime, ok = p.lifetimeValue()
		case isKeyword(t, "flushdnssl"):
			d.Flush, ok = p.switchValue()
		default:
			return false, false
		}
		return ok, true
	}) {
		return false
	}
	if len(d.Domains) > 0 {
		s.ifc.RA.DNSSL = append(s.ifc.RA.DNSSL, d)
	}
	return true
}

// checkDomain validates a DNSSL suffix and returns it lower-cased without
// a trailing dot. radvd accepts letters, digits, '-' and '.' only; radish
// also rejects, as its TOML format does, empty labels (a..b, .a), labels
// over 63 octets or starting or ending with '-', names over 253 octets and
// the bare root ".".
func checkDomain(s string) (string, string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.') {
			return "", "only letters, digits, '-' and '.' are allowed"
		}
	}
	name := strings.ToLower(strings.TrimSuffix(s, "."))
	if name == "" {
		return "", "empty name"
	}
	if len(name) > 253 {
		return "", "longer than 253 characters"
	}
	for _, l := range strings.Split(name, ".") {
		if l == "" {
			return "", "empty label"
		}
		if len(l) > 63 {
			return "", "label longer than 63 characters"
		}
		if l[0] == '-' || l[len(l)-1] == '-' {
			return "", "label starts or ends with '-'"
		}
	}
	return name, ""
}

// addrList reads the body "{ ADDR; ADDR; ... };" of a block, which must
// hold at least one address; neg allows "!ADDR" entries.
func (p *parser) addrList(neg bool, add func(a netip.Addr, not bool, line int)) bool {
	return p.body("IPv6 address", true, func(t token) (ok, known bool) {
		if t.kind != tAddr && !(neg && t.kind == tNotAddr) {
			return false, false
		}
		if !p.expect(tSemi) {
			return false, true
		}
		add(t.addr, t.kind == tNotAddr, t.line)
		return true, true
	})
}

// clientsBlock parses `clients { ADDR; !ADDR; ... };`.
func (p *parser) clientsBlock(s *ifaceState) bool {
	p.next()
	return p.addrList(true, func(a netip.Addr, not bool, line int) {
		if msg := unicastProblem(a); msg != "" {
			p.errorf(line, "client %s %s", a, msg)
		}
		if not {
			s.ifc.RA.Deny = append(s.ifc.RA.Deny, a)
		} else {
			s.ifc.RA.Clients = append(s.ifc.RA.Clients, a)
		}
	})
}

// srcAddrBlock parses `AdvRASrcAddress { ADDR; ... };`.
func (p *parser) srcAddrBlock(s *ifaceState) bool {
	p.next()
	return p.addrList(false, func(a netip.Addr, _ bool, line int) {
		if !a.IsLinkLocalUnicast() {
			p.errorf(line, "AdvRASrcAddress %s is not a link-local address: RAs are sent from link-local addresses (RFC 4861 §4.2)", a)
		}
		s.ifc.RA.SourceAddresses = append(s.ifc.RA.SourceAddresses, a)
	})
}
