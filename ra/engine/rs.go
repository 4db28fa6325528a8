package engine

import (
	"errors"
	"net/netip"
	"time"

	"github.com/radish-net/radish/iface"
	"github.com/radish-net/radish/ra"
)

// pubTable is the immutable snapshot of served links that readers consult
// (rebuilt by the loop when the set of served links changes).
type pubTable struct {
	links map[int]*pubLink
}

// pubLink is what a reader needs to know about one served link.
type pubLink struct {
	ifIndex int
	name    string
	clients []netip.Addr
	deny    []netip.Addr
	// unrestricted (UnrestrictedUnicast): with a clients list, answer
	// unlisted (but not denied) sources too, as radvd does.
	unrestricted bool
	own          []netip.Addr // our addresses on the link (loopback filter)
	expect       *expectation // our advertised values (RFC 4861 §6.2.7)
	warned       atomicTime   // last inconsistency log
}

// rebuildPub republishes the served-link table.
func (e *Engine) rebuildPub() {
	t := &pubTable{links: make(map[int]*pubLink, len(e.links))}
	for idx, l := range e.links {
		if l.served && l.pub != nil {
			t.links[idx] = l.pub
		}
	}
	e.pub.Store(t)
}

// publish refreshes l's reader-visible state after a compile.
func (e *Engine) publish(l *link) {
	p := &pubLink{
		ifIndex:      l.k.Index,
		name:         l.k.Name,
		clients:      l.cfg.RA.Clients,
		deny:         l.cfg.RA.Deny,
		unrestricted: l.cfg.RA.UnrestrictedUnicast,
		expect:       newExpectation(l),
	}
	for _, a := range l.addrs {
		p.own = append(p.own, a.Prefix.Addr())
	}
	p.own = append(p.own, l.src)
	if l.pub != nil {
		p.warned.Store(l.pub.warned.Load())
	}
	l.pub = p
	e.pubDirty = true
}

// readLoop reads packets from c into one buffer until c is closed.
func (e *Engine) readLoop(c iface.Conn, ifIndex int) {
	buf := make([]byte, recvBufSize)
	var m iface.Meta
	for {
		n, err := c.ReadFrom(buf, &m)
		if err != nil {
			if errors.Is(err, iface.ErrClosed) {
				return
			}
			e.counters.ReceiveErrors.Add(1)
			select {
			case <-e.closing:
				return
			case <-time.After(10 * time.Millisecond): // avoid spinning on a broken socket
			}
			continue
		}
		if m.IfIndex == 0 {
			m.IfIndex = ifIndex
		}
		e.handlePacket(buf[:n], &m)
	}
}

// handlePacket dispatches one received ICMPv6 message. It must not retain
// b or m and does not allocate for RSes.
func (e *Engine) handlePacket(b []byte, m *iface.Meta) {
	if len(b) < 1 {
		return
	}
	switch b[0] {
	case ra.ICMPTypeRouterSolicit:
		e.handleRS(b, m)
	case ra.ICMPTypeRouterAdvert:
		e.handleRA(b, m)
	}
}

// handleRS validates one RS (RFC 4861 §6.1.1), filters it, and queues it
// for the event loop.
func (e *Engine) handleRS(b []byte, m *iface.Meta) {
	e.counters.RSReceived.Add(1)
	rs, ok := e.validateRS(b, m)
	if !ok {
		return
	}
	p := e.pub.Load().links[m.IfIndex]
	if p == nil {
		e.counters.RSDroppedNotServed.Add(1)
		return
	}
	if !p.allowed(rs.src) {
		e.counters.RSDroppedClients.Add(1)
		return
	}
	select {
	case e.rsCh <- rs:
	default:
		e.counters.RSDroppedQueue.Add(1)
	}
}

// validateRS applies the receive checks of RFC 4861 §6.1.1 (the checksum
// is verified by the Conn) and extracts the source link-layer address.
func (e *Engine) validateRS(b []byte, m *iface.Meta) (rsEvent, bool) {
	c := &e.counters
	src := m.Src
	if !src.IsValid() {
		src = netip.IPv6Unspecified()
	}
	msg, err := ra.ParseRouterSolicit(b)
	if err == nil {
		err = msg.Validate(m.HopLimit, src)
	}
	switch err {
	case nil:
	case ra.ErrHopLimit:
		c.RSInvalidHopLimit.Add(1)
		return rsEvent{}, false
	case ra.ErrCode:
		c.RSInvalidCode.Add(1)
		return rsEvent{}, false
	case ra.ErrTooShort:
		c.RSInvalidLength.Add(1)
		return rsEvent{}, false
	case ra.ErrUnspecifiedSLLA:
		c.RSInvalidSLLA.Add(1)
		return rsEvent{}, false
	default:
		c.RSInvalidOption.Add(1)
		return rsEvent{}, false
	}
	rs := rsEvent{ifIndex: m.IfIndex, src: src}
	if lla, ok := msg.SourceLinkLayerAddr(); ok && len(lla) == 6 {
		copy(rs.lla[:], lla)
		rs.hasLLA = true
	}
	return rs, true
}

// allowed applies the clients allow-list and deny-list (radvd
// `clients { ADDR; !ADDR; };` and UnrestrictedUnicast).
func (p *pubLink) allowed(src netip.Addr) bool {
	for _, d := range p.deny {
		if d == src {
			return false
		}
	}
	if len(p.clients) == 0 {
		return true
	}
	for _, c := range p.clients {
		if c == src {
			return true
		}
	}
	return p.unrestricted
}
