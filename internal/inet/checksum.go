// Package inet holds small Internet-protocol helpers shared by the wire
// packages and the packet transport. It uses only the standard library and
// does not allocate.
package inet

import "net/netip"

// Next-header values for the IPv6 pseudo-header.
const (
	ProtoUDP    = 17
	ProtoICMPv6 = 58
)

// Checksum returns the Internet checksum (RFC 1071) of payload under the
// IPv6 pseudo-header of RFC 8200 §8.1: src, dst, upper-layer length and
// next header. The payload's own checksum field must be zero (or the result
// is zero when verifying a packet whose checksum field is set and correct).
func Checksum(src, dst netip.Addr, nextHeader uint8, payload []byte) uint16 {
	var sum uint32
	s := src.As16()
	d := dst.As16()
	for i := 0; i < 16; i += 2 {
		sum += uint32(s[i])<<8 | uint32(s[i+1])
		sum += uint32(d[i])<<8 | uint32(d[i+1])
	}
	n := uint32(len(payload))
	sum += n>>16 + n&0xffff
	sum += uint32(nextHeader)
	sum = addBytes(sum, payload)
	for sum>>16 != 0 {
		sum = sum>>16 + sum&0xffff
	}
	return ^uint16(sum)
}

func addBytes(sum uint32, b []byte) uint32 {
	for len(b) >= 2 {
		sum += uint32(b[0])<<8 | uint32(b[1])
		b = b[2:]
	}
	if len(b) == 1 {
		sum += uint32(b[0]) << 8
	}
	for sum>>16 != 0 {
		sum = sum>>16 + sum&0xffff
	}
	return sum
}
