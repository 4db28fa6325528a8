package iface

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"unsafe"

	"golang.org/x/net/ipv6"
	"golang.org/x/sys/unix"
)

// DefaultBatch is the number of packets ReadBatch and WriteBatch of a
// UDPConn move per system call unless ListenUDP is told otherwise.
const DefaultBatch = 32

// UDPConn is the kernel UDP socket of the DHCPv6 server (RFC 9915 §7.2:
// servers listen on port 547), one socket bound to [::]:port shared by
// every link.
//
// Each packet read reports the address it was sent to and its ingress
// interface (IPV6_RECVPKTINFO). A reply written with the request's Meta
// mirrored (Src and Dst swapped, SrcPort and DstPort swapped) leaves
// through the same interface with the address the request was sent to as
// its source; when that address was multicast (ff02::1:2, ff05::1:3) the
// kernel chooses the source, as RFC 9915 §18.3 expects.
//
// The socket has SO_REUSEADDR so a restarted daemon binds at once and
// other multicast listeners on the same port (e.g. a relay agent) coexist.
//
// ReadFrom, WriteTo, ReadBatch and WriteBatch do not allocate. One
// goroutine may read (ReadFrom or ReadBatch) while one other goroutine
// writes (WriteTo or WriteBatch); two concurrent readers or two
// concurrent writers are not allowed. JoinGroup, LeaveGroup and Close may
// be called from any goroutine.
type UDPConn struct {
	sock
	pc *net.UDPConn
	p  *ipv6.PacketConn
	rb mmsgOp
	wb mmsgOp
}

var _ BatchConn = (*UDPConn)(nil)

// ListenUDP opens a UDP socket on [::]:port in the calling thread's network
// namespace. batch is the most packets one ReadBatch or WriteBatch moves
// (DefaultBatch if batch <= 0). Use JoinGroup to receive the DHCPv6
// multicast groups (ff02::1:2 on each link, ff05::1:3).
func ListenUDP(port, batch int) (*UDPConn, error) {
	if port < 0 || port > 65535 {
		return nil, fmt.Errorf("iface: UDP port %d out of range", port)
	}
	if batch <= 0 {
		batch = DefaultBatch
	}
	lc := net.ListenConfig{Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) {
			serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEADDR, 1)
		})
		if err != nil {
			return err
		}
		return serr
	}}
	pc, err := lc.ListenPacket(context.Background(), "udp6", fmt.Sprintf("[::]:%d", port))
	if err != nil {
		return nil, fmt.Errorf("iface: open UDP socket: %w", err)
	}
	uc := pc.(*net.UDPConn)
	c := &UDPConn{pc: uc, p: ipv6.NewPacketConn(uc)}
	if err := c.setup(batch); err != nil {
		uc.Close()
		return nil, err
	}
	return c, nil
}

func (c *UDPConn) setup(batch int) error {
	if err := c.p.SetControlMessage(ipv6.FlagDst|ipv6.FlagInterface|ipv6.FlagHopLimit, true); err != nil {
		return fmt.Errorf("iface: UDP control messages: %w", err)
	}
	if err := c.p.SetMulticastLoopback(false); err != nil {
		return fmt.Errorf("iface: UDP multicast loopback: %w", err)
	}
	rc, err := c.pc.SyscallConn()
	if err != nil {
		return fmt.Errorf("iface: UDP socket: %w", err)
	}
	port := uint16(c.pc.LocalAddr().(*net.UDPAddr).Port)
	c.sock.init(rc, c.pc.Close, port)
	c.rb.init(batch)
	c.wb.init(batch)
	c.rb.fn = c.rb.recv
	c.wb.fn = c.wb.send
	return nil
}

// Port returns the local port the socket is bound to.
func (c *UDPConn) Port() int { return int(c.port) }

// ReadFrom reads one UDP payload into b and fills m: Src and SrcPort are the
// client (or relay agent), Dst the address the packet was sent to, DstPort
// the local port, IfIndex the ingress interface. A payload longer than b
// is truncated to len(b). Link-local addresses carry no zone; m.IfIndex
// says which link they belong to. It blocks until a packet arrives or the
// conn is closed, and does not allocate.
func (c *UDPConn) ReadFrom(b []byte, m *Meta) (int, error) {
	return c.readFrom(b, m)
}

// WriteTo sends the UDP payload b to [m.Dst]:m.DstPort through interface
// m.IfIndex, from m.Src unless it is unset or multicast (then the kernel
// chooses). It does not allocate.
func (c *UDPConn) WriteTo(b []byte, m *Meta) (int, error) {
	return c.writeTo(b, m)
}

// ReadBatch reads up to min(len(bufs), len(lens), len(metas), batch)
// packets with one recvmmsg call, blocking until at least one is
// available. Each packet i < n is in bufs[i][:lens[i]], described by
// metas[i] as for ReadFrom. It does not allocate.
func (c *UDPConn) ReadBatch(bufs [][]byte, lens []int, metas []Meta) (int, error) {
	if c.closed.Load() {
		return 0, ErrClosed
	}
	o := &c.rb
	k := min(len(bufs), len(lens), len(metas), len(o.mm))
	if k == 0 {
		return 0, nil
	}
	for i := range k {
		o.prepareRead(i, bufs[i])
	}
	o.count = k
	if err := c.rc.Read(o.fn); err != nil {
		return 0, c.opErr(err)
	}
	if o.err != nil {
		return 0, o.err
	}
	for i := range o.n {
		o.meta(i, &metas[i], c.port)
		lens[i] = int(o.mm[i].Len)
	}
	return o.n, nil
}

// WriteBatch sends bufs[i] as described by metas[i] (as for WriteTo) for
// i < min(len(bufs), len(metas)), with as few sendmmsg calls as the batch
// size allows. It returns how many packets were sent; on error, packets
// from n on were not. It does not allocate.
func (c *UDPConn) WriteBatch(bufs [][]byte, metas []Meta) (int, error) {
	if c.closed.Load() {
		return 0, ErrClosed
	}
	o := &c.wb
	total := min(len(bufs), len(metas))
	sent := 0
	for sent < total {
		k := min(total-sent, len(o.mm))
		for i := range k {
			if err := o.prepareWrite(i, bufs[sent+i], &metas[sent+i]); err != nil {
				if i == 0 {
					return sent, err
				}
				k = i // send the good ones; the bad one fails next round
				break
			}
		}
		o.count = k
		if err := c.rc.Write(o.fn); err != nil {
			return sent, c.opErr(err)
		}
		sent += o.n
		if o.err != nil {
			return sent, o.err
		}
		if o.n == 0 {
			return sent, unix.EAGAIN // no progress; never expected from a blocking write
		}
	}
	return sent, nil
}

// JoinGroup joins the multicast group on the link ifIndex: ff02::1:2
// (All_DHCP_Relay_Agents_and_Servers) on each served link and ff05::1:3
// (All_DHCP_Servers) (RFC 9915 §7.1).
func (c *UDPConn) JoinGroup(ifIndex int, group netip.Addr) error {
	return joinLeave(c.p, true, ifIndex, group)
}

// LeaveGroup leaves a group joined by JoinGroup.
func (c *UDPConn) LeaveGroup(ifIndex int, group netip.Addr) error {
	return joinLeave(c.p, false, ifIndex, group)
}

// Close closes the socket; blocked reads return ErrClosed.
func (c *UDPConn) Close() error {
	return c.shutdown()
}

// mmsgOp is an array of prepared mmsghdrs for recvmmsg or sendmmsg, with
// their iovecs, names and control buffers, allocated once.
type mmsgOp struct {
	mm    []unix.Mmsghdr
	msgs  []msg // iov, name and oob storage; msgs[i].hdr is unused
	count int   // entries to pass to the next call
	n     int
	err   error
	fn    func(fd uintptr) bool
}

func (o *mmsgOp) init(batch int) {
	o.mm = make([]unix.Mmsghdr, batch)
	o.msgs = make([]msg, batch)
	for i := range o.msgs {
		m := &o.msgs[i]
		m.init()
		o.mm[i].Hdr = m.hdr
	}
}

func (o *mmsgOp) prepareRead(i int, b []byte) {
	m := &o.msgs[i]
	m.prepareRead(b)
	o.mm[i].Hdr = m.hdr
	o.mm[i].Len = 0
}

func (o *mmsgOp) meta(i int, md *Meta, port uint16) {
	m := &o.msgs[i]
	m.hdr = o.mm[i].Hdr // the kernel updated Namelen, Controllen, Flags
	m.meta(md, port)
}

func (o *mmsgOp) prepareWrite(i int, b []byte, md *Meta) error {
	m := &o.msgs[i]
	if err := m.prepareWrite(b, md); err != nil {
		return err
	}
	o.mm[i].Hdr = m.hdr
	o.mm[i].Len = 0
	return nil
}

func (o *mmsgOp) recv(fd uintptr) bool {
	return o.call(fd, unix.SYS_RECVMMSG)
}

func (o *mmsgOp) send(fd uintptr) bool {
	return o.call(fd, unix.SYS_SENDMMSG)
}

func (o *mmsgOp) call(fd, trap uintptr) bool {
	var done bool
	o.n, o.err, done = sockCall(trap, fd, uintptr(unsafe.Pointer(&o.mm[0])), uintptr(o.count))
	return done
}
