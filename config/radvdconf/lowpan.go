package radvdconf

import (
	"net/netip"

	"github.com/radish-net/radish/config"
)

// lowpancoBlock parses `lowpanco { ... };` (RFC 6775 6LoWPAN Context
// option). radvd.conf has no keyword for the context prefix, so it is ::
// with AdvContextLength bits, as radvd sends it. radvd sends only the
// first block of an interface; so does radish, with a warning for the
// others. Values radvd would truncate to the option's field widths are
// errors here.
func (p *parser) lowpancoBlock(s *ifaceState) bool {
	kw := p.next()
	var length, id, life uint32
	var lines [3]int
	c := config.LoWPANContext{Line: kw.line}
	if !p.body("lowpanco option", false, func(t token) (ok, known bool) {
		switch {
		case isKeyword(t, "advcontextlength"):
			lines[0] = t.line
			length, ok = p.numberValue()
		case isKeyword(t, "advcontextcompressionflag"):
			c.Compression, ok = p.switchValue()
		case isKeyword(t, "advcontextid"):
			lines[1] = t.line
			id, ok = p.numberValue()
		case isKeyword(t, "advlifetime"):
			lines[2] = t.line
			life, ok = p.numberValue()
		default:
			return false, false
		}
		return ok, true
	}) {
		return false
	}
	valid := p.fieldMax(lines[0], "AdvContextLength", length, 128)
	valid = p.fieldMax(lines[1], "AdvContextID", id, 15) && valid
	valid = p.fieldMax(lines[2], "AdvLifeTime", life, 0xffff) && valid
	if len(s.ifc.RA.LoWPANContexts) > 0 {
		p.warnf(kw.line, "only the first lowpanco block of an interface is sent (as in radvd); this one is ignored")
		return true
	}
	if valid {
		c.Prefix = netip.PrefixFrom(netip.IPv6Unspecified(), int(length))
		c.ID, c.Lifetime = uint8(id), uint16(life)
		s.ifc.RA.LoWPANContexts = append(s.ifc.RA.LoWPANContexts, c)
	}
	return true
}

// abroBlock parses `abro ADDR { ... };` (RFC 6775 Authoritative Border
// Router option). The old form `abro ADDR/LEN` is accepted with a warning,
// as radvd does. As with lowpanco, only the first block is sent.
func (p *parser) abroBlock(s *ifaceState) bool {
	kw := p.next()
	t := p.next()
	if t.kind != tAddr {
		return p.unexpected(t, "IPv6 address")
	}
	a := config.ABRO{Address: t.addr, Line: kw.line}
	if p.peek().kind == tSlash {
		p.next()
		n := p.next()
		if n.kind != tNumber {
			return p.unexpected(n, "prefix length")
		}
		p.warnf(n.line, "abro prefix length deprecated, remove trailing '/%d'", n.num)
	}
	var low, high, life uint32
	var lines [3]int
	if !p.body("abro option", false, func(t token) (ok, known bool) {
		switch {
		case isKeyword(t, "advversionlow"):
			lines[0] = t.line
			low, ok = p.numberValue()
		case isKeyword(t, "advversionhigh"):
			lines[1] = t.line
			high, ok = p.numberValue()
		case isKeyword(t, "advvalidlifetime"):
			lines[2] = t.line
			life, ok = p.numberValue()
		default:
			return false, false
		}
		return ok, true
	}) {
		return false
	}
	valid := p.fieldMax(lines[0], "AdvVersionLow", low, 0xffff)
	valid = p.fieldMax(lines[1], "AdvVersionHigh", high, 0xffff) && valid
	valid = p.fieldMax(lines[2], "AdvValidLifeTime", life, 0xffff) && valid
	if len(s.ifc.RA.ABROs) > 0 {
		p.warnf(kw.line, "only the first abro block of an interface is sent (as in radvd); this one is ignored")
		return true
	}
	if valid {
		a.VersionLow, a.VersionHigh, a.Lifetime = uint16(low), uint16(high), uint16(life)
		s.ifc.RA.ABROs = append(s.ifc.RA.ABROs, a)
	}
	return true
}

// fieldMax reports an error when a 6LoWPAN value does not fit its field
// (radvd silently truncates it). line is 0 when the keyword was not given.
func (p *parser) fieldMax(line int, kw string, v, max uint32) bool {
	if line == 0 || v <= max {
		return true
	}
	p.errorf(line, "%s %d is above the maximum %d of its RFC 6775 field", kw, v, max)
	return false
}
