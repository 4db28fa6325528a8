package fuzz_test

import (
	"errors"
	"fmt"
	"net"
	"testing"

	ins "github.com/insomniacslk/dhcp/dhcpv6"

	"github.com/radish-net/radish/dhcpv6"
	"github.com/radish-net/radish/internal/fixture"
	"github.com/radish-net/radish/internal/oracle"
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

// fuzzBodies names the options whose bodies insomniacslk re-encodes
// byte for byte from arbitrary input.
func fuzzBodies(c dhcpv6.OptionCode) bool {
	return c == dhcpv6.OptInterfaceID || c == dhcpv6.OptRelaySourcePort || c == dhcpv6.OptElapsedTime
}

// agree fails the test on an oracle difference.
func agree(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
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
			agree(t, "message", oracle.DiffDHCPv6Message(m, v, fuzzBodies))
		case *ins.RelayMessage:
			if v.MessageType == ins.MessageTypeRelayReply {
				agree(t, "relay-reply", oracle.DiffRelayHeader(relay, v))
				agree(t, "relay-reply", oracle.DiffDHCPv6Options(relay.Options(), v.Options.Options, fuzzBodies))
				return
			}
			var cur ins.DHCPv6 = v
			for i := 0; i < chain.Depth(); i++ {
				r, ok := cur.(*ins.RelayMessage)
				if !ok {
					t.Fatalf("level %d: insomniacslk sees %T", i, cur)
				}
				l := chain.Level(i)
				agree(t, fmt.Sprintf("level %d", i), oracle.DiffRelayHeader(l, r))
				agree(t, fmt.Sprintf("level %d", i), oracle.DiffDHCPv6Options(l.Options(), r.Options.Options, fuzzBodies))
				cur = r.Options.RelayMessage()
			}
			im, ok := cur.(*ins.Message)
			if !ok {
				t.Fatalf("innermost: insomniacslk sees %T", cur)
			}
			agree(t, "innermost", oracle.DiffDHCPv6Message(chain.Message(), im, fuzzBodies))
		}
	})
}
