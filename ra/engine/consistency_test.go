package engine_test

import (
	"net/netip"
	"testing"
	"testing/synctest"
	"time"

	"github.com/radish-net/radish/config"
	"github.com/radish-net/radish/iface"
	"github.com/radish-net/radish/ra"
)

func TestConsistencyWithOtherRouters(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startServing(t, func(i *config.Interface) {
			i.RA.LinkMTU, i.RA.ReachableTime = 1500, 30000
			dec := staticPrefix("2001:db8:9::/64")
			dec.DecrementLifetime = true
			i.RA.Prefixes = append(i.RA.Prefixes, dec)
		})
		time.Sleep(10 * time.Minute)
		other := netip.MustParseAddr("fe80::77")
		send := func(src netip.Addr, hdr ra.Header, opts ...ra.OptionSpec) {
			b, err := ra.AppendRouterAdvert(nil, hdr, opts...)
			if err != nil {
				t.Fatal(err)
			}
			h.inject(h.conn, b, iface.Meta{IfIndex: 2, Src: src, HopLimit: 255})
			time.Sleep(time.Millisecond)
		}
		good := ra.Header{CurHopLimit: 64, RouterLifetime: 600}
		pio := func(p string, valid, pref uint32) ra.PrefixInfo {
			return ra.PrefixInfo{Prefix: netip.MustParsePrefix(p), OnLink: true, Autonomous: true, ValidLifetime: valid, PreferredLifetime: pref}
		}
		c := h.e.Counters()
		// Consistent: same values; the decrementing prefix 10 minutes into
		// its countdown, within tolerance.
		send(other, good, ra.MTU(1500), pio("2001:db8:1::/64", 86400, 14400), pio("2001:db8:9::/64", 86400-600, 14400-598))
		send(other, ra.Header{}) // unspecified values are not compared
		if n := c.RAInconsistent.Load(); n != 0 {
			t.Fatalf("RAInconsistent %d after consistent RAs", n)
		}
		cases := []struct {
			name string
			hdr  ra.Header
			opts []ra.OptionSpec
		}{
			{"hop limit", ra.Header{CurHopLimit: 10}, nil},
			{"managed", ra.Header{CurHopLimit: 64, Managed: true}, nil},
			{"reachable", ra.Header{ReachableTime: 20000}, nil},
			{"mtu", good, []ra.OptionSpec{ra.MTU(1400)}},
			{"prefix valid", good, []ra.OptionSpec{pio("2001:db8:1::/64", 3600, 1800)}},
			{"decrementing prefix", good, []ra.OptionSpec{pio("2001:db8:9::/64", 86400, 14400)}},
		}
		for i, tc := range cases {
			send(other, tc.hdr, tc.opts...)
			if n := c.RAInconsistent.Load(); n != uint64(i+1) {
				t.Errorf("%s: RAInconsistent %d, want %d", tc.name, n, i+1)
			}
		}
		// Our own RA looped back is ignored.
		send(linkLocal(2), ra.Header{CurHopLimit: 1})
		// Invalid: hop limit.
		b, _ := ra.AppendRouterAdvert(nil, good)
		h.inject(h.conn, b, iface.Meta{IfIndex: 2, Src: other, HopLimit: 64})
		time.Sleep(time.Millisecond)
		h.stop()
		if n := c.RAInconsistent.Load(); n != uint64(len(cases)) {
			t.Errorf("RAInconsistent %d, want %d", n, len(cases))
		}
		if n := c.RAFromOthers.Load(); n != uint64(len(cases)+2) {
			t.Errorf("RAFromOthers %d, want %d", n, len(cases)+2)
		}
		if c.RAOthersOwnLoopback.Load() != 1 || c.ConsistencyBadRAs.Load() != 1 {
			t.Errorf("own loopback %d, invalid %d, want 1 and 1", c.RAOthersOwnLoopback.Load(), c.ConsistencyBadRAs.Load())
		}
	})
}
