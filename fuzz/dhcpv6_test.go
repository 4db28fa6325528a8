package fuzz_test

import (
	"bytes"
	"errors"
	"net"
	"testing"

	ins "github.com/insomniacslk/dhcp/dhcpv6"

	"github.com/radish-net/radish/dhcpv6"
	"github.com/radish-net/radish/internal/fixture"
)

// Agreement between radish's dhcpv6 codec and github.com/insomniacslk/dhcp.
//
// Framing must agree: whenever insomniacslk accepts a datagram, radish must
// not report a truncated header or an option running past the end, and
// wherever both accept, message type, transaction id, relay headers,
// option order and the identifiers must be equal.
//
// Genuine, documented disagreements:
//
//   - radish is stricter where RFC 9915 is: DUIDs outside 3..130 octets
//     (ErrDUID; insomniacslk takes any length), lengths of known options
//     such as an empty Interface-Id or Relay Message (ErrOptionLength),
//     a Relay-forward without a Relay Message (ErrNoRelayMessage;
//     insomniacslk leaves it as a TODO), nesting deeper than
//     dhcpv6.MaxRelayDepth (ErrRelayDepth; insomniacslk recurses without a
//     cap), and a Relay-reply inside a Relay-forward (ErrMessageType).
//   - insomniacslk is stricter inside options that radish keeps opaque
//     (IA_NA/IA_PD sub-options, domain names, FQDN, vendor sub-options,
//     NTP suboptions, the inner structure of DUID-LLT/LL/EN/UUID): radish
//     only checks lengths on the packet path, so it may accept what
//     insomniacslk rejects. A server echoing such options copies bytes and
//     never interprets them.
//   - insomniacslk merges every Option Request option; radish reads the
//     first, the only one RFC 9915 §21.7 allows.

// radishStricter lists the errors radish may return for input that
// insomniacslk accepts.
var radishStricter = []error{
	dhcpv6.ErrDUID, dhcpv6.ErrOptionLength, dhcpv6.ErrNoRelayMessage,
	dhcpv6.ErrRelayDepth, dhcpv6.ErrMessageType,
}

func seedDHCPv6(f *testing.F) {
	for _, name := range []string{"dhclient-information-request.hex", "dhcpcd-information-request.hex", "kea-reply-to-dhclient.hex"} {
		p := fixture.Load(f, "../dhcpv6/testdata/"+name).Bytes
		f.Add(p)
		d, err := ins.FromBytes(p)
		if err != nil {
			f.Fatal(err)
		}
		r1, err := ins.EncapsulateRelay(d, ins.MessageTypeRelayForward, net.IPv6zero, net.ParseIP("fe80::c"))
		if err != nil {
			f.Fatal(err)
		}
		r1.AddOption(ins.OptInterfaceID([]byte("eth0")))
		r1.AddOption(ins.OptRelayPort(0))
		f.Add(r1.ToBytes())
		r2, err := ins.EncapsulateRelay(r1, ins.MessageTypeRelayForward, net.ParseIP("2001:db8::1"), net.ParseIP("fe80::2"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(r2.ToBytes())
	}
	f.Add(fixture.Load(f, "../dhcpv6/testdata/dhcrelay-relay-forward.hex").Bytes)
	f.Add(fixture.Load(f, "../dhcpv6/testdata/dhcrelay-relay-forward-interface-id.hex").Bytes)
}

// agreeOptions compares option order and bodies of the identifiers.
func agreeOptions(t *testing.T, it dhcpv6.Options, want ins.Options) {
	t.Helper()
	i := 0
	for it.Next() {
		o := it.Option()
		if i >= len(want) || uint16(o.Code) != uint16(want[i].Code()) {
			t.Fatalf("option %d: radish %v, insomniacslk %v", i, o.Code, want)
		}
		switch o.Code {
		case dhcpv6.OptInterfaceID, dhcpv6.OptRelaySourcePort, dhcpv6.OptElapsedTime:
			if !bytes.Equal(o.Body, want[i].ToBytes()) {
				t.Fatalf("option %v: radish %x, insomniacslk %x", o.Code, o.Body, want[i].ToBytes())
			}
		}
		i++
	}
	if i != len(want) {
		t.Fatalf("radish sees %d options, insomniacslk %d", i, len(want))
	}
}

func agreeMessage(t *testing.T, m dhcpv6.Message, im *ins.Message) {
	t.Helper()
	if uint8(m.Type()) != uint8(im.MessageType) || [3]byte(m.TransactionID()) != [3]byte(im.TransactionID) {
		t.Fatalf("header: radish %v %x, insomniacslk %v %x", m.Type(), m.TransactionID(), im.MessageType, im.TransactionID)
	}
	agreeOptions(t, m.Options(), im.Options.Options)
}

// FuzzDHCPv6Oracle parses every input with both libraries and checks that
// they agree wherever insomniacslk accepts, except for the documented
// cases above.
func FuzzDHCPv6Oracle(f *testing.F) {
	seedDHCPv6(f)
	var chain dhcpv6.RelayChain
	f.Fuzz(func(t *testing.T, b []byte) {
		var err error
		var m dhcpv6.Message
		var relay dhcpv6.Relay
		switch {
		case len(b) > 0 && dhcpv6.MessageType(b[0]) == dhcpv6.RelayForward:
			err = chain.Parse(b)
		case len(b) > 0 && dhcpv6.MessageType(b[0]) == dhcpv6.RelayReply:
			relay, err = dhcpv6.ParseRelay(b)
		default:
			m, err = dhcpv6.ParseMessage(b)
		}
		d, insErr := ins.FromBytes(b)
		if insErr != nil {
			return // radish may accept what insomniacslk rejects (opaque options)
		}
		if err != nil {
			for _, ok := range radishStricter {
				if errors.Is(err, ok) {
					return
				}
			}
			t.Fatalf("insomniacslk accepts, radish: %v\n%s", err, d.Summary())
		}
		switch v := d.(type) {
		case *ins.Message:
			agreeMessage(t, m, v)
		case *ins.RelayMessage:
			if v.MessageType == ins.MessageTypeRelayReply {
				if relay.HopCount() != v.HopCount || !net.IP(relay.LinkAddress().AsSlice()).Equal(v.LinkAddr) {
					t.Fatal("relay-reply header differs")
				}
				agreeOptions(t, relay.Options(), v.Options.Options)
				return
			}
			var cur ins.DHCPv6 = v
			for i := 0; i < chain.Depth(); i++ {
				r, ok := cur.(*ins.RelayMessage)
				if !ok {
					t.Fatalf("level %d: insomniacslk sees %T", i, cur)
				}
				l := chain.Level(i)
				if l.HopCount() != r.HopCount || !net.IP(l.LinkAddress().AsSlice()).Equal(r.LinkAddr) ||
					!net.IP(l.PeerAddress().AsSlice()).Equal(r.PeerAddr) {
					t.Fatalf("level %d header differs", i)
				}
				agreeOptions(t, l.Options(), r.Options.Options)
				cur = r.Options.RelayMessage()
			}
			im, ok := cur.(*ins.Message)
			if !ok {
				t.Fatalf("innermost: insomniacslk sees %T", cur)
			}
			agreeMessage(t, chain.Message(), im)
		}
	})
}
