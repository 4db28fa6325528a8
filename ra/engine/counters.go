package engine

import "sync/atomic"

// Counters are the engine's statistics. Every field is updated atomically on
// the packet path without locks or allocation; read them with Load.
type Counters struct {
	RSReceived atomic.Uint64 // Router Solicitations read from any Conn

	// Invalid RSes by reason (RFC 4861 §6.1.1).
	RSInvalidHopLimit atomic.Uint64 // IPv6 hop limit not 255
	RSInvalidCode     atomic.Uint64 // ICMP code not 0
	RSInvalidLength   atomic.Uint64 // shorter than 8 octets
	RSInvalidOption   atomic.Uint64 // an option with length 0 or past the end
	RSInvalidSLLA     atomic.Uint64 // unspecified source with a source link-layer address option

	RSDroppedQueue     atomic.Uint64 // the event loop's queue was full
	RSDroppedNotServed atomic.Uint64 // the link is not served (unknown, down, no config, AdvSendAdvert off)
	RSDroppedClients   atomic.Uint64 // the source is not allowed by the clients list
	RSDroppedBatch     atomic.Uint64 // unicast answer batch full and multicast not allowed (UnicastOnly)
	RSDroppedUnicast   atomic.Uint64 // needs a multicast answer (source ::) but the link is UnicastOnly

	RAMulticast  atomic.Uint64 // unsolicited multicast RAs (periodic and initial)
	RAUnicast    atomic.Uint64 // unicast RAs (solicited, or periodic to a clients list)
	RASolicited  atomic.Uint64 // RAs sent in answer to RSes (multicast or unicast)
	RAFinal      atomic.Uint64 // final RAs (Router Lifetime 0) on shutdown or removal
	RASendErrors atomic.Uint64 // Conn.WriteTo failures

	RAFromOthers        atomic.Uint64 // RAs received from other routers on served links
	RAInconsistent      atomic.Uint64 // of those, RAs inconsistent with ours (RFC 4861 §6.2.7)
	ForwardingOff       atomic.Uint64 // transitions of a link's forwarding from on to off
	LinksServed         atomic.Uint64 // links currently advertising (a gauge)
	ReceiveErrors       atomic.Uint64 // Conn.ReadFrom errors other than close
	TransportErrors     atomic.Uint64 // PacketConnFactory failures
	ConsistencyBadRAs   atomic.Uint64 // RAs from others that failed to parse
	RAOthersOwnLoopback atomic.Uint64 // our own RAs looped back and ignored
}
