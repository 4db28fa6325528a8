package ra

import "net/netip"

// ICMPv6 types of the two messages (RFC 4861 §4.1, §4.2).
const (
	ICMPTypeRouterSolicit = 133
	ICMPTypeRouterAdvert  = 134
)

// Fixed header lengths, ICMPv6 header included.
const (
	RouterSolicitLen = 8  // type, code, checksum, reserved
	RouterAdvertLen  = 16 // type ... retrans timer
)

// HopLimit is the IPv6 hop limit every ND message is sent with, and the
// only one a receiver accepts (RFC 4861 §6.1.1, §6.1.2).
const HopLimit = 255

// RouterSolicit is a validated view of a Router Solicitation
// (RFC 4861 §4.1):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Type      |     Code      |          Checksum             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                            Reserved                           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|   Options ...
//
// The zero value is an empty view; obtain real ones from
// ParseRouterSolicit. It aliases the parsed bytes.
type RouterSolicit struct{ b []byte }

// ParseRouterSolicit checks the parts of RFC 4861 §6.1.1 that can be judged
// from the ICMPv6 message alone: type 133, code 0, length ≥ 8 and every
// option of non-zero length within the message. The IPv6 metadata checks
// are done by Validate. It does not allocate.
func ParseRouterSolicit(b []byte) (RouterSolicit, error) {
	if len(b) < RouterSolicitLen {
		return RouterSolicit{}, ErrTooShort
	}
	if b[0] != ICMPTypeRouterSolicit {
		return RouterSolicit{}, ErrType
	}
	if b[1] != 0 {
		return RouterSolicit{}, ErrCode
	}
	if err := checkOptions(b[RouterSolicitLen:]); err != nil {
		return RouterSolicit{}, err
	}
	return RouterSolicit{b: b}, nil
}

// Validate applies the rest of RFC 4861 §6.1.1 given the IPv6 hop limit and
// source address the message arrived with: the hop limit must be 255, and
// a solicitation from the unspecified address must not carry a Source
// Link-Layer Address option. It does not allocate.
func (m RouterSolicit) Validate(hopLimit int, src netip.Addr) error {
	if hopLimit != HopLimit {
		return ErrHopLimit
	}
	if src.IsUnspecified() {
		if _, ok := m.SourceLinkLayerAddr(); ok {
			return ErrUnspecifiedSLLA
		}
	}
	return nil
}

// Checksum returns the ICMPv6 Checksum field.
func (m RouterSolicit) Checksum() uint16 { return be16(m.b[2:]) }

// Bytes returns the whole message (aliasing the parsed bytes).
func (m RouterSolicit) Bytes() []byte { return m.b }

// Options iterates the options of known types (see OptionIter).
func (m RouterSolicit) Options() OptionIter {
	if m.b == nil {
		return OptionIter{}
	}
	return newIter(m.b[RouterSolicitLen:], false)
}

// AllOptions iterates every option, unknown types included.
func (m RouterSolicit) AllOptions() OptionIter {
	if m.b == nil {
		return OptionIter{}
	}
	return newIter(m.b[RouterSolicitLen:], true)
}

// SourceLinkLayerAddr returns the body of the first Source Link-Layer
// Address option (RFC 4861 §4.6.1), which is the MAC address on Ethernet
// (see ParseLinkLayerAddr), and whether there was one.
func (m RouterSolicit) SourceLinkLayerAddr() ([]byte, bool) {
	if m.b == nil {
		return nil, false
	}
	return findOption(m.b[RouterSolicitLen:], TypeSourceLinkLayerAddr)
}

// findOption returns the body of the first option of type t in an option
// area whose framing checkOptions has accepted.
func findOption(b []byte, t OptionType) ([]byte, bool) {
	for len(b) >= 2 {
		n := int(b[1]) * 8
		if n == 0 || n > len(b) {
			return nil, false // not reached after checkOptions
		}
		if OptionType(b[0]) == t {
			return b[2:n:n], true
		}
		b = b[n:]
	}
	return nil, false
}

// AppendRouterSolicit appends a Router Solicitation with the given options
// (checksum zero). It is meant for tests and tools; routers do not send
// solicitations.
func AppendRouterSolicit(dst []byte, opts ...OptionSpec) ([]byte, error) {
	start := len(dst)
	dst, b := grow(dst, RouterSolicitLen)
	b[0] = ICMPTypeRouterSolicit
	for _, o := range opts {
		var err error
		if dst, err = o.AppendTo(dst); err != nil {
			return dst[:start], err
		}
	}
	return dst, nil
}
