// Package demux lets the DHCPv6 server serve links that use the packet
// transport (AF_PACKET, iface.PacketConn) as well as links served through
// the kernel's UDP socket on port 547, over the one iface.BatchConn that
// dhcpv6/server reads.
//
// A Mux has two sides:
//
//   - Link wraps each per-link packet conn that the RA engine opens (the
//     engine's PacketConnFactory returns it) and registers it under its
//     ifindex. The engine keeps reading the Link: ICMPv6 packets (Router
//     Solicitations, Meta ports zero) are returned to it as before, while
//     UDP packets (Meta.DstPort set: DHCPv6 to port 547) sent to a
//     multicast or link-local unicast address are copied into the server
//     side's queue and the read continues. UDP packets sent to any other
//     (global or unique local) unicast address are dropped and counted
//     (Counters.NotForUs): see the last paragraph. The engine's own
//     reader goroutine and buffer do the forwarding; no goroutine is added
//     per link. Closing the Link (the engine does so when the link stops
//     needing the packet transport) unregisters it.
//   - ServerConn (from Serve) is the conn handed to the DHCPv6 server. It
//     owns the kernel UDP conn: one goroutine reads it into the same queue.
//     Reads return packets from both sources in arrival order; writes are
//     routed by Meta.IfIndex: to the registered Link of that ifindex, and
//     to the kernel UDP conn for every other ifindex (and for 0, routed by
//     the kernel). A write whose Link closed meanwhile fails with
//     ErrLinkGone, never iface.ErrClosed, which only reports that the
//     ServerConn itself is closed.
//
// Queue: a fixed ring of Options.Slots buffers of Options.SlotSize bytes,
// allocated by Serve, and two channels of slot indices (free and ready).
// A Link that finds no free slot drops the packet and counts it
// (Counters.QueueFull); the kernel reader waits for a slot instead, leaving
// the packets in the socket's receive buffer. UDP packets read by a Link
// while no ServerConn is open are dropped and counted (Counters.NoServer).
//
// Multicast membership follows the transport: ServerConn.JoinGroup records
// the group for the ifindex and joins it on that link's packet conn when
// one is registered (adding the group's 33:33 MAC to the NIC filter), on
// the kernel UDP conn otherwise. When a Link registers, the groups
// recorded for its ifindex move to it (they are left on the kernel conn,
// so that a link forced onto the packet transport is not answered twice);
// when it closes, they move back to the kernel conn. Failures on these
// moves are reported to Options.OnError.
//
// Allocation and concurrency: Link.ReadFrom, Link.WriteTo and the
// ServerConn's ReadFrom, ReadBatch, WriteTo and WriteBatch do not allocate.
// Writes to a Link from the engine and from the server are serialized by
// the Link's mutex (a packet conn allows one writer at a time); routing
// reads an immutable ifindex table through an atomic pointer. Registering,
// closing and group changes are control-plane operations under one mutex.
//
// Which side serves a packet on a link with a registered Link follows its
// destination, so that each packet is answered once and only packets for
// this host are answered. A packet conn reads every frame sent to the
// link's multicast groups or to the host's MAC, including frames the
// kernel is only forwarding to another host (a downstream relay's
// Relay-forward to an upstream DHCPv6 server, say), and it cannot tell
// the host's own global addresses from others. So:
//
//   - multicast and link-local unicast destinations are served from the
//     packet conn: a multicast frame was read only because its group is
//     joined on the link, and a link-local one is never forwarded, so one
//     addressed to the host's MAC is for the host. When the link's kernel
//     IPv6 still works (a link forced onto the packet transport), the
//     kernel socket's copy is dropped and counted
//     (Counters.KernelDuplicate);
//   - other unicast destinations are the kernel socket's: it delivers
//     only packets sent to one of the host's own addresses (a relay's
//     unicast Relay-forward to the router, for instance), and the packet
//     conn's copies are dropped (Counters.NotForUs). With the link's IPv6
//     disabled, relays on that link must send to ff02::1:2, ff05::1:3 or
//     a link-local address.
package demux
