package ra

import "net/netip"

// PREF64 is a PREF64 option (RFC 8781 §4), the NAT64 prefix:
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Type      |    Length     |     Scaled Lifetime     | PLC |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|              Highest 96 bits of the Prefix (12 bytes)         |
//
// The lifetime travels in units of 8 seconds in 13 bits, so at most
// MaxPREF64Lifetime seconds; the builder rounds up to the next multiple of
// 8. The prefix length is one of 96, 64, 56, 48, 40, 32, sent as the
// Prefix Length Code.
type PREF64 struct {
	Prefix   netip.Prefix
	Lifetime uint32 // seconds, ≤ MaxPREF64Lifetime
}

// MaxPREF64Lifetime is the largest lifetime a PREF64 option can carry:
// 8191 units of 8 seconds (RFC 8781 §4).
const MaxPREF64Lifetime = 8191 * 8

// plcBits maps the Prefix Length Code to the prefix length (RFC 8781 §4).
var plcBits = [6]int{96, 64, 56, 48, 40, 32}

// OptionType implements OptionSpec.
func (PREF64) OptionType() OptionType { return TypePREF64 }

// AppendTo implements OptionSpec. A prefix length without a PLC, or a
// lifetime over MaxPREF64Lifetime, is ErrInvalid.
func (p PREF64) AppendTo(dst []byte) ([]byte, error) {
	if !p.Prefix.IsValid() || !p.Prefix.Addr().Is6() || p.Prefix.Addr().Is4In6() || p.Lifetime > MaxPREF64Lifetime {
		return dst, ErrInvalid
	}
	plc := -1
	for i, n := range plcBits {
		if n == p.Prefix.Bits() {
			plc = i
		}
	}
	if plc < 0 {
		return dst, ErrInvalid
	}
	dst, b := grow(dst, 16)
	b[0], b[1] = byte(TypePREF64), 2
	put16(b[offPREF64Life:], scaledLifetime(p.Lifetime)<<3|uint16(plc))
	a := p.Prefix.Masked().Addr().As16()
	copy(b[4:], a[:12])
	return dst, nil
}

// scaledLifetime converts seconds to units of 8 seconds, rounding up and
// saturating at 8191.
func scaledLifetime(s uint32) uint16 {
	if s >= MaxPREF64Lifetime {
		return 8191
	}
	return uint16((s + 7) / 8)
}

// ParsePREF64 decodes a PREF64 option (length 2, PLC 0..5). Lifetime is in
// seconds (the scaled lifetime times 8).
func ParsePREF64(o Option) (PREF64, error) {
	b := o.Body
	if o.Type != TypePREF64 || len(b) != 14 {
		return PREF64{}, ErrBadOption
	}
	v := be16(b)
	plc := v & 7
	if int(plc) >= len(plcBits) {
		return PREF64{}, ErrBadOption
	}
	var a [16]byte
	copy(a[:], b[2:14])
	return PREF64{
		Prefix:   netip.PrefixFrom(netip.AddrFrom16(a), plcBits[plc]).Masked(),
		Lifetime: uint32(v>>3) * 8,
	}, nil
}
