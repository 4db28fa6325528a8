package ra

import "net/netip"

// Prefix Information flag bits (RFC 4861 §4.6.2, RFC 6275 §7.2,
// RFC 9762 §4).
const (
	pioOnLink      = 0x80 // L
	pioAutonomous  = 0x40 // A
	pioRouterAddr  = 0x20 // R
	pioPDPreferred = 0x10 // P
)

// Offsets of the patchable fields from the start of the option.
const (
	offLifetime      = 4 // valid lifetime (PIO) or lifetime (Route, RDNSS, DNSSL, DNR)
	offPreferredLife = 8 // PIO preferred lifetime
	offPREF64Life    = 2 // PREF64 scaled lifetime and PLC
)

// Infinity is the lifetime value 0xffffffff, "infinity" for 32-bit
// lifetimes (RFC 4861 §4.6.2, RFC 4191 §2.3, RFC 8106 §5).
const Infinity = ^uint32(0)

// PrefixInfo is a Prefix Information option (RFC 4861 §4.6.2):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Type      |    Length     | Prefix Length |L|A|R|P|Resvd1 |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                         Valid Lifetime                        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                       Preferred Lifetime                      |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                           Reserved2                           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                       Prefix (16 bytes)                       |
//
// It is both the builder's input and ParsePrefixInfo's result.
type PrefixInfo struct {
	// Prefix is the advertised prefix. When RouterAddr is set its Addr is
	// the router's full address (RFC 6275 §7.2); otherwise the bits past
	// the prefix length are sent as zero.
	Prefix            netip.Prefix
	OnLink            bool   // L: on-link determination
	Autonomous        bool   // A: SLAAC (RFC 4862)
	RouterAddr        bool   // R: Prefix holds the router's address (RFC 6275 §7.2)
	PDPreferred       bool   // P: DHCPv6 prefix delegation preferred (RFC 9762 §4)
	ValidLifetime     uint32 // seconds, or Infinity
	PreferredLifetime uint32 // seconds, or Infinity; ≤ ValidLifetime
}

// OptionType implements OptionSpec.
func (PrefixInfo) OptionType() OptionType { return TypePrefixInfo }

// AppendTo implements OptionSpec. Prefix must be a valid IPv6 prefix.
func (p PrefixInfo) AppendTo(dst []byte) ([]byte, error) {
	if !p.Prefix.IsValid() || !p.Prefix.Addr().Is6() || p.Prefix.Addr().Is4In6() {
		return dst, ErrInvalid
	}
	dst, b := grow(dst, 32)
	b[0], b[1] = byte(TypePrefixInfo), 4
	b[2] = byte(p.Prefix.Bits())
	var f byte
	if p.OnLink {
		f |= pioOnLink
	}
	if p.Autonomous {
		f |= pioAutonomous
	}
	if p.RouterAddr {
		f |= pioRouterAddr
	}
	if p.PDPreferred {
		f |= pioPDPreferred
	}
	b[3] = f
	put32(b[offLifetime:], p.ValidLifetime)
	put32(b[offPreferredLife:], p.PreferredLifetime)
	a := p.Prefix.Masked().Addr()
	if p.RouterAddr {
		a = p.Prefix.Addr()
	}
	a16 := a.As16()
	copy(b[16:], a16[:])
	return dst, nil
}

// ParsePrefixInfo decodes a Prefix Information option (length 4, prefix
// length ≤ 128). Prefix is returned as sent: with the R flag its address
// is the router's; otherwise use Prefix.Masked() to drop the reserved
// bits, which receivers ignore.
func ParsePrefixInfo(o Option) (PrefixInfo, error) {
	b := o.Body
	if o.Type != TypePrefixInfo || len(b) != 30 || b[0] > 128 {
		return PrefixInfo{}, ErrBadOption
	}
	a := netip.AddrFrom16([16]byte(b[14:30]))
	return PrefixInfo{
		Prefix:            netip.PrefixFrom(a, int(b[0])),
		OnLink:            b[1]&pioOnLink != 0,
		Autonomous:        b[1]&pioAutonomous != 0,
		RouterAddr:        b[1]&pioRouterAddr != 0,
		PDPreferred:       b[1]&pioPDPreferred != 0,
		ValidLifetime:     be32(b[2:]),
		PreferredLifetime: be32(b[6:]),
	}, nil
}
