package ra

import "net/netip"

// SixLoWPANContext is a 6LoWPAN Context Option, 6CO (RFC 6775 §4.2):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Type      |     Length    |Context Length | Res |C|  CID  |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|            Reserved           |         Valid Lifetime        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	.                       Context Prefix                          .
//
// The builder always sends the 16-byte Context Prefix field (Length 3), as
// radvd does; RFC 6775 also allows 8 bytes (Length 2) for contexts of at
// most 64 bits, which the decoder accepts.
type SixLoWPANContext struct {
	// Prefix is the context prefix; its length is the Context Length
	// (0..128). Bits past the length are sent as zeros.
	Prefix      netip.Prefix
	Compression bool   // C: the context may be used for compression
	ID          uint8  // CID, 0..15
	Lifetime    uint16 // Valid Lifetime, in units of 60 seconds
}

// OptionType implements OptionSpec.
func (SixLoWPANContext) OptionType() OptionType { return TypeSixLoWPANContext }

// AppendTo implements OptionSpec. An invalid or non-IPv6 prefix, or an ID
// above 15, is ErrInvalid.
func (c SixLoWPANContext) AppendTo(dst []byte) ([]byte, error) {
	if !c.Prefix.IsValid() || !c.Prefix.Addr().Is6() || c.Prefix.Addr().Is4In6() || c.ID > 15 {
		return dst, ErrInvalid
	}
	dst, b := grow(dst, 24)
	b[0], b[1] = byte(TypeSixLoWPANContext), 3
	b[2] = byte(c.Prefix.Bits())
	b[3] = c.ID
	if c.Compression {
		b[3] |= 0x10
	}
	put16(b[6:], c.Lifetime)
	a := c.Prefix.Masked().Addr().As16()
	copy(b[8:], a[:])
	return dst, nil
}

// ParseSixLoWPANContext decodes a 6LoWPAN Context Option of Length 2 or 3.
// A Context Length over 128, or over 64 in the short form, is
// ErrBadOption. The returned prefix is masked to the Context Length.
func ParseSixLoWPANContext(o Option) (SixLoWPANContext, error) {
	if o.Type != TypeSixLoWPANContext || (len(o.Body) != 14 && len(o.Body) != 22) {
		return SixLoWPANContext{}, ErrBadOption
	}
	bits := int(o.Body[0])
	field := o.Body[6:]
	if bits > 8*len(field) {
		return SixLoWPANContext{}, ErrBadOption
	}
	var a [16]byte
	copy(a[:], field)
	return SixLoWPANContext{
		Prefix:      netip.PrefixFrom(netip.AddrFrom16(a), bits).Masked(),
		Compression: o.Body[1]&0x10 != 0,
		ID:          o.Body[1] & 0x0f,
		Lifetime:    be16(o.Body[4:]),
	}, nil
}

// ABRO is an Authoritative Border Router Option (RFC 6775 §4.3):
//
//	|     Type      |  Length = 3   |        Version Low            |
//	|        Version High           |        Valid Lifetime         |
//	|                          6LBR Address                         |
type ABRO struct {
	VersionLow  uint16
	VersionHigh uint16
	// Lifetime is the Valid Lifetime in units of 60 seconds; 0 means the
	// default of 10000 (RFC 6775 §9).
	Lifetime uint16
	Address  netip.Addr // the 6LBR's address
}

// OptionType implements OptionSpec.
func (ABRO) OptionType() OptionType { return TypeABRO }

// AppendTo implements OptionSpec. A non-IPv6 address is ErrInvalid.
func (r ABRO) AppendTo(dst []byte) ([]byte, error) {
	if !r.Address.Is6() || r.Address.Is4In6() {
		return dst, ErrInvalid
	}
	dst, b := grow(dst, 24)
	b[0], b[1] = byte(TypeABRO), 3
	put16(b[2:], r.VersionLow)
	put16(b[4:], r.VersionHigh)
	put16(b[6:], r.Lifetime)
	a := r.Address.As16()
	copy(b[8:], a[:])
	return dst, nil
}

// ParseABRO decodes an Authoritative Border Router Option (Length 3).
func ParseABRO(o Option) (ABRO, error) {
	if o.Type != TypeABRO || len(o.Body) != 22 {
		return ABRO{}, ErrBadOption
	}
	return ABRO{
		VersionLow:  be16(o.Body[0:]),
		VersionHigh: be16(o.Body[2:]),
		Lifetime:    be16(o.Body[4:]),
		Address:     netip.AddrFrom16([16]byte(o.Body[6:22])),
	}, nil
}
