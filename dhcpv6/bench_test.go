package dhcpv6_test

import (
	"testing"

	"github.com/radish-net/radish/dhcpv6"
	"github.com/radish-net/radish/internal/fixture"
)

// Per-function benchmarks; the side-by-side comparison with insomniacslk
// lives in package bench.

func BenchmarkParseMessage(b *testing.B) {
	req := fixture.Load(b, "testdata/dhcpcd-information-request.hex").Bytes
	b.ReportAllocs()
	for b.Loop() {
		if _, err := dhcpv6.ParseMessage(req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRelayChainParse(b *testing.B) {
	fwd := relayForward(fixture.Load(b, "testdata/dhclient-information-request.hex").Bytes, twoLevels...)
	var c dhcpv6.RelayChain
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Parse(fwd); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOptionSetAppendReply(b *testing.B) {
	req, err := dhcpv6.ParseMessage(fixture.Load(b, "testdata/dhclient-information-request.hex").Bytes)
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
	if err := c.Parse(relayForward(fixture.Load(b, "testdata/dhclient-information-request.hex").Bytes, twoLevels...)); err != nil {
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
