package iface

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"github.com/mdlayher/packet"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"github.com/radish-net/radish/internal/inet"
)

// Errors returned by PacketConn, unwrapped.
var (
	// ErrNoNeighbor is returned by PacketConn.WriteTo for a unicast
	// destination from which no packet has been received recently, so its
	// MAC address is unknown (PacketConn does no Neighbor Discovery).
	ErrNoNeighbor = errors.New("iface: no MAC address learned for unicast destination")
	// ErrWrongLink is returned when Meta.IfIndex (or a group's ifIndex) is
	// neither zero nor the PacketConn's own link.
	ErrWrongLink = errors.New("iface: packet conn is bound to another link")
	// ErrPacketTooBig is returned by WriteTo when the frame would exceed
	// the link MTU.
	ErrPacketTooBig = errors.New("iface: packet exceeds the link MTU")
)

// Well-known values used by the packet transport.
const (
	icmpv6TypeRouterSolicitation = 133 // RFC 4861 §4.1
	dhcpv6ServerPort             = 547 // RFC 9915 §7.2
	hopLimitND                   = 255 // RFC 4861 §6.1.2: RA hop limit
	hopLimitDefault              = 64  // DHCPv6 replies
	packetOtherHost              = 3   // PACKET_OTHERHOST, linux/if_packet.h
	packetOutgoing               = 4   // PACKET_OUTGOING, linux/if_packet.h
	neighCacheSize               = 16
)

// PacketCounters counts what a PacketConn did. Fields are updated
// atomically and may be read at any time.
type PacketCounters struct {
	Received    atomic.Uint64 // frames read from the socket (after the BPF filter)
	Delivered   atomic.Uint64 // payloads returned by ReadFrom
	BadChecksum atomic.Uint64 // frames dropped for a wrong ICMPv6/UDP checksum
	Malformed   atomic.Uint64 // frames dropped by ParseFrame for other reasons (extension headers, bad lengths)
	VLAN        atomic.Uint64 // frames dropped because they carry a VLAN tag (they belong to a VLAN link); see PacketConn
	Unverified  atomic.Uint64 // frames accepted without checksum check: sent by this host with checksum offload
	Truncated   atomic.Uint64 // payloads dropped because the caller's buffer was too small
	Sent        atomic.Uint64 // frames written
	NoNeighbor  atomic.Uint64 // unicast writes refused with ErrNoNeighbor
}

// PacketConn is an AF_PACKET transport for ONE Ethernet link, for links
// where the host's own IPv6 stack cannot be used: the bridge or port has
// net.ipv6.conf.IF.disable_ipv6=1, or its link-local address failed DAD,
// so the kernel neither delivers Router Solicitations and DHCPv6 to
// sockets nor lets them send. It implements Conn with Meta.IfIndex always
// the link's index.
//
// Receiving: a classic BPF filter attached before the socket is bound
// passes only frames that are neither outgoing (PACKET_OUTGOING) nor for
// another station (PACKET_OTHERHOST: a promiscuous link such as a bridge
// port sees those, and the kernel also marks so a frame tagged for a VLAN
// without a link here, after removing its tag), have
// EtherType 0x86DD, and whose IPv6 next header is either ICMPv6 with type
// 133 (Router Solicitation) or UDP with destination port 547 (DHCPv6
// server). The filter reads fixed offsets, so it is written for the common
// case of an untagged frame whose IPv6 header has no extension headers;
// packets with extension headers (a Hop-by-Hop option, a fragment header)
// are not delivered. ReadFrom parses the frame (ParseFrame), verifies the
// checksum, drops and counts bad frames, and returns the ICMPv6 message or
// the UDP payload. Two cases come from the kernel's packet auxiliary data
// (PACKET_AUXDATA): a frame sent by another namespace of the same host over
// a veth still has its checksum left for offload (TP_STATUS_CSUMNOTREADY);
// it is accepted unverified, as the kernel's own sockets would, and
// counted. A frame whose VLAN tag was stripped into metadata
// (TP_STATUS_VLAN_VALID) and that still passed the filter belongs to a
// VLAN link, not this one, and is dropped and counted (a guard: the
// filter's PACKET_OTHERHOST test already drops such frames on this kernel).
//
// Multicast: the socket is explicitly not promiscuous. It sees the frames
// the NIC accepts; JoinGroup adds the group's 33:33 MAC to the NIC's
// filter (PACKET_ADD_MEMBERSHIP, PACKET_MR_MULTICAST), which is needed
// when the kernel itself has not joined the group (disable_ipv6=1).
//
// Sending: WriteTo builds the whole frame. The IPv6 source is Meta.Src or,
// when zero, the conn's source (see PacketSource; by default the modified
// EUI-64 link-local address of the link's MAC). Multicast destinations map
// to 33:33 MACs (RFC 2464 §7); for unicast destinations the MAC is taken
// from a small fixed-size cache of source addresses of recently received
// packets, which covers replies to Router Solicitations and DHCPv6
// requests. The link's MAC is read once, by ListenPacket; reopen the conn
// when it changes.
//
// ReadFrom and WriteTo do not allocate. One goroutine may read while one
// other goroutine writes; two concurrent readers or two concurrent writers
// are not allowed. JoinGroup, LeaveGroup, Counters and Close may be called
// from any goroutine.
type PacketConn struct {
	ifIndex int
	mac     [6]byte
	src     netip.Addr
	maxLen  int // largest frame: link MTU + Ethernet header
	pc      *packet.Conn
	rc      syscall.RawConn
	closed  atomic.Bool
	stats   PacketCounters

	// Read side, owned by the single reader.
	rbuf    []byte
	rcbuf   []byte // control messages: PACKET_AUXDATA
	riov    unix.Iovec
	rmsg    unix.Msghdr
	rn      int
	rstatus uint32 // tp_status of the last frame
	rerr    syscall.Errno
	readFn  func(fd uintptr) bool
	rframe  Frame

	// Write side, owned by the single writer.
	wbuf    []byte
	werr    syscall.Errno
	writeFn func(fd uintptr) bool
	wframe  Frame

	nmu   sync.Mutex
	neigh [neighCacheSize]neighEntry
	nnext int
}

type neighEntry struct {
	ip  [16]byte
	mac [6]byte
	ok  bool
}

var _ Conn = (*PacketConn)(nil)

// PacketOption configures ListenPacket.
type PacketOption func(*PacketConn) error

// PacketSource sets the IPv6 source address WriteTo uses when Meta.Src is
// zero, typically the router's configured link-local address (RFC 4861
// §4.2 requires RAs to come from a link-local address).
func PacketSource(addr netip.Addr) PacketOption {
	return func(c *PacketConn) error {
		if !addr.Is6() || addr.Is4In6() || addr.IsMulticast() || addr.IsUnspecified() {
			return fmt.Errorf("iface: packet source %v is not an IPv6 unicast address", addr)
		}
		c.src = addr.WithZone("")
		return nil
	}
}

// PacketFilter returns the classic BPF program ListenPacket attaches to
// its socket; see PacketConn for what it passes. The first three
// instructions use the kernel's packet-type extension to drop outgoing
// frames and frames for another station (PACKET_OTHERHOST: seen because
// the link is promiscuous, as every bridge port is, or tagged for a VLAN
// this host has no link for); the rest reads only the frame.
func PacketFilter() []bpf.Instruction {
	const (
		offType   = offUpper     // ICMPv6 type
		offDPort  = offUpper + 2 // UDP destination port
		retAccept = 0x40000      // keep the whole frame
		retDrop   = 0
		// Instruction indexes used as jump targets; a jump from
		// instruction i skips target-i-1 instructions.
		iUDP    = 9
		iAccept = 12
		iDrop   = 13
	)
	return []bpf.Instruction{
		/* 0 */ bpf.LoadExtension{Num: bpf.ExtType},
		/* 1 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: packetOutgoing, SkipTrue: iDrop - 2},
		/* 2 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: packetOtherHost, SkipTrue: iDrop - 3},
		/* 3 */ bpf.LoadAbsolute{Off: offEtherType, Size: 2},
		/* 4 */ bpf.JumpIf{Cond: bpf.JumpNotEqual, Val: EtherTypeIPv6, SkipTrue: iDrop - 5},
		/* 5 */ bpf.LoadAbsolute{Off: offNextHeader, Size: 1},
		/* 6 */ bpf.JumpIf{Cond: bpf.JumpNotEqual, Val: inet.ProtoICMPv6, SkipTrue: iUDP - 7},
		/* 7 */ bpf.LoadAbsolute{Off: offType, Size: 1},
		/* 8 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: icmpv6TypeRouterSolicitation, SkipTrue: iAccept - 9, SkipFalse: iDrop - 9},
		/* 9 */ bpf.JumpIf{Cond: bpf.JumpNotEqual, Val: inet.ProtoUDP, SkipTrue: iDrop - 10},
		/* 10 */ bpf.LoadAbsolute{Off: offDPort, Size: 2},
		/* 11 */ bpf.JumpIf{Cond: bpf.JumpNotEqual, Val: dhcpv6ServerPort, SkipTrue: iDrop - 12},
		/* 12 */ bpf.RetConstant{Val: retAccept},
		/* 13 */ bpf.RetConstant{Val: retDrop},
	}
}

// ListenPacket opens an AF_PACKET socket on the Ethernet link with index
// ifIndex, in the calling thread's network namespace. It needs
// CAP_NET_RAW. The conn joins no multicast group by itself: call JoinGroup
// for ff02::2 (all routers, for Router Solicitations) and ff02::1:2 (all
// DHCP relay agents and servers) as needed.
func ListenPacket(ifIndex int, opts ...PacketOption) (*PacketConn, error) {
	ifi, err := net.InterfaceByIndex(ifIndex)
	if err != nil {
		return nil, fmt.Errorf("iface: packet conn on link %d: %w", ifIndex, err)
	}
	if len(ifi.HardwareAddr) != 6 {
		return nil, fmt.Errorf("iface: packet conn on %s: not an Ethernet link (hardware address %q)", ifi.Name, ifi.HardwareAddr)
	}
	c := &PacketConn{ifIndex: ifIndex}
	copy(c.mac[:], ifi.HardwareAddr)
	c.src = LinkLocalFromMAC(c.mac)
	for _, o := range opts {
		if err := o(c); err != nil {
			return nil, err
		}
	}
	mtu := max(ifi.MTU, 1280)
	c.maxLen = EthernetHeaderLen + mtu
	c.rbuf = make([]byte, c.maxLen+4) // room for a VLAN tag left in by a bridge
	c.rcbuf = make([]byte, 64)        // heap memory, so aligned for Cmsghdr
	c.riov.Base = &c.rbuf[0]
	c.riov.SetLen(len(c.rbuf))
	c.rmsg.Iov = &c.riov
	c.rmsg.SetIovlen(1)
	c.rmsg.Control = &c.rcbuf[0]
	c.wbuf = make([]byte, 0, c.maxLen)

	filter, err := bpf.Assemble(PacketFilter())
	if err != nil {
		return nil, fmt.Errorf("iface: packet filter: %w", err)
	}
	pc, err := packet.Listen(ifi, packet.Raw, EtherTypeIPv6, &packet.Config{Filter: filter})
	if err != nil {
		return nil, fmt.Errorf("iface: packet conn on %s: %w", ifi.Name, err)
	}
	rc, err := pc.SyscallConn()
	if err != nil {
		pc.Close()
		return nil, fmt.Errorf("iface: packet conn on %s: %w", ifi.Name, err)
	}
	// Explicitly not promiscuous: only frames the NIC accepts for itself
	// and for joined groups.
	if err := pc.SetPromiscuous(false); err != nil {
		pc.Close()
		return nil, fmt.Errorf("iface: packet conn on %s: %w", ifi.Name, err)
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.SOL_PACKET, unix.PACKET_AUXDATA, 1)
	}); err != nil || serr != nil {
		pc.Close()
		return nil, fmt.Errorf("iface: packet conn on %s: PACKET_AUXDATA: %w", ifi.Name, errors.Join(err, serr))
	}
	c.pc, c.rc = pc, rc
	// Bound once here so that ReadFrom and WriteTo pass the same func
	// values to RawConn.Read and Write without allocating a closure.
	c.readFn = c.recv
	c.writeFn = c.send
	return c, nil
}

// IfIndex returns the index of the conn's link.
func (c *PacketConn) IfIndex() int { return c.ifIndex }

// HardwareAddr returns the link's MAC address, the source of every frame
// written.
func (c *PacketConn) HardwareAddr() [6]byte { return c.mac }

// Source returns the default IPv6 source address of WriteTo.
func (c *PacketConn) Source() netip.Addr { return c.src }

// Counters returns the conn's counters.
func (c *PacketConn) Counters() *PacketCounters { return &c.stats }

// SetReadDeadline sets a deadline for pending and future ReadFrom calls;
// see net.Conn. The zero time means none.
func (c *PacketConn) SetReadDeadline(t time.Time) error { return c.pc.SetReadDeadline(t) }

// ReadFrom reads the next Router Solicitation or DHCPv6 packet addressed to
// port 547 into b and fills m: IfIndex, Src, Dst, HopLimit and, for UDP,
// SrcPort and DstPort. For ICMPv6 it returns the whole ICMPv6 message, for
// UDP the UDP payload. Frames that fail to parse or whose checksum is wrong,
// and payloads longer than b, are dropped and counted. It does not
// allocate.
func (c *PacketConn) ReadFrom(b []byte, m *Meta) (int, error) {
	for {
		if c.closed.Load() {
			return 0, ErrClosed
		}
		if err := c.rc.Read(c.readFn); err != nil {
			if c.closed.Load() {
				return 0, ErrClosed
			}
			return 0, err
		}
		if c.rerr != 0 {
			if c.closed.Load() {
				return 0, ErrClosed
			}
			return 0, c.rerr
		}
		c.stats.Received.Add(1)
		if c.rstatus&unix.TP_STATUS_VLAN_VALID != 0 {
			c.stats.VLAN.Add(1)
			continue
		}
		verify := c.rstatus&unix.TP_STATUS_CSUMNOTREADY == 0
		if !verify {
			c.stats.Unverified.Add(1)
		}
		f := &c.rframe
		switch err := parseFrame(c.rbuf[:c.rn], f, verify); err {
		case nil:
		case ErrFrameChecksum:
			c.stats.BadChecksum.Add(1)
			continue
		default:
			c.stats.Malformed.Add(1)
			continue
		}
		if len(f.Payload) > len(b) {
			c.stats.Truncated.Add(1)
			continue
		}
		n := copy(b, f.Payload)
		c.learn(f.Src, f.SrcMAC)
		*m = Meta{
			IfIndex:  c.ifIndex,
			Src:      f.Src,
			Dst:      f.Dst,
			SrcPort:  f.SrcPort,
			DstPort:  f.DstPort,
			HopLimit: int(f.HopLimit),
		}
		f.Payload = nil
		c.stats.Delivered.Add(1)
		return n, nil
	}
}

// recv is the RawConn read callback: one recvmsg(2) into rbuf, with the
// frame's packet auxiliary data in rcbuf.
func (c *PacketConn) recv(fd uintptr) bool {
	for {
		c.rmsg.SetControllen(len(c.rcbuf))
		c.rmsg.Flags = 0
		n, _, e := unix.Syscall(unix.SYS_RECVMSG, fd, uintptr(unsafe.Pointer(&c.rmsg)), 0)
		switch e {
		case 0:
			c.rn, c.rerr = int(n), 0
			c.rstatus = auxStatus(c.rcbuf[:min(int(c.rmsg.Controllen), len(c.rcbuf))])
			return true
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return false
		}
		c.rn, c.rerr = 0, e
		return true
	}
}

// auxStatus returns tp_status from the PACKET_AUXDATA control message in
// cb, or 0 when there is none.
func auxStatus(cb []byte) uint32 {
	for len(cb) >= unix.SizeofCmsghdr {
		h := (*unix.Cmsghdr)(unsafe.Pointer(&cb[0]))
		l := int(h.Len)
		if l < unix.SizeofCmsghdr || l > len(cb) {
			return 0
		}
		if h.Level == unix.SOL_PACKET && h.Type == unix.PACKET_AUXDATA && l >= unix.CmsgLen(int(unsafe.Sizeof(unix.TpacketAuxdata{}))) {
			return (*unix.TpacketAuxdata)(unsafe.Pointer(&cb[unix.CmsgLen(0)])).Status
		}
		cb = cb[min(unix.CmsgSpace(l-unix.CmsgLen(0)), len(cb)):]
	}
	return 0
}

// WriteTo sends b on the link as one frame described by m. When
// m.DstPort is non-zero, b is a UDP payload sent from m.SrcPort (547 when
// zero) to m.DstPort, with hop limit 64 unless m.HopLimit is set.
// Otherwise b is an ICMPv6 message (type first; its checksum field is
// ignored and the checksum computed), with hop limit 255 unless m.HopLimit
// is set. m.IfIndex must be zero or the conn's link; m.Src zero selects
// the conn's source address. It returns len(b). It does not allocate.
func (c *PacketConn) WriteTo(b []byte, m *Meta) (int, error) {
	if c.closed.Load() {
		return 0, ErrClosed
	}
	if m.IfIndex != 0 && m.IfIndex != c.ifIndex {
		return 0, ErrWrongLink
	}
	f := &c.wframe
	f.SrcMAC = c.mac
	f.Src = m.Src
	if !f.Src.IsValid() {
		f.Src = c.src
	}
	f.Dst = m.Dst
	if !f.Dst.Is6() {
		return 0, ErrFrameAddr
	}
	if f.Dst.IsMulticast() {
		f.DstMAC = MulticastMAC(f.Dst)
	} else if !c.lookup(f.Dst, &f.DstMAC) {
		c.stats.NoNeighbor.Add(1)
		return 0, ErrNoNeighbor
	}
	size := EthernetHeaderLen + IPv6HeaderLen + len(b)
	if m.DstPort != 0 {
		f.NextHeader = inet.ProtoUDP
		f.SrcPort, f.DstPort = m.SrcPort, m.DstPort
		if f.SrcPort == 0 {
			f.SrcPort = dhcpv6ServerPort
		}
		f.HopLimit = hopLimitDefault
		size += UDPHeaderLen
	} else {
		f.NextHeader = inet.ProtoICMPv6
		f.SrcPort, f.DstPort = 0, 0
		f.HopLimit = hopLimitND
	}
	if m.HopLimit > 0 {
		f.HopLimit = uint8(min(m.HopLimit, 255))
	}
	if size > c.maxLen {
		return 0, ErrPacketTooBig
	}
	f.Payload = b
	var err error
	c.wbuf, err = AppendFrame(c.wbuf[:0], f)
	f.Payload = nil
	if err != nil {
		return 0, err
	}
	if err := c.rc.Write(c.writeFn); err != nil {
		if c.closed.Load() {
			return 0, ErrClosed
		}
		return 0, err
	}
	if c.werr != 0 {
		return 0, c.werr
	}
	c.stats.Sent.Add(1)
	return len(b), nil
}

// send is the RawConn write callback: one sendto(2) of wbuf without an
// address, so the kernel uses the link and protocol the socket is bound
// to.
func (c *PacketConn) send(fd uintptr) bool {
	for {
		_, _, e := unix.Syscall6(unix.SYS_SENDTO, fd, uintptr(unsafe.Pointer(&c.wbuf[0])), uintptr(len(c.wbuf)), 0, 0, 0)
		switch e {
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return false
		}
		c.werr = e
		return true
	}
}

// learn records src → mac for unicast replies, replacing the oldest entry
// when the cache is full.
func (c *PacketConn) learn(src netip.Addr, mac [6]byte) {
	if !src.IsValid() || src.IsUnspecified() || src.IsMulticast() || mac[0]&1 != 0 {
		return
	}
	ip := src.As16()
	c.nmu.Lock()
	defer c.nmu.Unlock()
	for i := range c.neigh {
		if e := &c.neigh[i]; e.ok && e.ip == ip {
			e.mac = mac
			return
		}
	}
	c.neigh[c.nnext] = neighEntry{ip: ip, mac: mac, ok: true}
	c.nnext = (c.nnext + 1) % neighCacheSize
}

// lookup finds dst's MAC in the cache.
func (c *PacketConn) lookup(dst netip.Addr, mac *[6]byte) bool {
	ip := dst.As16()
	c.nmu.Lock()
	defer c.nmu.Unlock()
	for i := range c.neigh {
		if e := &c.neigh[i]; e.ok && e.ip == ip {
			*mac = e.mac
			return true
		}
	}
	return false
}

// JoinGroup makes the link's NIC accept frames for the IPv6 multicast
// group (its 33:33 MAC). ifIndex must be zero or the conn's link.
func (c *PacketConn) JoinGroup(ifIndex int, group netip.Addr) error {
	return c.membership(ifIndex, group, true)
}

// LeaveGroup undoes JoinGroup.
func (c *PacketConn) LeaveGroup(ifIndex int, group netip.Addr) error {
	return c.membership(ifIndex, group, false)
}

func (c *PacketConn) membership(ifIndex int, group netip.Addr, join bool) error {
	if ifIndex != 0 && ifIndex != c.ifIndex {
		return ErrWrongLink
	}
	if !group.Is6() || !group.IsMulticast() {
		return fmt.Errorf("iface: %v is not an IPv6 multicast group", group)
	}
	if c.closed.Load() {
		return ErrClosed
	}
	mac := MulticastMAC(group)
	var err error
	if join {
		err = c.pc.JoinGroup(mac[:])
	} else {
		err = c.pc.LeaveGroup(mac[:])
	}
	if err != nil {
		return fmt.Errorf("iface: packet conn on link %d: group %v: %w", c.ifIndex, group, err)
	}
	return nil
}

// Close closes the socket; blocked and later ReadFrom and WriteTo calls
// return ErrClosed.
func (c *PacketConn) Close() error {
	if c.closed.Swap(true) {
		return nil
	}
	return c.pc.Close()
}
