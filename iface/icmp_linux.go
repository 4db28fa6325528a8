package iface

import (
	"fmt"
	"net"
	"net/netip"

	"golang.org/x/net/ipv6"
)

// ICMPConn is the kernel's raw ICMPv6 socket for Router Solicitations and
// Router Advertisements (RFC 4861 §6), one socket shared by every link.
//
// The socket is set up as RFC 4861 §6.1 requires of a router: it receives
// only Router Solicitation and Router Advertisement messages (an ICMPv6
// type filter), reports each packet's destination, ingress interface and
// hop limit (IPV6_RECVPKTINFO, IPV6_RECVHOPLIMIT), sends with hop limit
// 255 to unicast and multicast destinations, and does not loop its own
// multicast back. The kernel computes the ICMPv6 checksum of every packet
// written, so callers leave the checksum field zero.
//
// ReadFrom and WriteTo do not allocate. One goroutine may read while one
// other goroutine writes; two concurrent readers, or two concurrent
// writers, are not allowed (each direction owns one prepared msghdr).
// JoinGroup, LeaveGroup and Close may be called from any goroutine.
type ICMPConn struct {
	sock
	pc *net.IPConn
	p  *ipv6.PacketConn
}

var _ Conn = (*ICMPConn)(nil)

// ListenICMP opens the raw ICMPv6 socket in the calling thread's network
// namespace. It needs CAP_NET_RAW.
func ListenICMP() (*ICMPConn, error) {
	pc, err := net.ListenIP("ip6:ipv6-icmp", &net.IPAddr{IP: net.IPv6unspecified})
	if err != nil {
		return nil, fmt.Errorf("iface: open ICMPv6 socket: %w", err)
	}
	c := &ICMPConn{pc: pc, p: ipv6.NewPacketConn(pc)}
	if err := c.setup(); err != nil {
		pc.Close()
		return nil, err
	}
	return c, nil
}

func (c *ICMPConn) setup() error {
	var f ipv6.ICMPFilter
	f.SetAll(true)
	f.Accept(ipv6.ICMPTypeRouterSolicitation)
	f.Accept(ipv6.ICMPTypeRouterAdvertisement)
	if err := c.p.SetICMPFilter(&f); err != nil {
		return fmt.Errorf("iface: ICMPv6 filter: %w", err)
	}
	if err := c.p.SetControlMessage(ipv6.FlagDst|ipv6.FlagInterface|ipv6.FlagHopLimit, true); err != nil {
		return fmt.Errorf("iface: ICMPv6 control messages: %w", err)
	}
	if err := c.p.SetHopLimit(255); err != nil {
		return fmt.Errorf("iface: ICMPv6 unicast hop limit: %w", err)
	}
	if err := c.p.SetMulticastHopLimit(255); err != nil {
		return fmt.Errorf("iface: ICMPv6 multicast hop limit: %w", err)
	}
	if err := c.p.SetMulticastLoopback(false); err != nil {
		return fmt.Errorf("iface: ICMPv6 multicast loopback: %w", err)
	}
	rc, err := c.pc.SyscallConn()
	if err != nil {
		return fmt.Errorf("iface: ICMPv6 socket: %w", err)
	}
	c.sock.init(rc, c.pc.Close, 0)
	c.raw = true
	return nil
}

// ReadFrom reads one ICMPv6 message (starting at its ICMPv6 header) into b
// and fills m with its source, destination, ingress interface and hop
// limit. A message longer than b is truncated to len(b). Link-local
// addresses carry no zone: m.IfIndex says which link they belong to. It
// blocks until a message arrives or the conn is closed, and does not
// allocate.
func (c *ICMPConn) ReadFrom(b []byte, m *Meta) (int, error) {
	return c.readFrom(b, m)
}

// WriteTo sends the ICMPv6 message b (checksum left for the kernel) to
// m.Dst through interface m.IfIndex, from m.Src if it is set (otherwise
// the kernel chooses the source), with hop limit m.HopLimit if it is not
// 0 (otherwise 255). The port fields of m are ignored. It does not
// allocate.
func (c *ICMPConn) WriteTo(b []byte, m *Meta) (int, error) {
	return c.writeTo(b, m)
}

// JoinGroup joins the multicast group on the link ifIndex, e.g. ff02::2
// (all-routers) to hear Router Solicitations on a link whose forwarding
// sysctl is off.
func (c *ICMPConn) JoinGroup(ifIndex int, group netip.Addr) error {
	return joinLeave(c.p, true, ifIndex, group)
}

// LeaveGroup leaves a group joined by JoinGroup.
func (c *ICMPConn) LeaveGroup(ifIndex int, group netip.Addr) error {
	return joinLeave(c.p, false, ifIndex, group)
}

// Close closes the socket; a blocked ReadFrom returns ErrClosed.
func (c *ICMPConn) Close() error {
	return c.shutdown()
}

func joinLeave(p *ipv6.PacketConn, join bool, ifIndex int, group netip.Addr) error {
	if !group.Is6() || !group.IsMulticast() {
		return fmt.Errorf("iface: %v is not an IPv6 multicast group", group)
	}
	ifi := &net.Interface{Index: ifIndex}
	g := &net.IPAddr{IP: group.AsSlice()}
	if join {
		if err := p.JoinGroup(ifi, g); err != nil {
			return fmt.Errorf("iface: join %v on ifindex %d: %w", group, ifIndex, err)
		}
		return nil
	}
	if err := p.LeaveGroup(ifi, g); err != nil {
		return fmt.Errorf("iface: leave %v on ifindex %d: %w", group, ifIndex, err)
	}
	return nil
}
