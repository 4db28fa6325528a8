package dhcpv6

import "encoding/binary"

// Client/server message layout (RFC 9915 §8):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|    msg-type   |               transaction-id                  |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	.                            options                            .
const (
	msgTypeOff    = 0
	msgXIDOff     = 1
	msgOptionsOff = 4
)

// Message is a validated view of a client/server message (RFC 9915 §8):
// any message type except Relay-forward and Relay-reply. The zero Message
// is empty; obtain one from ParseMessage or RelayChain.Message. A Message
// aliases the buffer it was parsed from.
type Message struct {
	b []byte
}

// ParseMessage validates b as a client/server message: the 4-octet header
// and every top-level option's length (ErrTruncated, ErrOptionTruncated,
// ErrOptionLength, ErrDUID). A relay message type yields ErrMessageType.
// Unknown message types and unknown options are accepted; dropping unknown
// types is the server's decision (RFC 9915 §16). ParseMessage does not
// allocate and the result aliases b.
func ParseMessage(b []byte) (Message, error) {
	if len(b) < msgOptionsOff {
		return Message{}, ErrTruncated
	}
	if t := MessageType(b[msgTypeOff]); t == RelayForward || t == RelayReply {
		return Message{}, ErrMessageType
	}
	if err := validateOptions(b[msgOptionsOff:]); err != nil {
		return Message{}, err
	}
	return Message{b: b}, nil
}

// Bytes returns the whole message; it aliases the parsed buffer.
func (m Message) Bytes() []byte { return m.b }

// Type returns the msg-type (RFC 9915 §8).
func (m Message) Type() MessageType {
	if len(m.b) == 0 {
		return 0
	}
	return MessageType(m.b[msgTypeOff])
}

// TransactionID returns the transaction-id (RFC 9915 §8).
func (m Message) TransactionID() TransactionID {
	var x TransactionID
	if len(m.b) >= msgOptionsOff {
		copy(x[:], m.b[msgXIDOff:msgOptionsOff])
	}
	return x
}

// OptionBytes returns the encoded options of the message.
func (m Message) OptionBytes() []byte {
	if len(m.b) < msgOptionsOff {
		return nil
	}
	return m.b[msgOptionsOff:]
}

// Options returns a scanner over the message's top-level options.
func (m Message) Options() Options { return NewOptions(m.OptionBytes()) }

// Option returns the body of the first option with code c.
func (m Message) Option(c OptionCode) ([]byte, bool) { return findOption(m.OptionBytes(), c) }

// Has reports whether the message carries an option with code c.
func (m Message) Has(c OptionCode) bool {
	_, ok := m.Option(c)
	return ok
}

// ClientID returns the Client Identifier's DUID (RFC 9915 §21.2), already
// validated by ParseMessage.
func (m Message) ClientID() (DUID, bool) {
	b, ok := m.Option(OptClientID)
	return DUID(b), ok
}

// ServerID returns the Server Identifier's DUID (RFC 9915 §21.3).
func (m Message) ServerID() (DUID, bool) {
	b, ok := m.Option(OptServerID)
	return DUID(b), ok
}

// ORO returns a scanner over the codes of the first Option Request option
// (RFC 9915 §21.7); it yields nothing when the client sent none.
func (m Message) ORO() ORO {
	b, _ := m.Option(OptORO)
	return NewORO(b)
}

// HasORO reports whether the message carries an Option Request option.
func (m Message) HasORO() bool { return m.Has(OptORO) }

// ElapsedTime returns the Elapsed Time option in hundredths of a second
// (RFC 9915 §21.9).
func (m Message) ElapsedTime() (uint16, bool) {
	b, ok := m.Option(OptElapsedTime)
	if !ok {
		return 0, false
	}
	return binary.BigEndian.Uint16(b), true
}

// HasIANA reports whether the message carries an IA_NA option (§21.4).
func (m Message) HasIANA() bool { return m.Has(OptIANA) }

// HasIATA reports whether the message carries an IA_TA option (§21.5).
func (m Message) HasIATA() bool { return m.Has(OptIATA) }

// HasIAPD reports whether the message carries an IA_PD option (§21.21).
func (m Message) HasIAPD() bool { return m.Has(OptIAPD) }

// HasIA reports whether the message carries any IA option (IA_NA, IA_TA or
// IA_PD), which an Information-request must not (RFC 9915 §16.12).
func (m Message) HasIA() bool {
	it := m.Options()
	for it.Next() {
		switch it.opt.Code {
		case OptIANA, OptIATA, OptIAPD:
			return true
		}
	}
	return false
}

// AppendHeader appends a client/server message header (RFC 9915 §8).
func AppendHeader(dst []byte, t MessageType, xid TransactionID) []byte {
	return append(dst, byte(t), xid[0], xid[1], xid[2])
}

// AppendReplyHeader starts a server message of type t (Reply or Advertise)
// answering req: the header with req's transaction-id, req's Client
// Identifier option copied byte-for-byte only if req carried one, and a
// Server Identifier option carrying serverID (the order Kea uses) (RFC 9915 §18.3.6; §18.3.9). The
// caller appends the remaining options. It does not allocate when dst has
// capacity.
func AppendReplyHeader(dst []byte, t MessageType, req Message, serverID DUID) []byte {
	dst = AppendHeader(dst, t, req.TransactionID())
	if cid, ok := req.ClientID(); ok {
		dst = AppendOption(dst, OptClientID, cid)
	}
	return AppendOption(dst, OptServerID, serverID)
}
