package iface

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// Test hooks for the black-box tests.

// ParseControl exposes parseControl.
func ParseControl(b []byte, m *Meta) { parseControl(b, m) }

// BuildControl exposes buildControl.
func BuildControl(b []byte, m *Meta) int { return buildControl(b, m) }

// OOBSize is the control buffer size of each prepared msghdr.
const OOBSize = oobSize

// PreparedWrite is what prepareWrite put into a msghdr.
type PreparedWrite struct {
	Name       unix.RawSockaddrInet6
	Namelen    uint32
	NameIsOwn  bool // hdr.Name points at the msg's own sockaddr
	IovIsOwn   bool // hdr.Iov points at the msg's own iovec, Iovlen 1
	IovBase    *byte
	IovLen     uint64
	Control    []byte // nil when hdr.Control is nil
	OOBIsOwn   bool   // hdr.Control points at the msg's own buffer
	Controllen uint64
}

// PrepareWrite runs prepareWrite on a fresh msg and reports the result.
func PrepareWrite(b []byte, md *Meta) (PreparedWrite, error) {
	var m msg
	m.init()
	if err := m.prepareWrite(b, md); err != nil {
		return PreparedWrite{}, err
	}
	p := PreparedWrite{
		Name:       m.name,
		Namelen:    m.hdr.Namelen,
		NameIsOwn:  m.hdr.Name == (*byte)(unsafe.Pointer(&m.name)),
		IovIsOwn:   m.hdr.Iov == &m.iov && m.hdr.Iovlen == 1,
		IovBase:    m.iov.Base,
		IovLen:     uint64(m.iov.Len),
		Controllen: uint64(m.hdr.Controllen),
	}
	if m.hdr.Control != nil {
		p.OOBIsOwn = m.hdr.Control == &m.oob[0]
		p.Control = append([]byte(nil), m.oob[:m.hdr.Controllen]...)
	}
	return p, nil
}

// PreparedRead reports what prepareRead put into a msghdr.
func PreparedRead(b []byte) (namelen uint32, controllen uint64, base *byte, n uint64) {
	var m msg
	m.init()
	m.hdr.Namelen = 3
	m.hdr.SetControllen(1)
	m.prepareRead(b)
	return m.hdr.Namelen, uint64(m.hdr.Controllen), m.iov.Base, uint64(m.iov.Len)
}

// ReceivedMeta runs msg.meta on a msg whose name and control buffer hold
// the given values, as recvmsg would leave them.
func ReceivedMeta(name unix.RawSockaddrInet6, control []byte, localPort uint16) Meta {
	var m msg
	m.init()
	m.name = name
	n := copy(m.oob[:], control)
	m.hdr.SetControllen(n)
	var md Meta
	m.meta(&md, localPort)
	return md
}

// LinkFromMessage exposes linkFromMessage.
var LinkFromMessage = linkFromMessage

// AddrFromMessage exposes addrFromMessage.
var AddrFromMessage = addrFromMessage
