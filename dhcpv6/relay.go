package dhcpv6

import (
	"encoding/binary"
	"net/netip"
)

// Relay message layout (RFC 9915 §9):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|    msg-type   |   hop-count   |                               |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               |
//	|                         link-address                          |
//	|                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                               |                               |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               |
//	|                         peer-address                          |
//	|                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                               |                               .
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               .
//	.            options (variable number and length)   ....        .
const (
	relayHopOff     = 1
	relayLinkOff    = 2
	relayPeerOff    = 18
	relayOptionsOff = 34
)

// MaxRelayDepth is the deepest nesting of Relay-forward messages that
// RelayChain.Parse accepts, the cap Kea and odhcpd use. RFC 9915 relays
// themselves stop at HOP_COUNT_LIMIT (8, §7.6).
const MaxRelayDepth = 32

// Relay is a validated view of one Relay-forward or Relay-reply level
// (RFC 9915 §9). Its Relay Message, Interface-Id and Relay Source Port
// options are located once by ParseRelay. A Relay aliases its buffer.
type Relay struct {
	b        []byte
	msg      []byte // Relay Message body
	ifaceID  []byte // Interface-Id body, nil if absent
	port     uint16
	hasPort  bool
	hasIface bool
}

// ParseRelay validates b as one relay message level: the 34-octet header
// (ErrTruncated), a relay msg-type (ErrMessageType), the length of every
// option (ErrOptionTruncated, ErrOptionLength, ErrDUID) and the presence
// of a Relay Message option (ErrNoRelayMessage). The encapsulated message
// is not parsed: see RelayChain for the whole walk. It does not allocate.
func ParseRelay(b []byte) (Relay, error) {
	if len(b) < relayOptionsOff {
		return Relay{}, ErrTruncated
	}
	if t := MessageType(b[0]); t != RelayForward && t != RelayReply {
		return Relay{}, ErrMessageType
	}
	r := Relay{b: b}
	hasMsg := false
	it := NewOptions(b[relayOptionsOff:])
	for it.Next() {
		o := it.opt
		if err := checkOption(o); err != nil {
			return Relay{}, err
		}
		switch o.Code {
		case OptRelayMessage:
			if !hasMsg {
				r.msg, hasMsg = o.Body, true
			}
		case OptInterfaceID:
			if !r.hasIface {
				r.ifaceID, r.hasIface = o.Body, true
			}
		case OptRelaySourcePort:
			if !r.hasPort {
				r.port, r.hasPort = binary.BigEndian.Uint16(o.Body), true
			}
		}
	}
	if err := it.Err(); err != nil {
		return Relay{}, err
	}
	if !hasMsg {
		return Relay{}, ErrNoRelayMessage
	}
	return r, nil
}

// Bytes returns the whole relay message level.
func (r Relay) Bytes() []byte { return r.b }

// Type returns RelayForward or RelayReply (0 for the zero Relay).
func (r Relay) Type() MessageType {
	if len(r.b) < relayOptionsOff {
		return 0
	}
	return MessageType(r.b[0])
}

// HopCount returns the hop-count field (RFC 9915 §9.1).
func (r Relay) HopCount() uint8 {
	if len(r.b) < relayOptionsOff {
		return 0
	}
	return r.b[relayHopOff]
}

// LinkAddress returns the link-address field (RFC 9915 §9.1): an address
// identifying the client's link, or :: (RFC 6221 lightweight relays).
func (r Relay) LinkAddress() netip.Addr {
	if len(r.b) < relayOptionsOff {
		return netip.Addr{}
	}
	return netip.AddrFrom16([16]byte(r.b[relayLinkOff:relayPeerOff]))
}

// PeerAddress returns the peer-address field (RFC 9915 §9.1): the address
// of the client or relay the message came from.
func (r Relay) PeerAddress() netip.Addr {
	if len(r.b) < relayOptionsOff {
		return netip.Addr{}
	}
	return netip.AddrFrom16([16]byte(r.b[relayPeerOff:relayOptionsOff]))
}

// OptionBytes returns the relay level's encoded options.
func (r Relay) OptionBytes() []byte {
	if len(r.b) < relayOptionsOff {
		return nil
	}
	return r.b[relayOptionsOff:]
}

// Options returns a scanner over the relay level's options.
func (r Relay) Options() Options { return NewOptions(r.OptionBytes()) }

// RelayMessage returns the body of the Relay Message option (RFC 9915
// §21.10): the encapsulated client or relay message.
func (r Relay) RelayMessage() []byte { return r.msg }

// InterfaceID returns the body of the Interface-Id option (RFC 9915
// §21.18), if any.
func (r Relay) InterfaceID() ([]byte, bool) { return r.ifaceID, r.hasIface }

// RelaySourcePort returns the downstream source port from the Relay
// Source Port option (RFC 8357 §5.2), if any; 0 means the relay sent the
// option with an empty port value, as a relay closest to the client does.
func (r Relay) RelaySourcePort() (uint16, bool) { return r.port, r.hasPort }

// RelayChain holds a relayed client message: every Relay-forward level
// from the outermost (index 0, the relay that sent the datagram to the
// server) to the innermost (the relay on the client's link), and the
// client message inside. It is a fixed-size value owned by the caller,
// reused from packet to packet; Parse does not allocate. Its views alias
// the parsed buffer.
type RelayChain struct {
	levels [MaxRelayDepth]Relay
	n      int
	msg    Message
	// marks holds, per level, the offset of the Relay Message option
	// header written by AppendRelayReplyHeaders.
	marks [MaxRelayDepth]int
	base  int
}

// Parse walks b, a Relay-forward message, level by level without
// recursion: each level is checked as by ParseRelay, the innermost Relay
// Message must hold a client message (ParseMessage), and more than
// MaxRelayDepth levels yield ErrRelayDepth. A Relay-reply anywhere yields
// ErrMessageType. On error the chain is left empty.
func (c *RelayChain) Parse(b []byte) error {
	c.n = 0
	c.msg = Message{}
	for {
		if len(b) > 0 && MessageType(b[0]) != RelayForward {
			break
		}
		if c.n == MaxRelayDepth {
			c.n = 0
			return ErrRelayDepth
		}
		r, err := ParseRelay(b)
		if err != nil {
			c.n = 0
			return err
		}
		c.levels[c.n] = r
		c.n++
		b = r.msg
	}
	if c.n == 0 {
		return ErrMessageType
	}
	m, err := ParseMessage(b)
	if err != nil {
		c.n = 0
		return err
	}
	c.msg = m
	return nil
}

// Reset empties the chain, as a failed Parse does. With an empty chain,
// AppendRelayReplyHeaders and FinishRelayReply write nothing, so a loop may
// call them for direct messages too.
func (c *RelayChain) Reset() {
	c.n = 0
	c.msg = Message{}
}

// Depth returns the number of relay levels, 1..MaxRelayDepth after a
// successful Parse.
func (c *RelayChain) Depth() int { return c.n }

// Level returns relay level i: 0 is the outermost, Depth()-1 the relay
// closest to the client. It panics if i is out of range.
func (c *RelayChain) Level(i int) Relay {
	if i < 0 || i >= c.n {
		panic("dhcpv6: relay level out of range")
	}
	return c.levels[i]
}

// Message returns the client message inside the innermost relay level.
func (c *RelayChain) Message() Message { return c.msg }

// LinkAddress returns the innermost non-zero link-address, the one that
// identifies the client's link (RFC 9915 §18.3; :: is skipped per
// RFC 6221), and false if every level carries ::.
func (c *RelayChain) LinkAddress() (netip.Addr, bool) {
	for i := c.n - 1; i >= 0; i-- {
		if a := c.levels[i].LinkAddress(); !a.IsUnspecified() {
			return a, true
		}
	}
	return netip.Addr{}, false
}

// InterfaceID returns the Interface-Id of the innermost level that carries
// one: the relay closest to the client names the client's interface
// (RFC 9915 §21.18). The server matches it against configured links when
// no link-address identifies the link.
func (c *RelayChain) InterfaceID() ([]byte, bool) {
	for i := c.n - 1; i >= 0; i-- {
		if c.levels[i].hasIface {
			return c.levels[i].ifaceID, true
		}
	}
	return nil, false
}
