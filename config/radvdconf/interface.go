package radvdconf

import (
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/radish-net/radish/config"
)

// radvd 2.21 defaults and limits (defaults.h), RFC 4861 §6.2.1 and RFC 8319.
const (
	dfltMaxInterval        = 600 * time.Second
	minMaxInterval         = 4 * time.Second
	minMaxIntervalMIPv6    = 70 * time.Millisecond
	maxMaxInterval         = 65535 * time.Second // RFC 8319 (radvd 2.19: 1800)
	minMinInterval         = 3 * time.Second
	minMinIntervalMIPv6    = 30 * time.Millisecond
	dfltMinDelay           = 3 * time.Second
	minMinDelayMIPv6       = 30 * time.Millisecond
	minLinkMTU             = 1280
	maxRAMTU               = 65535  // radvd: 131072; an RA cannot be larger than an IPv6 payload
	maxLinkMTU             = 131072 // radvd's MAX_AdvLinkMTU
	maxReachableTime       = 3600000
	maxDefaultLifetime     = 65535 // RFC 8319 (radvd 2.19: 9000)
	minHomeAgentLifetime   = 1
	maxHomeAgentLifetime   = 65520
	maxIfNameLen           = 15 // IFNAMSIZ-1 on Linux
	dfltCurHopLimit        = 64
	dfltValidLifetime      = 86400
	dfltPreferredLifetime  = 14400
	maxNAT64Lifetime       = 65528
	maxRDNSSServers        = 127
	dfltMinIntervalPercent = 33
)

// ifaceState is an interface under construction: the model plus what the
// end-of-block checks need (which options were given, and where).
type ifaceState struct {
	ifc      config.Interface
	line     int
	lines    map[string]int // keyword → line of its (last) statement
	minSet   bool
	dlSet    bool
	dl       uint32 // AdvDefaultLifetime as written
	haSet    bool
	ha       uint32 // HomeAgentLifetime as written
	hop      uint32 // AdvCurHopLimit as written
	haPref   uint32 // HomeAgentPreference as written
	linkMTU  uint32
	reach    uint32
	mipv6Use bool // a prefix has AdvRouterAddr on
}

func (s *ifaceState) lineOf(kw string) int {
	if l, ok := s.lines[kw]; ok {
		return l
	}
	return s.line
}

// interfaceBlock parses `interface NAME { ... };`.
func (p *parser) interfaceBlock() {
	p.next() // interface
	name, line, ok := p.name("interface")
	if !ok {
		p.skipBlock()
		return
	}
	s := &ifaceState{line: line, lines: map[string]int{}}
	s.ifc = config.Interface{
		Name: name, Pattern: config.IsPattern(name), IgnoreIfMissing: true, Line: line,
		RA: config.RA{
			SolicitedUnicast: true, MaxInterval: dfltMaxInterval, MinDelayBetweenRAs: dfltMinDelay,
			RAMTU: minLinkMTU, CurHopLimit: dfltCurHopLimit, SourceLLAddress: true,
			RemoveAdvOnExit: true, ForwardingCheck: true,
		},
	}
	s.hop = dfltCurHopLimit
	if first, dup := p.names[name]; dup {
		p.errorf(line, "duplicate interface definition for %s (first at line %d)", name, first)
	} else {
		p.names[name] = line
	}
	if msg := checkLinkName(name, true); msg != "" {
		p.errorf(line, "interface %s", msg)
	}
	if !p.expect(tLBrace) {
		p.skipBlock()
		return
	}
	for {
		t := p.peek()
		if t.kind == tRBrace || t.kind == tEOF {
			break
		}
		if !p.ifaceParam(s) {
			p.skipStatement()
		}
	}
	if !p.expect(tRBrace) || !p.expect(tSemi) {
		if p.peek().kind == tRBrace {
			p.next()
		}
	}
	p.finishInterface(s)
	p.cfg.Interfaces = append(p.cfg.Interfaces, s.ifc)
}

// skipBlock recovers after a broken interface head: it skips past the
// block's closing "};" or to the next "interface" keyword.
func (p *parser) skipBlock() {
	depth := 0
	for {
		t := p.peek()
		switch {
		case t.kind == tEOF:
			return
		case isKeyword(t, "interface") && depth == 0:
			return
		case t.kind == tLBrace:
			depth++
		case t.kind == tRBrace:
			depth--
			if depth <= 0 {
				p.next()
				if p.peek().kind == tSemi {
					p.next()
				}
				return
			}
		}
		p.next()
	}
}

// ifaceParam parses one statement inside an interface block. It returns
// false after a syntax error (the caller then skips the statement).
func (p *parser) ifaceParam(s *ifaceState) bool {
	t := p.peek()
	if t.kind != tKeyword {
		return p.unexpected(t, "interface option or block")
	}
	ra := &s.ifc.RA
	switch t.text {
	case "prefix":
		return p.prefixBlock(s)
	case "route":
		return p.routeBlock(s)
	case "rdnss":
		return p.rdnssBlock(s)
	case "dnssl":
		return p.dnsslBlock(s)
	case "clients":
		return p.clientsBlock(s)
	case "advrasrcaddress":
		return p.srcAddrBlock(s)
	case "nat64prefix":
		return p.nat64Block(s)
	case "autoignoreprefixes":
		return p.autoIgnoreBlock(s)
	case "lowpanco":
		return p.lowpancoBlock(s)
	case "abro":
		return p.abroBlock(s)
	}
	p.next()
	snap := *s // restored if the value is malformed, so no check sees it
	var ok bool
	switch t.text {
	case "ignoreifmissing":
		s.ifc.IgnoreIfMissing, ok = p.switchValue()
	case "advsendadvert":
		ra.SendAdvert, ok = p.switchValue()
	case "unicastonly":
		ra.UnicastOnly, ok = p.switchValue()
	case "unrestrictedunicast":
		ra.UnrestrictedUnicast, ok = p.switchValue()
	case "advrasolicitedunicast":
		ra.SolicitedUnicast, ok = p.switchValue()
	case "maxrtradvinterval":
		ra.MaxInterval, ok = p.intervalValue()
	case "minrtradvinterval":
		ra.MinInterval, ok = p.intervalValue()
		s.minSet = true
	case "mindelaybetweenras":
		ra.MinDelayBetweenRAs, ok = p.intervalValue()
	case "advmanagedflag":
		ra.Managed, ok = p.switchValue()
	case "advotherconfigflag":
		ra.OtherConfig, ok = p.switchValue()
	case "advhomeagentflag":
		ra.HomeAgentFlag, ok = p.switchValue()
	case "advlinkmtu":
		s.linkMTU, ok = p.numberValue()
	case "advramtu":
		var v uint32
		v, ok = p.numberValue()
		// radvd clamps AdvRAMTU into [1280, 131072] silently; radish
		// clamps into [1280, 65535], the largest possible RA, and says so.
		if ok && (v < minLinkMTU || v > maxRAMTU) {
			c := min(max(v, minLinkMTU), maxRAMTU)
			p.warnf(t.line, "AdvRAMTU %d out of range %d..%d, using %d", v, minLinkMTU, maxRAMTU, c)
			v = c
		}
		ra.RAMTU = int(v)
	case "advreachabletime":
		s.reach, ok = p.numberValue()
	case "advretranstimer":
		ra.RetransTimer, ok = p.numberValue()
	case "advcurhoplimit":
		s.hop, ok = p.numberValue()
	case "advdefaultlifetime":
		s.dl, ok = p.numberValue()
		s.dlSet = true
	case "advdefaultpreference":
		ra.DefaultPreference, ok = p.preferenceValue()
	case "advsourcelladdress":
		ra.SourceLLAddress, ok = p.switchValue()
	case "removeadvonexit":
		ra.RemoveAdvOnExit, ok = p.switchValue()
	case "advintervalopt":
		ra.IntervalOpt, ok = p.switchValue()
	case "advhomeagentinfo":
		ra.HomeAgentInfo, ok = p.switchValue()
	case "homeagentlifetime":
		s.ha, ok = p.numberValue()
		s.haSet = true
	case "homeagentpreference":
		s.haPref, ok = p.numberValue()
	case "advmobrtrsupportflag":
		ra.MobRtrSupportFlag, ok = p.switchValue()
	case "advsnacrouterflag":
		ra.SNACRouterFlag, ok = p.switchValue()
	case "advcaptiveportalapi":
		ok = p.captivePortal(s, t)
	default:
		return p.unexpected(t, "interface option or block")
	}
	if !ok {
		*s = snap
		return false
	}
	s.lines[t.text] = t.line
	return true
}

// captivePortal parses `AdvCaptivePortalAPI "URI";` (RFC 8910). As in
// radvd, the surrounding quotes are removed and an empty URI is an error.
func (p *parser) captivePortal(s *ifaceState, kw token) bool {
	t := p.next()
	if t.kind != tString && t.kind != tQuoted {
		return p.unexpected(t, "quoted URI")
	}
	if !p.expect(tSemi) {
		return false
	}
	uri := t.text
	if t.kind == tQuoted {
		uri = unquote(uri)
	}
	if s.ifc.RA.CaptivePortalAPI != "" {
		p.warnf(kw.line, "AdvCaptivePortalAPI specified twice for interface %s, using the last", s.ifc.Name)
	}
	if uri == "" {
		p.errorf(kw.line, "AdvCaptivePortalAPI empty URL specified for interface %s", s.ifc.Name)
	}
	s.ifc.RA.CaptivePortalAPI = uri
	return true
}

// checkLinkName applies the rules of radish's TOML format to a link name:
// what Linux accepts (at most 15 bytes, no '/', ':' or white space, not "."
// or ".."), made of the characters an unquoted radvd.conf word may hold,
// or, where allowed, a valid glob pattern. It returns "" or a
// message that starts with the quoted name.
func checkLinkName(name string, allowPattern bool) string {
	switch {
	case name == "" || name == "." || name == ".." || strings.ContainsAny(name, ":/") || !allStringChars(name):
		return fmt.Sprintf("%q is not a valid link name", name)
	case config.IsPattern(name) && !allowPattern:
		return fmt.Sprintf("%q must be a link name, not a pattern", name)
	case config.IsPattern(name):
		if _, err := path.Match(name, ""); err != nil {
			return fmt.Sprintf("%q is not a valid pattern: %v", name, err)
		}
	case len(name) > maxIfNameLen:
		return fmt.Sprintf("%q is longer than %d characters", name, maxIfNameLen)
	}
	return ""
}

func allStringChars(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isStringChar(s[i]) {
			return false
		}
	}
	return true
}
