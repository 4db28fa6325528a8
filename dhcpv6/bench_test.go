package dhcpv6_test

import (
	"testing"

	"github.com/radish-net/radish/dhcpv6"
)

// Per-function benchmarks; the side-by-side comparison with insomniacslk
// lives in package bench.

func BenchmarkParseMessage(b *testing.B) {
	req := readHex(b, "dhcpcd-information-request.hex")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := dhcpv6.ParseMessage(req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRelayChainParse(b *testing.B) {
	fwd := relayForward(readHex(b, "dhclient-information-request.hex"), twoLevels...)
	var c dhcpv6.RelayChain
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Parse(fwd); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOptionSetAppendReply(b *testing.B) {
	req, err := dhcpv6.ParseMessage(readHex(b, "dhclient-information-request.hex"))
	if err != nil {
		b.Fatal(err)
	}
	set, sid := keaSet(b, nil), keaDUID(b)
	buf := make([]byte, 0, 1500)
	b.ReportAllocs()
	for b.Loop() {
		buf = set.AppendReply(buf[:0], dhcpv6.Reply, req, sid)
	}
}

func BenchmarkRelayReply(b *testing.B) {
	var c dhcpv6.RelayChain
	if err := c.Parse(relayForward(readHex(b, "dhclient-information-request.hex"), twoLevels...)); err != nil {
		b.Fatal(err)
	}
	set, sid := keaSet(b, nil), keaDUID(b)
	buf := make([]byte, 0, 1500)
	b.ReportAllocs()
	for b.Loop() {
		buf = c.AppendRelayReplyHeaders(buf[:0])
		buf = set.AppendReply(buf, dhcpv6.Reply, c.Message(), sid)
		buf, _ = c.FinishRelayReply(buf)
	}
}
