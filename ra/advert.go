package ra

import "net/netip"

// Preference is a default-router or route preference (RFC 4191 §2.1),
// stored as its 2-bit wire value.
type Preference uint8

// Preferences. The reserved wire value 0b10 is never sent: the builders
// encode it as Medium, and decoding it yields Medium (RFC 4191 §2.2).
const (
	Medium Preference = 0b00
	High   Preference = 0b01
	Low    Preference = 0b11
)

// prefFromWire decodes the 2-bit field, mapping the reserved value to
// Medium.
func prefFromWire(v byte) Preference {
	p := Preference(v & 3)
	if p == 0b10 {
		return Medium
	}
	return p
}

// wire returns the 2-bit value to send.
func (p Preference) wire() byte {
	switch p {
	case High, Low:
		return byte(p)
	}
	return 0
}

// String returns "low", "medium" or "high" ("medium" for out-of-range
// values, which are sent as medium).
func (p Preference) String() string {
	switch p {
	case High:
		return "high"
	case Low:
		return "low"
	}
	return "medium"
}

// Flag bits of the RA header's second word (RFC 4861 §4.2, RFC 6275 §7.1,
// RFC 4191 §2.2, RFC 4389 §4.1.3.3, and the SNAC Router flag of
// draft-ietf-6man-snac-router-ra-flag, bit 6).
const (
	flagManaged   = 0x80
	flagOther     = 0x40
	flagHomeAgent = 0x20
	prfShift      = 3
	flagProxy     = 0x04
	flagSNAC      = 0x02
)

// Header holds the fixed fields of a Router Advertisement
// (RFC 4861 §4.2):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Type      |     Code      |          Checksum             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	| Cur Hop Limit |M|O|H|Prf|P|R R|       Router Lifetime         |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                         Reachable Time                        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                          Retrans Timer                        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
type Header struct {
	CurHopLimit    uint8      // 0: unspecified
	Managed        bool       // M: addresses via DHCPv6
	Other          bool       // O: other configuration via DHCPv6
	HomeAgent      bool       // H: Mobile IPv6 home agent (RFC 6275 §7.1)
	Preference     Preference // Prf: default router preference (RFC 4191 §2.2)
	Proxy          bool       // P: ND proxy (RFC 4389 §4.1.3.3)
	SNACRouter     bool       // S: sent by a stub-network (SNAC) router (draft-ietf-6man-snac-router-ra-flag)
	RouterLifetime uint16     // seconds; 0: not a default router
	ReachableTime  uint32     // milliseconds; 0: unspecified
	RetransTimer   uint32     // milliseconds; 0: unspecified
}

// AppendTo appends the 16-byte RA header (checksum zero) to dst. It does
// not allocate when dst has room.
func (h Header) AppendTo(dst []byte) []byte {
	dst, b := grow(dst, RouterAdvertLen)
	b[0] = ICMPTypeRouterAdvert
	b[4] = h.CurHopLimit
	var f byte
	if h.Managed {
		f |= flagManaged
	}
	if h.Other {
		f |= flagOther
	}
	if h.HomeAgent {
		f |= flagHomeAgent
	}
	f |= h.Preference.wire() << prfShift
	if h.Proxy {
		f |= flagProxy
	}
	if h.SNACRouter {
		f |= flagSNAC
	}
	b[5] = f
	put16(b[6:], h.RouterLifetime)
	put32(b[8:], h.ReachableTime)
	put32(b[12:], h.RetransTimer)
	return dst
}

// AppendRouterAdvert appends a Router Advertisement with header h and the
// options in order (checksum zero). On error dst is returned unchanged.
// For the per-packet path, Compile the advertisement once into a Template
// instead: boxing the options into OptionSpec values allocates.
func AppendRouterAdvert(dst []byte, h Header, opts ...OptionSpec) ([]byte, error) {
	start := len(dst)
	dst = h.AppendTo(dst)
	for _, o := range opts {
		var err error
		if dst, err = o.AppendTo(dst); err != nil {
			return dst[:start], err
		}
	}
	return dst, nil
}

// Byte offsets of the RA header fields.
const (
	offRouterLifetime = 6
)

// SetRouterLifetime overwrites the Router Lifetime of the RA in msg (which
// must hold at least the 16-byte header), e.g. to send the final RA with
// lifetime 0 (RFC 4861 §6.2.5) from a Template.
func SetRouterLifetime(msg []byte, seconds uint16) {
	put16(msg[offRouterLifetime:], seconds)
}

// RouterAdvert is a validated view of a Router Advertisement
// (RFC 4861 §4.2; see Header for the layout). Obtain it from
// ParseRouterAdvert; it aliases the parsed bytes.
type RouterAdvert struct{ b []byte }

// ParseRouterAdvert checks the parts of RFC 4861 §6.1.2 that can be judged
// from the ICMPv6 message alone: type 134, code 0, length ≥ 16 and every
// option of non-zero length within the message. Validate does the IPv6
// metadata checks. It does not allocate.
func ParseRouterAdvert(b []byte) (RouterAdvert, error) {
	if len(b) < RouterAdvertLen {
		return RouterAdvert{}, ErrTooShort
	}
	if b[0] != ICMPTypeRouterAdvert {
		return RouterAdvert{}, ErrType
	}
	if b[1] != 0 {
		return RouterAdvert{}, ErrCode
	}
	if err := checkOptions(b[RouterAdvertLen:]); err != nil {
		return RouterAdvert{}, err
	}
	return RouterAdvert{b: b}, nil
}

// Validate applies the rest of RFC 4861 §6.1.2 given the IPv6 hop limit and
// source address the RA arrived with: hop limit 255 and a link-local
// source. It does not allocate.
func (m RouterAdvert) Validate(hopLimit int, src netip.Addr) error {
	if hopLimit != HopLimit {
		return ErrHopLimit
	}
	if !src.Is6() || !src.IsLinkLocalUnicast() {
		return ErrSource
	}
	return nil
}

// Checksum returns the ICMPv6 Checksum field.
func (m RouterAdvert) Checksum() uint16 { return be16(m.b[2:]) }

// CurHopLimit returns the Cur Hop Limit field (0: unspecified).
func (m RouterAdvert) CurHopLimit() uint8 { return m.b[4] }

// Managed reports the M flag (RFC 4861 §4.2).
func (m RouterAdvert) Managed() bool { return m.b[5]&flagManaged != 0 }

// Other reports the O flag (RFC 4861 §4.2).
func (m RouterAdvert) Other() bool { return m.b[5]&flagOther != 0 }

// HomeAgent reports the H flag (RFC 6275 §7.1).
func (m RouterAdvert) HomeAgent() bool { return m.b[5]&flagHomeAgent != 0 }

// Preference returns the Default Router Preference (RFC 4191 §2.2); the
// reserved value reads as Medium.
func (m RouterAdvert) Preference() Preference { return prefFromWire(m.b[5] >> prfShift) }

// Proxy reports the P flag (RFC 4389 §4.1.3.3).
func (m RouterAdvert) Proxy() bool { return m.b[5]&flagProxy != 0 }

// SNACRouter reports the SNAC Router flag (S, bit 6 of the flags,
// draft-ietf-6man-snac-router-ra-flag).
func (m RouterAdvert) SNACRouter() bool { return m.b[5]&flagSNAC != 0 }

// RouterLifetime returns the Router Lifetime in seconds.
func (m RouterAdvert) RouterLifetime() uint16 { return be16(m.b[6:]) }

// ReachableTime returns the Reachable Time in milliseconds.
func (m RouterAdvert) ReachableTime() uint32 { return be32(m.b[8:]) }

// RetransTimer returns the Retrans Timer in milliseconds.
func (m RouterAdvert) RetransTimer() uint32 { return be32(m.b[12:]) }

// Header returns the fixed fields as a Header value.
func (m RouterAdvert) Header() Header {
	return Header{
		CurHopLimit:    m.CurHopLimit(),
		Managed:        m.Managed(),
		Other:          m.Other(),
		HomeAgent:      m.HomeAgent(),
		Preference:     m.Preference(),
		Proxy:          m.Proxy(),
		SNACRouter:     m.SNACRouter(),
		RouterLifetime: m.RouterLifetime(),
		ReachableTime:  m.ReachableTime(),
		RetransTimer:   m.RetransTimer(),
	}
}

// Bytes returns the whole message (aliasing the parsed bytes).
func (m RouterAdvert) Bytes() []byte { return m.b }

// Options iterates the options of known types (see OptionIter).
func (m RouterAdvert) Options() OptionIter {
	if m.b == nil {
		return OptionIter{}
	}
	return newIter(m.b[RouterAdvertLen:], false)
}

// AllOptions iterates every option, unknown types included.
func (m RouterAdvert) AllOptions() OptionIter {
	if m.b == nil {
		return OptionIter{}
	}
	return newIter(m.b[RouterAdvertLen:], true)
}

// SourceLinkLayerAddr returns the link-layer address of the first Source
// Link-Layer Address option and whether there was one.
func (m RouterAdvert) SourceLinkLayerAddr() ([]byte, bool) {
	if m.b == nil {
		return nil, false
	}
	return findOption(m.b[RouterAdvertLen:], TypeSourceLinkLayerAddr)
}
