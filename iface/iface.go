// Package iface is radish's boundary with the operating system: sockets,
// netlink, sysctls and AF_PACKET. Engines depend only on the small
// interfaces declared in this file; package iface/ifacetest provides
// in-memory fakes of each for unit tests.
//
// Contract for every Conn: ReadFrom and WriteTo do not allocate; the caller
// owns the buffer and the Meta, and the Conn does not retain either after the
// call returns.
//
// Libraries at this boundary, and why:
//   - golang.org/x/net/ipv6 sets the raw ICMPv6 and UDP sockets up (ICMP
//     filter, hop limits, multicast membership, packet info); reads and
//     writes then go through the socket's RawConn with prepared msghdrs,
//     because the library's own ReadFrom/WriteTo allocate per packet.
//   - github.com/jsimonetti/rtnetlink/v2 over github.com/mdlayher/netlink
//     decodes link, address and netconf messages. It was chosen over
//     vishvananda/netlink because it starts no goroutines of its own (the
//     latter's subscriptions start two per subscription, and a receive
//     error such as ENOBUFS ends the subscription), and because
//     mdlayher/netlink's conn supports deadlines and closing from a
//     context, which the overrun recovery (drain, re-dump, Synced) needs.
//   - github.com/mdlayher/packet opens the AF_PACKET socket and attaches
//     the classic BPF filter; frames are then read with recvmsg into a
//     fixed buffer, because its ReadFrom allocates a net.Addr per frame.
package iface

import (
	"context"
	"errors"
	"net/netip"
)

// ErrClosed is returned by a Conn's methods after Close.
var ErrClosed = errors.New("iface: connection closed")

// Meta is the per-packet metadata that travels beside a packet's payload.
// Its fields are named after the packet's own header fields: on ReadFrom,
// Src and SrcPort are the remote peer and Dst/DstPort the local address the
// packet was sent to; on WriteTo, Src is the local source address (the zero
// Addr, or a multicast address, lets the kernel choose) and Dst/DstPort the
// remote destination. Addresses carry no zone (adding one would allocate):
// IfIndex names the link of link-local and link-scope multicast addresses.
// A reply's Meta is the request's with Src/Dst and SrcPort/DstPort swapped.
type Meta struct {
	IfIndex  int        // ingress interface on read, egress on write
	Src      netip.Addr // IPv6 source address
	Dst      netip.Addr // IPv6 destination address
	SrcPort  uint16     // UDP only
	DstPort  uint16     // UDP only
	HopLimit int        // IPv6 hop limit received; on write 0 means the socket default
}

// Conn is a datagram socket shared by many links, such as one raw ICMPv6
// socket or one UDP socket on port 547. Packets are demultiplexed by
// Meta.IfIndex.
type Conn interface {
	// ReadFrom reads one packet's payload into b and fills m. It blocks
	// until a packet arrives or the Conn is closed. It must not allocate.
	ReadFrom(b []byte, m *Meta) (int, error)
	// WriteTo sends b as one packet as described by m. It must not allocate.
	WriteTo(b []byte, m *Meta) (int, error)
	// JoinGroup and LeaveGroup manage multicast membership on one link.
	JoinGroup(ifIndex int, group netip.Addr) error
	LeaveGroup(ifIndex int, group netip.Addr) error
	// Close unblocks pending reads, which then return ErrClosed.
	Close() error
}

// BatchConn is implemented by Conns that can move several packets per
// system call (recvmmsg/sendmmsg). Engines use it when available.
type BatchConn interface {
	Conn
	// ReadBatch reads up to len(bufs) packets; for each packet i < n it
	// sets lens[i] and metas[i]. It blocks until at least one packet is
	// available. It must not allocate.
	ReadBatch(bufs [][]byte, lens []int, metas []Meta) (n int, err error)
	// WriteBatch sends bufs[i] as described by metas[i]; it returns the
	// number of packets sent. It must not allocate.
	WriteBatch(bufs [][]byte, metas []Meta) (n int, err error)
}

// Link is a network interface as the kernel reports it.
type Link struct {
	Index        int
	Name         string
	Up           bool    // administratively up and operationally running (IFF_UP and IFF_RUNNING / oper state up)
	MTU          int     // link MTU in bytes
	HardwareAddr [6]byte // Ethernet MAC; zero for links without one
	Master       int     // ifindex of the bridge or bond this link is enslaved to, 0 if none
	IPv6Disabled bool    // net.ipv6.conf.NAME.disable_ipv6 = 1 (best effort; see Sysctl)
}

// AddrFlags are the kernel's IFA_F_* flags relevant to radish.
type AddrFlags uint32

// Address flags, with the kernel's values (linux/if_addr.h).
const (
	AddrTemporary  AddrFlags = 0x01
	AddrNoDAD      AddrFlags = 0x02
	AddrOptimistic AddrFlags = 0x04
	AddrDADFailed  AddrFlags = 0x08
	AddrHomeAddr   AddrFlags = 0x10
	AddrDeprecated AddrFlags = 0x20
	AddrTentative  AddrFlags = 0x40
	AddrPermanent  AddrFlags = 0x80
)

// Infinite is the lifetime value meaning "forever", for address lifetimes
// here as on the wire.
const Infinite = ^uint32(0)

// Addr is one IPv6 address assigned to a link.
type Addr struct {
	IfIndex   int
	Prefix    netip.Prefix // the address with its prefix length, e.g. 2001:db8::1/64
	Flags     AddrFlags
	Preferred uint32 // remaining preferred lifetime in seconds, Infinite for forever
	Valid     uint32 // remaining valid lifetime in seconds, Infinite for forever
}

// EventKind says what an Event reports.
type EventKind uint8

// Event kinds.
const (
	LinkUpdate    EventKind = iota + 1 // a link appeared or changed; Event.Link is its new state
	LinkDelete                         // a link was removed; Event.Link holds its last state
	AddrUpdate                         // an address was added or changed; Event.Addr
	AddrDelete                         // an address was removed; Event.Addr
	Synced                             // the initial dump is complete: state is now current
	NetconfUpdate                      // a link's IPv6 configuration is reported or changed; Event.Netconf
)

// Netconf is the part of a link's IPv6 configuration (net.ipv6.conf.IFNAME)
// that the kernel reports over rtnetlink (RTM_NEWNETCONF, group
// RTNLGRP_IPV6_NETCONF).
type Netconf struct {
	IfIndex    int
	Forwarding bool // net.ipv6.conf.IFNAME.forwarding is not 0 (RFC 4861 §6.2.5's "is a router")
}

// Event is one change in the kernel's link and address tables, or in a
// link's IPv6 configuration.
type Event struct {
	Kind    EventKind
	Link    Link
	Addr    Addr
	Netconf Netconf
}

// Watcher reports links and IPv6 addresses. Watch first delivers the
// current state (LinkUpdate and AddrUpdate events for everything that
// exists), then one Synced event, then changes as they happen, until ctx is
// done, when the channel is closed. A Watcher resynchronises by itself after
// a netlink overrun: it delivers the fresh state, LinkDelete and AddrDelete
// for what it had reported and is now gone, then Synced again. Consumers
// may see an update that repeats the state they already have, and a
// delete for something already deleted; both are to be applied as
// idempotent.
//
// A Watcher may also report each link's IPv6 forwarding state with
// NetconfUpdate events: then every link's state is in the initial state
// (and in every resynchronisation), after the link's LinkUpdate and before
// Synced, and a NetconfUpdate follows each change, including those made by
// writing net.ipv6.conf.all.forwarding. A NetconfUpdate is only ever sent
// for a link already reported by a LinkUpdate. A consumer that has seen no
// NetconfUpdate by the first Synced must assume the Watcher does not
// report forwarding (for instance on a kernel without
// RTNLGRP_IPV6_NETCONF) and read the sysctl itself.
type Watcher interface {
	Watch(ctx context.Context) (<-chan Event, error)
}

// Sysctl reads and writes per-interface IPv6 sysctls
// (/proc/sys/net/ipv6/conf/IFNAME/KEY). It is control-plane only.
type Sysctl interface {
	// IPv6 returns the value of net.ipv6.conf.IFNAME.KEY, trimmed.
	IPv6(ifName, key string) (string, error)
	// SetIPv6 writes net.ipv6.conf.IFNAME.KEY.
	SetIPv6(ifName, key, value string) error
}
