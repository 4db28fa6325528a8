package iface

import (
	"encoding/binary"
	"errors"
	"net/netip"

	"github.com/radish-net/radish/internal/inet"
)

// Frame layout constants for the packet transport: untagged Ethernet II
// (IEEE 802.3 / RFC 894) carrying IPv6 (RFC 2464) with no extension
// headers, then ICMPv6 (RFC 4443) or UDP (RFC 768).
const (
	EthernetHeaderLen = 14     // destination MAC, source MAC, EtherType
	IPv6HeaderLen     = 40     // RFC 8200 §3
	UDPHeaderLen      = 8      // RFC 768
	EtherTypeIPv6     = 0x86DD // RFC 2464 §3
)

// Field offsets within a frame.
const (
	offEtherType   = 12
	offIPv6        = EthernetHeaderLen
	offPayloadLen  = offIPv6 + 4
	offNextHeader  = offIPv6 + 6
	offHopLimit    = offIPv6 + 7
	offSrc         = offIPv6 + 8
	offDst         = offIPv6 + 24
	offUpper       = offIPv6 + IPv6HeaderLen // ICMPv6 or UDP header
	icmpv6MinLen   = 4                       // type, code, checksum (RFC 4443 §2.1)
	maxPayloadLen  = 0xffff                  // no jumbograms
	ipv6VersionTag = 6 << 4
)

// Errors returned by ParseFrame and AppendFrame. They are returned
// unwrapped, so callers compare with ==.
var (
	ErrFrameShort      = errors.New("iface: frame truncated")
	ErrFrameNotIPv6    = errors.New("iface: frame is not IPv6")
	ErrFrameNextHeader = errors.New("iface: IPv6 next header is neither ICMPv6 nor UDP (extension headers are not supported)")
	ErrFrameLength     = errors.New("iface: IPv6 payload length or UDP length inconsistent with the frame")
	ErrFrameChecksum   = errors.New("iface: bad ICMPv6 or UDP checksum")
	ErrFramePayload    = errors.New("iface: payload too short or too long for its protocol")
	ErrFrameAddr       = errors.New("iface: source or destination is not an IPv6 address")
)

// Frame is an Ethernet frame carrying IPv6 and then ICMPv6 or UDP, as
// ParseFrame reads it and AppendFrame writes it.
type Frame struct {
	DstMAC, SrcMAC [6]byte
	Src, Dst       netip.Addr // IPv6 source and destination, without zone
	HopLimit       uint8
	NextHeader     uint8 // inet.ProtoICMPv6 or inet.ProtoUDP
	TrafficClass   uint8
	FlowLabel      uint32 // 20 bits (RFC 6437)
	SrcPort        uint16 // UDP only
	DstPort        uint16 // UDP only
	// Payload is the ICMPv6 message (type, code, checksum, body) or the
	// UDP payload (after the UDP header). ParseFrame makes it alias its
	// input.
	Payload []byte
}

// ParseFrame parses an untagged Ethernet II frame carrying IPv6 with no
// extension headers and an ICMPv6 message or a UDP datagram into f, and
// verifies the upper-layer checksum under the IPv6 pseudo-header
// (RFC 8200 §8.1). A UDP checksum of zero is invalid over IPv6 and is
// reported as ErrFrameChecksum. Bytes after the IPv6 payload (Ethernet
// padding) are ignored. f.Payload aliases b. ParseFrame does not allocate.
func ParseFrame(b []byte, f *Frame) error { return parseFrame(b, f, true) }

// parseFrame is ParseFrame; verify=false skips only the checksum check,
// for frames whose checksum the sending kernel has not filled in yet
// (TP_STATUS_CSUMNOTREADY).
func parseFrame(b []byte, f *Frame, verify bool) error {
	if len(b) < offUpper {
		return ErrFrameShort
	}
	if binary.BigEndian.Uint16(b[offEtherType:]) != EtherTypeIPv6 || b[offIPv6]&0xf0 != ipv6VersionTag {
		return ErrFrameNotIPv6
	}
	plen := int(binary.BigEndian.Uint16(b[offPayloadLen:]))
	if offUpper+plen > len(b) {
		return ErrFrameLength
	}
	upper := b[offUpper : offUpper+plen]
	copy(f.DstMAC[:], b[0:6])
	copy(f.SrcMAC[:], b[6:12])
	f.TrafficClass = b[offIPv6]<<4 | b[offIPv6+1]>>4
	f.FlowLabel = binary.BigEndian.Uint32(b[offIPv6:]) & 0xfffff
	f.NextHeader = b[offNextHeader]
	f.HopLimit = b[offHopLimit]
	f.Src = netip.AddrFrom16([16]byte(b[offSrc : offSrc+16]))
	f.Dst = netip.AddrFrom16([16]byte(b[offDst : offDst+16]))
	f.SrcPort, f.DstPort = 0, 0
	switch f.NextHeader {
	case inet.ProtoICMPv6:
		if len(upper) < icmpv6MinLen {
			return ErrFrameShort
		}
		f.Payload = upper
	case inet.ProtoUDP:
		if len(upper) < UDPHeaderLen {
			return ErrFrameShort
		}
		if int(binary.BigEndian.Uint16(upper[4:])) != len(upper) {
			return ErrFrameLength
		}
		if verify && upper[6] == 0 && upper[7] == 0 {
			return ErrFrameChecksum // RFC 8200 §8.1: zero UDP checksum is not allowed
		}
		f.SrcPort = binary.BigEndian.Uint16(upper[0:])
		f.DstPort = binary.BigEndian.Uint16(upper[2:])
		f.Payload = upper[UDPHeaderLen:]
	default:
		return ErrFrameNextHeader
	}
	if verify && inet.Checksum(f.Src, f.Dst, f.NextHeader, upper) != 0 {
		return ErrFrameChecksum
	}
	return nil
}

// AppendFrame appends f as an Ethernet II frame to dst and returns the
// extended slice: Ethernet header, IPv6 header (version 6, f.TrafficClass,
// f.FlowLabel, f.HopLimit as given), then by f.NextHeader either the
// ICMPv6 message f.Payload, whose checksum field is overwritten with the
// computed checksum, or a UDP header (f.SrcPort, f.DstPort, length,
// checksum) followed by f.Payload. f.Payload itself is not modified. With
// enough capacity in dst, AppendFrame does not allocate. On error dst is
// returned unchanged.
func AppendFrame(dst []byte, f *Frame) ([]byte, error) {
	if !f.Src.Is6() || !f.Dst.Is6() {
		return dst, ErrFrameAddr
	}
	var upperLen int
	switch f.NextHeader {
	case inet.ProtoICMPv6:
		if len(f.Payload) < icmpv6MinLen {
			return dst, ErrFramePayload
		}
		upperLen = len(f.Payload)
	case inet.ProtoUDP:
		upperLen = UDPHeaderLen + len(f.Payload)
	default:
		return dst, ErrFrameNextHeader
	}
	if upperLen > maxPayloadLen {
		return dst, ErrFramePayload
	}
	dst = appendEthernet(dst, f.DstMAC, f.SrcMAC)
	dst = binary.BigEndian.AppendUint32(dst, 6<<28|uint32(f.TrafficClass)<<20|f.FlowLabel&0xfffff)
	dst = append(dst, byte(upperLen>>8), byte(upperLen), f.NextHeader, f.HopLimit)
	s, d := f.Src.As16(), f.Dst.As16()
	dst = append(dst, s[:]...)
	dst = append(dst, d[:]...)
	upper := len(dst)
	var csum int // offset of the checksum field from upper
	if f.NextHeader == inet.ProtoUDP {
		dst = binary.BigEndian.AppendUint16(dst, f.SrcPort)
		dst = binary.BigEndian.AppendUint16(dst, f.DstPort)
		dst = binary.BigEndian.AppendUint16(dst, uint16(upperLen))
		dst = append(dst, 0, 0)
		csum = 6
	} else {
		csum = 2
	}
	dst = append(dst, f.Payload...)
	body := dst[upper:]
	body[csum], body[csum+1] = 0, 0
	c := inet.Checksum(f.Src, f.Dst, f.NextHeader, body)
	if c == 0 && f.NextHeader == inet.ProtoUDP {
		c = 0xffff // RFC 768: a computed zero is sent as all ones
	}
	binary.BigEndian.PutUint16(body[csum:], c)
	return dst, nil
}

func appendEthernet(b []byte, dst, src [6]byte) []byte {
	b = append(b, dst[:]...)
	b = append(b, src[:]...)
	return append(b, EtherTypeIPv6>>8, EtherTypeIPv6&0xff)
}

// MulticastMAC returns the Ethernet destination for IPv6 multicast group
// (RFC 2464 §7): 33:33 followed by the group's last four bytes.
func MulticastMAC(group netip.Addr) [6]byte {
	a := group.As16()
	return [6]byte{0x33, 0x33, a[12], a[13], a[14], a[15]}
}

// LinkLocalFromMAC returns the link-local address whose interface
// identifier is the modified EUI-64 built from mac (RFC 4291 §2.5.1 and
// Appendix A, RFC 2464 §4-5): fe80:: with ff:fe inserted in the middle of
// the MAC and the universal/local bit inverted.
func LinkLocalFromMAC(mac [6]byte) netip.Addr {
	return netip.AddrFrom16([16]byte{
		0xfe, 0x80, 0, 0, 0, 0, 0, 0,
		mac[0] ^ 0x02, mac[1], mac[2], 0xff, 0xfe, mac[3], mac[4], mac[5],
	})
}
