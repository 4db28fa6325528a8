package engine

import (
	"math/rand/v2"
	"net/netip"
	"slices"
	"time"

	"github.com/radish-net/radish/iface"
)

// randDuration returns a uniformly random duration in [lo, hi].
func randDuration(lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(rand.Int64N(int64(hi-lo)+1))
}

// earliestMulticast is when l may next send a multicast RA
// (MinDelayBetweenRAs, RFC 4861 §6.2.6).
func (l *link) earliestMulticast() time.Time {
	if l.lastMcast.IsZero() {
		return time.Time{}
	}
	return l.lastMcast.Add(l.cfg.RA.MinDelayBetweenRAs)
}

// fastStart (re)starts the initial burst of unsolicited RAs (RFC 4861
// §6.2.4): the next RA goes out as soon as the rate limit allows.
func (e *Engine) fastStart(l *link, now time.Time) {
	l.initialSent = 0
	if l.cfg.RA.UnicastOnly {
		return
	}
	at := now
	if t := l.earliestMulticast(); t.After(at) {
		at = t
	}
	if !l.timers[timerAdvert].scheduled() || l.timers[timerAdvert].when.After(at) {
		e.heap.schedule(&l.timers[timerAdvert], at)
	}
}

// scheduleNextAdvert sets the periodic timer after a multicast RA.
func (e *Engine) scheduleNextAdvert(l *link, now time.Time) {
	if l.cfg.RA.UnicastOnly {
		e.heap.cancel(&l.timers[timerAdvert])
		return
	}
	d := randDuration(l.cfg.RA.MinInterval, l.cfg.RA.MaxInterval)
	if l.initialSent < MaxInitialRtrAdvertisements {
		l.initialSent++
		d = min(d, MaxInitialRtrAdvertInterval)
	}
	// Every multicast RA, periodic ones too, is at least
	// MinDelayBetweenRAs after the previous one (RFC 4861 §6.2.4).
	at := now.Add(d)
	if t := l.earliestMulticast(); t.After(at) {
		at = t
	}
	e.heap.schedule(&l.timers[timerAdvert], at)
}

// fireAdvert sends the periodic (or initial) unsolicited RA.
func (e *Engine) fireAdvert(l *link, now time.Time) {
	if !l.served || l.cfg.RA.UnicastOnly {
		return
	}
	e.sendMulticast(l, now, false)
	e.scheduleNextAdvert(l, now)
}

// sendMulticast sends one multicast RA (or, with a clients list, one
// unicast RA per client), which also answers every pending RS.
func (e *Engine) sendMulticast(l *link, now time.Time, solicited bool) {
	l.lastMcast = now
	if len(l.cfg.RA.Clients) > 0 {
		for _, c := range l.cfg.RA.Clients {
			e.send(l, c, now)
			e.counters.RAUnicast.Add(1)
		}
	} else {
		e.send(l, allNodes, now)
		if solicited {
			e.counters.RASolicited.Add(1)
		} else {
			e.counters.RAMulticast.Add(1)
		}
	}
	// A true multicast answers every pending RS. Unicast RAs to a clients
	// list answer only the listed ones: sources admitted by
	// UnrestrictedUnicast still get their own answers.
	l.pendingMcast = false
	if len(l.cfg.RA.Clients) == 0 {
		l.nbatch = 0
	}
	if l.nbatch == 0 {
		e.heap.cancel(&l.timers[timerAnswer])
	}
}

// fireAnswer sends the pending solicited answers of l.
func (e *Engine) fireAnswer(l *link, now time.Time) {
	if !l.served {
		return
	}
	if l.pendingMcast {
		// A multicast answer counts as the next periodic RA.
		e.sendMulticast(l, now, true)
		e.scheduleNextAdvert(l, now)
	}
	for i := 0; i < l.nbatch; i++ {
		e.send(l, l.batch[i].src, now)
		e.counters.RAUnicast.Add(1)
		e.counters.RASolicited.Add(1)
	}
	l.nbatch = 0
}

// onRS schedules the answer to one valid RS (RFC 4861 §6.2.6, RFC 7772).
func (e *Engine) onRS(rs rsEvent, now time.Time) {
	l := e.links[rs.ifIndex]
	if l == nil || !l.served {
		e.counters.RSDroppedNotServed.Add(1)
		return
	}
	ra := &l.cfg.RA
	// A UnicastOnly link answers by unicast whatever
	// AdvRASolicitedUnicast says; only the unspecified source needs a
	// multicast answer it cannot have.
	if rs.src.IsUnspecified() || (!ra.SolicitedUnicast && !ra.UnicastOnly) {
		if ra.UnicastOnly {
			e.counters.RSDroppedUnicast.Add(1)
			return
		}
		e.answerMulticast(l, now)
		return
	}
	// With a clients list the "multicast" answer goes to the listed
	// clients only: it covers a source that is one of them, not one
	// admitted by UnrestrictedUnicast.
	reachedByMcast := len(ra.Clients) == 0 || slices.Contains(ra.Clients, rs.src)
	if l.pendingMcast && reachedByMcast {
		return // the multicast answer covers it
	}
	for i := 0; i < l.nbatch; i++ {
		if l.batch[i].src == rs.src {
			return
		}
	}
	if l.nbatch == maxBatch {
		if ra.UnicastOnly || !reachedByMcast {
			e.counters.RSDroppedBatch.Add(1)
			return
		}
		e.answerMulticast(l, now)
		return
	}
	l.batch[l.nbatch] = pending{src: rs.src, lla: rs.lla, hasLLA: rs.hasLLA}
	l.nbatch++
	if !l.timers[timerAnswer].scheduled() {
		e.heap.schedule(&l.timers[timerAnswer], now.Add(randDuration(0, MaxRADelayTime)))
	}
}

// answerMulticast schedules a multicast answer after the random delay,
// deferred (never dropped) to honour MinDelayBetweenRAs.
func (e *Engine) answerMulticast(l *link, now time.Time) {
	if l.pendingMcast {
		return
	}
	at := now.Add(randDuration(0, MaxRADelayTime))
	if t := l.earliestMulticast(); t.After(at) {
		at = t
	}
	if adv := &l.timers[timerAdvert]; adv.scheduled() && !adv.when.After(at) {
		return // the next unsolicited RA comes first and answers it
	}
	l.pendingMcast = true
	e.heap.schedule(&l.timers[timerAnswer], at)
}

// send writes l's RA set to dst. It does not allocate.
func (e *Engine) send(l *link, dst netip.Addr, now time.Time) {
	if l.tmpl == nil || l.conn == nil {
		return
	}
	zero := l.fwdOff && l.cfg.RA.ForwardingCheck
	// The Meta lives in the Engine: a local would escape through the
	// interface call and allocate.
	m := &e.sendMeta
	for i := range l.tmpl.pkts {
		*m = iface.Meta{IfIndex: l.k.Index, Src: l.src, Dst: dst, HopLimit: 255}
		e.sendBuf = l.tmpl.render(e.sendBuf, l.tmpl.pkts[i], zero, l.effective, now)
		if _, err := l.conn.WriteTo(e.sendBuf, m); err != nil {
			e.counters.RASendErrors.Add(1)
			continue
		}
		l.sent++
	}
}

// sendFinal sends the final RA on l (RemoveAdvOnExit): Router Lifetime 0
// and the configured removals (RFC 4861 §6.2.5, radvd semantics).
func (e *Engine) sendFinal(l *link, now time.Time) {
	if !l.served || !l.cfg.RA.RemoveAdvOnExit || l.conn == nil {
		return
	}
	final := compile(e.compileInput(l, now, true))
	save := l.tmpl
	l.tmpl = final
	if len(l.cfg.RA.Clients) > 0 {
		for _, c := range l.cfg.RA.Clients {
			e.send(l, c, now)
			e.counters.RAFinal.Add(1)
		}
	} else if !l.cfg.RA.UnicastOnly {
		e.send(l, allNodes, now)
		e.counters.RAFinal.Add(1)
	}
	l.tmpl = save
}

// fireMaint retries a waiting link, or, on a served link, re-reads
// forwarding (without NetconfUpdate events) and expires withdrawn and
// address-bound prefixes. It reschedules itself only while there is
// something to do.
func (e *Engine) fireMaint(l *link, now time.Time) {
	if !l.served {
		e.heap.schedule(&l.timers[timerMaint], now.Add(retryInterval))
		e.refresh(l, now)
		return
	}
	next := time.Time{}
	if e.pollsForwarding(l) {
		e.pollForwarding(l, now)
		next = now.Add(e.opts.ForwardingInterval)
	}
	if has6to4(l) {
		e.check6to4(l)
		if t := now.Add(SixToFourPoll); next.IsZero() || t.Before(next) {
			next = t
		}
	}
	if e.expirePrefixes(l, now) {
		e.markDirty(l) // flush recompiles and schedules the next expiry
	} else if t := nextExpiry(l, now); !t.IsZero() && (next.IsZero() || t.Before(next)) {
		next = t
	}
	if !next.IsZero() {
		e.heap.schedule(&l.timers[timerMaint], next)
	}
}

// scheduleExpiry makes sure the maintenance timer of a served l fires by
// the end of the earliest prefix lifetime its templates bound.
func (e *Engine) scheduleExpiry(l *link, now time.Time) {
	t := nextExpiry(l, now)
	if t.IsZero() {
		return
	}
	if m := &l.timers[timerMaint]; !m.scheduled() || m.when.After(t) {
		e.heap.schedule(m, t)
	}
}

// nextExpiry returns the earliest end, after now, of a withdrawn or
// address-bound prefix in l's templates (zero: none).
func nextExpiry(l *link, now time.Time) time.Time {
	var next time.Time
	if l.tmpl == nil {
		return next
	}
	for _, p := range l.tmpl.prefixes {
		if (p.withdrawn || p.auto) && p.validEnd.After(now) && (next.IsZero() || p.validEnd.Before(next)) {
			next = p.validEnd
		}
	}
	return next
}

// pollsForwarding reports whether l's forwarding sysctl is re-read
// periodically: the Watcher reports no NetconfUpdate events.
func (e *Engine) pollsForwarding(l *link) bool {
	return !e.netconf && e.opts.Sysctl != nil && l.cfg != nil && l.cfg.RA.ForwardingCheck
}

// pollForwarding reads net.ipv6.conf.IF.forwarding and applies it; on a
// read error the last known state is kept.
func (e *Engine) pollForwarding(l *link, now time.Time) {
	if e.opts.Sysctl == nil || l.cfg == nil || !l.cfg.RA.ForwardingCheck {
		return
	}
	v, err := e.opts.Sysctl.IPv6(l.k.Name, "forwarding")
	if err != nil {
		return
	}
	e.setForwarding(l, v == "0", now)
}

// setForwarding records l's forwarding state. On a served link a change
// of the advertised Router Lifetime is logged, counted and sent at once
// (fast RAs).
func (e *Engine) setForwarding(l *link, off bool, now time.Time) {
	if l.fwdKnown && off == l.fwdOff {
		return
	}
	l.fwdKnown, l.fwdOff = true, off
	if l.served && e.noteForwarding(l) {
		e.fastStart(l, now)
	}
}

// noteForwarding logs and counts, once per change, whether served l
// advertises Router Lifetime 0 because forwarding is off (RFC 4861
// §6.2.5); it reports whether that changed.
func (e *Engine) noteForwarding(l *link) bool {
	off := l.fwdOff && l.cfg.RA.ForwardingCheck
	switch {
	case off && !l.fwdWarned:
		l.fwdWarned = true
		e.counters.ForwardingOff.Add(1)
		e.log.Warn("IPv6 forwarding is off: advertising Router Lifetime 0", "link", l.k.Name)
		return true
	case !off && l.fwdWarned:
		l.fwdWarned = false
		e.log.Info("IPv6 forwarding is on again", "link", l.k.Name)
		return true
	}
	return false
}

// flush recompiles dirty links and republishes reader state.
func (e *Engine) flush(now time.Time) {
	for _, l := range e.dirty {
		l.dirty = false
		if !l.served {
			continue
		}
		c := compile(e.compileInput(l, now, false))
		if c.oversize && (l.tmpl == nil || !l.tmpl.oversize) {
			e.log.Warn("an RA option exceeds the RA MTU budget: sending one unsplit RA", "link", l.k.Name)
		}
		if c.err != nil && (l.tmpl == nil || l.tmpl.err == nil || l.tmpl.err.Error() != c.err.Error()) {
			e.log.Warn("an RA option cannot be encoded and is left out", "link", l.k.Name, "err", c.err)
		}
		changed := !c.sameBytes(l.tmpl)
		first := l.tmpl == nil
		l.tmpl = c
		e.publish(l)
		e.scheduleExpiry(l, now)
		if changed && !first {
			e.fastStart(l, now)
		}
	}
	e.dirty = e.dirty[:0]
	if e.pubDirty {
		e.pubDirty = false
		e.rebuildPub()
	}
}

// resetDecrement restarts DecrementLifetimes countdowns (SIGUSR1).
func (e *Engine) resetDecrement(now time.Time) {
	for _, l := range e.links {
		l.effective = now
		if l.served {
			e.publish(l)
		}
	}
}

// shutdown sends the final RAs of every served link.
func (e *Engine) shutdown(now time.Time) {
	for _, l := range e.links {
		if l.served {
			e.sendFinal(l, now)
			e.stopServing(l)
		}
	}
	e.rebuildPub()
}
