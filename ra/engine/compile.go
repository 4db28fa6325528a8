package engine

import (
	"bytes"
	"net/netip"
	"time"

	"github.com/radish-net/radish/config"
	"github.com/radish-net/radish/dhcpv6"
	"github.com/radish-net/radish/ra"
)

// Limits used when compiling (RFC 4861 §6.2.1, RFC 8200 §5).
const (
	ipv6HeaderLen   = 40
	minIPv6MTU      = 1280
	withdrawPeriod  = 2 * time.Hour // RFC 9096 §3.5 and radvd's DeprecatePrefix cap
	withdrawSeconds = uint32(withdrawPeriod / time.Second)
)

// prefixAdv is one Prefix Information option as advertised on a link, with
// what the send path needs to compute its lifetimes at send time.
type prefixAdv struct {
	prefix    netip.Prefix
	cfg       *config.Prefix
	valid     uint32    // configured (or final) valid lifetime
	preferred uint32    // configured (or final) preferred lifetime
	validEnd  time.Time // absolute bound on the valid lifetime (address lifetime, withdrawal); zero: none
	prefEnd   time.Time // absolute bound on the preferred lifetime; zero: none
	decrement bool      // DecrementLifetimes: count down from the link's effective time
	withdrawn bool      // RFC 9096: no longer on the interface
	auto      bool      // from ::/64 or Base6Interface: follows the interface's addresses
	opt       int       // index of its option in the list given to ra.Split
}

// compiled is everything a link sends: one template per RA (several when
// the options exceed the RA MTU budget, RFC 6980).
type compiled struct {
	pkts     []*ra.Template
	prefixes []prefixAdv
	oversize bool  // an option does not fit the budget: sent unsplit
	err      error // an option could not be encoded (sent without it)
}

// compileInput is one link's RA content, resolved from the configuration
// and the link's current state.
type compileInput struct {
	cfg      *config.Interface
	mac      [6]byte
	linkMTU  int
	prefixes []prefixAdv
	final    bool // the final RA: Router Lifetime 0, removals and flushes
}

// sameBytes reports whether c and o put the same bytes on the wire (before
// per-send patching).
func (c *compiled) sameBytes(o *compiled) bool {
	if c == nil || o == nil || len(c.pkts) != len(o.pkts) {
		return false
	}
	for i := range c.pkts {
		if !bytes.Equal(c.pkts[i].Bytes(), o.pkts[i].Bytes()) {
			return false
		}
	}
	return true
}

// budget is the largest ICMPv6 message allowed by the RA MTU (AdvRAMTU,
// capped by the link MTU).
func budget(ramtu, linkMTU int) int {
	m := ramtu
	if m <= 0 {
		m = minIPv6MTU
	}
	if linkMTU > 0 && linkMTU < m {
		m = linkMTU
	}
	if m < minIPv6MTU {
		m = minIPv6MTU
	}
	return m - ipv6HeaderLen
}

func wirePref(p config.Preference) ra.Preference {
	switch p {
	case config.PreferenceHigh:
		return ra.High
	case config.PreferenceLow:
		return ra.Low
	}
	return ra.Medium
}

// compile builds the templates for one link. It runs on the control plane
// and may allocate.
func compile(in *compileInput) *compiled {
	rc := &in.cfg.RA
	h := ra.Header{
		CurHopLimit:    rc.CurHopLimit,
		Managed:        rc.Managed,
		Other:          rc.OtherConfig,
		HomeAgent:      rc.HomeAgentFlag,
		SNACRouter:     rc.SNACRouterFlag,
		Preference:     wirePref(rc.DefaultPreference),
		RouterLifetime: uint16(min(rc.DefaultLifetime/time.Second, 0xffff)),
		ReachableTime:  rc.ReachableTime,
		RetransTimer:   rc.RetransTimer,
	}
	if in.final {
		h.RouterLifetime = 0
	}
	// Options go in radvd's order (send.c build_ra_options), so that an RA
	// from radish and one from radvd for the same radvd.conf match option
	// for option: prefixes, NAT64 prefixes, routes, RDNSS, DNSSL, then the
	// link options (MTU, source link-layer address, advertisement interval,
	// home agent information, 6LoWPAN context, authoritative border router,
	// captive portal), then DNR, which radvd lacks.
	var opts []ra.OptionSpec
	out := &compiled{prefixes: in.prefixes}
	for i := range in.prefixes {
		p := &in.prefixes[i]
		p.opt = len(opts)
		opts = append(opts, ra.PrefixInfo{
			Prefix: p.prefix, OnLink: p.cfg.OnLink, Autonomous: p.cfg.Autonomous,
			RouterAddr: p.cfg.RouterAddr, PDPreferred: p.cfg.PDPreferred,
			ValidLifetime: p.valid, PreferredLifetime: min(p.preferred, p.valid),
		})
	}
	for i := range rc.PREF64 {
		opts = append(opts, ra.PREF64{Prefix: rc.PREF64[i].Prefix, Lifetime: min(rc.PREF64[i].Lifetime, ra.MaxPREF64Lifetime)})
	}
	for i := range rc.Routes {
		r := &rc.Routes[i]
		lt := r.Lifetime
		if in.final && r.RemoveOnExit {
			lt = 0
		}
		opts = append(opts, ra.RouteInfo{Prefix: r.Prefix, Preference: wirePref(r.Preference), Lifetime: lt})
	}
	// The model is resolved: DHCPv6/RA coherence (the O flag, DNS servers
	// as RDNSS/DNSSL) was applied by the config loader, which also honours
	// an explicit other_config = false.
	rdnss, dnssl := rc.RDNSS, rc.DNSSL
	for i := range rdnss {
		lt := rdnss[i].Lifetime
		if in.final && rdnss[i].Flush {
			lt = 0
		}
		// Large server lists become several options so each fits a budget.
		for s := rdnss[i].Servers; len(s) > 0; {
			n := min(len(s), 32)
			opts = append(opts, ra.RDNSS{Lifetime: lt, Servers: s[:n]})
			s = s[n:]
		}
	}
	for i := range dnssl {
		lt := dnssl[i].Lifetime
		if in.final && dnssl[i].Flush {
			lt = 0
		}
		opts = append(opts, ra.DNSSL{Lifetime: lt, Domains: dnssl[i].Domains})
	}
	if rc.LinkMTU != 0 {
		opts = append(opts, ra.MTU(rc.LinkMTU))
	}
	if rc.SourceLLAddress && in.mac != ([6]byte{}) {
		opts = append(opts, ra.SourceLinkLayerAddr(in.mac[:]))
	}
	if rc.IntervalOpt {
		opts = append(opts, ra.AdvInterval(uint32(rc.MaxInterval/time.Millisecond)))
	}
	// Like radvd, the Home Agent Information option is left out when all it
	// would say is the default (RFC 6275 §7.4: preference 0, lifetime equal
	// to the Router Lifetime).
	if rc.HomeAgentInfo && (rc.MobRtrSupportFlag || rc.HomeAgentPreference != 0 ||
		time.Duration(rc.HomeAgentLifetime)*time.Second != rc.DefaultLifetime) {
		opts = append(opts, ra.HomeAgentInfo{
			MobileRouterSupport: rc.MobRtrSupportFlag,
			Preference:          int16(rc.HomeAgentPreference),
			Lifetime:            rc.HomeAgentLifetime,
		})
	}
	for _, c := range rc.LoWPANContexts {
		opts = append(opts, ra.SixLoWPANContext{Prefix: c.Prefix, Compression: c.Compression, ID: c.ID, Lifetime: c.Lifetime})
	}
	for _, a := range rc.ABROs {
		opts = append(opts, ra.ABRO{VersionLow: a.VersionLow, VersionHigh: a.VersionHigh, Lifetime: a.Lifetime, Address: a.Address})
	}
	if rc.CaptivePortalAPI != "" {
		opts = append(opts, ra.CaptivePortal(rc.CaptivePortalAPI))
	}
	for i := range rc.DNR {
		d := &rc.DNR[i]
		o := ra.DNR{Priority: d.Priority, Lifetime: d.Lifetime, ADN: d.ADN, Addrs: d.Addresses}
		if d.Params != "" && len(d.Addresses) > 0 {
			p, err := dhcpv6.AppendSvcParams(nil, d.Params)
			if err != nil {
				out.err = err
				continue
			}
			o.SvcParams = p
		}
		opts = append(opts, o)
	}
	// Drop options that cannot be encoded (reported once by the caller),
	// keeping prefix indices right.
	kept := opts[:0]
	for i, o := range opts {
		if _, err := o.AppendTo(nil); err != nil {
			out.err = err
			for j := range in.prefixes {
				if in.prefixes[j].opt == i {
					in.prefixes[j].opt = -1
				}
			}
			continue
		}
		for j := range in.prefixes {
			if in.prefixes[j].opt == i {
				in.prefixes[j].opt = len(kept)
			}
		}
		kept = append(kept, o)
	}
	pkts, err := ra.Split(h, kept, budget(rc.RAMTU, in.linkMTU))
	if err != nil {
		t, cerr := ra.Compile(h, kept)
		if cerr != nil { // not reachable: every option encoded above
			t, _ = ra.Compile(h, nil)
		}
		pkts, out.oversize = []*ra.Template{t}, true
	}
	out.pkts = pkts
	return out
}

// lifetime returns the configured value v bounded by the absolute deadline
// end (zero: unbounded), in whole seconds remaining at now.
func lifetime(v uint32, end, now time.Time) uint32 {
	if end.IsZero() {
		return v
	}
	d := end.Sub(now)
	if d <= 0 {
		return 0
	}
	s := d / time.Second
	if s >= time.Duration(config.Infinity) {
		return v
	}
	return min(v, uint32(s))
}

// currentLifetimes returns the valid and preferred lifetimes of p at now,
// counting down from effective when p decrements (radvd DecrementLifetimes).
func (p *prefixAdv) currentLifetimes(effective, now time.Time) (valid, preferred uint32) {
	valid = lifetime(p.valid, p.validEnd, now)
	preferred = lifetime(p.preferred, p.prefEnd, now)
	if p.decrement && !effective.IsZero() {
		if p.valid != config.Infinity {
			valid = lifetime(valid, effective.Add(time.Duration(p.valid)*time.Second), now)
		}
		if p.preferred != config.Infinity {
			preferred = lifetime(preferred, effective.Add(time.Duration(p.preferred)*time.Second), now)
		}
	}
	return valid, min(preferred, valid)
}

// render copies t into dst and patches the per-send fields. It does not
// allocate when dst has enough capacity.
func (c *compiled) render(dst []byte, t *ra.Template, routerLifetimeZero bool, effective, now time.Time) []byte {
	dst = t.AppendTo(dst[:0])
	if routerLifetimeZero {
		ra.SetRouterLifetime(dst, 0)
	}
	for i := range c.prefixes {
		p := &c.prefixes[i]
		if p.opt < 0 || (!p.decrement && p.validEnd.IsZero() && p.prefEnd.IsZero()) {
			continue
		}
		v, pr := p.currentLifetimes(effective, now)
		if t.SetLifetime(dst, p.opt, v) {
			t.SetPreferredLifetime(dst, p.opt, pr)
		}
	}
	return dst
}
