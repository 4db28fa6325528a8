package ra

// This file holds the small fixed-size options: link-layer addresses, MTU,
// Advertisement Interval, Home Agent Information and the RA flags
// expansion, plus the Captive-Portal URI.

// LinkLayerAddr is a Source or Target Link-Layer Address option
// (RFC 4861 §4.6.1): Type is TypeSourceLinkLayerAddr or
// TypeTargetLinkLayerAddr, Addr the link-layer address (6 bytes on
// Ethernet), padded with zeros to a multiple of 8 bytes on the wire.
type LinkLayerAddr struct {
	Type OptionType
	Addr []byte
}

// SourceLinkLayerAddr returns a Source Link-Layer Address option for addr.
func SourceLinkLayerAddr(addr []byte) LinkLayerAddr {
	return LinkLayerAddr{Type: TypeSourceLinkLayerAddr, Addr: addr}
}

// OptionType implements OptionSpec.
func (o LinkLayerAddr) OptionType() OptionType { return o.Type }

// AppendTo implements OptionSpec. Type must be one of the two link-layer
// address types and Addr non-empty.
func (o LinkLayerAddr) AppendTo(dst []byte) ([]byte, error) {
	if o.Type != TypeSourceLinkLayerAddr && o.Type != TypeTargetLinkLayerAddr || len(o.Addr) == 0 {
		return dst, ErrInvalid
	}
	return RawOption{Type: o.Type, Body: o.Addr}.AppendTo(dst)
}

// ParseLinkLayerAddr returns the address carried by a link-layer address
// option: the body, which is exactly the MAC address for the 8-byte
// Ethernet form and includes trailing padding for longer forms (the link
// type decides how much of it is address, RFC 4861 §4.6.1).
func ParseLinkLayerAddr(o Option) []byte { return o.Body }

// MTU is an MTU option (RFC 4861 §4.6.4): the link MTU in bytes.
//
//	|     Type      |    Length     |           Reserved            |
//	|                              MTU                              |
type MTU uint32

// OptionType implements OptionSpec.
func (MTU) OptionType() OptionType { return TypeMTU }

// AppendTo implements OptionSpec.
func (m MTU) AppendTo(dst []byte) ([]byte, error) {
	dst, b := grow(dst, 8)
	b[0], b[1] = byte(TypeMTU), 1
	put32(b[4:], uint32(m))
	return dst, nil
}

// ParseMTU decodes an MTU option. Like most hosts it reads the first
// 8 bytes of a longer option.
func ParseMTU(o Option) (MTU, error) {
	if o.Type != TypeMTU || len(o.Body) < 6 {
		return 0, ErrBadOption
	}
	return MTU(be32(o.Body[2:])), nil
}

// AdvInterval is an Advertisement Interval option (RFC 6275 §7.3): the
// maximum time between unsolicited RAs, in milliseconds.
//
//	|     Type      |    Length     |           Reserved            |
//	|                    Advertisement Interval                     |
type AdvInterval uint32

// OptionType implements OptionSpec.
func (AdvInterval) OptionType() OptionType { return TypeAdvInterval }

// AppendTo implements OptionSpec.
func (a AdvInterval) AppendTo(dst []byte) ([]byte, error) {
	dst, b := grow(dst, 8)
	b[0], b[1] = byte(TypeAdvInterval), 1
	put32(b[4:], uint32(a))
	return dst, nil
}

// ParseAdvInterval decodes an Advertisement Interval option (length 1).
func ParseAdvInterval(o Option) (AdvInterval, error) {
	if o.Type != TypeAdvInterval || len(o.Body) != 6 {
		return 0, ErrBadOption
	}
	return AdvInterval(be32(o.Body[2:])), nil
}

// HomeAgentInfo is a Home Agent Information option (RFC 6275 §7.4), with
// the Mobile Router Support flag of RFC 3963 §7.1.
//
//	|     Type      |    Length     |R|         Reserved            |
//	|    Home Agent Preference      |      Home Agent Lifetime      |
type HomeAgentInfo struct {
	MobileRouterSupport bool   // R: the home agent supports mobile routers (NEMO)
	Preference          int16  // signed; higher is preferred
	Lifetime            uint16 // seconds
}

// OptionType implements OptionSpec.
func (HomeAgentInfo) OptionType() OptionType { return TypeHomeAgentInfo }

// AppendTo implements OptionSpec.
func (h HomeAgentInfo) AppendTo(dst []byte) ([]byte, error) {
	dst, b := grow(dst, 8)
	b[0], b[1] = byte(TypeHomeAgentInfo), 1
	b[2], b[3] = 0, 0
	if h.MobileRouterSupport {
		b[2] = 0x80
	}
	put16(b[4:], uint16(h.Preference))
	put16(b[6:], h.Lifetime)
	return dst, nil
}

// ParseHomeAgentInfo decodes a Home Agent Information option (length 1).
func ParseHomeAgentInfo(o Option) (HomeAgentInfo, error) {
	if o.Type != TypeHomeAgentInfo || len(o.Body) != 6 {
		return HomeAgentInfo{}, ErrBadOption
	}
	return HomeAgentInfo{
		MobileRouterSupport: o.Body[0]&0x80 != 0,
		Preference:          int16(be16(o.Body[2:])),
		Lifetime:            be16(o.Body[4:]),
	}, nil
}

// FlagsExpansion is an RA Flags Expansion option (RFC 5175 §4): 48 more
// flag bits for the RA header, most significant first. Bit 0 of the option
// is bit 16 of the combined RA flags field (Flags[0]&0x80).
type FlagsExpansion [6]byte

// OptionType implements OptionSpec.
func (FlagsExpansion) OptionType() OptionType { return TypeFlagsExpansion }

// AppendTo implements OptionSpec. RFC 5175 §4 forbids sending the option
// with no flag set: that is ErrInvalid.
func (f FlagsExpansion) AppendTo(dst []byte) ([]byte, error) {
	if f == (FlagsExpansion{}) {
		return dst, ErrInvalid
	}
	dst, b := grow(dst, 8)
	b[0], b[1] = byte(TypeFlagsExpansion), 1
	copy(b[2:], f[:])
	return dst, nil
}

// ParseFlagsExpansion decodes the first 48 flag bits of an RA Flags
// Expansion option; longer options (future extensions) are accepted.
func ParseFlagsExpansion(o Option) (FlagsExpansion, error) {
	var f FlagsExpansion
	if o.Type != TypeFlagsExpansion || len(o.Body) < 6 {
		return f, ErrBadOption
	}
	copy(f[:], o.Body)
	return f, nil
}

// CaptivePortal is a Captive-Portal option (RFC 8910 §2.3): the URI of the
// captive portal API (or "urn:ietf:params:capport:unrestricted"), padded
// with NUL bytes to a multiple of 8 bytes.
type CaptivePortal string

// OptionType implements OptionSpec.
func (CaptivePortal) OptionType() OptionType { return TypeCaptivePortal }

// AppendTo implements OptionSpec. An empty URI, or one containing a NUL
// byte, is ErrInvalid; one longer than the option can hold is ErrTooBig.
func (c CaptivePortal) AppendTo(dst []byte) ([]byte, error) {
	if len(c) == 0 {
		return dst, ErrInvalid
	}
	for i := 0; i < len(c); i++ {
		if c[i] == 0 {
			return dst, ErrInvalid
		}
	}
	n := padLen(2 + len(c))
	if n > maxOptionLen {
		return dst, ErrTooBig
	}
	dst, b := grow(dst, n)
	b[0], b[1] = byte(TypeCaptivePortal), byte(n/8)
	copy(b[2:], c)
	return dst, nil
}

// ParseCaptivePortal returns the URI of a Captive-Portal option, which
// ends at the first NUL byte; it aliases the message. An empty URI is
// ErrBadOption.
func ParseCaptivePortal(o Option) ([]byte, error) {
	if o.Type != TypeCaptivePortal {
		return nil, ErrBadOption
	}
	u := o.Body
	for i, c := range u {
		if c == 0 {
			u = u[:i]
			break
		}
	}
	if len(u) == 0 {
		return nil, ErrBadOption
	}
	return u, nil
}
