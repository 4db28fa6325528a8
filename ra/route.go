package ra

import "net/netip"

// RouteInfo is a Route Information option (RFC 4191 §2.3):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Type      |    Length     | Prefix Length |Resvd|Prf|Resvd|
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                        Route Lifetime                         |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                   Prefix (Variable Length)                    |
//
// The builder uses the shortest form that holds the prefix: length 1 for
// ::/0, 2 (8 prefix bytes) up to /64, 3 (16 bytes) beyond.
type RouteInfo struct {
	Prefix     netip.Prefix // bits past the prefix length are sent as zero
	Preference Preference
	Lifetime   uint32 // seconds, or Infinity
}

// OptionType implements OptionSpec.
func (RouteInfo) OptionType() OptionType { return TypeRouteInfo }

// routeUnits returns the shortest option length for a prefix length.
func routeUnits(bits int) int {
	switch {
	case bits == 0:
		return 1
	case bits <= 64:
		return 2
	}
	return 3
}

// AppendTo implements OptionSpec. Prefix must be a valid IPv6 prefix.
func (r RouteInfo) AppendTo(dst []byte) ([]byte, error) {
	if !r.Prefix.IsValid() || !r.Prefix.Addr().Is6() || r.Prefix.Addr().Is4In6() {
		return dst, ErrInvalid
	}
	units := routeUnits(r.Prefix.Bits())
	dst, b := grow(dst, units*8)
	b[0], b[1] = byte(TypeRouteInfo), byte(units)
	b[2] = byte(r.Prefix.Bits())
	b[3] = r.Preference.wire() << 3
	put32(b[offLifetime:], r.Lifetime)
	a := r.Prefix.Masked().Addr().As16()
	copy(b[8:], a[:])
	return dst, nil
}

// ParseRouteInfo decodes a Route Information option, checking the length
// against the prefix length as RFC 4191 §2.3 requires. The reserved
// preference value makes the option invalid (RFC 4191 §2.3: "the Route
// Information Option MUST be ignored"). The prefix is returned masked.
func ParseRouteInfo(o Option) (RouteInfo, error) {
	b := o.Body
	if o.Type != TypeRouteInfo || len(b) < 6 || len(b) > 22 {
		return RouteInfo{}, ErrBadOption
	}
	bits := int(b[0])
	units := (len(b) + 2) / 8
	if bits > 128 || bits > 64 && units < 3 || bits > 0 && units < 2 {
		return RouteInfo{}, ErrBadOption
	}
	if (b[1]>>3)&3 == 0b10 {
		return RouteInfo{}, ErrBadOption
	}
	var a [16]byte
	copy(a[:], b[6:])
	return RouteInfo{
		Prefix:     netip.PrefixFrom(netip.AddrFrom16(a), bits).Masked(),
		Preference: Preference((b[1] >> 3) & 3),
		Lifetime:   be32(b[2:]),
	}, nil
}
