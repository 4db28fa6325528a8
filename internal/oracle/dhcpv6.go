package oracle

import (
	"bytes"
	"fmt"
	"net"

	ins "github.com/insomniacslk/dhcp/dhcpv6"

	"github.com/radish-net/radish/dhcpv6"
)

// DiffDHCPv6Header compares a message's type and transaction id with
// insomniacslk's.
func DiffDHCPv6Header(m dhcpv6.Message, im *ins.Message) error {
	if uint8(m.Type()) != uint8(im.MessageType) || [3]byte(m.TransactionID()) != [3]byte(im.TransactionID) {
		return fmt.Errorf("header: radish %v %x, insomniacslk %v %x", m.Type(), m.TransactionID(), im.MessageType, im.TransactionID)
	}
	return nil
}

// DiffRelayHeader compares a relay message's hop count, link address and
// peer address with insomniacslk's.
func DiffRelayHeader(l dhcpv6.Relay, r *ins.RelayMessage) error {
	if l.HopCount() != r.HopCount || !net.IP(l.LinkAddress().AsSlice()).Equal(r.LinkAddr) ||
		!net.IP(l.PeerAddress().AsSlice()).Equal(r.PeerAddr) {
		return fmt.Errorf("relay header: radish hop %d link %v peer %v, insomniacslk %s",
			l.HopCount(), l.LinkAddress(), l.PeerAddress(), r)
	}
	return nil
}

// DiffDHCPv6Options compares the options it yields with insomniacslk's, in
// order: the codes always, the bodies of the options for which body
// returns true (every option if body is nil), and the iterator's error.
//
// insomniacslk re-encodes the options it decoded, so a body is only
// byte-comparable where its encoding is canonical: every option of a
// message insomniacslk built itself, but only simple ones (identifiers,
// Elapsed Time) of arbitrary input.
func DiffDHCPv6Options(it dhcpv6.Options, want ins.Options, body func(dhcpv6.OptionCode) bool) error {
	n := 0
	for it.Next() {
		o := it.Option()
		if n >= len(want) || uint16(o.Code) != uint16(want[n].Code()) {
			return fmt.Errorf("option %d: radish %v, insomniacslk %v", n, o.Code, want)
		}
		if body == nil || body(o.Code) {
			if w := want[n].ToBytes(); !bytes.Equal(o.Body, w) {
				return fmt.Errorf("option %d (%v): radish %x, insomniacslk %x", n, o.Code, o.Body, w)
			}
		}
		n++
	}
	if err := it.Err(); err != nil {
		return fmt.Errorf("after %d options: %w", n, err)
	}
	if n != len(want) {
		return fmt.Errorf("radish sees %d options, insomniacslk %d", n, len(want))
	}
	return nil
}

// DiffDHCPv6Message is DiffDHCPv6Header, then DiffDHCPv6Options over the
// message's options.
func DiffDHCPv6Message(m dhcpv6.Message, im *ins.Message, body func(dhcpv6.OptionCode) bool) error {
	if err := DiffDHCPv6Header(m, im); err != nil {
		return err
	}
	return DiffDHCPv6Options(m.Options(), im.Options.Options, body)
}
