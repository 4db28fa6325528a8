package config

import (
	"net/url"
	"strconv"
	"time"
)

// RA limits (RFC 4861 §6.2.1 as extended by RFC 8319, radvd 2.21, and
// RFC 6275 §7.5 for Mobile IPv6 home agents).
const (
	defaultMaxInterval   = 600 * time.Second
	minMaxInterval       = 4 * time.Second
	minMaxIntervalMIPv6  = 70 * time.Millisecond
	maxMaxInterval       = 65535 * time.Second
	minMinInterval       = 3 * time.Second
	minMinIntervalMIPv6  = 30 * time.Millisecond
	defaultMinDelay      = 3 * time.Second
	minMinDelayMIPv6     = 30 * time.Millisecond
	maxRouterLifetime    = 65535
	maxLinkMTU           = 131072
	minMTU               = 1280
	maxRAMTU             = 65535
	maxReachableTime     = 3600000
	defaultHopLimit      = 64
	maxHomeAgentLifetime = 65520
	maxPREF64Lifetime    = 65528
	defaultValidLifetime = 86400
	defaultPreferredLife = 14400
)

func (v *validator) ra(r *rawRA) RA {
	at := string(r.Pos)
	key := func(k string) string { return join(at, k) }
	ra := RA{
		SendAdvert:          boolOr(r.SendAdvert, true),
		UnicastOnly:         boolOr(r.UnicastOnly, false),
		UnrestrictedUnicast: boolOr(r.UnrestrictedUnicast, false),
		SolicitedUnicast:    boolOr(r.SolicitedUnicast, true),
		Managed:             boolOr(r.Managed, false),
		OtherConfig:         boolOr(r.OtherConfig, false),
		HomeAgentFlag:       boolOr(r.HomeAgentFlag, false),
		SourceLLAddress:     boolOr(r.SourceLLA, true),
		IntervalOpt:         boolOr(r.IntervalOption, false),
		HomeAgentInfo:       boolOr(r.HomeAgentInfo, false),
		MobRtrSupportFlag:   boolOr(r.MobileRouterSupport, false),
		SNACRouterFlag:      boolOr(r.SNACRouter, false),
		RemoveAdvOnExit:     boolOr(r.RemoveAdvOnExit, true),
		ForwardingCheck:     boolOr(r.ForwardingCheck, true),
	}

	lowMax, lowMin, lowDelay := minMaxInterval, minMinInterval, defaultMinDelay
	if ra.HomeAgentFlag {
		lowMax, lowMin, lowDelay = minMaxIntervalMIPv6, minMinIntervalMIPv6, minMinDelayMIPv6
	}
	ra.MaxInterval = defaultMaxInterval
	if r.MaxInterval != nil {
		switch d := duration(*r.MaxInterval); {
		case d < lowMax:
			v.errorf(key("max_interval"), "%s is below the minimum %s", fmtSeconds(d), fmtSeconds(lowMax))
		case d > maxMaxInterval:
			v.errorf(key("max_interval"), "%s is above the maximum %s", fmtSeconds(d), fmtSeconds(maxMaxInterval))
		default:
			ra.MaxInterval = d
		}
	}
	highMin := ra.MaxInterval * 3 / 4
	if ra.MaxInterval >= 9*time.Second {
		ra.MinInterval = ra.MaxInterval * 33 / 100
	} else {
		ra.MinInterval = highMin
	}
	if r.MinInterval != nil {
		switch d := duration(*r.MinInterval); {
		case d < lowMin:
			v.errorf(key("min_interval"), "%s is below the minimum %s", fmtSeconds(d), fmtSeconds(lowMin))
		case d > highMin:
			v.errorf(key("min_interval"), "%s is above 0.75 × max_interval (%s)", fmtSeconds(d), fmtSeconds(highMin))
		default:
			ra.MinInterval = d
		}
	}
	ra.MinDelayBetweenRAs = defaultMinDelay
	if r.MinDelayBetweenRAs != nil {
		if d := duration(*r.MinDelayBetweenRAs); d < lowDelay {
			v.errorf(key("min_delay_between_ras"), "%s is below the minimum %s", fmtSeconds(d), fmtSeconds(lowDelay))
		} else {
			ra.MinDelayBetweenRAs = d
		}
	}

	if r.MTU != nil && *r.MTU != 0 && (*r.MTU < minMTU || *r.MTU > maxLinkMTU) {
		v.errorf(key("mtu"), "%d is neither 0 (no MTU option) nor in %d..%d", *r.MTU, minMTU, maxLinkMTU)
	} else if r.MTU != nil {
		ra.LinkMTU = uint32(*r.MTU)
	}
	ra.RAMTU = int(v.intIn(key("ra_mtu"), r.RAMTU, minMTU, maxRAMTU, minMTU))
	ra.ReachableTime = uint32(v.intIn(key("reachable_time"), r.ReachableTime, 0, maxReachableTime, 0))
	ra.RetransTimer = uint32(v.intIn(key("retrans_timer"), r.RetransTimer, 0, int64(Infinity), 0))
	ra.CurHopLimit = uint8(v.intIn(key("hop_limit"), r.HopLimit, 0, 255, defaultHopLimit))

	life := int64(min(lifetimeDefault(ra.MaxInterval), maxRouterLifetime))
	if x := r.RouterLifetime; x != nil {
		maxSec := int64(max(ra.MaxInterval/time.Second, 1))
		switch {
		case *x == 0:
			life = 0
		case *x < maxSec:
			v.errorf(key("router_lifetime"), "%d is below max_interval (%s); use 0 (not a default router) or %d..%d", *x, fmtSeconds(ra.MaxInterval), maxSec, maxRouterLifetime)
		case *x > maxRouterLifetime:
			v.errorf(key("router_lifetime"), "%d is above the maximum %d", *x, maxRouterLifetime)
		default:
			life = *x
		}
	}
	ra.DefaultLifetime = time.Duration(life) * time.Second
	ra.DefaultPreference = v.preference(key("router_preference"), r.RouterPreference)
	if life == 0 && ra.DefaultPreference != PreferenceMedium {
		v.warnf(key("router_preference"), "router_lifetime is 0, so the preference is sent as medium (RFC 4191 §2.2)")
	}

	ra.HomeAgentLifetime = uint16(life)
	if r.HomeAgentLifetime != nil {
		ra.HomeAgentLifetime = uint16(v.intIn(key("home_agent_lifetime"), r.HomeAgentLifetime, 1, maxHomeAgentLifetime, life))
	} else if ra.HomeAgentInfo && life > maxHomeAgentLifetime {
		ra.HomeAgentLifetime = maxHomeAgentLifetime
	}
	ra.HomeAgentPreference = uint16(v.intIn(key("home_agent_preference"), r.HomeAgentPreference, 0, 65535, 0))
	if ra.HomeAgentInfo && !ra.HomeAgentFlag {
		v.warnf(key("home_agent_info"), "home_agent_info is sent only with home_agent_flag = true")
	}

	if r.CaptivePortal != nil && *r.CaptivePortal != "" {
		if u, err := url.Parse(*r.CaptivePortal); err != nil || u.Scheme == "" {
			v.errorf(key("captive_portal"), "%q is not an absolute URI (RFC 8910)", *r.CaptivePortal)
		} else {
			ra.CaptivePortalAPI = *r.CaptivePortal
		}
	}

	ra.Clients = v.unicasts(key("clients"), r.Clients)
	ra.Deny = v.unicasts(key("deny"), r.Deny)
	for i, s := range r.SourceAddresses {
		p := join(key("source_addresses"), strconv.Itoa(i))
		if a, ok := v.addr(p, s); ok && !a.IsLinkLocalUnicast() {
			v.errorf(p, "%s is not a link-local address: RAs are sent from link-local addresses (RFC 4861 §4.2)", a)
		} else if ok {
			ra.SourceAddresses = append(ra.SourceAddresses, a)
		}
	}
	ra.AutoIgnore = v.prefixes(key("auto_ignore"), r.AutoIgnore)
	if ra.UnicastOnly && len(ra.Clients) == 0 {
		v.warnf(key("unicast_only"), "unicast_only without clients: only solicited RAs are sent")
	}

	def := lifetimeDefault(ra.MaxInterval)
	for i := range r.Prefix {
		if p, ok := v.raPrefix(&r.Prefix[i]); ok {
			ra.Prefixes = append(ra.Prefixes, p)
		}
	}
	for i := range r.Route {
		if rt, ok := v.route(&r.Route[i], def); ok {
			ra.Routes = append(ra.Routes, rt)
		}
	}
	for i := range r.RDNSS {
		if o, ok := v.rdnss(&r.RDNSS[i], def, ra.MaxInterval); ok {
			ra.RDNSS = append(ra.RDNSS, o)
		}
	}
	for i := range r.DNSSL {
		if o, ok := v.dnssl(&r.DNSSL[i], def, ra.MaxInterval); ok {
			ra.DNSSL = append(ra.DNSSL, o)
		}
	}
	for i := range r.PREF64 {
		if o, ok := v.pref64(&r.PREF64[i], min(def, maxPREF64Lifetime)); ok {
			ra.PREF64 = append(ra.PREF64, o)
		}
	}
	ids := map[uint8]int{} // context ID → line
	for i := range r.LoWPANContext {
		x := &r.LoWPANContext[i]
		if c, ok := v.lowpanContext(x); ok {
			if prev, dup := ids[c.ID]; dup {
				v.errorf(join(string(x.Pos), "context_id"), "context %d is already defined on line %d", c.ID, prev)
				continue
			}
			ids[c.ID] = c.Line
			ra.LoWPANContexts = append(ra.LoWPANContexts, c)
		}
	}
	for i := range r.ABRO {
		if a, ok := v.abro(&r.ABRO[i]); ok {
			ra.ABROs = append(ra.ABROs, a)
		}
	}
	for i := range r.DNR {
		x := &r.DNR[i]
		d, ok := v.dnr(string(x.Pos), x.Priority, x.ADN, x.Addresses, x.Params, true)
		d.Lifetime = v.lifetimeIn(join(string(x.Pos), "lifetime"), x.Lifetime, Infinity, def)
		if ok {
			ra.DNR = append(ra.DNR, d)
		}
	}
	return ra
}

func (v *validator) preference(path string, s *string) Preference {
	switch v.enum(path, s, "medium", "low", "medium", "high") {
	case "low":
		return PreferenceLow
	case "high":
		return PreferenceHigh
	}
	return PreferenceMedium
}

func (v *validator) raPrefix(r *rawPrefix) (Prefix, bool) {
	at := string(r.Pos)
	key := func(k string) string { return join(at, k) }
	p := Prefix{
		OnLink:            boolOr(r.OnLink, true),
		Autonomous:        boolOr(r.Autonomous, true),
		RouterAddr:        boolOr(r.RouterAddress, false),
		PDPreferred:       boolOr(r.PDPreferred, false),
		DeprecatePrefix:   boolOr(r.Deprecate, false),
		DecrementLifetime: boolOr(r.DecrementLifetimes, false),
		Line:              v.lines.line(at),
	}
	ok := true
	if r.Prefix == nil {
		v.required(at, "prefix")
		ok = false
	} else if p.Prefix, ok = v.prefix(key("prefix"), *r.Prefix); ok {
		p.Auto = p.Prefix.Addr().IsUnspecified()
		if p.Autonomous && p.Prefix.Bits() != 64 {
			v.warnf(key("prefix"), "autonomous is on but hosts form addresses (SLAAC) only from a /64, not a /%d", p.Prefix.Bits())
		}
	}
	p.ValidLifetime = v.lifetimeIn(key("valid_lifetime"), r.ValidLifetime, Infinity, defaultValidLifetime)
	p.PreferredLifetime = v.lifetimeIn(key("preferred_lifetime"), r.PreferredLifetime, Infinity, defaultPreferredLife)
	if p.PreferredLifetime > p.ValidLifetime && !v.p.bad[key("valid_lifetime")] {
		if r.PreferredLifetime == nil {
			// As radvd: the default does not bend to a short valid lifetime.
			v.errorf(key("valid_lifetime"), "%s is below the default preferred_lifetime (%d); set preferred_lifetime too", fmtLifetime(p.ValidLifetime), defaultPreferredLife)
		} else {
			v.errorf(key("preferred_lifetime"), "%s is above valid_lifetime (%s)", fmtLifetime(p.PreferredLifetime), fmtLifetime(p.ValidLifetime))
		}
		ok = false
	}
	for _, k := range []struct {
		name string
		s    *string
		dst  *string
	}{{"base6_interface", r.Base6Interface, &p.Base6Interface}, {"base6to4_interface", r.Base6to4Interface, &p.Base6to4Interface}} {
		if k.s == nil || *k.s == "" {
			continue
		}
		if msg := checkIfaceName(*k.s, false); msg != "" {
			v.errorf(key(k.name), "%s", msg)
			ok = false
		} else {
			*k.dst = *k.s
		}
	}
	return p, ok
}

func (v *validator) route(r *rawRoute, def uint32) (Route, bool) {
	at := string(r.Pos)
	rt := Route{
		Preference:   v.preference(join(at, "preference"), r.Preference),
		Lifetime:     v.lifetimeIn(join(at, "lifetime"), r.Lifetime, Infinity, def),
		RemoveOnExit: boolOr(r.RemoveOnExit, true),
		Line:         v.lines.line(at),
	}
	if r.Prefix == nil {
		v.required(at, "prefix")
		return rt, false
	}
	var ok bool
	rt.Prefix, ok = v.prefix(join(at, "prefix"), *r.Prefix)
	return rt, ok
}

// dnsLifetime checks an RDNSS/DNSSL lifetime (RFC 8106 §5.1).
func (v *validator) dnsLifetime(path string, x *lifetime, def uint32, max time.Duration) uint32 {
	l := v.lifetimeIn(path, x, Infinity, def)
	if l != 0 && time.Duration(l)*time.Second < max {
		v.warnf(path, "%d is below max_interval (%s): hosts may drop the entry between RAs (RFC 8106 §5.1)", l, fmtSeconds(max))
	}
	return l
}

func (v *validator) rdnss(r *rawRDNSS, def uint32, max time.Duration) (RDNSS, bool) {
	at := string(r.Pos)
	o := RDNSS{
		Lifetime: v.dnsLifetime(join(at, "lifetime"), r.Lifetime, def, max),
		Flush:    boolOr(r.Flush, true),
		Line:     v.lines.line(at),
	}
	if len(r.Servers) == 0 {
		v.errorf(join(at, "servers"), "at least one server address is required")
		return o, false
	}
	o.Servers = v.unicasts(join(at, "servers"), r.Servers)
	return o, len(o.Servers) == len(r.Servers)
}

func (v *validator) dnssl(r *rawDNSSL, def uint32, max time.Duration) (DNSSL, bool) {
	at := string(r.Pos)
	o := DNSSL{
		Lifetime: v.dnsLifetime(join(at, "lifetime"), r.Lifetime, def, max),
		Flush:    boolOr(r.Flush, true),
		Line:     v.lines.line(at),
	}
	if len(r.Domains) == 0 {
		v.errorf(join(at, "domains"), "at least one domain is required")
		return o, false
	}
	o.Domains = v.domains(join(at, "domains"), r.Domains)
	return o, len(o.Domains) == len(r.Domains)
}

func (v *validator) lowpanContext(r *rawLoWPANContext) (LoWPANContext, bool) {
	at := string(r.Pos)
	c := LoWPANContext{
		Compression: boolOr(r.Compression, false),
		ID:          uint8(v.intIn(join(at, "context_id"), r.ContextID, 0, 15, 0)),
		Lifetime:    uint16(v.intIn(join(at, "lifetime_minutes"), r.LifetimeMinutes, 0, 0xffff, 0)),
		Line:        v.lines.line(at),
	}
	if r.Prefix == nil {
		v.required(at, "prefix")
		return c, false
	}
	p, ok := v.prefix(join(at, "prefix"), *r.Prefix)
	c.Prefix = p
	return c, ok
}

func (v *validator) abro(r *rawABRO) (ABRO, bool) {
	at := string(r.Pos)
	a := ABRO{
		VersionLow:  uint16(v.intIn(join(at, "version_low"), r.VersionLow, 0, 0xffff, 0)),
		VersionHigh: uint16(v.intIn(join(at, "version_high"), r.VersionHigh, 0, 0xffff, 0)),
		Lifetime:    uint16(v.intIn(join(at, "lifetime_minutes"), r.LifetimeMinutes, 0, 0xffff, 0)),
		Line:        v.lines.line(at),
	}
	if r.Address == nil {
		v.required(at, "address")
		return a, false
	}
	addr, ok := v.unicast(join(at, "address"), *r.Address)
	a.Address = addr
	return a, ok
}

func (v *validator) pref64(r *rawPREF64, def uint32) (PREF64, bool) {
	at := string(r.Pos)
	o := PREF64{
		Lifetime: uint32(v.intIn(join(at, "lifetime"), r.Lifetime, 0, maxPREF64Lifetime, int64(def))),
		Line:     v.lines.line(at),
	}
	if r.Prefix == nil {
		v.required(at, "prefix")
		return o, false
	}
	p, ok := v.prefix(join(at, "prefix"), *r.Prefix)
	if !ok {
		return o, false
	}
	switch p.Bits() {
	case 32, 40, 48, 56, 64, 96:
	default:
		v.errorf(join(at, "prefix"), "length /%d is not one of 32, 40, 48, 56, 64, 96 (RFC 8781 §4)", p.Bits())
		return o, false
	}
	o.Prefix = p
	return o, true
}
