package radvdmode

import (
	"net/netip"
	"path"
	"slices"
	"time"

	"github.com/radish-net/radish/config"
)

// Empty reports whether the overlay changes nothing.
func (o *Overlay) Empty() bool {
	return o.Managed == nil && o.OtherConfig == nil && o.Preference == nil &&
		len(o.RDNSS) == 0 && len(o.DNSSL) == 0
}

// Applies reports whether the overlay applies to the radvd.conf interface
// called name (a link name or, in radish, a glob pattern taken literally).
func (o *Overlay) Applies(name string) bool {
	if len(o.Interfaces) == 0 {
		return true
	}
	for _, pat := range o.Interfaces {
		if ok, _ := path.Match(pat, name); ok {
			return true
		}
	}
	return false
}

// Apply returns c with the overlay applied to every interface it scopes.
// c is not modified (configurations are immutable once built); when the
// overlay changes nothing, c itself is returned.
//
// Flags and the router preference replace the file's values. RDNSS and
// DNSSL add one option after the file's own (RFC 8106 §5.1, §5.2),
// holding the servers or domains the file does not already advertise on
// that interface; its lifetime is the overlay's or, as radvd's default,
// 3×MaxRtrAdvInterval.
func (o *Overlay) Apply(c *config.Config) *config.Config {
	if o.Empty() {
		return c
	}
	out := *c
	out.Interfaces = slices.Clone(c.Interfaces)
	for i := range out.Interfaces {
		ifc := &out.Interfaces[i]
		if !o.Applies(ifc.Name) {
			continue
		}
		ra := &ifc.RA
		if o.Managed != nil {
			ra.Managed = *o.Managed
		}
		if o.OtherConfig != nil {
			ra.OtherConfig = *o.OtherConfig
		}
		if o.Preference != nil {
			ra.DefaultPreference = *o.Preference
		}
		deflt := threeMax(ra.MaxInterval)
		if servers := missing(ra.RDNSS, func(r *config.RDNSS) []netip.Addr { return r.Servers }, o.RDNSS); len(servers) > 0 {
			lt := deflt
			if o.RDNSSLifetime != nil {
				lt = *o.RDNSSLifetime
			}
			ra.RDNSS = append(slices.Clip(ra.RDNSS), config.RDNSS{Servers: servers, Lifetime: lt, Flush: true, Line: ifc.Line})
		}
		if domains := missing(ra.DNSSL, func(r *config.DNSSL) []string { return r.Domains }, o.DNSSL); len(domains) > 0 {
			lt := deflt
			if o.DNSSLLifetime != nil {
				lt = *o.DNSSLLifetime
			}
			ra.DNSSL = append(slices.Clip(ra.DNSSL), config.DNSSL{Domains: domains, Lifetime: lt, Flush: true, Line: ifc.Line})
		}
	}
	return &out
}

// threeMax is radvd's default RDNSS and DNSSL lifetime.
func threeMax(max time.Duration) uint32 {
	s := 3 * max / time.Second
	if s > time.Duration(config.Infinity-1) {
		return config.Infinity - 1
	}
	return uint32(s)
}

// missing returns the values of want, once each, that no option in have
// already carries (list gives an option's values).
func missing[O any, T comparable](have []O, list func(*O) []T, want []T) []T {
	var out []T
	for _, a := range want {
		found := slices.Contains(out, a)
		for i := range have {
			found = found || slices.Contains(list(&have[i]), a)
		}
		if !found {
			out = append(out, a)
		}
	}
	return out
}
