package engine_test

import (
	"net/netip"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mdlayher/ndp"

	"github.com/radish-net/radish/config"
	"github.com/radish-net/radish/iface/ifacetest"
	"github.com/radish-net/radish/ra/engine"
)

// decode parses an RA with mdlayher/ndp as an independent oracle.
func decode(t *testing.T, s ifacetest.Packet) *ndp.RouterAdvertisement {
	t.Helper()
	m, err := ndp.ParseMessage(s.Data)
	if err != nil {
		t.Fatalf("ndp.ParseMessage(% x): %v", s.Data, err)
	}
	r, ok := m.(*ndp.RouterAdvertisement)
	if !ok {
		t.Fatalf("sent %T, want an RA", m)
	}
	return r
}

func prefixes(r *ndp.RouterAdvertisement) map[netip.Addr]*ndp.PrefixInformation {
	out := map[netip.Addr]*ndp.PrefixInformation{}
	for _, o := range r.Options {
		if p, ok := o.(*ndp.PrefixInformation); ok {
			out[p.Prefix] = p
		}
	}
	return out
}

func TestInitialBurst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startServing(t, nil)
		time.Sleep(10 * time.Minute)
		h.stop()
		got := multicastOnly(ras(h.conn, 2, h.start))
		if len(got) < 5 {
			t.Fatalf("%d multicast RAs in 10 minutes, want at least 5", len(got))
		}
		if d := got[0].At.Sub(h.start); d > time.Second {
			t.Errorf("first RA after %v, want immediately", d)
		}
		for i := 1; i < engine.MaxInitialRtrAdvertisements; i++ {
			if d := got[i].At.Sub(got[i-1].At); d > engine.MaxInitialRtrAdvertInterval || d <= 0 {
				t.Errorf("initial RA %d came %v after the previous, want (0, 16s]", i+1, d)
			}
		}
		for i, s := range got {
			r := decode(t, s)
			if i < len(got)-1 && r.RouterLifetime != 1800*time.Second {
				t.Errorf("RA %d: router lifetime %v, want 1800s", i, r.RouterLifetime)
			}
			if s.Meta.HopLimit != 255 || s.Meta.Src != linkLocal(2) {
				t.Errorf("RA %d: meta %+v, want hop limit 255 from %v", i, s.Meta, linkLocal(2))
			}
		}
		if n := h.conn.JoinCalls(2, allRouters); n != 1 {
			t.Errorf("joined ff02::2 %d times, want 1", n)
		}
	})
}

func TestPeriodicIntervalBounds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := oneLink(func(i *config.Interface) {
			i.RA.MaxInterval, i.RA.MinInterval = 30*time.Second, 10*time.Second
		})
		h := startEngine(t, cfg)
		h.addLink(2, "eth0")
		h.synced()
		time.Sleep(3 * time.Hour)
		h.stop()
		got := multicastOnly(ras(h.conn, 2, h.start))
		if len(got) < 3*3600/30 {
			t.Fatalf("%d RAs in 3 h, want at least %d", len(got), 3*3600/30)
		}
		var lo, hi time.Duration = time.Hour, 0
		var sum time.Duration
		n := 0
		for i := engine.MaxInitialRtrAdvertisements + 1; i < len(got)-1; i++ { // the last is the final RA
			d := got[i].At.Sub(got[i-1].At)
			lo, hi = min(lo, d), max(hi, d)
			sum += d
			n++
		}
		// A timer may fire up to CoalesceWindow early to share a wakeup.
		if lo < 10*time.Second-engine.CoalesceWindow || hi > 30*time.Second {
			t.Errorf("intervals in [%v, %v], want within [10s - %v, 30s]", lo, hi, engine.CoalesceWindow)
		}
		if mean := sum / time.Duration(n); mean < 17*time.Second || mean > 23*time.Second {
			t.Errorf("mean interval %v, want about 20s (uniform)", mean)
		}
		if hi-lo < 15*time.Second {
			t.Errorf("intervals spread only over [%v, %v]: not random", lo, hi)
		}
	})
}

func TestSolicitedUnicastAnswer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startServing(t, nil)
		time.Sleep(2 * time.Minute) // past the initial burst
		host := netip.MustParseAddr("fe80::99")
		var delays []time.Duration
		for range 20 {
			at := time.Now()
			h.rs(2, host, 255)
			time.Sleep(time.Second)
			// A periodic multicast RA may fall in the same second; the
			// answer is the one unicast RA to the host.
			var got []ifacetest.Packet
			for _, p := range ras(h.conn, 2, at) {
				if !p.Meta.Dst.IsMulticast() {
					got = append(got, p)
				}
			}
			if len(got) == 0 && len(ras(h.conn, 2, at)) > 0 {
				// A periodic multicast RA fell in this second and answered
				// the RS (RFC 4861 §6.2.6): no delay sample.
				time.Sleep(10 * time.Second)
				continue
			}
			if len(got) != 1 {
				t.Fatalf("%d unicast RAs after one RS, want 1", len(got))
			}
			if got[0].Meta.Dst != host {
				t.Fatalf("answer sent to %v, want unicast to %v", got[0].Meta.Dst, host)
			}
			decode(t, got[0])
			delays = append(delays, got[0].At.Sub(at))
			time.Sleep(10 * time.Second)
		}
		h.stop()
		var lo, hi time.Duration = time.Hour, 0
		for _, d := range delays {
			lo, hi = min(lo, d), max(hi, d)
		}
		if hi > engine.MaxRADelayTime {
			t.Errorf("answer delay up to %v, want ≤ 500ms", hi)
		}
		if hi == lo {
			t.Errorf("answer delay always %v, want random in [0, 500ms]", lo)
		}
		c := h.e.Counters()
		n := uint64(len(delays)) // RSes answered by unicast; the others by a periodic RA
		if c.RSReceived.Load() != 20 || c.RASolicited.Load() != n || c.RAUnicast.Load() != n || n < 18 {
			t.Errorf("counters: rs %d solicited %d unicast %d, want 20 RSes and %d (≥ 18) unicast answers",
				c.RSReceived.Load(), c.RASolicited.Load(), c.RAUnicast.Load(), n)
		}
	})
}

func TestUnspecifiedSourceGetsMulticast(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startServing(t, nil)
		time.Sleep(2 * time.Minute)
		at := time.Now()
		h.rs(2, netip.IPv6Unspecified(), 255)
		time.Sleep(time.Second)
		got := ras(h.conn, 2, at)
		if len(got) != 1 || got[0].Meta.Dst != netip.MustParseAddr("ff02::1") {
			t.Fatalf("answers %+v, want one multicast", got)
		}
		if d := got[0].At.Sub(at); d > engine.MaxRADelayTime {
			t.Errorf("multicast answer after %v, want ≤ 500ms", d)
		}
		// The multicast answer replaced the next periodic RA: none for
		// MinInterval after it.
		time.Sleep(198*time.Second - 2*time.Second)
		if n := len(ras(h.conn, 2, at)); n != 1 {
			t.Errorf("%d RAs within MinInterval of the multicast answer, want 1", n)
		}
		h.stop()
	})
}

func TestMulticastRateLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startServing(t, func(i *config.Interface) { i.RA.SolicitedUnicast = false })
		time.Sleep(2 * time.Minute)
		from := time.Now()
		for i := range 40 { // one RS every 250 ms for 10 s, from distinct hosts
			h.rs(2, netip.AddrFrom16([16]byte{0: 0xfe, 1: 0x80, 15: byte(i + 10)}), 255)
			time.Sleep(250 * time.Millisecond)
		}
		time.Sleep(5 * time.Second)
		h.stop()
		got := ras(h.conn, 2, from)
		got = got[:len(got)-1] // the final RA
		if len(got) < 3 || len(got) > 5 {
			t.Errorf("%d RAs answering 40 RSes over 10 s, want 3..5 (one per 3 s)", len(got))
		}
		for i, s := range got {
			if s.Meta.Dst != netip.MustParseAddr("ff02::1") {
				t.Errorf("answer %d to %v, want multicast", i, s.Meta.Dst)
			}
			if i > 0 {
				if d := s.At.Sub(got[i-1].At); d < 3*time.Second {
					t.Errorf("multicast RAs %v apart, want ≥ MinDelayBetweenRAs", d)
				}
			}
		}
		if last := got[len(got)-1].At; last.Before(from.Add(10 * time.Second)) {
			t.Errorf("last answer at +%v: the final RSes were dropped, not deferred", last.Sub(from))
		}
	})
}

func TestCoalescing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startServing(t, nil)
		time.Sleep(2 * time.Minute)

		// Several RSes from :: at once: one multicast answer.
		from := time.Now()
		for range 5 {
			h.rs(2, netip.IPv6Unspecified(), 255)
		}
		time.Sleep(time.Second)
		if got := ras(h.conn, 2, from); len(got) != 1 {
			t.Errorf("%d answers to 5 RSes from ::, want 1 multicast", len(got))
		}

		// Distinct unicast sources in one batch; duplicates answered once.
		time.Sleep(10 * time.Second)
		from = time.Now()
		hosts := []netip.Addr{netip.MustParseAddr("fe80::a"), netip.MustParseAddr("fe80::b"), netip.MustParseAddr("fe80::c")}
		for _, a := range hosts {
			h.rs(2, a, 255)
			h.rs(2, a, 255)
		}
		time.Sleep(time.Second)
		got := ras(h.conn, 2, from)
		if len(got) != len(hosts) {
			t.Fatalf("%d answers, want %d (one per distinct host)", len(got), len(hosts))
		}
		for i, s := range got {
			if s.Meta.Dst != hosts[i] {
				t.Errorf("answer %d to %v, want %v", i, s.Meta.Dst, hosts[i])
			}
			if !s.At.Equal(got[0].At) {
				t.Errorf("answers not batched: %v vs %v", s.At, got[0].At)
			}
		}

		// More distinct sources than a batch holds: one multicast.
		time.Sleep(10 * time.Second)
		from = time.Now()
		for i := range 40 {
			h.rs(2, netip.AddrFrom16([16]byte{0: 0xfe, 1: 0x80, 14: 1, 15: byte(i)}), 255)
		}
		time.Sleep(time.Second)
		got = ras(h.conn, 2, from)
		mc := multicastOnly(got)
		if len(mc) != 1 || len(got) > 17 {
			t.Errorf("40 hosts: %d RAs, %d multicast; want ≤ 16 unicast and 1 multicast", len(got), len(mc))
		}
		h.stop()
	})
}

func TestReloadShorterIntervalTakesEffect(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startEngine(t, oneLink(nil)) // MaxInterval 600 s
		h.addLink(2, "eth0")
		h.synced()
		time.Sleep(2 * time.Minute)
		at := time.Now()
		h.e.Reload(oneLink(func(i *config.Interface) {
			i.RA.MaxInterval, i.RA.MinInterval = 10*time.Second, 5*time.Second
		}))
		time.Sleep(time.Minute)
		if n := len(ras(h.conn, 2, at)); n < 5 {
			t.Errorf("%d RAs in the minute after MaxInterval became 10 s, want ≥ 5", n)
		}
		h.stop()
	})
}

// TestCoalescedTimersKeepRFCBounds runs 200 links with intervals drawn from
// [3.01 s, 10 s] and MinDelayBetweenRAs 3 s for 10 minutes. Timers due
// within engine.CoalesceWindow share one wakeup, so an interval may be up
// to the window shorter than MinInterval, but never shorter than
// MinDelayBetweenRAs, never longer than MaxInterval, and the initial RAs
// stay at most 16 s apart. Sends that share a wakeup happen at the same
// instant of the bubble's clock: far fewer instants than RAs show the
// wakeups are shared.
func TestCoalescedTimersKeepRFCBounds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const (
			n        = 200
			minIvl   = 3*time.Second + 10*time.Millisecond
			maxIvl   = 10 * time.Second
			minDelay = 3 * time.Second
		)
		i := baseInterface("vlan*")
		i.RA.MinInterval, i.RA.MaxInterval, i.RA.MinDelayBetweenRAs = minIvl, maxIvl, minDelay
		i.RA.Prefixes = []config.Prefix{staticPrefix("2001:db8:1::/64")}
		h := startEngine(t, &config.Config{Interfaces: []config.Interface{i}}, func(o *engine.Options) {
			o.Conn = &ifacetest.FakeConn{Queue: 4096, Keep: 20000} // ~9.2 RAs/min on each link
		})
		for idx := 10; idx < 10+n; idx++ {
			h.addLink(idx, "vlan"+itoa(idx))
		}
		h.synced()
		time.Sleep(10 * time.Minute)
		h.stop()
		all := sentPackets(h.conn)
		per := map[int][]time.Time{}
		instants := map[time.Time]bool{}
		for _, s := range all {
			per[s.Meta.IfIndex] = append(per[s.Meta.IfIndex], s.At)
			instants[s.At] = true
		}
		lo, hi := time.Hour, time.Duration(0)
		for idx := 10; idx < 10+n; idx++ {
			at := per[idx]
			if len(at) < 10*60/10 {
				t.Fatalf("link %d: %d RAs in 10 min, want ≥ 60", idx, len(at))
			}
			at = at[:len(at)-1] // the final RA is not periodic
			for k := 1; k < len(at); k++ {
				d := at[k].Sub(at[k-1])
				if d < minDelay {
					t.Errorf("link %d: RAs %d and %d %v apart, want ≥ MinDelayBetweenRAs %v", idx, k-1, k, d, minDelay)
				}
				if k < engine.MaxInitialRtrAdvertisements && d > engine.MaxInitialRtrAdvertInterval {
					t.Errorf("link %d: initial RA %d came %v after the previous, want ≤ 16s", idx, k+1, d)
				}
				if k > engine.MaxInitialRtrAdvertisements {
					lo, hi = min(lo, d), max(hi, d)
				}
			}
		}
		if lo < minIvl-engine.CoalesceWindow || hi > maxIvl {
			t.Errorf("intervals in [%v, %v], want within [%v - %v, %v]", lo, hi, minIvl, engine.CoalesceWindow, maxIvl)
		}
		if r := float64(len(instants)) / float64(len(all)); r > 0.75 {
			t.Errorf("%d RAs sent at %d distinct instants (%.2f per RA): timers do not share wakeups", len(all), len(instants), r)
		}
		t.Logf("%d RAs at %d instants; intervals in [%v, %v]", len(all), len(instants), lo, hi)
	})
}
