package dhcpv6_test

import (
	"bytes"
	"testing"

	"github.com/radish-net/radish/dhcpv6"
	"github.com/radish-net/radish/internal/fixture"
)

var fixtureFiles = []string{
	"dhclient-information-request.hex",
	"dhcpcd-information-request.hex",
	"kea-reply-to-dhclient.hex",
}

func seedFixtures(f *testing.F, relayed bool) {
	for _, name := range fixtureFiles {
		b := fixture.Load(f, "testdata/"+name).Bytes
		if relayed {
			f.Add(relayForward(b, twoLevels...))
			f.Add(relayForward(b, twoLevels[1]))
		} else {
			f.Add(b)
		}
	}
	if relayed {
		f.Add(fixture.Load(f, "testdata/dhcrelay-relay-forward.hex").Bytes)
		f.Add(fixture.Load(f, "testdata/dhcrelay-relay-forward-interface-id.hex").Bytes)
	}
	f.Add(deepRelay(33))
	f.Add([]byte{11, 0, 0, 0, 0, 1, 0, 0})
}

// FuzzParseMessage: no panic, no allocation, and a parsed message
// re-encodes option by option to the same bytes.
func FuzzParseMessage(f *testing.F) {
	seedFixtures(f, false)
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := dhcpv6.ParseMessage(b)
		if !raceEnabled {
			if n := testing.AllocsPerRun(1, func() { _, _ = dhcpv6.ParseMessage(b) }); n != 0 {
				t.Fatalf("ParseMessage allocated %v times", n)
			}
		}
		if err != nil {
			return
		}
		// Accessors never panic on a parsed view.
		_, _ = m.ClientID()
		_, _ = m.ServerID()
		_, _ = m.ElapsedTime()
		_ = m.HasIA()
		for oro := m.ORO(); oro.Next(); {
			_ = oro.Code()
		}
		out := dhcpv6.AppendHeader(nil, m.Type(), m.TransactionID())
		it := m.Options()
		for it.Next() {
			o := it.Option()
			out = dhcpv6.AppendOption(out, o.Code, o.Body)
		}
		if it.Err() != nil {
			t.Fatalf("iterator error on a parsed message: %v", it.Err())
		}
		if !bytes.Equal(out, b) {
			t.Fatalf("round trip\n got %x\nwant %x", out, b)
		}
		if _, err := dhcpv6.ParseMessage(out); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzParseRelay: no panic, no allocation; a parsed chain yields a
// Relay-reply that mirrors every level and carries the inner message.
func FuzzParseRelay(f *testing.F) {
	seedFixtures(f, true)
	var c dhcpv6.RelayChain
	buf := make([]byte, 0, 70000)
	f.Fuzz(func(t *testing.T, b []byte) {
		err := c.Parse(b)
		if !raceEnabled {
			if n := testing.AllocsPerRun(1, func() { _ = c.Parse(b) }); n != 0 {
				t.Fatalf("Parse allocated %v times", n)
			}
		}
		if err != nil {
			if c.Depth() != 0 {
				t.Fatal("chain not emptied on error")
			}
			return
		}
		if c.Depth() < 1 || c.Depth() > dhcpv6.MaxRelayDepth {
			t.Fatalf("depth %d", c.Depth())
		}
		inner := c.Message().Bytes()
		out, err := c.AppendRelayReply(buf[:0], inner)
		if err != nil {
			return // echoed options made it exceed 64 KiB
		}
		for i := 0; i < c.Depth(); i++ {
			r, err := dhcpv6.ParseRelay(out)
			if err != nil {
				t.Fatalf("level %d of our relay-reply: %v", i, err)
			}
			l := c.Level(i)
			if r.Type() != dhcpv6.RelayReply || r.HopCount() != l.HopCount() ||
				r.LinkAddress() != l.LinkAddress() || r.PeerAddress() != l.PeerAddress() {
				t.Fatalf("level %d header not mirrored", i)
			}
			id1, ok1 := r.InterfaceID()
			id2, ok2 := l.InterfaceID()
			p1, okp1 := r.RelaySourcePort()
			p2, okp2 := l.RelaySourcePort()
			if ok1 != ok2 || !bytes.Equal(id1, id2) || okp1 != okp2 || p1 != p2 {
				t.Fatalf("level %d options not echoed", i)
			}
			out = r.RelayMessage()
		}
		if !bytes.Equal(out, inner) {
			t.Fatal("inner message differs")
		}
	})
}

// FuzzParseDUID: a DUID accepted by ParseDUID rebuilds to the same bytes.
func FuzzParseDUID(f *testing.F) {
	f.Add([]byte{0, 3, 0, 1, 2, 0xc6, 0, 0, 0, 0xc})
	f.Add([]byte{0, 1, 0, 1, 0x32, 0x9b, 0x96, 3, 2, 0xc6, 0, 0, 0, 0xc})
	f.Add([]byte{0, 2, 0, 0, 0x7e, 0xd9, 0xc6})
	f.Add(make([]byte, 131))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := dhcpv6.ParseDUID(b)
		if err != nil {
			if len(b) >= 3 && len(b) <= 130 {
				t.Fatalf("valid length %d rejected", len(b))
			}
			return
		}
		_, _ = d.HardwareType()
		_, _ = d.LinkLayerAddress()
		_, _, _ = d.Enterprise()
		_, _ = d.UUID()
		out, err := dhcpv6.AppendDUID(nil, d.Type(), d[2:])
		if err != nil || !bytes.Equal(out, b) {
			t.Fatalf("round trip: %v %x", err, out)
		}
	})
}

// FuzzDomainName: an accepted name encodes to labels of 1..63 octets,
// at most 255 octets in all, ending with the root label.
func FuzzDomainName(f *testing.F) {
	for _, s := range []string{"example.com", "a.b.", ".", "", "a..b", "x.y.z.example.org"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := dhcpv6.AppendDomainName(nil, s)
		if err != nil {
			if len(b) != 0 {
				t.Fatal("dst grown on error")
			}
			return
		}
		if len(b) > 255 || b[len(b)-1] != 0 {
			t.Fatalf("bad encoding %x", b)
		}
		for i := 0; b[i] != 0; i += int(b[i]) + 1 {
			if b[i] > 63 || i+int(b[i]) >= len(b) {
				t.Fatalf("bad label at %d in %x", i, b)
			}
		}
	})
}
