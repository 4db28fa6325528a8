package engine_test

import (
	"log/slog"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mdlayher/ndp"

	"github.com/radish-net/radish/config"
	"github.com/radish-net/radish/iface"
	"github.com/radish-net/radish/iface/ifacetest"
	"github.com/radish-net/radish/internal/netlab"
	"github.com/radish-net/radish/ra"
	"github.com/radish-net/radish/ra/engine"
)

func autoLink() *config.Config {
	return oneLink(func(i *config.Interface) {
		i.RA.Prefixes = []config.Prefix{{Prefix: netip.MustParsePrefix("::/64"), Auto: true, OnLink: true, Autonomous: true, ValidLifetime: 86400, PreferredLifetime: 14400}}
		i.RA.AutoIgnore = []netip.Prefix{netip.MustParsePrefix("2001:db8:ffff::/48")}
	})
}

func lastRA(t *testing.T, c *ifacetest.FakeConn, idx int) *ndp.RouterAdvertisement {
	t.Helper()
	got := ras(c, idx, time.Time{})
	if len(got) == 0 {
		t.Fatal("no RA sent")
	}
	return decode(t, got[len(got)-1])
}

// fresh solicits an RA by unicast RS and returns the answer: the unicast
// RA to the soliciting host, or a multicast RA that went out meanwhile and
// answered it too (RFC 4861 §6.2.6; the engine then drops the pending
// unicast answer).
func fresh(t *testing.T, h *harness, idx int) *ndp.RouterAdvertisement {
	t.Helper()
	at := time.Now()
	host := netip.MustParseAddr("fe80::f00d")
	h.rs(idx, host, 255)
	time.Sleep(time.Second)
	for _, s := range ras(h.conn, idx, at) {
		if s.Meta.Dst == host || s.Meta.Dst.IsMulticast() {
			return decode(t, s)
		}
	}
	t.Fatal("RS not answered")
	return nil
}

func TestAutomaticPrefixes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startEngine(t, autoLink())
		h.addLink(2, "eth0")
		h.addAddr(2, netip.MustParsePrefix("2001:db8:ffff:1::1/64"), iface.Infinite, iface.Infinite) // ignored
		h.addAddr(2, netip.MustParsePrefix("2001:db8:2::1/56"), iface.Infinite, iface.Infinite)      // wrong length
		h.synced()
		time.Sleep(time.Minute)
		if p := prefixes(lastRA(t, h.conn, 2)); len(p) != 0 {
			t.Fatalf("prefixes %v, want none (ignored and /56 only)", p)
		}
		// A global /64 with finite lifetimes appears: advertised fast,
		// lifetimes capped by the address's remaining lifetimes.
		// "Fast" is as soon as MinDelayBetweenRAs allows: a periodic RA may
		// have gone out just before the change.
		fast := autoLink().Interfaces[0].RA.MinDelayBetweenRAs + time.Second
		add := time.Now()
		h.addAddr(2, netip.MustParsePrefix("2001:db8:1::1/64"), 3600, 1800)
		time.Sleep(fast)
		got := ras(h.conn, 2, add)
		if len(got) == 0 {
			t.Fatal("no fast RA after an address was added")
		}
		p := prefixes(decode(t, got[0]))[netip.MustParseAddr("2001:db8:1::")]
		if p == nil || p.ValidLifetime > 3600*time.Second || p.ValidLifetime < 3600*time.Second-fast ||
			p.PreferredLifetime > 1800*time.Second || p.PreferredLifetime < 1800*time.Second-fast {
			t.Fatalf("prefix %+v, want valid ≈ 3600s, preferred ≈ 1800s", p)
		}
		time.Sleep(20 * time.Minute)
		p = prefixes(fresh(t, h, 2))[netip.MustParseAddr("2001:db8:1::")]
		if p == nil || p.ValidLifetime > 2400*time.Second || p.ValidLifetime < 2000*time.Second {
			t.Fatalf("after 20 min: prefix %+v, want valid counting down (≈ 2400s or less)", p)
		}
		// The address goes away: RFC 9096 withdrawal.
		del := time.Now()
		h.push(iface.Event{Kind: iface.AddrDelete, Addr: iface.Addr{IfIndex: 2, Prefix: netip.MustParsePrefix("2001:db8:1::1/64")}})
		time.Sleep(fast)
		got = ras(h.conn, 2, del)
		if len(got) == 0 {
			t.Fatal("no fast RA after the address was removed")
		}
		p = prefixes(decode(t, got[0]))[netip.MustParseAddr("2001:db8:1::")]
		if p == nil || p.PreferredLifetime != 0 || p.ValidLifetime > 2400*time.Second || p.ValidLifetime == 0 {
			t.Fatalf("withdrawn prefix %+v, want preferred 0 and the remaining valid lifetime", p)
		}
		st, _ := h.e.Status()
		if len(st) != 1 || len(st[0].Withdrawn) != 1 || len(st[0].Prefixes) != 0 {
			t.Errorf("status %+v, want one withdrawn prefix", st)
		}
		time.Sleep(30 * time.Minute)
		p2 := prefixes(fresh(t, h, 2))[netip.MustParseAddr("2001:db8:1::")]
		if p2 == nil || p2.ValidLifetime >= p.ValidLifetime {
			t.Fatalf("withdrawn prefix %+v 30 min later, want a smaller valid lifetime than %v", p2, p.ValidLifetime)
		}
		time.Sleep(time.Hour)
		if p := prefixes(lastRA(t, h.conn, 2)); len(p) != 0 {
			t.Errorf("prefixes %v after the valid lifetime ran out, want none", p)
		}
		h.stop()
	})
}

func TestWithdrawalCappedAtTwoHours(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startEngine(t, autoLink())
		h.addLink(2, "eth0")
		h.addAddr(2, netip.MustParsePrefix("2001:db8:1::1/64"), iface.Infinite, iface.Infinite)
		h.synced()
		time.Sleep(time.Minute)
		h.push(iface.Event{Kind: iface.AddrDelete, Addr: iface.Addr{IfIndex: 2, Prefix: netip.MustParsePrefix("2001:db8:1::1/64")}})
		time.Sleep(time.Second)
		p := prefixes(lastRA(t, h.conn, 2))[netip.MustParseAddr("2001:db8:1::")]
		if p == nil || p.PreferredLifetime != 0 || p.ValidLifetime > 2*time.Hour || p.ValidLifetime < 2*time.Hour-5*time.Second {
			t.Fatalf("withdrawn prefix %+v, want preferred 0, valid ≈ 2h", p)
		}
		// Coming back ends the withdrawal.
		h.addAddr(2, netip.MustParsePrefix("2001:db8:1::1/64"), iface.Infinite, iface.Infinite)
		time.Sleep(4 * time.Second) // MinDelayBetweenRAs after the last fast RA
		p = prefixes(lastRA(t, h.conn, 2))[netip.MustParseAddr("2001:db8:1::")]
		if p == nil || p.PreferredLifetime != 14400*time.Second || p.ValidLifetime != 86400*time.Second {
			t.Fatalf("prefix back: %+v, want the configured lifetimes", p)
		}
		h.stop()
	})
}

func TestDecrementLifetimes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startServing(t, func(i *config.Interface) {
			i.RA.Prefixes[0].DecrementLifetime = true
			i.RA.Prefixes[0].ValidLifetime, i.RA.Prefixes[0].PreferredLifetime = 7200, 3600
		})
		time.Sleep(time.Hour)
		p := prefixes(fresh(t, h, 2))[netip.MustParseAddr("2001:db8:1::")]
		if p.ValidLifetime > 3600*time.Second || p.ValidLifetime < 3000*time.Second || p.PreferredLifetime > 600*time.Second {
			t.Fatalf("after ~1h: %+v, want valid ≈ 7200-elapsed, preferred ≈ 3600-elapsed", p)
		}
		h.e.ResetDecrementingLifetimes()
		time.Sleep(time.Second)
		h.rs(2, netip.MustParseAddr("fe80::9"), 255)
		time.Sleep(time.Second)
		p = prefixes(lastRA(t, h.conn, 2))[netip.MustParseAddr("2001:db8:1::")]
		if p.ValidLifetime < 7190*time.Second || p.PreferredLifetime < 3590*time.Second {
			t.Fatalf("after reset: %+v, want ≈ 7200/3600 again", p)
		}
		h.stop()
	})
}

func TestReloadChangedRDNSS(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := oneLink(func(i *config.Interface) {
			i.RA.RDNSS = []config.RDNSS{{Servers: []netip.Addr{netip.MustParseAddr("2001:db8::53")}, Lifetime: 1800, Flush: true}}
		})
		h := startEngine(t, cfg)
		h.addLink(2, "eth0")
		h.addLink(3, "eth1") // not configured
		h.synced()
		time.Sleep(5 * time.Minute)
		// Same configuration again: no fast RAs (only the periodic RA, if
		// it happens to be due within the second).
		periodic := nextRA(t, h, 2)
		same := time.Now()
		h.e.Reload(oneLink(func(i *config.Interface) {
			i.RA.RDNSS = []config.RDNSS{{Servers: []netip.Addr{netip.MustParseAddr("2001:db8::53")}, Lifetime: 1800, Flush: true}}
		}))
		time.Sleep(time.Second)
		for _, p := range ras(h.conn, 2, same) {
			if p.At.Before(periodic.Add(-engine.CoalesceWindow)) {
				t.Errorf("RA at %v after reloading an identical configuration, before the periodic one due at %v", p.At, periodic)
			}
		}
		at := time.Now()
		next := oneLink(func(i *config.Interface) {
			i.RA.RDNSS = []config.RDNSS{{Servers: []netip.Addr{netip.MustParseAddr("2001:db8::5353")}, Lifetime: 1800, Flush: true}}
		})
		next.Interfaces = append(next.Interfaces, baseInterface("eth1"))
		h.e.Reload(next)
		time.Sleep(5 * time.Second)
		got := ras(h.conn, 2, at)
		if len(got) == 0 {
			t.Fatal("no fast RA after reload")
		}
		var servers []netip.Addr
		for _, o := range decode(t, got[0]).Options {
			if r, ok := o.(*ndp.RecursiveDNSServer); ok {
				servers = append(servers, r.Servers...)
			}
		}
		if !slices.Equal(servers, []netip.Addr{netip.MustParseAddr("2001:db8::5353")}) {
			t.Errorf("RDNSS after reload %v, want [2001:db8::5353]", servers)
		}
		if len(ras(h.conn, 3, at)) == 0 {
			t.Error("link added by the reload is not served")
		}
		h.stop()
	})
}

func finalCfg() *config.Config {
	return oneLink(func(i *config.Interface) {
		dep := staticPrefix("2001:db8:2::/64")
		dep.DeprecatePrefix = true
		i.RA.Prefixes = append(i.RA.Prefixes, dep)
		i.RA.Routes = []config.Route{
			{Prefix: netip.MustParsePrefix("2001:db8:100::/48"), Lifetime: 1800, RemoveOnExit: true},
			{Prefix: netip.MustParsePrefix("2001:db8:200::/48"), Lifetime: 1800},
		}
		i.RA.RDNSS = []config.RDNSS{{Servers: []netip.Addr{netip.MustParseAddr("2001:db8::53")}, Lifetime: 1800, Flush: true}}
		i.RA.DNSSL = []config.DNSSL{{Domains: []string{"example.net"}, Lifetime: 1800, Flush: true}}
	})
}

// checkFinal asserts s is the final RA of finalCfg.
func checkFinal(t *testing.T, s ifacetest.Packet) {
	t.Helper()
	if s.Meta.Dst != netip.MustParseAddr("ff02::1") {
		t.Errorf("final RA to %v, want ff02::1", s.Meta.Dst)
	}
	r := decode(t, s)
	if r.RouterLifetime != 0 {
		t.Errorf("final RA router lifetime %v, want 0", r.RouterLifetime)
	}
	p := prefixes(r)
	if k := p[netip.MustParseAddr("2001:db8:1::")]; k == nil || k.PreferredLifetime != 14400*time.Second {
		t.Errorf("final RA kept prefix %+v, want unchanged lifetimes", k)
	}
	if d := p[netip.MustParseAddr("2001:db8:2::")]; d == nil || d.PreferredLifetime != 0 || d.ValidLifetime != 7200*time.Second {
		t.Errorf("final RA deprecated prefix %+v, want preferred 0, valid 7200s", d)
	}
	routes := map[netip.Addr]time.Duration{}
	var rdnss, dnssl []time.Duration
	for _, o := range r.Options {
		switch o := o.(type) {
		case *ndp.RouteInformation:
			routes[o.Prefix] = o.RouteLifetime
		case *ndp.RecursiveDNSServer:
			rdnss = append(rdnss, o.Lifetime)
		case *ndp.DNSSearchList:
			dnssl = append(dnssl, o.Lifetime)
		}
	}
	if routes[netip.MustParseAddr("2001:db8:100::")] != 0 || routes[netip.MustParseAddr("2001:db8:200::")] != 1800*time.Second {
		t.Errorf("final RA routes %v, want RemoveRoute one at 0 and the other kept", routes)
	}
	if !slices.Equal(rdnss, []time.Duration{0}) || !slices.Equal(dnssl, []time.Duration{0}) {
		t.Errorf("final RA RDNSS %v DNSSL %v, want flushed (0)", rdnss, dnssl)
	}
}

func TestShutdownFinalRA(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startEngine(t, finalCfg())
		h.addLink(2, "eth0")
		h.synced()
		time.Sleep(5 * time.Minute)
		at := time.Now()
		h.e.Stop()
		if err := <-h.done; err != nil {
			t.Fatal(err)
		}
		got := ras(h.conn, 2, at)
		if len(got) != 1 {
			t.Fatalf("%d RAs at shutdown, want 1 final RA", len(got))
		}
		checkFinal(t, got[0])
		if n := h.e.Counters().RAFinal.Load(); n != 1 {
			t.Errorf("RAFinal %d, want 1", n)
		}
		if !h.conn.Closed() {
			t.Error("Run returned without closing its Conn")
		}
		h.cancel()
	})
}

func TestReloadRemovingLinkSendsFinalRA(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := finalCfg()
		cfg.Interfaces = append(cfg.Interfaces, baseInterface("eth1"))
		h := startEngine(t, cfg)
		h.addLink(2, "eth0")
		h.addLink(3, "eth1")
		h.synced()
		time.Sleep(5 * time.Minute)
		at := time.Now()
		h.e.Reload(&config.Config{Interfaces: []config.Interface{baseInterface("eth1")}})
		time.Sleep(time.Hour)
		got := ras(h.conn, 2, at)
		if len(got) != 1 {
			t.Fatalf("%d RAs on the removed link, want exactly 1 final RA", len(got))
		}
		checkFinal(t, got[0])
		if n := len(ras(h.conn, 3, at)); n < 5 {
			t.Errorf("remaining link sent %d RAs in an hour", n)
		}
		h.stop()
	})
}

func TestSplitLargeRA(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startServing(t, func(i *config.Interface) {
			i.RA.Prefixes = nil
			for n := range 60 {
				i.RA.Prefixes = append(i.RA.Prefixes, staticPrefix("2001:db8:"+hex(n)+"::/64"))
			}
			for n := range 10 {
				i.RA.RDNSS = append(i.RA.RDNSS, config.RDNSS{Servers: []netip.Addr{netip.MustParseAddr("2001:db8::" + hex(n+1))}, Lifetime: 600})
			}
			i.RA.LinkMTU = 1500
		})
		time.Sleep(time.Second)
		h.stop()
		got := ras(h.conn, 2, h.start)
		first := []ifacetest.Packet{}
		for _, s := range got {
			if s.At.Equal(got[0].At) {
				first = append(first, s)
			}
		}
		if len(first) < 2 {
			t.Fatalf("%d RAs for 60 prefixes, want a split set", len(first))
		}
		seen := map[netip.Addr]bool{}
		servers := 0
		for _, s := range first {
			if len(s.Data) > 1280-40 {
				t.Errorf("RA of %d bytes exceeds the 1240-byte budget", len(s.Data))
			}
			r := decode(t, s)
			if r.RouterLifetime != 1800*time.Second || r.CurrentHopLimit != 64 {
				t.Errorf("split RA header %+v, want the full header", r)
			}
			mtu := false
			for _, o := range r.Options {
				switch o := o.(type) {
				case *ndp.PrefixInformation:
					seen[o.Prefix] = true
				case *ndp.RecursiveDNSServer:
					servers += len(o.Servers)
				case *ndp.MTU:
					mtu = true
				}
			}
			if !mtu {
				t.Error("split RA without the MTU option")
			}
		}
		if len(seen) != 60 || servers != 10 {
			t.Errorf("split set carries %d prefixes and %d servers, want 60 and 10", len(seen), servers)
		}
	})
}

func TestClientsList(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b := netip.MustParseAddr("fe80::a"), netip.MustParseAddr("fe80::b")
		h := startServing(t, func(i *config.Interface) {
			i.RA.Clients = []netip.Addr{a}
			i.RA.Deny = []netip.Addr{b}
		})
		time.Sleep(2 * time.Minute)
		for _, s := range ras(h.conn, 2, h.start) {
			if s.Meta.Dst != a {
				t.Fatalf("RA to %v with a clients list, want only unicast to %v", s.Meta.Dst, a)
			}
		}
		at := time.Now()
		h.rs(2, netip.MustParseAddr("fe80::c"), 255) // not listed
		h.rs(2, b, 255)                              // denied
		h.rs(2, netip.IPv6Unspecified(), 255)        // not listed
		time.Sleep(time.Second)
		if n := len(ras(h.conn, 2, at)); n != 0 {
			t.Errorf("%d answers to unlisted sources", n)
		}
		h.rs(2, a, 255)
		time.Sleep(time.Second)
		if got := ras(h.conn, 2, at); len(got) != 1 || got[0].Meta.Dst != a {
			t.Errorf("answers %+v, want one unicast to the listed client", got)
		}
		h.stop()
		if n := h.e.Counters().RSDroppedClients.Load(); n != 3 {
			t.Errorf("RSDroppedClients %d, want 3", n)
		}
	})
}

func TestInvalidRSCounted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startServing(t, nil)
		time.Sleep(2 * time.Minute)
		at := time.Now()
		host := netip.MustParseAddr("fe80::9")
		h.rs(2, host, 64) // hop limit
		h.inject(h.conn, []byte{133, 1, 0, 0, 0, 0, 0, 0}, iface.Meta{IfIndex: 2, Src: host, HopLimit: 255})
		h.inject(h.conn, []byte{133, 0, 0, 0}, iface.Meta{IfIndex: 2, Src: host, HopLimit: 255})
		h.inject(h.conn, []byte{133, 0, 0, 0, 0, 0, 0, 0, 1, 0}, iface.Meta{IfIndex: 2, Src: host, HopLimit: 255})
		slla, _ := ra.AppendRouterSolicit(nil, ra.SourceLinkLayerAddr([]byte{2, 0, 0, 0, 0, 9}))
		h.inject(h.conn, slla, iface.Meta{IfIndex: 2, Src: netip.IPv6Unspecified(), HopLimit: 255})
		h.rs(9, host, 255) // unknown link
		time.Sleep(time.Second)
		if n := len(ras(h.conn, 2, at)); n != 0 {
			t.Errorf("%d answers to invalid RSes", n)
		}
		h.stop()
		c := h.e.Counters()
		got := []uint64{c.RSInvalidHopLimit.Load(), c.RSInvalidCode.Load(), c.RSInvalidLength.Load(), c.RSInvalidOption.Load(), c.RSInvalidSLLA.Load(), c.RSDroppedNotServed.Load()}
		if !slices.Equal(got, []uint64{1, 1, 1, 1, 1, 1}) {
			t.Errorf("hop/code/length/option/slla/notserved counters %v, want 1 each", got)
		}
	})
}

func TestUnrestrictedUnicast(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, denied, other := netip.MustParseAddr("fe80::a"), netip.MustParseAddr("fe80::b"), netip.MustParseAddr("fe80::c")
		h := startServing(t, func(i *config.Interface) {
			i.RA.Clients = []netip.Addr{a}
			i.RA.Deny = []netip.Addr{denied}
			i.RA.UnrestrictedUnicast = true
		})
		time.Sleep(2 * time.Minute)
		at := time.Now()
		h.rs(2, other, 255)
		h.rs(2, denied, 255)
		time.Sleep(time.Second)
		got := ras(h.conn, 2, at)
		if len(got) != 1 || got[0].Meta.Dst != other {
			t.Errorf("answers %+v, want one unicast to the unlisted host and none to the denied one", got)
		}
		h.stop()
	})
}

func TestUnicastOnly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startServing(t, func(i *config.Interface) { i.RA.UnicastOnly = true })
		time.Sleep(time.Hour)
		if n := len(sentPackets(h.conn)); n != 0 {
			t.Fatalf("%d unsolicited RAs on a UnicastOnly link", n)
		}
		h.rs(2, netip.IPv6Unspecified(), 255)
		h.rs(2, netip.MustParseAddr("fe80::5"), 255)
		time.Sleep(time.Second)
		got := sentPackets(h.conn)
		if len(got) != 1 || got[0].Meta.Dst != netip.MustParseAddr("fe80::5") {
			t.Errorf("sent %+v, want one unicast answer", got)
		}
		h.stop()
		if n := h.e.Counters().RSDroppedUnicast.Load(); n != 1 {
			t.Errorf("RSDroppedUnicast %d, want 1", n)
		}
	})
}

func TestBase6Interface(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startEngine(t, oneLink(func(i *config.Interface) {
			i.RA.Prefixes = []config.Prefix{{Prefix: netip.MustParsePrefix("::/64"), Base6Interface: "wan0", OnLink: true, Autonomous: true, ValidLifetime: 86400, PreferredLifetime: 14400}}
		}))
		h.addLink(2, "eth0")
		h.addLink(3, "wan0")
		h.synced()
		time.Sleep(time.Minute)
		if p := prefixes(lastRA(t, h.conn, 2)); len(p) != 0 {
			t.Fatalf("prefixes %v before wan0 has a global address", p)
		}
		h.addAddr(3, netip.MustParsePrefix("2001:db8:77::5/64"), 5000, 4000)
		time.Sleep(time.Second)
		p := prefixes(lastRA(t, h.conn, 2))[netip.MustParseAddr("2001:db8:77::")]
		if p == nil || p.ValidLifetime > 5000*time.Second || p.PreferredLifetime > 4000*time.Second {
			t.Fatalf("prefix from wan0 %+v, want 2001:db8:77::/64 bounded by the address lifetimes", p)
		}
		if n := len(ras(h.conn, 3, h.start)); n != 0 {
			t.Errorf("%d RAs on the unconfigured base link", n)
		}
		h.stop()
	})
}

func TestEveryOptionAdvertised(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startServing(t, func(i *config.Interface) {
			i.RA.LinkMTU = 1400
			i.RA.IntervalOpt = true
			i.RA.HomeAgentInfo, i.RA.HomeAgentLifetime, i.RA.HomeAgentPreference = true, 1800, 10
			i.RA.MobRtrSupportFlag = true
			i.RA.SNACRouterFlag = true
			i.RA.CaptivePortalAPI = "https://portal.example.net/api"
			i.RA.Managed = true
			i.RA.DefaultPreference = config.PreferenceHigh
			i.RA.Routes = []config.Route{{Prefix: netip.MustParsePrefix("2001:db8:100::/48"), Lifetime: 1800, Preference: config.PreferenceLow}}
			i.RA.RDNSS = []config.RDNSS{{Servers: []netip.Addr{netip.MustParseAddr("2001:db8::53")}, Lifetime: 1800}}
			i.RA.DNSSL = []config.DNSSL{{Domains: []string{"example.net"}, Lifetime: 1800}}
			i.RA.PREF64 = []config.PREF64{{Prefix: netip.MustParsePrefix("64:ff9b::/96"), Lifetime: 1800}}
			i.RA.DNR = []config.DNR{{Priority: 1, ADN: "dns.example.net", Addresses: []netip.Addr{netip.MustParseAddr("2001:db8::853")}, Params: "alpn=dot", Lifetime: 1800}}
			i.RA.LoWPANContexts = []config.LoWPANContext{{Prefix: netip.MustParsePrefix("2001:db8:6::/48"), Compression: true, ID: 3, Lifetime: 60}}
			i.RA.ABROs = []config.ABRO{{Address: netip.MustParseAddr("2001:db8::6"), VersionLow: 7, Lifetime: 100}}
			i.RA.OtherConfig = true
		})
		time.Sleep(time.Second)
		h.stop()
		got := ras(h.conn, 2, h.start)
		m, err := ra.ParseRouterAdvert(got[0].Data)
		if err != nil {
			t.Fatal(err)
		}
		if !m.Managed() || !m.Other() || m.Preference() != ra.High || !m.SNACRouter() {
			t.Errorf("header M %v O %v preference %v S %v, want M, O, high and S", m.Managed(), m.Other(), m.Preference(), m.SNACRouter())
		}
		// Options in radvd's order (send.c build_ra_options), DNR last.
		wantOrder := []ra.OptionType{ra.TypePrefixInfo, ra.TypePREF64, ra.TypeRouteInfo, ra.TypeRDNSS, ra.TypeDNSSL,
			ra.TypeMTU, ra.TypeSourceLinkLayerAddr, ra.TypeAdvInterval, ra.TypeHomeAgentInfo,
			ra.TypeSixLoWPANContext, ra.TypeABRO, ra.TypeCaptivePortal, ra.TypeDNR}
		var types []ra.OptionType
		for it := m.AllOptions(); it.Next(); {
			o := it.Option()
			types = append(types, o.Type)
			switch o.Type {
			case ra.TypeSixLoWPANContext:
				want := ra.SixLoWPANContext{Prefix: netip.MustParsePrefix("2001:db8:6::/48"), Compression: true, ID: 3, Lifetime: 60}
				if c, err := ra.ParseSixLoWPANContext(o); err != nil || c != want {
					t.Errorf("6CO %+v, %v; want %+v", c, err, want)
				}
			case ra.TypeABRO:
				want := ra.ABRO{Address: netip.MustParseAddr("2001:db8::6"), VersionLow: 7, Lifetime: 100}
				if a, err := ra.ParseABRO(o); err != nil || a != want {
					t.Errorf("ABRO %+v, %v; want %+v", a, err, want)
				}
			}
			if o.Type == ra.TypeDNR {
				v, err := ra.ParseDNR(o)
				if err != nil || len(v.SvcParams()) == 0 || v.NumAddrs() != 1 {
					t.Errorf("DNR option %v: %v, want one address and SvcParams", v, err)
				}
			}
		}
		if !slices.Equal(types, wantOrder) {
			t.Errorf("RA options %v, want %v", types, wantOrder)
		}
		for it := m.Options(); it.Next(); {
			if o := it.Option(); o.Type == ra.TypeHomeAgentInfo {
				hai, err := ra.ParseHomeAgentInfo(o)
				if err != nil || !hai.MobileRouterSupport || hai.Preference != 10 || hai.Lifetime != 1800 {
					t.Errorf("home agent information %+v, %v; want R, preference 10, lifetime 1800", hai, err)
				}
			}
		}
	})
}

// TestHomeAgentInfoDefaultsOmitted: like radvd, a Home Agent Information
// option that would only repeat the defaults (preference 0, lifetime equal to
// the Router Lifetime, no R flag) is not sent.
func TestHomeAgentInfoDefaultsOmitted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startServing(t, func(i *config.Interface) {
			i.RA.HomeAgentInfo = true
			i.RA.HomeAgentLifetime = uint16(i.RA.DefaultLifetime / time.Second)
		})
		time.Sleep(time.Second)
		h.stop()
		m, err := ra.ParseRouterAdvert(ras(h.conn, 2, h.start)[0].Data)
		if err != nil {
			t.Fatal(err)
		}
		for it := m.Options(); it.Next(); {
			if it.Option().Type == ra.TypeHomeAgentInfo {
				t.Error("home agent information sent although it only repeats the defaults")
			}
		}
	})
}

// TestModelAdvertisedAsResolved: the engine advertises the resolved model and
// adds nothing of its own for DHCPv6 (the config loader applies the O flag
// and DNS-in-RA coherence): an explicit O flag off with DHCPv6 served stays
// off, and DHCPv6 DNS servers absent from the RA model are not advertised.
func TestModelAdvertisedAsResolved(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startServing(t, func(i *config.Interface) {
			i.RA.OtherConfig = false
			i.DHCPv6 = &config.DHCPv6{
				DNSServers:     []netip.Addr{netip.MustParseAddr("2001:db8::35")},
				DomainSearch:   []string{"lan.example"},
				DNSInRA:        true,
				SetOtherConfig: true,
			}
		})
		time.Sleep(time.Second)
		h.stop()
		r := decode(t, ras(h.conn, 2, h.start)[0])
		for _, o := range r.Options {
			switch o.(type) {
			case *ndp.RecursiveDNSServer, *ndp.DNSSearchList:
				t.Errorf("option %v advertised, but the RA model has no RDNSS/DNSSL", o)
			}
		}
		if r.OtherConfiguration {
			t.Error("O flag set although the RA model has it off")
		}
	})
}

func TestUnrestrictedAnswerNotLostToClientRAs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, other := netip.MustParseAddr("fe80::a"), netip.MustParseAddr("fe80::c")
		h := startServing(t, func(i *config.Interface) {
			i.RA.Clients = []netip.Addr{a}
			i.RA.UnrestrictedUnicast = true
			i.RA.MaxInterval, i.RA.MinInterval = 4*time.Second, 3*time.Second
		})
		time.Sleep(time.Minute)
		at := time.Now()
		for range 200 { // some land just before a periodic RA to the clients
			h.rs(2, other, 255)
			time.Sleep(600 * time.Millisecond) // longer than the answer delay: no coalescing
		}
		time.Sleep(time.Second)
		n := 0
		for _, s := range ras(h.conn, 2, at) {
			if s.Meta.Dst == other {
				n++
			}
		}
		if n != 200 {
			t.Errorf("%d answers to 200 RSes from an unlisted host, want 200", n)
		}
		h.stop()
	})
}

// nextRA returns when link idx's next unsolicited RA is due.
func nextRA(t *testing.T, h *harness, idx int) time.Time {
	t.Helper()
	st, _ := h.e.Status()
	for _, l := range st {
		if l.Index == idx && !l.NextRA.IsZero() {
			return l.NextRA
		}
	}
	t.Fatalf("link %d has no unsolicited RA scheduled: %+v", idx, st)
	return time.Time{}
}

// TestBase6to4Interface: as radvd, a Base6to4Interface prefix is
// 2002:V4ADDR::/48 from the named link's IPv4 address followed by the
// configured prefix's other bits; a changed address is advertised within
// SixToFourPoll, and without one the prefix is left out (logged).
func TestBase6to4Interface(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, setV4, logBuf := start6to4(t)
		time.Sleep(time.Second)
		want := func(what, pfx string) {
			t.Helper()
			p := prefixes(fresh(t, h, 2))
			if pfx == "" {
				if len(p) != 0 {
					t.Errorf("%s: prefixes %v, want none", what, p)
				}
				return
			}
			if len(p) != 1 || p[netip.MustParsePrefix(pfx).Addr()] == nil {
				t.Errorf("%s: prefixes %v, want only %s", what, p, pfx)
			}
		}
		want("192.0.2.33", "2002:c000:221:5::/64") // radvd 2.19 sends this one for the same file
		setV4(netip.MustParseAddr("198.51.100.1"))
		time.Sleep(engine.SixToFourPoll + time.Second)
		want("198.51.100.1", "2002:c633:6401:5::/64")
		setV4(netip.Addr{})
		time.Sleep(engine.SixToFourPoll + time.Second)
		want("no IPv4 address", "")
		h.stop()
		if log := logBuf.String(); strings.Count(log, "Base6to4Interface has no IPv4 address") != 1 {
			t.Errorf("the missing address is not logged exactly once:\n%s", log)
		}
	})
}

// TestBase6to4LossLoggedAfterRecompile: the base link loses its IPv4
// address and, before the next poll, an address event on the served link
// recompiles its RAs (which leave the prefix out at once): the loss is
// still logged at the next poll.
func TestBase6to4LossLoggedAfterRecompile(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, setV4, logBuf := start6to4(t)
		time.Sleep(engine.SixToFourPoll + time.Second)
		setV4(netip.Addr{})
		h.addAddr(2, netip.MustParsePrefix("2001:db8:77::1/64"), 3600, 1800) // recompiles
		time.Sleep(time.Second)
		if p := prefixes(fresh(t, h, 2)); len(p) != 0 {
			t.Errorf("prefixes after the loss and a recompile: %v, want none", p)
		}
		time.Sleep(2 * engine.SixToFourPoll)
		h.stop()
		if log := logBuf.String(); strings.Count(log, "Base6to4Interface has no IPv4 address") != 1 {
			t.Errorf("the lost IPv4 address is not logged exactly once:\n%s", log)
		}
	})
}

// start6to4 serves eth0 with a Base6to4Interface prefix on up0, whose IPv4
// address starts as 192.0.2.33; setV4 changes it (the zero Addr: none).
func start6to4(t *testing.T) (h *harness, setV4 func(netip.Addr), logBuf *netlab.SyncBuffer) {
	t.Helper()
	var mu sync.Mutex
	v4 := netip.MustParseAddr("192.0.2.33")
	logBuf = new(netlab.SyncBuffer)
	h = startEngine(t, oneLink(func(i *config.Interface) {
		i.RA.Prefixes = []config.Prefix{{Prefix: netip.MustParsePrefix("0:0:0:5::/64"), Base6to4Interface: "up0",
			OnLink: true, Autonomous: true, ValidLifetime: 86400, PreferredLifetime: 14400}}
	}), func(o *engine.Options) {
		o.Logger = slog.New(slog.NewTextHandler(logBuf, nil))
		o.IPv4Addr = func(name string) (netip.Addr, bool) {
			mu.Lock()
			defer mu.Unlock()
			return v4, name == "up0" && v4.IsValid()
		}
	})
	h.addLink(2, "eth0")
	h.synced()
	return h, func(a netip.Addr) { mu.Lock(); v4 = a; mu.Unlock() }, logBuf
}
