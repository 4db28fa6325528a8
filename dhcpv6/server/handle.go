package server

import (
	"bytes"
	"net/netip"

	"github.com/radish-net/radish/dhcpv6"
	"github.com/radish-net/radish/iface"
)

// Ports (RFC 9915 §7.2).
const (
	clientPort = 546
	serverPort = 547
)

// Status messages in the IA options of an Advertise.
const (
	msgNoAddrs    = "stateless service only: no addresses available"
	msgNoPrefixes = "stateless service only: no prefixes available"
)

// handle applies RFC 9915's rules to one datagram pkt received as m and,
// if it is to be answered, builds the answer into out[:0] and its
// destination into om. It returns the answer and the client-level message
// type sent (Reply or Advertise, also inside a Relay-reply), or ok false
// when the datagram is dropped (counted). It must not retain pkt, and it
// does not allocate.
func (l *loop) handle(tab *table, pkt []byte, m *iface.Meta, out []byte, om *iface.Meta) (reply []byte, sent dhcpv6.MessageType, ok bool) {
	c := l.counters
	c.Received.Add(1)
	// An answer goes back to the source: one that cannot be answered
	// (unspecified, multicast) marks a forged or broken packet.
	if !m.Src.IsValid() || m.Src.IsUnspecified() || m.Src.IsMulticast() {
		c.drop(&c.Invalid)
		return nil, 0, false
	}
	relayed := len(pkt) > 0 && dhcpv6.MessageType(pkt[0]) == dhcpv6.RelayForward
	if !relayed && !l.allow(m.Src, netip.Addr{}) {
		return nil, 0, false
	}
	if len(pkt) == 0 {
		c.drop(&c.ParseFailed)
		return nil, 0, false
	}

	var req dhcpv6.Message
	if relayed {
		c.RelayForwardReceived.Add(1)
		if err := l.chain.Parse(pkt); err != nil {
			c.drop(&c.ParseFailed)
			return nil, 0, false
		}
		// Every client behind a relay arrives from the relay's address:
		// the per-source bucket is the client's, named by the innermost
		// peer-address (RFC 9915 §9.1).
		if !l.allow(l.chain.Level(l.chain.Depth()-1).PeerAddress(), m.Src) {
			return nil, 0, false
		}
		req = l.chain.Message()
		if !c.countType(req.Type()) {
			c.drop(&c.UnsupportedType)
			return nil, 0, false
		}
	} else {
		if !c.countType(dhcpv6.MessageType(pkt[0])) {
			c.drop(&c.UnsupportedType)
			return nil, 0, false
		}
		// Clients send to ff02::1:2; a server must not accept direct
		// unicast (RFC 9915 §16, no Server Unicast option any more).
		if !m.Dst.IsMulticast() {
			c.drop(&c.UnicastDropped)
			return nil, 0, false
		}
		var err error
		if req, err = dhcpv6.ParseMessage(pkt); err != nil {
			c.drop(&c.ParseFailed)
			return nil, 0, false
		}
	}
	if tab == nil {
		c.drop(&c.NotReady)
		return nil, 0, false
	}

	lk := l.selectLink(tab, relayed, m.IfIndex)
	if lk == nil {
		c.drop(&c.NoLink)
		return nil, 0, false
	}

	set, typ := lk.reply, dhcpv6.Reply
	switch req.Type() {
	case dhcpv6.InformationRequest: // §16.12
		if sid, has := req.ServerID(); has && !bytes.Equal(sid, tab.sid) {
			c.drop(&c.NotForUs)
			return nil, 0, false
		}
		if req.HasIA() {
			c.drop(&c.IAInInfoRequest)
			return nil, 0, false
		}
	case dhcpv6.Solicit: // §16.2
		if req.Has(dhcpv6.OptServerID) || !req.Has(dhcpv6.OptClientID) {
			c.drop(&c.Invalid)
			return nil, 0, false
		}
		set, typ = lk.adv, dhcpv6.Advertise
	}

	out = out[:0]
	if relayed {
		out = l.chain.AppendRelayReplyHeaders(out)
	}
	out = set.AppendReply(out, typ, req, tab.sid)
	if typ == dhcpv6.Advertise {
		out = appendNoBindings(out, req)
	}
	if relayed {
		var err error
		if out, err = l.chain.FinishRelayReply(out); err != nil {
			c.drop(&c.BuildFailed)
			return nil, 0, false
		}
	}

	*om = iface.Meta{IfIndex: m.IfIndex, Dst: m.Src, SrcPort: m.DstPort, DstPort: clientPort}
	if relayed {
		// RFC 8357: to the relay's source port (547 for a classic relay).
		om.DstPort = m.SrcPort
		if om.DstPort == 0 {
			om.DstPort = serverPort
		}
		if !m.Dst.IsMulticast() {
			om.Src = m.Dst // answer from the address the relay sent to
		}
		if !m.Src.IsLinkLocalUnicast() && !m.Dst.IsMulticast() {
			// A relay that reached us by unicast from a global address
			// may be anywhere: let the routing table choose. One that
			// sent to a multicast group is on the ingress link, which
			// must carry the reply even when the kernel cannot route
			// there (a packet-transport link with IPv6 disabled).
			om.IfIndex = 0
		}
	}
	return out, typ, true
}

// allow applies the rate limits to a datagram from client src, relayed by
// relay (invalid for a direct message), counting a refusal.
func (l *loop) allow(src, relay netip.Addr) bool {
	switch l.s.lim.Load().allow(src, relay) {
	case allowed:
		return true
	case byClient:
		l.counters.RateLimitedSrc.Add(1)
	case byRelay:
		l.counters.RateLimitedRelay.Add(1)
	}
	l.counters.drop(&l.counters.RateLimited)
	return false
}

// selectLink returns the stanza that answers a message received on
// ifIndex: for a relayed one, the innermost non-zero link-address, else
// an exact Interface-Id match, else the receiving interface (RFC 9915
// §18.3, RFC 6221); for a direct one, the receiving interface.
func (l *loop) selectLink(tab *table, relayed bool, ifIndex int) *linkOpts {
	if relayed {
		if a, ok := l.chain.LinkAddress(); ok {
			if lk := tab.byLinkAddress(a); lk != nil {
				return lk
			}
		}
		if id, ok := l.chain.InterfaceID(); ok {
			if lk, ok := tab.ifaceIDs[string(id)]; ok {
				return lk
			}
		}
	}
	return tab.byIndex[ifIndex]
}

// appendNoBindings echoes each IA_NA of a Solicit with a NoAddrsAvail
// status inside and each IA_PD with NoPrefixAvail (RFC 9915 §18.3.9,
// §21.13): a stateless server assigns nothing, and says so, so that
// clients fall back to Information-request instead of soliciting forever.
func appendNoBindings(out []byte, req dhcpv6.Message) []byte {
	it := req.Options()
	for it.Next() {
		o := it.Option()
		switch o.Code {
		case dhcpv6.OptIANA:
			iaid, _ := o.IAID()
			out = dhcpv6.AppendIANA(out, iaid, 0, 0, dhcpv6.StatusNoAddrsAvail, msgNoAddrs)
		case dhcpv6.OptIAPD:
			iaid, _ := o.IAID()
			var start int
			out, start = dhcpv6.StartOption(out, dhcpv6.OptIAPD)
			out = append(out, byte(iaid>>24), byte(iaid>>16), byte(iaid>>8), byte(iaid), 0, 0, 0, 0, 0, 0, 0, 0)
			out = dhcpv6.AppendStatusCode(out, dhcpv6.StatusNoPrefixAvail, msgNoPrefixes)
			out = dhcpv6.FinishOption(out, start)
		}
	}
	return out
}

// countType counts a client message by type and reports whether the
// server answers that type (Solicit and Information-request).
func (c *Counters) countType(t dhcpv6.MessageType) bool {
	switch t {
	case dhcpv6.Solicit:
		c.SolicitReceived.Add(1)
		return true
	case dhcpv6.InformationRequest:
		c.InfRequestReceived.Add(1)
		return true
	case dhcpv6.Request:
		c.RequestReceived.Add(1)
	case dhcpv6.Renew:
		c.RenewReceived.Add(1)
	case dhcpv6.Rebind:
		c.RebindReceived.Add(1)
	case dhcpv6.Release:
		c.ReleaseReceived.Add(1)
	case dhcpv6.Decline:
		c.DeclineReceived.Add(1)
	case dhcpv6.Confirm:
		c.ConfirmReceived.Add(1)
	default:
		c.UnknownReceived.Add(1)
	}
	return false
}
