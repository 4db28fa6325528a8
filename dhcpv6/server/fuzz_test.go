package server_test

import (
	"bytes"
	"testing"

	"github.com/radish-net/radish/dhcpv6"
	"github.com/radish-net/radish/internal/fixture"
)

// FuzzServer feeds arbitrary datagrams to a running server, as a direct
// message and as one from a relay. Properties: no panic, the loop keeps
// serving, and every answer is a well-formed Reply or Advertise (inside a
// Relay-reply for a Relay-forward) with the request's transaction-id.
func FuzzServer(f *testing.F) {
	for _, name := range []string{
		"dhclient-information-request.hex", "dhcpcd-information-request.hex",
		"dhcrelay-relay-forward.hex", "dhcrelay-relay-forward-interface-id.hex",
	} {
		f.Add(fixture.Load(f, "testdata/"+name).Bytes)
	}
	f.Add(msg(dhcpv6.Solicit, optCID(clientID), optIA(dhcpv6.OptIANA, 1), optIA(dhcpv6.OptIAPD, 2), optORO(23, 32, 82)))
	f.Add(wrap(infoReq(), lvl("2001:db8:10::1", "a"), lvl("::", "relay-port-7")))
	f.Fuzz(func(t *testing.T, pkt []byte) {
		h := start(t, parseConfig(t, baseConfig), len(pkt)%2 == 0)
		for _, m := range []struct {
			relayed bool
		}{{false}, {true}} {
			meta := direct(lan0.Index)
			if m.relayed {
				meta = relayed(lan0.Index)
			}
			d, ok := h.send(bytes.Clone(pkt), meta)
			if !ok {
				continue
			}
			inner := d.Data
			if len(pkt) > 0 && dhcpv6.MessageType(pkt[0]) == dhcpv6.RelayForward {
				var chain dhcpv6.RelayChain
				if err := chain.Parse(pkt); err != nil {
					t.Fatalf("answered a Relay-forward that does not parse: %v", err)
				}
				inner = innerReply(t, d.Data, chain.Depth())
				pkt := chain.Message().Bytes()
				checkAnswer(t, pkt, inner)
				continue
			}
			checkAnswer(t, pkt, inner)
		}
		if _, ok := h.send(infoReq(), direct(lan0.Index)); !ok {
			t.Fatal("no reply to a valid request after the fuzz input")
		}
	})
}

func checkAnswer(t *testing.T, req, rep []byte) {
	t.Helper()
	m, err := dhcpv6.ParseMessage(rep)
	if err != nil {
		t.Fatalf("answer does not parse: %v", err)
	}
	if m.Type() != dhcpv6.Reply && m.Type() != dhcpv6.Advertise {
		t.Fatalf("answer type %v", m.Type())
	}
	if !bytes.Equal(rep[1:4], req[1:4]) {
		t.Fatalf("transaction-id %x, request %x", rep[1:4], req[1:4])
	}
}
