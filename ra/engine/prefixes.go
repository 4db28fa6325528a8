package engine

import (
	"net/netip"
	"time"

	"github.com/radish-net/radish/config"
	"github.com/radish-net/radish/iface"
)

// compileInput resolves l's RA content at now. For the final RA, prefixes
// with DeprecatePrefix get preferred lifetime 0 and a valid lifetime of at
// most 2 hours, as radvd does.
func (e *Engine) compileInput(l *link, now time.Time, final bool) *compileInput {
	in := &compileInput{cfg: l.cfg, mac: l.k.HardwareAddr, linkMTU: l.k.MTU, final: final}
	auto := make(map[netip.Prefix]prefixAdv)
	for i := range l.cfg.RA.Prefixes {
		p := &l.cfg.RA.Prefixes[i]
		switch {
		case p.Auto:
			for _, a := range l.addrs {
				if !a.validEnd.IsZero() && !a.validEnd.After(now) {
					continue // expired; the kernel's delete event is on its way
				}
				if pfx, ok := autoPrefix(a.Addr, p.Prefix.Bits(), l.cfg.RA.AutoIgnore); ok {
					addAuto(in, auto, p, pfx, a.validEnd, a.prefEnd)
				}
			}
		case p.Base6Interface != "":
			// As radvd does: the prefixes of the other link's global
			// addresses (AutoIgnore applies), bounded by their lifetimes.
			if b := e.linkByName(p.Base6Interface); b != nil {
				for _, a := range b.addrs {
					if !a.validEnd.IsZero() && !a.validEnd.After(now) {
						continue
					}
					if pfx, ok := autoPrefix(a.Addr, a.Prefix.Bits(), l.cfg.RA.AutoIgnore); ok {
						addAuto(in, auto, p, pfx, a.validEnd, a.prefEnd)
					}
				}
			}
		case p.Base6to4Interface != "":
			// The Watcher reports IPv6 addresses only: the IPv4 address a
			// 6to4 prefix is made from is not available. Skipped (logged
			// once when the link starts being served).
		default:
			// Like radvd, lifetimes never exceed those of the link's own
			// addresses in the prefix, when it has any.
			pa := prefixAdv{
				prefix: p.Prefix, cfg: p, valid: p.ValidLifetime, preferred: p.PreferredLifetime,
				decrement: p.DecrementLifetime,
			}
			found := false
			for _, a := range l.addrs {
				if a.Prefix.Addr().IsLinkLocalUnicast() || !p.Prefix.Contains(a.Prefix.Addr()) {
					continue
				}
				if !found {
					pa.validEnd, pa.prefEnd, found = a.validEnd, a.prefEnd, true
				} else {
					pa.validEnd, pa.prefEnd = laterEnd(pa.validEnd, a.validEnd), laterEnd(pa.prefEnd, a.prefEnd)
				}
			}
			in.prefixes = append(in.prefixes, pa)
		}
	}
	// RFC 9096 §3.5: automatic prefixes that disappeared keep being
	// advertised with preferred lifetime 0 and a valid lifetime counting
	// down from at most 2 hours.
	if l.withdrawn == nil {
		l.withdrawn = make(map[netip.Prefix]prefixAdv)
	}
	for pfx, old := range l.lastAuto {
		if _, still := auto[pfx]; still {
			continue
		}
		stanza := configuredAs(l.cfg, old.cfg)
		if stanza == nil {
			continue
		}
		if _, ok := l.withdrawn[pfx]; ok {
			continue
		}
		// Never longer than what was advertised last (a DecrementLifetimes
		// prefix has counted down), nor than 2 hours.
		end := now.Add(withdrawPeriod)
		if v, _ := old.currentLifetimes(l.effective, now); v != config.Infinity {
			end = minTime(end, now.Add(time.Duration(v)*time.Second))
		}
		w := old
		w.cfg = stanza
		w.preferred, w.prefEnd, w.validEnd, w.withdrawn, w.decrement = 0, time.Time{}, end, true, false
		l.withdrawn[pfx] = w
	}
	for pfx, w := range l.withdrawn {
		_, back := auto[pfx]
		stanza := configuredAs(l.cfg, w.cfg)
		if back || stanza == nil || !w.validEnd.After(now) {
			delete(l.withdrawn, pfx)
			continue
		}
		if w.cfg != stanza { // the same stanza after a reload
			w.cfg = stanza
			l.withdrawn[pfx] = w
		}
		in.prefixes = append(in.prefixes, w)
	}
	if !final {
		l.lastAuto = auto
	}
	if final {
		for i := range in.prefixes {
			p := &in.prefixes[i]
			if p.cfg.DeprecatePrefix {
				v, _ := p.currentLifetimes(l.effective, now)
				p.valid, p.preferred = min(v, withdrawSeconds), 0
				p.validEnd, p.prefEnd, p.decrement = time.Time{}, time.Time{}, false
			}
		}
	}
	return in
}

// addAuto adds an automatic prefix once, with lifetimes bounded by the
// address's own remaining lifetimes.
func addAuto(in *compileInput, seen map[netip.Prefix]prefixAdv, p *config.Prefix, pfx netip.Prefix, validEnd, prefEnd time.Time) {
	if old, dup := seen[pfx]; dup {
		// Several addresses in one prefix: the longest-lived bounds it.
		for i := range in.prefixes {
			if in.prefixes[i].prefix == pfx && in.prefixes[i].cfg == p {
				in.prefixes[i].validEnd = laterEnd(old.validEnd, validEnd)
				in.prefixes[i].prefEnd = laterEnd(old.prefEnd, prefEnd)
				seen[pfx] = in.prefixes[i]
			}
		}
		return
	}
	a := prefixAdv{
		prefix: pfx, cfg: p, valid: p.ValidLifetime, preferred: p.PreferredLifetime,
		validEnd: validEnd, prefEnd: prefEnd, decrement: p.DecrementLifetime, auto: true,
	}
	seen[pfx] = a
	in.prefixes = append(in.prefixes, a)
}

// autoPrefix returns the prefix an address contributes to an automatic
// entry: global (not link-local, not multicast), usable, of length bits,
// not in AutoIgnore.
func autoPrefix(a iface.Addr, bits int, ignore []netip.Prefix) (netip.Prefix, bool) {
	ip := a.Prefix.Addr()
	if !ip.Is6() || ip.IsLinkLocalUnicast() || ip.IsMulticast() || ip.IsLoopback() || ip.IsUnspecified() {
		return netip.Prefix{}, false
	}
	if a.Flags&(iface.AddrDADFailed|iface.AddrTemporary) != 0 || a.Prefix.Bits() != bits {
		return netip.Prefix{}, false
	}
	pfx := a.Prefix.Masked()
	for _, ig := range ignore {
		if ig.Contains(ip) {
			return netip.Prefix{}, false
		}
	}
	return pfx, true
}

// configuredAs returns the prefix stanza of cfg that p stands for, or nil
// when cfg no longer has it. A reload replaces every stanza, so a stanza
// is known by what makes it produce prefixes: its kind, its prefix and
// its base interfaces.
func configuredAs(cfg *config.Interface, p *config.Prefix) *config.Prefix {
	for i := range cfg.RA.Prefixes {
		q := &cfg.RA.Prefixes[i]
		if q == p || (q.Auto == p.Auto && q.Prefix == p.Prefix &&
			q.Base6Interface == p.Base6Interface && q.Base6to4Interface == p.Base6to4Interface) {
			return q
		}
	}
	return nil
}

// expirePrefixes reports whether a withdrawn prefix or an address-bound
// prefix reached the end of its valid lifetime (so the templates change).
func (e *Engine) expirePrefixes(l *link, now time.Time) bool {
	if l.tmpl == nil {
		return false
	}
	for _, p := range l.tmpl.prefixes {
		if (p.withdrawn || p.auto) && !p.validEnd.IsZero() && !p.validEnd.After(now) {
			return true
		}
	}
	return false
}

func (e *Engine) linkByName(name string) *link {
	for _, l := range e.links {
		if l.k.Name == name {
			return l
		}
	}
	return nil
}

// laterEnd returns the later of two lifetime ends, zero meaning infinite.
func laterEnd(a, b time.Time) time.Time {
	if a.IsZero() || b.IsZero() {
		return time.Time{}
	}
	if b.After(a) {
		return b
	}
	return a
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
