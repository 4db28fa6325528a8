package dhcpv6

import "encoding/binary"

// Building a Relay-reply (RFC 9915 §19.3): the server mirrors every
// Relay-forward level of the request, outermost first, copying hop-count,
// link-address and peer-address, and echoing each level's Interface-Id
// (§21.18) and Relay Source Port (RFC 8357 §5.2) options. The Reply goes
// inside the innermost level's Relay Message option.
//
// To build without copying the Reply twice, the headers are written first
// with their Relay Message lengths left open, the Reply is appended after
// them, and the lengths are patched at the end:
//
//	dst = chain.AppendRelayReplyHeaders(dst)
//	dst = dhcpv6.AppendReplyHeader(dst, dhcpv6.Reply, chain.Message(), sid)
//	dst = set.AppendRequested(dst, chain.Message())
//	dst, err := chain.FinishRelayReply(dst)
//
// Neither step allocates when dst has capacity.

// AppendRelayReplyHeaders appends, for every level of c from the
// outermost, a Relay-reply header and its echoed options, ending with an
// open Relay Message option header. It records the offsets in c, so c must
// not be re-parsed before FinishRelayReply. dst must not be resliced below
// its current length in between; appending (even with reallocation) is
// fine.
func (c *RelayChain) AppendRelayReplyHeaders(dst []byte) []byte {
	c.base = len(dst)
	for i := 0; i < c.n; i++ {
		r := &c.levels[i]
		dst = append(dst, byte(RelayReply), r.b[relayHopOff])
		dst = append(dst, r.b[relayLinkOff:relayOptionsOff]...)
		if r.hasIface {
			dst = AppendOption(dst, OptInterfaceID, r.ifaceID)
		}
		if r.hasPort {
			dst = AppendRelaySourcePort(dst, r.port)
		}
		c.marks[i] = len(dst)
		dst = append(dst, 0, byte(OptRelayMessage), 0, 0)
	}
	return dst
}

// FinishRelayReply patches the Relay Message lengths left open by
// AppendRelayReplyHeaders, now that the Reply has been appended after
// them. It returns ErrOptionLength, and dst cut back to where
// AppendRelayReplyHeaders started, if the result would not fit a
// 16-bit option length.
func (c *RelayChain) FinishRelayReply(dst []byte) ([]byte, error) {
	for i := c.n - 1; i >= 0; i-- {
		n := len(dst) - c.marks[i] - 4
		if n > 0xffff || n < 0 {
			return dst[:c.base], ErrOptionLength
		}
		binary.BigEndian.PutUint16(dst[c.marks[i]+2:], uint16(n))
	}
	return dst, nil
}

// AppendRelayReply appends a complete Relay-reply mirroring c around inner,
// an already built server message.
func (c *RelayChain) AppendRelayReply(dst, inner []byte) ([]byte, error) {
	dst = c.AppendRelayReplyHeaders(dst)
	dst = append(dst, inner...)
	return c.FinishRelayReply(dst)
}

// AppendRelayHeader appends one relay message header (RFC 9915 §9) with
// msg-type t (RelayForward or RelayReply); link and peer are 16-octet
// addresses. The caller appends its options, typically ending with
// StartOption(dst, OptRelayMessage) ... FinishOption.
func AppendRelayHeader(dst []byte, t MessageType, hopCount uint8, link, peer [16]byte) []byte {
	dst = append(dst, byte(t), hopCount)
	dst = append(dst, link[:]...)
	return append(dst, peer[:]...)
}
