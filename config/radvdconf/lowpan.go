package radvdconf

import (
	"net/netip"
	"strings"

	"github.com/radish-net/radish/config"
)

// field is one bounded number of a 6LoWPAN block: its keyword as written
// in radvd.conf, the largest value its RFC 6775 field holds, and, once
// read, its value and line (0 when not given).
type field struct {
	name string
	max  uint32
	v    uint32
	line int
}

// fields parses the body of a 6LoWPAN block whose options are the numbers
// in fs plus, when flag is not nil, the on/off option flagName. It reports
// whether the body parsed and whether every value fits its field (radvd
// truncates those that do not; radish reports each one).
func (p *parser) fields(what string, fs []field, flagName string, flag *bool) (parsed, valid bool) {
	parsed = p.body(what, false, func(t token) (ok, known bool) {
		if flag != nil && isKeyword(t, strings.ToLower(flagName)) {
			*flag, ok = p.switchValue()
			return ok, true
		}
		for i := range fs {
			if isKeyword(t, strings.ToLower(fs[i].name)) {
				fs[i].line = t.line
				fs[i].v, ok = p.numberValue()
				return ok, true
			}
		}
		return false, false
	})
	valid = true
	for _, f := range fs {
		if f.line != 0 && f.v > f.max {
			p.errorf(f.line, "%s %d is above the maximum %d of its RFC 6775 field", f.name, f.v, f.max)
			valid = false
		}
	}
	return parsed, valid
}

// lowpancoBlock parses `lowpanco { ... };` (RFC 6775 6LoWPAN Context
// option). radvd.conf has no keyword for the context prefix, so it is ::
// with AdvContextLength bits, as radvd sends it. radvd sends only the
// first block of an interface; so does radish, with a warning for the
// others. Values radvd would truncate to the option's field widths are
// errors here.
func (p *parser) lowpancoBlock(s *ifaceState) bool {
	kw := p.next()
	c := config.LoWPANContext{Line: kw.line}
	fs := []field{{name: "AdvContextLength", max: 128}, {name: "AdvContextID", max: 15}, {name: "AdvLifeTime", max: 0xffff}}
	parsed, valid := p.fields("lowpanco option", fs, "AdvContextCompressionFlag", &c.Compression)
	if !parsed {
		return false
	}
	if len(s.ifc.RA.LoWPANContexts) > 0 {
		p.warnf(kw.line, "only the first lowpanco block of an interface is sent (as in radvd); this one is ignored")
		return true
	}
	if valid {
		c.Prefix = netip.PrefixFrom(netip.IPv6Unspecified(), int(fs[0].v))
		c.ID, c.Lifetime = uint8(fs[1].v), uint16(fs[2].v)
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
	fs := []field{{name: "AdvVersionLow", max: 0xffff}, {name: "AdvVersionHigh", max: 0xffff}, {name: "AdvValidLifeTime", max: 0xffff}}
	parsed, valid := p.fields("abro option", fs, "", nil)
	if !parsed {
		return false
	}
	if len(s.ifc.RA.ABROs) > 0 {
		p.warnf(kw.line, "only the first abro block of an interface is sent (as in radvd); this one is ignored")
		return true
	}
	if valid {
		a.VersionLow, a.VersionHigh, a.Lifetime = uint16(fs[0].v), uint16(fs[1].v), uint16(fs[2].v)
		s.ifc.RA.ABROs = append(s.ifc.RA.ABROs, a)
	}
	return true
}
