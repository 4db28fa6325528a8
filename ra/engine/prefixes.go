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
			// As radvd: 2002:V4ADDR::/48 from the other link's primary
			// IPv4 address, then the configured prefix's remaining bits.
			// Left out while that link has no IPv4 address (check6to4
			// logs it).
			v4, ok := e.ipv4(p.Base6to4Interface)
			if l.v4 == nil {
				l.v4 = make(map[string]netip.Addr)
			}
			l.v4[p.Base6to4Interface] = v4
			if ok {
				in.prefixes = append(in.prefixes, prefixAdv{
					prefix: sixToFour(p.Prefix, v4), cfg: p, valid: p.ValidLifetime, preferred: p.PreferredLifetime,
					decrement: p.DecrementLifetime,
				})
			}
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

// sixToFour makes a 6to4 prefix (RFC 3056): 2002, the IPv4 address, then
// p's bits from the 49th on, at p's length.
func sixToFour(p netip.Prefix, v4 netip.Addr) netip.Prefix {
	a := p.Addr().As16()
	b := v4.As4()
	a[0], a[1] = 0x20, 0x02
	copy(a[2:6], b[:])
	return netip.PrefixFrom(netip.AddrFrom16(a), p.Bits()).Masked()
}

// ipv4 returns a link's primary IPv4 address through Options.IPv4Addr.
func (e *Engine) ipv4(name string) (netip.Addr, bool) {
	if e.opts.IPv4Addr == nil {
		return netip.Addr{}, false
	}
	a, ok := e.opts.IPv4Addr(name)
	return a, ok && a.Is4()
}

// has6to4 reports whether l's configuration has a Base6to4Interface
// prefix.
func has6to4(l *link) bool {
	if l.cfg == nil {
		return false
	}
	for i := range l.cfg.RA.Prefixes {
		if l.cfg.RA.Prefixes[i].Base6to4Interface != "" {
			return true
		}
	}
	return false
}

// check6to4 reads the IPv4 addresses behind l's Base6to4Interface
// prefixes again: a change recompiles the link's RAs, and a base link
// losing (or lacking) its address is logged, once per change.
func (e *Engine) check6to4(l *link) {
	for i := range l.cfg.RA.Prefixes {
		name := l.cfg.RA.Prefixes[i].Base6to4Interface
		if name == "" {
			continue
		}
		cur, ok := e.ipv4(name)
		if built, seen := l.v4[name]; !seen || cur != built {
			e.markDirty(l)
		}
		// Logged apart from what the RAs were built with: a recompile
		// between two checks takes the new address in without a word.
		if said, seen := l.v4Logged[name]; seen && cur == said {
			continue
		}
		if l.v4Logged == nil {
			l.v4Logged = make(map[string]netip.Addr)
		}
		l.v4Logged[name] = cur
		switch {
		case e.opts.IPv4Addr == nil:
			e.log.Warn("Base6to4Interface is not supported here; prefix left out", "link", l.k.Name, "base", name)
		case !ok:
			e.log.Warn("Base6to4Interface has no IPv4 address; prefix left out", "link", l.k.Name, "base", name)
		default:
			e.log.Info("Base6to4Interface address", "link", l.k.Name, "base", name, "ipv4", cur)
		}
	}
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
