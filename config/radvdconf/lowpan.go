package radvdconf

// lowpancoBlock parses `lowpanco { ... };` (RFC 6775 6LoWPAN Context
// option). radish keeps the values in Extras and does not send them.
func (p *parser) lowpancoBlock(s *ifaceState) bool {
	kw := p.next()
	c := LowPANContext{Line: kw.line}
	if !p.body("lowpanco option", false, func(t token) (ok, known bool) {
		switch {
		case isKeyword(t, "advcontextlength"):
			c.ContextLength, ok = p.numberValue()
		case isKeyword(t, "advcontextcompressionflag"):
			c.CompressionFlag, ok = p.switchValue()
		case isKeyword(t, "advcontextid"):
			c.ContextID, ok = p.numberValue()
		case isKeyword(t, "advlifetime"):
			c.Lifetime, ok = p.numberValue()
		default:
			return false, false
		}
		return ok, true
	}) {
		return false
	}
	s.extras.LowPANCo = append(s.extras.LowPANCo, c)
	return true
}

// abroBlock parses `abro ADDR { ... };` (RFC 6775 Authoritative Border
// Router option). The old form `abro ADDR/LEN` is accepted with a warning,
// as radvd does.
func (p *parser) abroBlock(s *ifaceState) bool {
	kw := p.next()
	t := p.next()
	if t.kind != tAddr {
		return p.unexpected(t, "IPv6 address")
	}
	a := ABRO{Address: t.addr, Line: kw.line}
	if p.peek().kind == tSlash {
		p.next()
		n := p.next()
		if n.kind != tNumber {
			return p.unexpected(n, "prefix length")
		}
		p.warnf(n.line, "abro prefix length deprecated, remove trailing '/%d'", n.num)
	}
	if !p.body("abro option", false, func(t token) (ok, known bool) {
		switch {
		case isKeyword(t, "advversionlow"):
			a.VersionLow, ok = p.numberValue()
		case isKeyword(t, "advversionhigh"):
			a.VersionHigh, ok = p.numberValue()
		case isKeyword(t, "advvalidlifetime"):
			a.ValidLifetime, ok = p.numberValue()
		default:
			return false, false
		}
		return ok, true
	}) {
		return false
	}
	s.extras.ABRO = append(s.extras.ABRO, a)
	return true
}
