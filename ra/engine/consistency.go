package engine

import (
	"github.com/radish-net/radish/iface"
	"github.com/radish-net/radish/ra"
	"sync/atomic"
	"time"
)

// inconsistencyLogEvery rate-limits the inconsistency log per link.
const inconsistencyLogEvery = time.Minute

// decrementTolerance is how far a decrementing lifetime may differ between
// routers before it counts as inconsistent (RFC 4861 §6.2.7 asks to allow
// for the time difference).
const decrementTolerance = 10 // seconds

// atomicTime is a time stored as Unix nanoseconds.
type atomicTime struct{ ns atomic.Int64 }

func (a *atomicTime) Load() int64   { return a.ns.Load() }
func (a *atomicTime) Store(v int64) { a.ns.Store(v) }

// expectation is what we advertise on a link, for comparing with other
// routers' RAs (RFC 4861 §6.2.7).
type expectation struct {
	curHop    uint8
	managed   bool
	other     bool
	reachable uint32
	retrans   uint32
	mtu       uint32
	prefixes  []prefixAdv
	effective time.Time
}

func newExpectation(l *link) *expectation {
	ra := &l.cfg.RA
	x := &expectation{
		curHop: ra.CurHopLimit, managed: ra.Managed, other: ra.OtherConfig,
		reachable: ra.ReachableTime, retrans: ra.RetransTimer, mtu: ra.LinkMTU,
		effective: l.effective,
	}
	if l.tmpl != nil {
		x.prefixes = l.tmpl.prefixes
	}
	return x
}

// handleRA checks an RA from another router against ours. It runs on the
// reader goroutine and does not allocate unless it logs.
func (e *Engine) handleRA(b []byte, m *iface.Meta) {
	p := e.pub.Load().links[m.IfIndex]
	if p == nil {
		return
	}
	for _, a := range p.own {
		if a == m.Src {
			e.counters.RAOthersOwnLoopback.Add(1)
			return
		}
	}
	msg, err := ra.ParseRouterAdvert(b)
	if err == nil {
		err = msg.Validate(m.HopLimit, m.Src)
	}
	if err != nil {
		e.counters.ConsistencyBadRAs.Add(1)
		return
	}
	e.counters.RAFromOthers.Add(1)
	x := p.expect
	if x == nil {
		return
	}
	now := time.Now()
	what := ""
	if hop := msg.CurHopLimit(); hop != 0 && x.curHop != 0 && hop != x.curHop {
		what = "cur hop limit"
	}
	if msg.Managed() != x.managed || msg.Other() != x.other {
		what = "managed/other flags"
	}
	if r := msg.ReachableTime(); r != 0 && x.reachable != 0 && r != x.reachable {
		what = "reachable time"
	}
	if r := msg.RetransTimer(); r != 0 && x.retrans != 0 && r != x.retrans {
		what = "retrans timer"
	}
	for it := msg.Options(); it.Next(); {
		o := it.Option()
		switch o.Type {
		case ra.TypeMTU:
			if v, err := ra.ParseMTU(o); err == nil && x.mtu != 0 && uint32(v) != x.mtu {
				what = "MTU"
			}
		case ra.TypePrefixInfo:
			if pi, err := ra.ParsePrefixInfo(o); err == nil && x.prefixMismatch(&pi, now) {
				what = "prefix lifetimes"
			}
		}
	}
	if what == "" {
		return
	}
	e.counters.RAInconsistent.Add(1)
	last := p.warned.Load()
	if last != 0 && now.UnixNano()-last < int64(inconsistencyLogEvery) {
		return
	}
	p.warned.Store(now.UnixNano())
	e.log.Warn("router advertisement inconsistent with ours", "link", p.name, "router", m.Src, "field", what)
}

// prefixMismatch compares one Prefix Information option with ours.
func (x *expectation) prefixMismatch(pi *ra.PrefixInfo, now time.Time) bool {
	pfx := pi.Prefix.Masked()
	for i := range x.prefixes {
		p := &x.prefixes[i]
		if p.prefix != pfx || p.withdrawn {
			continue
		}
		v, pr := p.currentLifetimes(x.effective, now)
		timed := p.decrement || !p.validEnd.IsZero() || !p.prefEnd.IsZero()
		return differs(v, pi.ValidLifetime, timed) || differs(pr, pi.PreferredLifetime, timed)
	}
	return false
}

func differs(ours, theirs uint32, timed bool) bool {
	if !timed {
		return ours != theirs
	}
	d := int64(ours) - int64(theirs)
	return d > decrementTolerance || d < -decrementTolerance
}
