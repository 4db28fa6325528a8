package ra

import "strconv"

// OptionType is a Neighbor Discovery option type (RFC 4861 §4.6, IANA
// "IPv6 Neighbor Discovery Option Formats").
type OptionType uint8

// Option types this package decodes and builds.
const (
	TypeSourceLinkLayerAddr OptionType = 1   // RFC 4861 §4.6.1
	TypeTargetLinkLayerAddr OptionType = 2   // RFC 4861 §4.6.1
	TypePrefixInfo          OptionType = 3   // RFC 4861 §4.6.2
	TypeMTU                 OptionType = 5   // RFC 4861 §4.6.4
	TypeAdvInterval         OptionType = 7   // RFC 6275 §7.3
	TypeHomeAgentInfo       OptionType = 8   // RFC 6275 §7.4
	TypeRouteInfo           OptionType = 24  // RFC 4191 §2.3
	TypeRDNSS               OptionType = 25  // RFC 8106 §5.1
	TypeFlagsExpansion      OptionType = 26  // RFC 5175 §4
	TypeDNSSL               OptionType = 31  // RFC 8106 §5.2
	TypeSixLoWPANContext    OptionType = 34  // RFC 6775 §4.2 (6CO)
	TypeABRO                OptionType = 35  // RFC 6775 §4.3
	TypeCaptivePortal       OptionType = 37  // RFC 8910 §2.3
	TypePREF64              OptionType = 38  // RFC 8781 §4
	TypeDNR                 OptionType = 144 // RFC 9463 §6.1
)

// Known reports whether t is one of the option types this package decodes.
func (t OptionType) Known() bool {
	switch t {
	case TypeSourceLinkLayerAddr, TypeTargetLinkLayerAddr, TypePrefixInfo,
		TypeMTU, TypeAdvInterval, TypeHomeAgentInfo, TypeRouteInfo,
		TypeRDNSS, TypeFlagsExpansion, TypeDNSSL, TypeSixLoWPANContext,
		TypeABRO, TypeCaptivePortal, TypePREF64, TypeDNR:
		return true
	}
	return false
}

// String returns the option's short name, or its number for unknown types.
func (t OptionType) String() string {
	switch t {
	case TypeSourceLinkLayerAddr:
		return "source-lladdr"
	case TypeTargetLinkLayerAddr:
		return "target-lladdr"
	case TypePrefixInfo:
		return "prefix-info"
	case TypeMTU:
		return "mtu"
	case TypeAdvInterval:
		return "adv-interval"
	case TypeHomeAgentInfo:
		return "home-agent-info"
	case TypeRouteInfo:
		return "route-info"
	case TypeRDNSS:
		return "rdnss"
	case TypeFlagsExpansion:
		return "flags-expansion"
	case TypeDNSSL:
		return "dnssl"
	case TypeSixLoWPANContext:
		return "6lowpan-context"
	case TypeABRO:
		return "abro"
	case TypeCaptivePortal:
		return "captive-portal"
	case TypePREF64:
		return "pref64"
	case TypeDNR:
		return "dnr"
	}
	return "option-" + strconv.Itoa(int(t))
}

// maxOptionLen is the largest option on the wire: 255 units of 8 bytes.
const maxOptionLen = 255 * 8

// Option is one option of a parsed message: its type and its body, which
// is everything after the type and length bytes (so len(Body)+2 is a
// multiple of 8). Body aliases the message.
type Option struct {
	Type OptionType
	Body []byte
}

// Len returns the option's length on the wire in bytes, header included.
func (o Option) Len() int { return len(o.Body) + 2 }

// checkOptions checks the framing of an option area (RFC 4861 §6.1.1,
// §6.1.2: "all included options have a length that is greater than zero"
// and none extends past the message).
func checkOptions(b []byte) error {
	for len(b) > 0 {
		if len(b) < 2 {
			return ErrOptionTruncated
		}
		n := int(b[1]) * 8
		if n == 0 {
			return ErrOptionLength
		}
		if n > len(b) {
			return ErrOptionTruncated
		}
		b = b[n:]
	}
	return nil
}

// OptionIter walks the options of a parsed message in wire order:
//
//	it := m.Options()
//	for it.Next() {
//		o := it.Option()
//		...
//	}
//	if err := it.Err(); err != nil { ... }
//
// The iterator from Options skips types this package does not know
// (OptionType.Known); the one from AllOptions yields every option. The
// zero OptionIter yields nothing.
type OptionIter struct {
	b   []byte
	cur Option
	all bool
	err error
}

func newIter(b []byte, all bool) OptionIter { return OptionIter{b: b, all: all} }

// Next advances to the next option and reports whether there is one.
func (it *OptionIter) Next() bool {
	for len(it.b) > 0 {
		if len(it.b) < 2 {
			it.err, it.b = ErrOptionTruncated, nil
			return false
		}
		n := int(it.b[1]) * 8
		if n == 0 {
			it.err, it.b = ErrOptionLength, nil
			return false
		}
		if n > len(it.b) {
			it.err, it.b = ErrOptionTruncated, nil
			return false
		}
		o := Option{Type: OptionType(it.b[0]), Body: it.b[2:n:n]}
		it.b = it.b[n:]
		if it.all || o.Type.Known() {
			it.cur = o
			return true
		}
	}
	return false
}

// Option returns the current option. Its Body aliases the message.
func (it *OptionIter) Option() Option { return it.cur }

// Err returns the framing error that stopped the iteration, if any. It is
// always nil for iterators of messages returned by the Parse functions.
func (it *OptionIter) Err() error { return it.err }

// IterOptions returns an iterator over the raw option area b (for example
// the bytes after an RA's 16-byte header), yielding every option. Framing
// errors are reported by Err.
func IterOptions(b []byte) OptionIter { return newIter(b, true) }

// OptionSpec is an option ready to be encoded. Every option value type of
// this package (PrefixInfo, RouteInfo, RDNSS, ...) implements it, so an
// ordered []OptionSpec describes the options of an RA for
// AppendRouterAdvert, Compile and Split.
type OptionSpec interface {
	// OptionType returns the option's type code.
	OptionType() OptionType
	// AppendTo appends the whole option (type, length, body, padding) to
	// dst. It does not allocate when dst has room. It fails with
	// ErrInvalid, ErrDomainName or ErrTooBig for values that cannot be
	// encoded, and then returns dst unchanged.
	AppendTo(dst []byte) ([]byte, error)
}

// RawOption is an option given as its type and body bytes, for types this
// package has no dedicated builder for (e.g. Nonce, RFC 3971). The body
// is padded with zeros to a multiple of 8 bytes including the header.
type RawOption struct {
	Type OptionType
	Body []byte
}

// OptionType implements OptionSpec.
func (o RawOption) OptionType() OptionType { return o.Type }

// AppendTo implements OptionSpec.
func (o RawOption) AppendTo(dst []byte) ([]byte, error) {
	n := padLen(2 + len(o.Body))
	if n > maxOptionLen {
		return dst, ErrTooBig
	}
	dst, b := grow(dst, n)
	b[0], b[1] = byte(o.Type), byte(n/8)
	copy(b[2:], o.Body)
	return dst, nil
}

// padLen rounds n up to a multiple of 8.
func padLen(n int) int { return (n + 7) &^ 7 }

// grow extends dst by n zeroed bytes and returns the extended slice and
// the new n-byte tail.
func grow(dst []byte, n int) ([]byte, []byte) {
	l := len(dst)
	if cap(dst)-l < n {
		nb := make([]byte, l, 2*cap(dst)+n)
		copy(nb, dst)
		dst = nb
	}
	dst = dst[:l+n]
	t := dst[l:]
	clear(t)
	return dst, t
}

func be16(b []byte) uint16 { return uint16(b[0])<<8 | uint16(b[1]) }
func be32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}
func put16(b []byte, v uint16) { b[0], b[1] = byte(v>>8), byte(v) }
func put32(b []byte, v uint32) {
	b[0], b[1], b[2], b[3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
}
