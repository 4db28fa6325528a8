package dhcpv6_test

import (
	"bytes"
	"errors"
	"net/netip"
	"testing"

	"github.com/radish-net/radish/dhcpv6"
	"github.com/radish-net/radish/internal/fixture"
)

// relayLevel describes one Relay-forward level for relayForward.
type relayLevel struct {
	hop        uint8
	link, peer string
	ifaceID    string // "" = no Interface-Id option
	port       int    // -1 = no Relay Source Port option
}

// relayForward wraps inner in levels, levels[0] outermost.
func relayForward(inner []byte, levels ...relayLevel) []byte {
	msg := inner
	for i := len(levels) - 1; i >= 0; i-- {
		l := levels[i]
		b := dhcpv6.AppendRelayHeader(nil, dhcpv6.RelayForward, l.hop,
			netip.MustParseAddr(l.link).As16(), netip.MustParseAddr(l.peer).As16())
		if l.ifaceID != "" {
			b = dhcpv6.AppendInterfaceID(b, []byte(l.ifaceID))
		}
		if l.port >= 0 {
			b = dhcpv6.AppendRelaySourcePort(b, uint16(l.port))
		}
		msg = dhcpv6.AppendRelayMessage(b, msg)
	}
	return msg
}

var twoLevels = []relayLevel{
	{hop: 1, link: "2001:db8:0:1::1", peer: "fe80::2", ifaceID: "", port: 547},
	{hop: 0, link: "::", peer: "fe80::c", ifaceID: "eth0.10", port: 0},
}

func TestRelayChain(t *testing.T) {
	inner := fixture.Load(t, "testdata/dhclient-information-request.hex").Bytes
	b := relayForward(inner, twoLevels...)
	var c dhcpv6.RelayChain
	if err := c.Parse(b); err != nil {
		t.Fatal(err)
	}
	if c.Depth() != 2 {
		t.Fatalf("depth %d", c.Depth())
	}
	for i, want := range twoLevels {
		t.Run(want.peer, func(t *testing.T) {
			l := c.Level(i)
			if l.Type() != dhcpv6.RelayForward || l.HopCount() != want.hop ||
				l.LinkAddress() != netip.MustParseAddr(want.link) || l.PeerAddress() != netip.MustParseAddr(want.peer) {
				t.Errorf("level %d: %v hop %d link %v peer %v", i, l.Type(), l.HopCount(), l.LinkAddress(), l.PeerAddress())
			}
			id, ok := l.InterfaceID()
			if ok != (want.ifaceID != "") || string(id) != want.ifaceID {
				t.Errorf("interface-id %q %v, want %q", id, ok, want.ifaceID)
			}
			p, ok := l.RelaySourcePort()
			if !ok || int(p) != want.port {
				t.Errorf("relay source port %d %v, want %d", p, ok, want.port)
			}
		})
	}
	if !bytes.Equal(c.Message().Bytes(), inner) {
		t.Error("inner message differs")
	}
	if id, ok := c.InterfaceID(); !ok || string(id) != "eth0.10" {
		t.Errorf("innermost interface-id %q %v", id, ok)
	}
	if a, ok := c.LinkAddress(); !ok || a != netip.MustParseAddr("2001:db8:0:1::1") {
		t.Errorf("innermost non-zero link-address %v %v", a, ok)
	}

	// The Relay-reply mirrors both levels around the Reply.
	reply := keaSet(t, nil).AppendReply(nil, dhcpv6.Reply, c.Message(), keaDUID(t))
	out := c.AppendRelayReplyHeaders(make([]byte, 3, 16)) // offset start
	out = keaSet(t, nil).AppendReply(out, dhcpv6.Reply, c.Message(), keaDUID(t))
	out, err := c.FinishRelayReply(out)
	if err != nil {
		t.Fatal(err)
	}
	out = out[3:]
	want := reply
	for i := len(twoLevels) - 1; i >= 0; i-- {
		l := twoLevels[i]
		h := dhcpv6.AppendRelayHeader(nil, dhcpv6.RelayReply, l.hop,
			netip.MustParseAddr(l.link).As16(), netip.MustParseAddr(l.peer).As16())
		if l.ifaceID != "" {
			h = dhcpv6.AppendInterfaceID(h, []byte(l.ifaceID))
		}
		h = dhcpv6.AppendRelaySourcePort(h, uint16(l.port))
		want = dhcpv6.AppendRelayMessage(h, want)
	}
	if !bytes.Equal(out, want) {
		t.Errorf("relay-reply\n got %x\nwant %x", out, want)
	}
	out2, err := c.AppendRelayReply(nil, reply)
	if err != nil || !bytes.Equal(out2, want) {
		t.Errorf("AppendRelayReply: %v\n got %x\nwant %x", err, out2, want)
	}
	// The reply parses as a relay level whose message is the Reply.
	r, err := dhcpv6.ParseRelay(out)
	if err != nil || r.Type() != dhcpv6.RelayReply {
		t.Fatalf("ParseRelay(reply): %v %v", r.Type(), err)
	}
	// An empty chain wraps nothing.
	c.Reset()
	if out, err := c.AppendRelayReply(nil, reply); err != nil || !bytes.Equal(out, reply) || c.Depth() != 0 {
		t.Errorf("after Reset: depth %d, %v, %x", c.Depth(), err, out)
	}
}

func TestRelayChainErrors(t *testing.T) {
	inner := fixture.Load(t, "testdata/dhclient-information-request.hex").Bytes
	noMsg := dhcpv6.AppendInterfaceID(dhcpv6.AppendRelayHeader(nil, dhcpv6.RelayForward, 0, [16]byte{}, [16]byte{}), []byte("x"))
	replyInside := dhcpv6.AppendRelayMessage(dhcpv6.AppendRelayHeader(nil, dhcpv6.RelayForward, 0, [16]byte{}, [16]byte{}),
		dhcpv6.AppendRelayMessage(dhcpv6.AppendRelayHeader(nil, dhcpv6.RelayReply, 0, [16]byte{}, [16]byte{}), inner))
	levels := make([]relayLevel, dhcpv6.MaxRelayDepth+1)
	for i := range levels {
		levels[i] = relayLevel{link: "::", peer: "fe80::1", port: -1}
	}
	tests := []struct {
		name string
		b    []byte
		want error
	}{
		{"empty", nil, dhcpv6.ErrTruncated},
		{"short header", make([]byte, 33), dhcpv6.ErrMessageType},
		{"short relay", append([]byte{12}, make([]byte, 32)...), dhcpv6.ErrTruncated},
		{"client message", inner, dhcpv6.ErrMessageType},
		{"no relay message", noMsg, dhcpv6.ErrNoRelayMessage},
		{"relay-reply inside", replyInside, dhcpv6.ErrMessageType},
		{"max depth", relayForward(inner, levels[:dhcpv6.MaxRelayDepth]...), nil},
		{"too deep", relayForward(inner, levels...), dhcpv6.ErrRelayDepth},
		{"bad inner", relayForward([]byte{11, 1, 2, 3, 0, 8, 0, 1, 0}, twoLevels...), dhcpv6.ErrOptionLength},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c dhcpv6.RelayChain
			err := c.Parse(tt.b)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Parse: %v, want %v", err, tt.want)
			}
			if err != nil && c.Depth() != 0 {
				t.Errorf("depth %d after error", c.Depth())
			}
		})
	}
}

// TestDhcrelayFixtures parses Relay-forwards captured from ISC dhcrelay -6
// relaying dhclient's Information-request, and answers them.
func TestDhcrelayFixtures(t *testing.T) {
	inner := fixture.Load(t, "testdata/dhclient-information-request.hex").Bytes
	tests := []struct {
		file    string
		ifaceID string
	}{
		{"dhcrelay-relay-forward.hex", ""},
		{"dhcrelay-relay-forward-interface-id.hex", "\x01\x00\x00\x00"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			var c dhcpv6.RelayChain
			if err := c.Parse(fixture.Load(t, "testdata/"+tt.file).Bytes); err != nil {
				t.Fatal(err)
			}
			l := c.Level(0)
			if c.Depth() != 1 || l.HopCount() != 0 || l.LinkAddress() != netip.MustParseAddr("2001:db8:1::1") ||
				l.PeerAddress() != netip.MustParseAddr("fe80::c6:ff:fe00:c") {
				t.Errorf("depth %d hop %d link %v peer %v", c.Depth(), l.HopCount(), l.LinkAddress(), l.PeerAddress())
			}
			id, ok := c.InterfaceID()
			if ok != (tt.ifaceID != "") || string(id) != tt.ifaceID {
				t.Errorf("interface-id %x %v", id, ok)
			}
			if _, ok := l.RelaySourcePort(); ok {
				t.Error("dhcrelay 4.4 sends no Relay Source Port")
			}
			if !bytes.Equal(c.Message().Bytes(), inner) {
				t.Errorf("inner message %x", c.Message().Bytes())
			}
			out, err := c.AppendRelayReply(nil, keaSet(t, nil).AppendReply(nil, dhcpv6.Reply, c.Message(), keaDUID(t)))
			if err != nil {
				t.Fatal(err)
			}
			r, err := dhcpv6.ParseRelay(out)
			if err != nil || r.Type() != dhcpv6.RelayReply || r.PeerAddress() != l.PeerAddress() {
				t.Fatalf("relay-reply %v %v", r.Type(), err)
			}
			if rid, _ := r.InterfaceID(); string(rid) != tt.ifaceID {
				t.Errorf("interface-id not echoed: %x", rid)
			}
			if !bytes.Equal(r.RelayMessage(), fixture.Load(t, "testdata/kea-reply-to-dhclient.hex").Bytes) {
				t.Error("inner Reply differs from Kea's")
			}
		})
	}
}
