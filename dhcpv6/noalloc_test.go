package dhcpv6_test

import (
	"testing"

	"github.com/radish-net/radish/dhcpv6"
	"github.com/radish-net/radish/internal/fixture"
)

func TestNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	req := fixture.Load(t, "testdata/dhclient-information-request.hex").Bytes
	relayed := relayForward(req, twoLevels...)
	set := keaSet(t, []dhcpv6.OptionCode{dhcpv6.OptDNSServers})
	sid := keaDUID(t)
	buf := make([]byte, 0, 1500)
	var chain dhcpv6.RelayChain

	tests := []struct {
		name string
		fn   func()
	}{
		{"ParseMessage information-request", func() {
			m, err := dhcpv6.ParseMessage(req)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = m.ClientID()
			_, _ = m.ElapsedTime()
			for oro := m.ORO(); oro.Next(); {
				_ = oro.Code()
			}
		}},
		{"relayed parse and relay-reply", func() {
			if err := chain.Parse(relayed); err != nil {
				t.Fatal(err)
			}
			out := chain.AppendRelayReplyHeaders(buf[:0])
			out = set.AppendReply(out, dhcpv6.Reply, chain.Message(), sid)
			if _, err := chain.FinishRelayReply(out); err != nil {
				t.Fatal(err)
			}
		}},
		{"reply from option set", func() {
			m, _ := dhcpv6.ParseMessage(req)
			_ = set.AppendReply(buf[:0], dhcpv6.Reply, m, sid)
		}},
		{"advertise with IA_NA status", func() {
			m, _ := dhcpv6.ParseMessage(req)
			out := set.AppendReply(buf[:0], dhcpv6.Advertise, m, sid)
			out = dhcpv6.AppendIANA(out, 1, 0, 0, dhcpv6.StatusNoAddrsAvail, "stateless only")
			_ = dhcpv6.AppendSolMaxRT(out, 3600)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if n := testing.AllocsPerRun(100, tt.fn); n != 0 {
				t.Errorf("%v allocations per run, want 0", n)
			}
		})
	}
}
