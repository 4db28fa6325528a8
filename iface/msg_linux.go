package iface

import (
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"sync/atomic"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ErrDestination is returned by WriteTo and WriteBatch when Meta.Dst is not
// an IPv6 address.
var ErrDestination = errors.New("iface: destination is not an IPv6 address")

// oobSize is the size of each control-message buffer: room for one
// IPV6_PKTINFO (20 bytes of data) and one IPV6_HOPLIMIT (4 bytes), each
// behind a cmsghdr, with margin for any other message the kernel adds.
const oobSize = 128

// Sizes of the control-message data the kernel exchanges (linux/ipv6.h).
const (
	pktinfoLen  = 20 // struct in6_pktinfo: 16-byte address, 32-bit ifindex
	hopLimitLen = 4  // int
)

var (
	cmsgHdrLen   = cmsgAlign(unix.SizeofCmsghdr)
	cmsgLenBytes = unix.SizeofCmsghdr - 8 // size of cmsghdr.cmsg_len: size_t
)

// cmsgAlign rounds n up to the kernel's control-message alignment
// (CMSG_ALIGN: the size of a long).
func cmsgAlign(n int) int {
	const a = int(unsafe.Sizeof(uintptr(0)))
	return (n + a - 1) &^ (a - 1)
}

// parseControl reads the IPV6_PKTINFO and IPV6_HOPLIMIT control messages in
// b into m: Meta.Dst and Meta.IfIndex from the packet information,
// Meta.HopLimit from the hop limit. Unknown or malformed messages are
// ignored; the walk stops at the first message whose length is impossible.
// Fields without a message are left as they were. It does not allocate.
func parseControl(b []byte, m *Meta) {
	for len(b) >= unix.SizeofCmsghdr {
		var l int
		if cmsgLenBytes == 8 {
			l = int(binary.NativeEndian.Uint64(b))
		} else {
			l = int(binary.NativeEndian.Uint32(b))
		}
		level := int32(binary.NativeEndian.Uint32(b[cmsgLenBytes:]))
		typ := int32(binary.NativeEndian.Uint32(b[cmsgLenBytes+4:]))
		if l < cmsgHdrLen || l > len(b) {
			return
		}
		data := b[cmsgHdrLen:l]
		if level == unix.IPPROTO_IPV6 {
			switch typ {
			case unix.IPV6_PKTINFO:
				if len(data) >= pktinfoLen {
					m.Dst = netip.AddrFrom16([16]byte(data[:16]))
					m.IfIndex = int(binary.NativeEndian.Uint32(data[16:20]))
				}
			case unix.IPV6_HOPLIMIT:
				if len(data) >= hopLimitLen {
					m.HopLimit = int(int32(binary.NativeEndian.Uint32(data)))
				}
			}
		}
		next := cmsgAlign(l)
		if next >= len(b) {
			return
		}
		b = b[next:]
	}
}

// putCmsgHeader writes a cmsghdr for dataLen bytes of data at b and returns
// the data slice.
func putCmsgHeader(b []byte, level, typ int32, dataLen int) []byte {
	l := cmsgHdrLen + dataLen
	if cmsgLenBytes == 8 {
		binary.NativeEndian.PutUint64(b, uint64(l))
	} else {
		binary.NativeEndian.PutUint32(b, uint32(l))
	}
	binary.NativeEndian.PutUint32(b[cmsgLenBytes:], uint32(level))
	binary.NativeEndian.PutUint32(b[cmsgLenBytes+4:], uint32(typ))
	return b[cmsgHdrLen:l]
}

// buildControl writes the control messages for sending a packet as
// described by m into b (at least oobSize bytes) and returns their total
// length: IPV6_PKTINFO with the egress interface and source address when
// either is set, IPV6_HOPLIMIT when m.HopLimit is not 0. A multicast
// m.Src is treated as unset, so replies to a multicast request can copy
// the request's destination. It does not allocate.
func buildControl(b []byte, m *Meta) int {
	n := 0
	src := m.Src
	if !src.Is6() || src.IsMulticast() {
		src = netip.Addr{}
	}
	if m.IfIndex != 0 || src.IsValid() {
		d := putCmsgHeader(b, unix.IPPROTO_IPV6, unix.IPV6_PKTINFO, pktinfoLen)
		a := src.As16() // the zero Addr gives ::, meaning "kernel chooses"
		copy(d, a[:])
		binary.NativeEndian.PutUint32(d[16:], uint32(m.IfIndex))
		n += unix.CmsgSpace(pktinfoLen)
	}
	if m.HopLimit != 0 {
		d := putCmsgHeader(b[n:], unix.IPPROTO_IPV6, unix.IPV6_HOPLIMIT, hopLimitLen)
		binary.NativeEndian.PutUint32(d, uint32(int32(m.HopLimit)))
		n += unix.CmsgSpace(hopLimitLen)
	}
	return n
}

// htons converts between host and network byte order for the port field
// of a sockaddr_in6, which the kernel keeps in network order.
func htons(p uint16) uint16 {
	var b [2]byte
	binary.BigEndian.PutUint16(b[:], p)
	return binary.NativeEndian.Uint16(b[:])
}

// needsScope reports whether a packet to a must name its interface in the
// sockaddr's scope id.
func needsScope(a netip.Addr) bool {
	return a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() || a.IsInterfaceLocalMulticast()
}

// msg is one prepared msghdr with the iovec, peer address and control
// buffer it points to. A msg lives inside a heap-allocated conn and never
// moves, so the pointers in hdr stay valid between calls.
type msg struct {
	hdr  unix.Msghdr
	iov  unix.Iovec
	name unix.RawSockaddrInet6
	oob  [oobSize]byte
}

// init points hdr at the msg's own iovec, name and control buffer.
func (m *msg) init() {
	m.hdr.Name = (*byte)(unsafe.Pointer(&m.name))
	m.hdr.Iov = &m.iov
	m.hdr.SetIovlen(1)
	m.hdr.Control = &m.oob[0]
}

// prepareRead readies m to receive one packet into b.
func (m *msg) prepareRead(b []byte) {
	m.hdr.Namelen = unix.SizeofSockaddrInet6
	m.hdr.SetControllen(oobSize)
	m.hdr.Flags = 0
	m.iov.Base = unsafe.SliceData(b)
	m.iov.SetLen(len(b))
}

// meta fills md from a received msg: peer address and port from the name,
// destination, interface and hop limit from the control messages. localPort
// becomes md.DstPort.
func (m *msg) meta(md *Meta, localPort uint16) {
	*md = Meta{
		IfIndex: int(m.name.Scope_id),
		Src:     netip.AddrFrom16(m.name.Addr),
		SrcPort: htons(m.name.Port),
		DstPort: localPort,
	}
	cl := int(m.hdr.Controllen)
	if cl > oobSize {
		cl = oobSize
	}
	parseControl(m.oob[:cl], md)
}

// prepareWrite readies m to send b as described by md. The destination
// port is used only by UDP sockets; raw sockets ignore it.
func (m *msg) prepareWrite(b []byte, md *Meta) error {
	if !md.Dst.Is6() || md.Dst.Is4In6() {
		return ErrDestination
	}
	m.name = unix.RawSockaddrInet6{
		Family: unix.AF_INET6,
		Port:   htons(md.DstPort),
		Addr:   md.Dst.As16(),
	}
	if needsScope(md.Dst) {
		m.name.Scope_id = uint32(md.IfIndex)
	}
	m.hdr.Namelen = unix.SizeofSockaddrInet6
	m.hdr.Flags = 0
	m.iov.Base = unsafe.SliceData(b)
	m.iov.SetLen(len(b))
	n := buildControl(m.oob[:], md)
	if n == 0 {
		m.hdr.Control = nil
	} else {
		m.hdr.Control = &m.oob[0]
	}
	m.hdr.SetControllen(n)
	return nil
}

// msgOp is a msg with the result of its last system call and a closure,
// bound once at construction, that RawConn.Read or RawConn.Write runs.
type msgOp struct {
	msg
	n   int
	err error
	fn  func(fd uintptr) bool
}

// recv is the RawConn.Read callback: one recvmsg. It returns false on
// EAGAIN so the runtime's poller waits for the socket to become readable.
func (o *msgOp) recv(fd uintptr) bool {
	var done bool
	o.n, o.err, done = sockCall(unix.SYS_RECVMSG, fd, uintptr(unsafe.Pointer(&o.hdr)), 0)
	return done
}

// send is the RawConn.Write callback: one sendmsg.
func (o *msgOp) send(fd uintptr) bool {
	var done bool
	o.n, o.err, done = sockCall(unix.SYS_SENDMSG, fd, uintptr(unsafe.Pointer(&o.hdr)), 0)
	return done
}

// sockCall makes one socket system call (trap, fd, p, n) for a RawConn
// callback: it retries EINTR, and reports done = false on EAGAIN so that
// the runtime's poller waits for the socket. It does not allocate.
func sockCall(trap, fd, p, n uintptr) (r int, err error, done bool) {
	for {
		v, _, e := unix.Syscall6(trap, fd, p, n, 0, 0, 0)
		switch e {
		case 0:
			return int(v), nil, true
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return 0, nil, false
		}
		return 0, e, true
	}
}

// sock is the part shared by ICMPConn and UDPConn: a socket driven through
// its syscall.RawConn with one prepared msghdr for reading and one for
// writing, so one reader and one writer may run at the same time.
type sock struct {
	rc     syscall.RawConn
	close  func() error
	closed atomic.Bool
	port   uint16 // local port, reported as Meta.DstPort on reads
	raw    bool   // raw IP socket: ports are ignored on writes
	rd     msgOp
	wr     msgOp
}

func (s *sock) init(rc syscall.RawConn, closeFn func() error, port uint16) {
	s.rc = rc
	s.close = closeFn
	s.port = port
	s.rd.init()
	s.wr.init()
	s.rd.fn = s.rd.recv
	s.wr.fn = s.wr.send
}

func (s *sock) readFrom(b []byte, m *Meta) (int, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	o := &s.rd
	o.prepareRead(b)
	if err := s.rc.Read(o.fn); err != nil {
		return 0, s.opErr(err)
	}
	if o.err != nil {
		return 0, o.err
	}
	o.meta(m, s.port)
	return o.n, nil
}

func (s *sock) writeTo(b []byte, m *Meta) (int, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	o := &s.wr
	if err := o.prepareWrite(b, m); err != nil {
		return 0, err
	}
	if s.raw {
		// For a raw socket a non-zero sin6_port names the protocol; a
		// stray port would fail the write with EINVAL.
		o.name.Port = 0
	}
	if err := s.rc.Write(o.fn); err != nil {
		return 0, s.opErr(err)
	}
	if o.err != nil {
		return 0, o.err
	}
	return o.n, nil
}

// opErr maps an error of the RawConn itself (not of the system call) to
// ErrClosed when the socket has been closed.
func (s *sock) opErr(err error) error {
	if s.closed.Load() || errors.Is(err, net.ErrClosed) {
		return ErrClosed
	}
	return err
}

func (s *sock) shutdown() error {
	if s.closed.Swap(true) {
		return ErrClosed
	}
	return s.close()
}
