package server_test

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/radish-net/radish/dhcpv6"
	"github.com/radish-net/radish/iface"
)

// sendSync sends one datagram inside a synctest bubble, waits until every
// goroutine of the bubble is blocked again and reports whether a reply was
// written.
func (h *harness) sendSync(b []byte, m iface.Meta) bool {
	h.inject(b, m)
	synctest.Wait()
	_, ok := h.nextReply()
	return ok
}

func rateConfig(perSource, perBurst, global, globalBurst int) string {
	return fmt.Sprintf(`
[dhcpv6.duid]
type = "raw"
id = "0002000000090102030405"
[dhcpv6.rate_limit]
per_source = %d
per_source_burst = %d
per_relay = 0
global = %d
global_burst = %d
[[interface]]
name = "lan0"
[interface.dhcpv6]
dns_servers = ["2001:db8::53"]
`, perSource, perBurst, global, globalBurst)
}

func from(src string) iface.Meta {
	m := direct(lan0.Index)
	m.Src = netip.MustParseAddr(src)
	return m
}

// Per-source bucket: burst at once, then one per 1/rate, refilling over
// (fake) time; other sources are not affected.
func TestRateLimitPerSource(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := start(t, parseConfig(t, rateConfig(2, 4, 0, 0)), false)
		answered := func(src string, n int) int {
			k := 0
			for range n {
				if h.sendSync(infoReq(), from(src)) {
					k++
				}
			}
			return k
		}
		if got := answered("fe80::a", 10); got != 4 {
			t.Errorf("burst from one source: %d answered, want 4", got)
		}
		if got := answered("fe80::b", 4); got != 4 {
			t.Errorf("another source: %d answered, want 4", got)
		}
		if got := h.srv.Counters().RateLimited.Load(); got != 6 {
			t.Errorf("pkt6-rate-limited = %d, want 6", got)
		}
		if got := h.srv.Counters().RateLimitedSrc.Load(); got != 6 {
			t.Errorf("pkt6-rate-limited-source = %d, want 6", got)
		}
		time.Sleep(time.Second) // 2 tokens back
		if got := answered("fe80::a", 5); got != 2 {
			t.Errorf("after 1 s: %d answered, want 2", got)
		}
		time.Sleep(10 * time.Second) // full again, no more than the burst
		if got := answered("fe80::a", 10); got != 4 {
			t.Errorf("after 10 s: %d answered, want 4", got)
		}
	})
}

// Global bucket: spoofed sources (each new) are bounded by it.
func TestRateLimitGlobal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := start(t, parseConfig(t, rateConfig(1, 1, 10, 20)), false)
		k := 0
		for i := range 100 {
			if h.sendSync(infoReq(), from(fmt.Sprintf("fe80::%x", i+1))) {
				k++
			}
		}
		if k != 20 {
			t.Errorf("100 spoofed sources at once: %d answered, want the global burst 20", k)
		}
		c := h.srv.Counters()
		if c.RateLimited.Load() != 80 || c.RateLimitedSrc.Load() != 0 {
			t.Errorf("rate-limited %d (per source %d), want 80 (0)", c.RateLimited.Load(), c.RateLimitedSrc.Load())
		}
		time.Sleep(500 * time.Millisecond) // 5 tokens
		k = 0
		for i := range 20 {
			if h.sendSync(infoReq(), from(fmt.Sprintf("fe80::1:%x", i+1))) {
				k++
			}
		}
		if k != 5 {
			t.Errorf("after 0.5 s: %d answered, want 5", k)
		}
	})
}

// The per-source table is bounded: many sources evict old entries, and an
// evicted source comes back with a full bucket.
func TestRateLimitEviction(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := start(t, parseConfig(t, rateConfig(1, 1, 0, 0)), false)
		if !h.sendSync(infoReq(), from("fe80::a")) {
			t.Fatal("first packet not answered")
		}
		if h.sendSync(infoReq(), from("fe80::a")) {
			t.Fatal("second packet answered at once")
		}
		// 20000 other sources: far more than the table holds, so fe80::a
		// is evicted (its set sees more than 4 newer sources).
		for i := range 20000 {
			h.inject(infoReq(), from(fmt.Sprintf("2001:db8::%x:%x", i>>16, i&0xffff)))
			if i%32 == 31 {
				synctest.Wait()
				h.drain()
			}
		}
		synctest.Wait()
		h.drain()
		if !h.sendSync(infoReq(), from("fe80::a")) {
			t.Error("evicted source not answered with a fresh bucket")
		}
	})
}

// TestRateLimitRelayedClientsOwnBuckets: with the default limits
// (per_source 10/s, burst 20), clients behind one relay each have their
// own per-source bucket, keyed by the innermost peer-address, not the
// relay's: 40 distinct clients relayed at once are all answered, while
// one client repeating itself behind the relay is still held to its
// burst.
func TestRateLimitRelayedClientsOwnBuckets(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := `
[dhcpv6.duid]
type = "raw"
id = "0002000000090102030405"
[[interface]]
name = "lan0"
[interface.dhcpv6]
dns_servers = ["2001:db8::53"]
link_addresses = ["2001:db8:10::/48"]
`
		h := start(t, parseConfig(t, cfg), false)
		relayedFrom := func(peer netip.Addr, i int) []byte {
			cid := []byte{0, 3, 0, 1, 2, 0, 0, 0, 0, byte(i)}
			req := msg(dhcpv6.InformationRequest, optCID(cid), optET())
			return wrap(req, relayLevel{link: netip.MustParseAddr("2001:db8:10::1"), peer: peer, port: -1})
		}
		const clients = 40
		answered := 0
		for i := range clients {
			if h.sendSync(relayedFrom(netip.MustParseAddr(fmt.Sprintf("fe80::%x", i+1)), i), relayed(lan0.Index)) {
				answered++
			}
		}
		if answered != clients {
			t.Errorf("%d of %d distinct clients behind one relay answered (pkt6-rate-limited-source=%d)",
				answered, clients, h.srv.Counters().RateLimitedSrc.Load())
		}

		one := netip.MustParseAddr("fe80::1:1")
		answered = 0
		for range 30 {
			if h.sendSync(relayedFrom(one, 99), relayed(lan0.Index)) {
				answered++
			}
		}
		if answered != 20 {
			t.Errorf("one client behind the relay: %d of 30 answered, want its burst of 20", answered)
		}
		if got := h.srv.Counters().RateLimitedSrc.Load(); got != 10 {
			t.Errorf("pkt6-rate-limited-source = %d, want 10", got)
		}
	})
}

// TestReloadRateLimits: a Reload that changes the rate limits applies them
// at once with fresh buckets; one that leaves them unchanged (and changes
// something else) keeps the buckets, so a source that used up its burst
// stays refused.
func TestReloadRateLimits(t *testing.T) {
	answered := func(h *harness, src string, n int) int {
		k := 0
		for range n {
			if h.sendSync(infoReq(), from(src)) {
				k++
			}
		}
		return k
	}
	t.Run("changed", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			h := start(t, parseConfig(t, rateConfig(0, 0, 0, 0)), false)
			if got := answered(h, "fe80::a", 10); got != 10 {
				t.Fatalf("no limits: %d of 10 answered", got)
			}
			if err := h.srv.Reload(parseConfig(t, rateConfig(1, 1, 0, 0))); err != nil {
				t.Fatal(err)
			}
			if got := answered(h, "fe80::a", 10); got != 1 {
				t.Errorf("after Reload to per_source=1 burst=1: %d of 10 answered, want 1", got)
			}
			// A second change starts from full buckets: fe80::a, empty
			// under the old limits, gets the new burst.
			if err := h.srv.Reload(parseConfig(t, rateConfig(1, 3, 0, 0))); err != nil {
				t.Fatal(err)
			}
			if got := answered(h, "fe80::a", 10); got != 3 {
				t.Errorf("after Reload to burst=3: %d of 10 answered, want 3", got)
			}
			if err := h.srv.Reload(parseConfig(t, rateConfig(0, 0, 2, 2))); err != nil {
				t.Fatal(err)
			}
			if got := answered(h, "fe80::b", 10); got != 2 {
				t.Errorf("after Reload to global=2 burst=2: %d of 10 answered, want 2", got)
			}
		})
	})
	t.Run("unchanged", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			h := start(t, parseConfig(t, rateConfig(1, 2, 0, 0)), false)
			if got := answered(h, "fe80::a", 5); got != 2 {
				t.Fatalf("before Reload: %d of 5 answered, want 2", got)
			}
			other := strings.Replace(rateConfig(1, 2, 0, 0), "2001:db8::53", "2001:db8::99", 1)
			if err := h.srv.Reload(parseConfig(t, other)); err != nil {
				t.Fatal(err)
			}
			if got := answered(h, "fe80::a", 5); got != 0 {
				t.Errorf("after a Reload with the same limits: %d of 5 answered, want 0 (bucket kept)", got)
			}
			h.inject(infoReq(optORO(23)), from("fe80::b"))
			synctest.Wait()
			p, ok := h.nextReply()
			if !ok {
				t.Fatal("another source not answered after Reload")
			}
			if got := parseReply(t, p.Data).dnsServers(t); !slices.Equal(got, []netip.Addr{netip.MustParseAddr("2001:db8::99")}) {
				t.Errorf("DNS after Reload = %v, want the new configuration's", got)
			}
		})
	})
}

// TestRateLimitPerRelay: the relay names its clients, so a spoofed source
// sending Relay-forwards with a fresh peer-address each time is bounded by
// the per-relay bucket of its own address, where every Relay-reply goes;
// another relay has its own bucket.
func TestRateLimitPerRelay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := `
[dhcpv6.duid]
type = "raw"
id = "0002000000090102030405"
[dhcpv6.rate_limit]
per_relay = 5
per_relay_burst = 5
global = 0
[[interface]]
name = "lan0"
[interface.dhcpv6]
dns_servers = ["2001:db8::53"]
link_addresses = ["2001:db8:10::/48"]
`
		h := start(t, parseConfig(t, cfg), false)
		forward := func(i int) []byte {
			cid := []byte{0, 3, 0, 1, 2, 0, 0, 0, 0, byte(i)}
			req := msg(dhcpv6.InformationRequest, optCID(cid), optET())
			peer := netip.MustParseAddr(fmt.Sprintf("fe80::%x", i+1))
			return wrap(req, relayLevel{link: netip.MustParseAddr("2001:db8:10::1"), peer: peer, port: -1})
		}
		victim := relayed(lan0.Index)
		answered := 0
		for i := range 50 {
			if h.sendSync(forward(i), victim) {
				answered++
			}
		}
		if answered != 5 {
			t.Errorf("%d of 50 Relay-forwards from one source with fresh peer-addresses answered, want the relay burst of 5", answered)
		}
		if got := h.srv.Counters().RateLimitedRelay.Load(); got != 45 {
			t.Errorf("pkt6-rate-limited-relay = %d, want 45", got)
		}
		other := victim
		other.Src = netip.MustParseAddr("2001:db8:10::6")
		if !h.sendSync(forward(60), other) {
			t.Error("another relay was refused: relays must have buckets of their own")
		}
	})
}
