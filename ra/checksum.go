package ra

import (
	"net/netip"

	"github.com/radish-net/radish/internal/inet"
)

// offChecksum is the offset of the ICMPv6 Checksum field.
const offChecksum = 2

// Checksum returns the ICMPv6 checksum (RFC 4443 §2.3) of msg under the
// IPv6 pseudo-header for src and dst (RFC 8200 §8.1), computed as if msg's
// own Checksum field were zero; msg is not modified, so a shared template
// may be checksummed concurrently. It does not allocate.
func Checksum(src, dst netip.Addr, msg []byte) uint16 {
	c := inet.Checksum(src, dst, inet.ProtoICMPv6, msg)
	if len(msg) < 4 {
		return c
	}
	// c = ^fold(S + F) where F is the stored field; remove F again with
	// one's-complement subtraction: fold(S) = fold(^c + ^F).
	f := be16(msg[offChecksum:])
	s := uint32(^c) + uint32(^f)
	s = s>>16 + s&0xffff
	return ^uint16(s)
}

// SetChecksum computes the ICMPv6 checksum of msg for src and dst and
// stores it in msg's Checksum field. Use it when building whole frames;
// the kernel fills the field itself for raw ICMPv6 sockets. It does not
// allocate.
func SetChecksum(msg []byte, src, dst netip.Addr) {
	put16(msg[offChecksum:], Checksum(src, dst, msg))
}

// VerifyChecksum reports whether msg's Checksum field is correct for src
// and dst.
func VerifyChecksum(msg []byte, src, dst netip.Addr) bool {
	return len(msg) >= 4 && inet.Checksum(src, dst, inet.ProtoICMPv6, msg) == 0
}
