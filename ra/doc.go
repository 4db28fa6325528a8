// Package ra holds the wire format of IPv6 Router Solicitation and Router
// Advertisement messages (RFC 4861 §4.1, §4.2) and of the Neighbor
// Discovery options a router sends in them (RFC 4861 §4.6, RFC 4191,
// RFC 5175, RFC 6275, RFC 8106, RFC 8781, RFC 8910, RFC 9463, RFC 9762).
//
// The contract:
//
//   - Parse and Append do not allocate; views alias their input. A view
//     (RouterSolicit, RouterAdvert, Option, RDNSSView, DNSSLView, DNRView) is valid
//     only while the caller keeps the underlying bytes unchanged, and
//     callers must not retain it after reusing the receive buffer.
//   - ParseRouterSolicit and ParseRouterAdvert check the ICMPv6 header and
//     the framing of every option once; accessors then index without
//     checks and never panic. Typed option decoders (ParsePrefixInfo,
//     ParseRDNSS, ...) check the body of one option.
//   - Errors on the packet path are the package-level sentinels below,
//     returned unwrapped, so callers can count drops with ==.
//   - Messages are ICMPv6 messages starting at the ICMPv6 type byte; the IPv6
//     header is not part of them. The checksum field is left zero by the
//     builders: the kernel fills it in for raw ICMPv6 sockets, and
//     SetChecksum fills it in for transports that build whole frames.
//   - "Compose on the control plane, copy on the data plane": Compile and
//     Split turn an RA description into Templates once; per packet, a
//     Template is copied into a caller buffer and its lifetimes patched,
//     without allocation (see Template).
//
// The package uses only the standard library, does no I/O and keeps no
// state.
package ra

import "errors"

// Sentinel errors returned by the parsers and validators. They are returned
// unwrapped.
var (
	// ErrTooShort: the message is shorter than its fixed header
	// (8 bytes for an RS, 16 for an RA; RFC 4861 §6.1.1, §6.1.2).
	ErrTooShort = errors.New("ra: message too short")
	// ErrType: the ICMPv6 type is not the expected RS (133) or RA (134).
	ErrType = errors.New("ra: wrong ICMPv6 type")
	// ErrCode: the ICMPv6 code is not 0.
	ErrCode = errors.New("ra: ICMPv6 code is not 0")
	// ErrOptionLength: an option has length 0 (RFC 4861 §4.6).
	ErrOptionLength = errors.New("ra: option with length 0")
	// ErrOptionTruncated: an option extends past the end of the message,
	// or fewer than 2 bytes remain for an option header.
	ErrOptionTruncated = errors.New("ra: option past the end of the message")
	// ErrHopLimit: the IPv6 hop limit is not 255 (RFC 4861 §6.1).
	ErrHopLimit = errors.New("ra: IPv6 hop limit is not 255")
	// ErrUnspecifiedSLLA: an RS from the unspecified address carries a
	// Source Link-Layer Address option (RFC 4861 §6.1.1).
	ErrUnspecifiedSLLA = errors.New("ra: source link-layer address option from the unspecified address")
	// ErrSource: an RA's IPv6 source is not a link-local address
	// (RFC 4861 §6.1.2).
	ErrSource = errors.New("ra: RA source address is not link-local")
	// ErrBadOption: a typed option decoder found a body that does not
	// match its RFC (wrong length, invalid prefix length, bad name ...).
	ErrBadOption = errors.New("ra: malformed option body")
)

// Control-plane errors returned by the builders for values that cannot be
// encoded. They are not returned on the packet path.
var (
	// ErrInvalid: a builder was given a value its RFC does not allow
	// (prefix length, lifetime range, empty server list ...).
	ErrInvalid = errors.New("ra: value cannot be encoded")
	// ErrDomainName: a DNSSL or DNR domain name is not a valid RFC 1035
	// name (empty label, label over 63 bytes, name over 255 bytes).
	ErrDomainName = errors.New("ra: invalid domain name")
	// ErrTooBig: an option, or the header plus the per-RA options, does
	// not fit the size budget (or the 2040-byte option maximum).
	ErrTooBig = errors.New("ra: does not fit the size budget")
)
