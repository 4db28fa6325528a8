package engine

import (
	"net/netip"
	"slices"
	"time"

	"github.com/radish-net/radish/config"
	"github.com/radish-net/radish/iface"
)

// addrState is one address of a link with the instants its lifetimes end.
type addrState struct {
	iface.Addr
	validEnd time.Time // zero: infinite
	prefEnd  time.Time // zero: infinite
}

// pending is one source waiting for a unicast answer.
type pending struct {
	src    netip.Addr
	lla    [6]byte
	hasLLA bool
}

// link is the engine's state for one kernel link, served or not.
type link struct {
	k      iface.Link
	addrs  []addrState
	cfg    *config.Interface // nil: not configured
	timers [numTimers]timerEntry

	served       bool                       // advertising now
	neighCounted bool                       // counted in Engine.kernelServed
	v4           map[string]netip.Addr      // Base6to4Interface name → the IPv4 address the RAs were built with
	v4Logged     map[string]netip.Addr      // Base6to4Interface name → the IPv4 address last logged
	joined       iface.Conn                 // the conn that joined ff02::2 for this link, if any
	transport    config.Transport           // kernel or packet, while served
	conn         iface.Conn                 // where RAs go
	own          iface.Conn                 // per-link packet Conn, if any
	src          netip.Addr                 // RA source address
	tmpl         *compiled                  // current templates
	dirty        bool                       // templates must be recompiled
	waitLog      string                     // last "why not served" reason logged
	pub          *pubLink                   // published to readers
	withdrawn    map[netip.Prefix]prefixAdv // RFC 9096 prefixes being withdrawn
	lastAuto     map[netip.Prefix]prefixAdv // automatic prefixes last compiled

	initialSent  int       // multicast RAs sent since the last (re)start, capped
	lastMcast    time.Time // last multicast RA
	pendingMcast bool      // a multicast answer is scheduled
	batch        [maxBatch]pending
	nbatch       int

	fwdKnown  bool      // fwdOff holds the kernel's state (event or sysctl)
	fwdOff    bool      // net.ipv6.conf.IF.forwarding is 0
	fwdEvent  bool      // fwdOff came from a NetconfUpdate
	fwdWarned bool      // "forwarding is off" logged and counted for this off period
	effective time.Time // DecrementLifetimes reference
	sent      uint64
}

func newLink(k iface.Link) *link {
	l := &link{k: k}
	for i := range l.timers {
		l.timers[i] = timerEntry{link: l, kind: timerKind(i), index: -1}
	}
	return l
}

func (l *link) closeOwn() {
	if l.own != nil {
		l.own.Close()
		l.own = nil
	}
}

// linkLocal returns a usable link-local address (present, neither
// tentative nor DAD-failed).
func (l *link) linkLocal() netip.Addr {
	for i := range l.addrs {
		a := &l.addrs[i]
		if a.Prefix.Addr().IsLinkLocalUnicast() && a.Flags&(iface.AddrTentative|iface.AddrDADFailed) == 0 {
			return a.Prefix.Addr()
		}
	}
	return netip.Addr{}
}

func (l *link) hasAddr(a netip.Addr) bool {
	for i := range l.addrs {
		if l.addrs[i].Prefix.Addr() == a {
			return true
		}
	}
	return false
}

// wanted reports whether the configuration asks to advertise on l now.
func (e *Engine) wanted(l *link) bool {
	return e.synced && l.cfg != nil && l.cfg.RA.SendAdvert && l.k.Up
}

// onEvent applies one Watcher event.
func (e *Engine) onEvent(ev iface.Event, now time.Time) {
	switch ev.Kind {
	case iface.LinkUpdate:
		l := e.links[ev.Link.Index]
		if l == nil {
			l = newLink(ev.Link)
			e.links[ev.Link.Index] = l
		}
		old := l.k
		l.k = ev.Link
		if old.Name != ev.Link.Name || l.cfg == nil {
			if nc := e.lookup(ev.Link.Name); nc != l.cfg {
				if l.served && (nc == nil || !nc.RA.SendAdvert) {
					// Renamed out of the configuration: hosts must drop
					// this router now, as on a reload removing it.
					e.sendFinal(l, now)
				}
				if l.served && nc != nil && l.cfg != nil && nc.Transport != l.cfg.Transport {
					e.stopServing(l)
				}
				l.cfg = nc
				e.markDirty(l)
			}
		}
		if old.Up != ev.Link.Up && l.served {
			e.stopServing(l) // restarts with fast RAs when up again
		}
		if old.MTU != ev.Link.MTU || old.HardwareAddr != ev.Link.HardwareAddr || old.IPv6Disabled != ev.Link.IPv6Disabled {
			e.markDirty(l)
		}
		e.refresh(l, now)
		e.refreshDependents(l.k.Name, now)
	case iface.LinkDelete:
		l := e.links[ev.Link.Index]
		if l == nil {
			return
		}
		e.stopServing(l)
		e.heap.cancel(&l.timers[timerMaint])
		l.closeOwn()
		delete(e.links, ev.Link.Index)
		e.refreshDependents(l.k.Name, now)
	case iface.AddrUpdate, iface.AddrDelete:
		l := e.links[ev.Addr.IfIndex]
		if l == nil {
			return
		}
		i := slices.IndexFunc(l.addrs, func(a addrState) bool { return a.Prefix.Addr() == ev.Addr.Prefix.Addr() })
		if ev.Kind == iface.AddrDelete {
			if i < 0 {
				return
			}
			l.addrs = slices.Delete(l.addrs, i, i+1)
		} else {
			st := addrState{Addr: ev.Addr}
			if ev.Addr.Valid != iface.Infinite {
				st.validEnd = now.Add(time.Duration(ev.Addr.Valid) * time.Second)
			}
			if ev.Addr.Preferred != iface.Infinite {
				st.prefEnd = now.Add(time.Duration(ev.Addr.Preferred) * time.Second)
			}
			if i < 0 {
				l.addrs = append(l.addrs, st)
			} else {
				l.addrs[i] = st
			}
		}
		e.markDirty(l)
		e.refresh(l, now)
		e.refreshDependents(l.k.Name, now)
	case iface.NetconfUpdate:
		e.netconf = true
		l := e.links[ev.Netconf.IfIndex]
		if l == nil {
			return
		}
		l.fwdEvent = true
		e.setForwarding(l, !ev.Netconf.Forwarding, now)
	case iface.Synced:
		if !e.synced {
			e.synced = true
			for _, l := range e.links {
				e.refresh(l, now)
			}
		}
	}
}

// refreshDependents re-resolves links whose prefixes are computed from the
// link called name (Base6Interface).
func (e *Engine) refreshDependents(name string, now time.Time) {
	if !e.base6 {
		return
	}
	for _, l := range e.links {
		if !l.served || l.cfg == nil {
			continue
		}
		for i := range l.cfg.RA.Prefixes {
			if l.cfg.RA.Prefixes[i].Base6Interface == name {
				e.markDirty(l)
				break
			}
		}
	}
}

// setConfig installs cfg and notes whether any prefix depends on another
// link (Base6Interface), so that link events need not scan every link.
func (e *Engine) setConfig(cfg *config.Config) {
	e.cfg = cfg
	e.base6 = false
	for i := range cfg.Interfaces {
		for j := range cfg.Interfaces[i].RA.Prefixes {
			if cfg.Interfaces[i].RA.Prefixes[j].Base6Interface != "" {
				e.base6 = true
			}
		}
	}
}

func (e *Engine) lookup(name string) *config.Interface {
	c, ok := e.cfg.Lookup(name)
	if !ok {
		return nil
	}
	return c
}

func (e *Engine) markDirty(l *link) {
	if !l.dirty {
		l.dirty = true
		e.dirty = append(e.dirty, l)
	}
}

// refresh brings l's serving state in line with its configuration, kernel
// state and transport.
func (e *Engine) refresh(l *link, now time.Time) {
	if !e.wanted(l) {
		e.stopServing(l)
		e.heap.cancel(&l.timers[timerMaint])
		l.closeOwn()
		return
	}
	conn, tr, src, why := e.chooseTransport(l)
	if conn == nil {
		e.stopServing(l)
		if m := &l.timers[timerMaint]; !m.scheduled() || m.when.After(now.Add(retryInterval)) {
			e.heap.schedule(m, now.Add(retryInterval))
		}
		if why != l.waitLog {
			l.waitLog = why
			lvl := e.log.Warn
			if l.cfg.IgnoreIfMissing {
				lvl = e.log.Info
			}
			lvl("link waiting", "link", l.k.Name, "reason", why)
		}
		return
	}
	l.waitLog = ""
	if l.served && (conn != l.conn || src != l.src) {
		e.stopServing(l)
	}
	if tr == config.TransportKernel && l.own != nil {
		l.closeOwn()
	}
	l.conn, l.transport, l.src = conn, tr, src
	if !l.served {
		e.startServing(l, now)
	}
	if m := &l.timers[timerMaint]; (e.pollsForwarding(l) || has6to4(l)) && !m.scheduled() {
		// Stagger the per-link polls over one interval.
		interval := e.opts.ForwardingInterval
		if has6to4(l) {
			interval = min(interval, SixToFourPoll)
		}
		e.heap.schedule(m, now.Add(randDuration(0, interval)))
	}
}

// chooseTransport picks the Conn and source address for l (config
// Transport, RFC 4861 §6.1.2: the source must be link-local).
func (e *Engine) chooseTransport(l *link) (iface.Conn, config.Transport, netip.Addr, string) {
	ll := l.linkLocal()
	tr := l.cfg.Transport
	if tr == config.TransportAuto {
		tr = config.TransportPacket
		if ll.IsValid() && !l.k.IPv6Disabled {
			tr = config.TransportKernel
		}
	}
	if tr == config.TransportKernel {
		if e.opts.Conn == nil {
			return nil, tr, netip.Addr{}, "no kernel socket"
		}
		if !ll.IsValid() {
			return nil, tr, netip.Addr{}, "no usable link-local address"
		}
		src := ll
		for _, a := range l.cfg.RA.SourceAddresses {
			if l.hasAddr(a) {
				src = a
				break
			}
		}
		return e.opts.Conn, tr, src, ""
	}
	src := l.cfg.SourceLinkLocal
	if !src.IsValid() {
		src = eui64LinkLocal(l.k.HardwareAddr)
	}
	if !src.IsValid() {
		return nil, tr, src, "no source link-local address for the packet transport"
	}
	if l.own == nil {
		if e.opts.PacketConnFactory == nil {
			return nil, tr, src, "packet transport needed but not available"
		}
		c, err := e.opts.PacketConnFactory(l.k)
		if err != nil {
			e.counters.TransportErrors.Add(1)
			return nil, tr, src, "packet transport: " + err.Error()
		}
		l.own = c
		e.startReader(c, l.k.Index)
	}
	return l.own, tr, src, ""
}

// eui64LinkLocal derives fe80::/64 + modified EUI-64 (RFC 4291 App. A).
func eui64LinkLocal(mac [6]byte) netip.Addr {
	if mac == ([6]byte{}) {
		return netip.Addr{}
	}
	a := [16]byte{0: 0xfe, 1: 0x80}
	a[8], a[9], a[10] = mac[0]^0x02, mac[1], mac[2]
	a[11], a[12] = 0xff, 0xfe
	a[13], a[14], a[15] = mac[3], mac[4], mac[5]
	return netip.AddrFrom16(a)
}

// startServing begins advertising on l with fast RAs.
func (e *Engine) startServing(l *link, now time.Time) {
	l.served = true
	e.counters.LinksServed.Add(1)
	e.pubDirty = true
	if err := l.conn.JoinGroup(l.k.Index, allRouters); err != nil {
		e.log.Debug("join ff02::2", "link", l.k.Name, "err", err)
	} else {
		l.joined = l.conn
	}
	if !l.fwdEvent || !e.netconf {
		e.pollForwarding(l, now)
	}
	e.noteForwarding(l)
	e.heap.cancel(&l.timers[timerMaint]) // a pending retry; refresh and flush reschedule it
	if has6to4(l) {
		l.v4, l.v4Logged = nil, nil // read afresh, logged once
		e.check6to4(l)
	}
	if l.effective.IsZero() {
		l.effective = now
	}
	if l.transport == config.TransportKernel {
		l.neighCounted = true
		e.kernelServed++
		e.checkNeighbourLimit()
	}
	e.markDirty(l)
	e.fastStart(l, now)
	e.log.Debug("serving link", "link", l.k.Name, "index", l.k.Index, "transport", transportName(l.transport))
}

// checkNeighbourLimit warns once when the links served over the kernel
// transport reach half the kernel's neighbour table limit (see
// Options.NeighbourLimit).
func (e *Engine) checkNeighbourLimit() {
	limit := e.opts.NeighbourLimit
	if limit <= 0 || e.neighWarned || e.kernelServed*2 < limit {
		return
	}
	e.neighWarned = true
	e.log.Warn("many links for the kernel's IPv6 neighbour table: each needs an entry for ff02::1 plus one per host, "+
		"and RAs beyond the limit are dropped by the kernel; raise net.ipv6.neigh.default.gc_thresh3 (and gc_thresh1/2)",
		"links", e.kernelServed, "gc_thresh3", limit, "suggested", max(4*e.kernelServed, 1024))
}

// stopServing stops advertising on l (no final RA; see sendFinal).
func (e *Engine) stopServing(l *link) {
	if !l.served {
		return
	}
	l.served = false
	// Leave ff02::2: the kernel keeps a socket's membership even after
	// its link is deleted, and every one held counts against the socket's
	// option memory (net.core.optmem_max), which link churn would
	// exhaust.
	if l.joined != nil {
		if err := l.joined.LeaveGroup(l.k.Index, allRouters); err != nil {
			e.log.Debug("leave ff02::2", "link", l.k.Name, "err", err)
		}
		l.joined = nil
	}
	if l.neighCounted {
		l.neighCounted = false
		e.kernelServed--
	}
	e.counters.LinksServed.Add(^uint64(0))
	e.pubDirty = true
	e.heap.cancel(&l.timers[timerAdvert])
	e.heap.cancel(&l.timers[timerAnswer])
	l.pendingMcast, l.nbatch = false, 0
	l.initialSent = 0
}

// retime brings a served link's timers in line with a new configuration.
func (e *Engine) retime(l *link, now time.Time) {
	adv := &l.timers[timerAdvert]
	switch {
	case l.cfg.RA.UnicastOnly:
		// No multicast from now on, neither periodic nor as an answer.
		e.heap.cancel(adv)
		if l.pendingMcast {
			l.pendingMcast = false
			if l.nbatch == 0 {
				e.heap.cancel(&l.timers[timerAnswer])
			}
		}
	case !adv.scheduled():
		// UnicastOnly was on: periodic RAs start again, fast.
		e.fastStart(l, now)
	case adv.when.After(now.Add(l.cfg.RA.MaxInterval)):
		// A shorter MaxInterval takes effect now, not after the RA that
		// was scheduled under the old one (still MinDelayBetweenRAs
		// after the last multicast RA).
		at := now.Add(randDuration(l.cfg.RA.MinInterval, l.cfg.RA.MaxInterval))
		if t := l.earliestMulticast(); t.After(at) {
			at = t
		}
		e.heap.schedule(adv, at)
	}
	// ForwardingCheck may have been turned on (or off) while forwarding
	// is off: say so now, as a change of forwarding would.
	if e.noteForwarding(l) {
		e.markDirty(l)
		e.fastStart(l, now)
	}
}

// applyConfig swaps the configuration on the loop.
func (e *Engine) applyConfig(cfg *config.Config, now time.Time) {
	e.setConfig(cfg)
	for _, l := range e.links {
		nc := e.lookup(l.k.Name)
		if l.served && (nc == nil || !nc.RA.SendAdvert) {
			e.sendFinal(l, now)
		}
		if l.served && nc != nil && nc.Transport != l.cfg.Transport {
			e.stopServing(l)
			l.closeOwn()
		}
		l.cfg = nc
		if nc != nil {
			e.markDirty(l)
		}
		e.refresh(l, now)
		if l.served {
			e.retime(l, now)
		}
	}
	e.log.Info("configuration applied", "source", cfg.Source)
}

func transportName(t config.Transport) string {
	switch t {
	case config.TransportKernel:
		return "kernel"
	case config.TransportPacket:
		return "packet"
	}
	return "auto"
}
