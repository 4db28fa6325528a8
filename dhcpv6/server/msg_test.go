package server_test

import (
	"encoding/binary"
	"net/netip"
	"slices"
	"testing"

	"github.com/radish-net/radish/dhcpv6"
	"github.com/radish-net/radish/internal/fixture"
)

// Builders for test messages, on top of the codec's Append functions.

var (
	xid      = dhcpv6.TransactionID{0x12, 0x34, 0x56}
	clientID = fixture.MustHex("00030001020000000c0c")
)

func msg(t dhcpv6.MessageType, opts ...[]byte) []byte {
	b := dhcpv6.AppendHeader(nil, t, xid)
	for _, o := range opts {
		b = append(b, o...)
	}
	return b
}

func optCID(d []byte) []byte { return dhcpv6.AppendOption(nil, dhcpv6.OptClientID, d) }
func optSID(d []byte) []byte { return dhcpv6.AppendOption(nil, dhcpv6.OptServerID, d) }
func optORO(codes ...dhcpv6.OptionCode) []byte {
	return dhcpv6.AppendORO(nil, codes...)
}
func optET() []byte { return dhcpv6.AppendElapsedTime(nil, 0) }

// optIA builds an IA_NA, IA_TA or IA_PD with the given IAID and no
// sub-options.
func optIA(code dhcpv6.OptionCode, iaid uint32) []byte {
	body := binary.BigEndian.AppendUint32(nil, iaid)
	if code != dhcpv6.OptIATA {
		body = append(body, make([]byte, 8)...)
	}
	return dhcpv6.AppendOption(nil, code, body)
}

// infoReq is an Information-request with our test Client-ID and opts.
func infoReq(opts ...[]byte) []byte {
	return msg(dhcpv6.InformationRequest, append([][]byte{optCID(clientID), optET()}, opts...)...)
}

// relayLevel describes one Relay-forward level, outermost first.
type relayLevel struct {
	hop     uint8
	link    netip.Addr
	peer    netip.Addr
	ifaceID []byte // nil: no Interface-Id option
	port    int    // -1: no Relay Source Port option
}

// wrap encapsulates inner in relay levels, levels[0] outermost.
func wrap(inner []byte, levels ...relayLevel) []byte {
	b := inner
	for i := len(levels) - 1; i >= 0; i-- {
		l := levels[i]
		out := dhcpv6.AppendRelayHeader(nil, dhcpv6.RelayForward, l.hop, l.link.As16(), l.peer.As16())
		if l.ifaceID != nil {
			out = dhcpv6.AppendInterfaceID(out, l.ifaceID)
		}
		if l.port >= 0 {
			out = dhcpv6.AppendRelaySourcePort(out, uint16(l.port))
		}
		b = dhcpv6.AppendRelayMessage(out, b)
	}
	return b
}

func lvl(link string, ifaceID string) relayLevel {
	l := relayLevel{link: netip.MustParseAddr(link), peer: clientLL, port: -1}
	if ifaceID != "" {
		l.ifaceID = []byte(ifaceID)
	}
	return l
}

// parsed is a reply decoded with the radish codec: its type, its
// top-level option codes in order and their bodies.
type parsed struct {
	msg   dhcpv6.Message
	codes []dhcpv6.OptionCode
}

func parseReply(t testing.TB, b []byte) parsed {
	t.Helper()
	m, err := dhcpv6.ParseMessage(b)
	if err != nil {
		t.Fatalf("reply does not parse: %v (% x)", err, b)
	}
	var p parsed
	p.msg = m
	it := m.Options()
	for it.Next() {
		p.codes = append(p.codes, it.Option().Code)
	}
	return p
}

func (p parsed) has(c dhcpv6.OptionCode) bool { return slices.Contains(p.codes, c) }

// innerReply unwraps a Relay-reply of depth levels.
func innerReply(t testing.TB, b []byte, depth int) []byte {
	t.Helper()
	for i := range depth {
		r, err := dhcpv6.ParseRelay(b)
		if err != nil {
			t.Fatalf("relay level %d: %v", i, err)
		}
		if r.Type() != dhcpv6.RelayReply {
			t.Fatalf("relay level %d is %v", i, r.Type())
		}
		b = r.RelayMessage()
	}
	return b
}

// dnsServers returns the DNS servers option of p.
func (p parsed) dnsServers(t testing.TB) []netip.Addr {
	t.Helper()
	body, ok := p.msg.Option(dhcpv6.OptDNSServers)
	if !ok {
		return nil
	}
	var out []netip.Addr
	for len(body) >= 16 {
		out = append(out, netip.AddrFrom16([16]byte(body[:16])))
		body = body[16:]
	}
	return out
}
