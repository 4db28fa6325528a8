package server_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/insomniacslk/dhcp/dhcpv6"

	r6 "github.com/radish-net/radish/dhcpv6"
	"github.com/radish-net/radish/iface"
	"github.com/radish-net/radish/iface/ifacetest"
	"github.com/radish-net/radish/internal/fixture"
)

// Answering a request through the whole server (fake conn → loop → fake
// conn) allocates nothing, on both the ReadFrom and the ReadBatch path.
func TestNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under -race")
	}
	solicit := msg(r6.Solicit, optCID(clientID), optET(), optORO(23, 24), optIA(r6.OptIANA, 1), optIA(r6.OptIAPD, 2))
	relayedReq := wrap(fixture.Load(t, "testdata/dhclient-information-request.hex").Bytes,
		lvl("2001:db8:ff::1", "uplink"), lvl("2001:db8:10::1", "port-1"))
	for _, batch := range []bool{false, true} {
		h := start(t, parseConfig(t, baseConfig), batch)
		for _, tc := range []struct {
			name string
			pkt  []byte
			m    iface.Meta
		}{
			{"direct Information-request", fixture.Load(t, "testdata/dhcpcd-information-request.hex").Bytes, direct(lan0.Index)},
			{"relayed Information-request", relayedReq, relayed(wan0.Index)},
			{"Solicit", solicit, direct(lan1.Index)},
			{"dropped (foreign Server-ID)", infoReq(optSID(fixture.MustHex("00030001aabbccddeeff"))), direct(lan0.Index)},
		} {
			t.Run(fmt.Sprintf("%s/batch=%v", tc.name, batch), func(t *testing.T) {
				reply := tc.name[:7] != "dropped"
				ctx := context.Background()
				run := func() {
					if reply {
						n := h.conn.WriteCount() + 1
						h.conn.Inject(tc.pkt, tc.m)
						h.conn.WaitWritten(ctx, n)
					} else {
						before := h.conn.Reads()
						h.conn.Inject(tc.pkt, tc.m)
						h.waitIdle(before)
					}
				}
				if _, ok := h.send(tc.pkt, tc.m); ok != reply {
					t.Fatalf("answered = %v, want %v", ok, reply)
				}
				before := h.conn.WriteCount()
				if n := testing.AllocsPerRun(500, run); n != 0 {
					t.Errorf("batch=%v: %v allocations per request, want 0", batch, n)
				}
				if n := h.conn.WriteCount() - before; reply && n != 501 || !reply && n != 0 {
					t.Errorf("batch=%v: %d replies to 501 requests", batch, n)
				}
				h.drain()
			})
		}
		h.stop()
	}
}

// TestNoAllocsRateLimited: with every rate limit on (high enough that
// nothing is refused), looking up the per-client bucket (a direct
// sender's, or a relayed client's) and the per-relay bucket allocates
// nothing.
func TestNoAllocsRateLimited(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under -race")
	}
	cfg := strings.Replace(rateConfig(1_000_000, 2_000_000, 1_000_000, 2_000_000), "per_relay = 0", "per_relay = 1000000\nper_relay_burst = 2000000", 1)
	h := start(t, parseConfig(t, cfg), false)
	relayedReq := wrap(infoReq(), lvl("2001:db8:ff::1", "uplink"), lvl("2001:db8:10::1", "port-1"))
	for _, tc := range []struct {
		name string
		pkt  []byte
		m    iface.Meta
	}{
		{"direct", infoReq(), direct(lan0.Index)},
		{"relayed", relayedReq, relayed(lan0.Index)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, ok := h.send(tc.pkt, tc.m); !ok {
				t.Fatal("not answered")
			}
			before := h.conn.WriteCount()
			run := func() { exchangeFast(h.conn, tc.pkt, tc.m) }
			if n := testing.AllocsPerRun(500, run); n != 0 {
				t.Errorf("%v allocations per request, want 0", n)
			}
			if n := h.conn.WriteCount() - before; n != 501 {
				t.Errorf("%d replies to 501 requests", n)
			}
			if got := h.srv.Counters().RateLimited.Load(); got != 0 {
				t.Errorf("pkt6-rate-limited = %d, want 0", got)
			}
			h.drain()
		})
	}
}

// BenchmarkServerInfoRequest: one Information-request in, one Reply out,
// through a fake conn. /radish is the server; /insomniacslk is a minimal
// loop doing the same job with insomniacslk/dhcp (parse, build a Reply
// with the same options, serialize).
func BenchmarkServerInfoRequest(b *testing.B) {
	req := fixture.Load(b, "testdata/dhcpcd-information-request.hex").Bytes
	m := direct(lan0.Index)
	b.Run("radish", func(b *testing.B) {
		h := start(b, parseConfig(b, baseConfig), false)
		b.ReportAllocs()
		for b.Loop() {
			exchangeFast(h.conn, req, m)
		}
	})
	b.Run("insomniacslk", func(b *testing.B) {
		conn := &ifacetest.FakeConn{}
		go oracleServer(conn)
		b.Cleanup(func() { conn.Close() })
		b.ReportAllocs()
		for b.Loop() {
			exchangeFast(conn, req, m)
		}
	})
}

// exchangeFast injects a request and waits for its reply without
// allocating.
func exchangeFast(c *ifacetest.FakeConn, req []byte, m iface.Meta) {
	n := c.WriteCount() + 1
	c.Inject(req, m)
	c.WaitWritten(context.Background(), n)
}

// oracleServer answers Information-requests with insomniacslk/dhcp,
// with the options baseConfig gives lan0.
func oracleServer(c *ifacetest.FakeConn) {
	buf := make([]byte, 8192)
	var meta iface.Meta
	sid := &dhcpv6.DUIDOpaque{Type: dhcpv6.DUIDType(2), Data: serverDUID[2:]}
	for {
		n, err := c.ReadFrom(buf, &meta)
		if err != nil {
			return
		}
		req, err := dhcpv6.MessageFromBytes(buf[:n])
		if err != nil {
			continue
		}
		rep, err := dhcpv6.NewReplyFromMessage(req,
			dhcpv6.WithServerID(sid),
			dhcpv6.WithDNS(net.ParseIP("2001:db8::53"), net.ParseIP("2001:db8::54")),
			dhcpv6.WithDomainSearchList("example.com"),
			dhcpv6.WithOption(dhcpv6.OptInformationRefreshTime(3600e9)))
		if err != nil {
			continue
		}
		out := iface.Meta{IfIndex: meta.IfIndex, Dst: meta.Src, DstPort: 546}
		c.WriteTo(rep.ToBytes(), &out)
	}
}
