package radvdconf

import (
	"fmt"
	"net/url"
	"time"
	"unicode/utf8"
)

// threeTimes returns radvd's "3×MaxRtrAdvInterval" default in whole
// seconds, computed from the MaxRtrAdvInterval in force when a block
// starts (radvd's route/rdnss/dnssl/nat64prefix_init_defaults run at the
// block head, before later lines of the interface are read).
func threeTimes(max time.Duration) uint32 {
	return uint32(min(3*max/time.Second, 0xffffffff))
}

func secs(d time.Duration) string {
	if d%time.Second == 0 {
		return fmt.Sprintf("%d", d/time.Second)
	}
	return fmt.Sprintf("%.2f", d.Seconds())
}

// finishInterface applies the defaults radvd computes after the whole
// block is read (MinRtrAdvInterval, AdvDefaultLifetime, HomeAgentLifetime)
// and the range checks radvd 2.21 performs in interface.c when it sets the
// interface up. radvd -c does not run those checks; radish reports them as
// errors at parse time, each on the line of the offending option (or of the
// interface when a default is at fault):
//
//   - MaxRtrAdvInterval 4..65535 s (0.07 s minimum with Mobile IPv6)
//   - MinRtrAdvInterval 3 s..0.75×MaxRtrAdvInterval (0.03 s minimum with Mobile IPv6)
//   - MinDelayBetweenRAs at least 3 s (0.03 s with Mobile IPv6)
//   - AdvLinkMTU 0 or 1280..131072 (the link's own MTU is checked at run time)
//   - AdvReachableTime at most 3600000 ms
//   - AdvDefaultLifetime 0 or MaxRtrAdvInterval..65535 s
//   - HomeAgentLifetime 1..65520 s when AdvHomeAgentInfo is on (radish:
//     also whenever HomeAgentLifetime is written)
//   - AdvHomeAgentInfo requires AdvHomeAgentFlag
//   - AdvMobRtrSupportFlag requires AdvHomeAgentInfo
//
// radish adds checks radvd does not make, the same as its TOML format
// makes: AdvCurHopLimit at most 255 and HomeAgentPreference at most 65535
// (radvd truncates them), AdvCaptivePortalAPI an absolute URI; and, where
// the addresses are read, RDNSS servers and clients unicast (not ::,
// multicast, loopback or IPv4-mapped), AdvRASrcAddress link-local, no
// IPv4-mapped prefixes, link names valid on Linux.
//
// "Mobile IPv6" means AdvHomeAgentFlag, AdvHomeAgentInfo or AdvIntervalOpt
// is on, or a prefix has AdvRouterAddr on, as in radvd.
func (p *parser) finishInterface(s *ifaceState) {
	ra := &s.ifc.RA
	name := s.ifc.Name
	mipv6 := ra.HomeAgentFlag || ra.HomeAgentInfo || ra.IntervalOpt || s.mipv6Use

	lo := minMaxInterval
	if mipv6 {
		lo = minMaxIntervalMIPv6
	}
	maxOK := ra.MaxInterval >= lo && ra.MaxInterval <= maxMaxInterval
	if !maxOK {
		p.errorf(s.lineOf("maxrtradvinterval"), "MaxRtrAdvInterval for %s (%s) must be between %s and %d",
			name, secs(ra.MaxInterval), secs(lo), maxMaxInterval/time.Second)
	}

	lo = minMinInterval
	if mipv6 {
		lo = minMinIntervalMIPv6
	}
	hi := ra.MaxInterval * 3 / 4
	if !s.minSet {
		// radvd's default is 0.33×Max, which falls below the 3 s floor for
		// Max < 9.1 s and then fails its own check. RFC 4861 §6.2.1 makes
		// the default Max itself below 9 s; like radish's TOML format, use
		// the largest value the RFC allows, 0.75×Max (documented deviation).
		if ra.MaxInterval < 9*time.Second {
			ra.MinInterval = hi
		} else {
			ra.MinInterval = ra.MaxInterval * dfltMinIntervalPercent / 100
		}
	}
	if maxOK && (ra.MinInterval < lo || ra.MinInterval > hi) {
		p.errorf(s.lineOf("minrtradvinterval"),
			"MinRtrAdvInterval for %s (%s) must be at least %s but no more than 3/4 of MaxRtrAdvInterval (%s)",
			name, secs(ra.MinInterval), secs(lo), secs(hi))
	}

	lo = dfltMinDelay
	if mipv6 {
		lo = minMinDelayMIPv6
	}
	if ra.MinDelayBetweenRAs < lo {
		p.errorf(s.lineOf("mindelaybetweenras"), "MinDelayBetweenRAs for %s (%s) must be at least %s",
			name, secs(ra.MinDelayBetweenRAs), secs(lo))
	}

	if s.linkMTU != 0 && (s.linkMTU < minLinkMTU || s.linkMTU > maxLinkMTU) {
		p.errorf(s.lineOf("advlinkmtu"), "AdvLinkMTU for %s (%d) must be zero or between %d and %d", name, s.linkMTU, minLinkMTU, maxLinkMTU)
	}
	ra.LinkMTU = s.linkMTU

	if s.reach > maxReachableTime {
		p.errorf(s.lineOf("advreachabletime"), "AdvReachableTime for %s (%d) must not be greater than %d",
			name, s.reach, maxReachableTime)
	}
	ra.ReachableTime = s.reach

	if s.hop > 255 {
		p.errorf(s.lineOf("advcurhoplimit"), "AdvCurHopLimit for %s (%d) must not be greater than 255", name, s.hop)
	}
	ra.CurHopLimit = uint8(s.hop)

	if !s.dlSet {
		s.dl = uint32(max(1, min(3*ra.MaxInterval/time.Second, maxDefaultLifetime)))
	}
	minDL := uint32(max(1, (ra.MaxInterval+time.Second-1)/time.Second)) // radvd compares with the exact Max
	if maxOK && s.dl != 0 && (s.dl > maxDefaultLifetime || s.dl < minDL) {
		p.errorf(s.lineOf("advdefaultlifetime"), "AdvDefaultLifetime for %s (%d) must be zero or between %d and %d",
			name, s.dl, minDL, maxDefaultLifetime)
	}
	ra.DefaultLifetime = time.Duration(min(s.dl, maxDefaultLifetime)) * time.Second

	if !s.haSet {
		// radvd's default is AdvDefaultLifetime, which may exceed the
		// 65520 s maximum; like radish's TOML format, cap it.
		s.ha = min(s.dl, 0xffff)
		if ra.HomeAgentInfo {
			s.ha = min(s.ha, maxHomeAgentLifetime)
		}
	}
	// radvd checks the range only with AdvHomeAgentInfo on; radish, like
	// its TOML format, also checks a value that is written out.
	if (ra.HomeAgentInfo || s.haSet) && (s.ha < minHomeAgentLifetime || s.ha > maxHomeAgentLifetime) {
		p.errorf(s.lineOf("homeagentlifetime"), "HomeAgentLifetime for %s (%d) must be between %d and %d",
			name, s.ha, minHomeAgentLifetime, maxHomeAgentLifetime)
	}
	ra.HomeAgentLifetime = uint16(min(s.ha, 0xffff))

	if s.haPref > 0xffff {
		p.errorf(s.lineOf("homeagentpreference"), "HomeAgentPreference for %s (%d) must not be greater than 65535", name, s.haPref)
	}
	ra.HomeAgentPreference = uint16(min(s.haPref, 0xffff))

	if ra.HomeAgentInfo && !ra.HomeAgentFlag {
		p.errorf(s.lineOf("advhomeagentinfo"), "AdvHomeAgentFlag for %s must be set with AdvHomeAgentInfo", name)
	}
	if ra.MobRtrSupportFlag && !ra.HomeAgentInfo {
		p.errorf(s.lineOf("advmobrtrsupportflag"), "AdvHomeAgentInfo for %s must be set with AdvMobRtrSupportFlag", name)
	}
	if u := ra.CaptivePortalAPI; u != "" {
		if pu, err := url.Parse(u); err != nil || pu.Scheme == "" || !utf8.ValidString(u) {
			p.errorf(s.lineOf("advcaptiveportalapi"), "AdvCaptivePortalAPI %q is not an absolute URI (RFC 8910)", u)
		}
	}
}
