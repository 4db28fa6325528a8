package engine_test

import (
	"log/slog"
	"net/netip"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/radish-net/radish/config"
	"github.com/radish-net/radish/iface"
	"github.com/radish-net/radish/iface/ifacetest"
	"github.com/radish-net/radish/internal/netlab"
	"github.com/radish-net/radish/ra/engine"
)

// TestForwardingOffLifetimeZero: without NetconfUpdate events the engine
// polls the forwarding sysctl every DefaultForwardingInterval.
func TestForwardingOffLifetimeZero(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startEngine(t, oneLink(nil))
		h.sys.Set("eth0", "forwarding", "0")
		h.addLink(2, "eth0")
		h.synced()
		time.Sleep(time.Minute)
		got := ras(h.conn, 2, h.start)
		if len(got) == 0 {
			t.Fatal("no RAs")
		}
		for _, s := range got {
			if r := decode(t, s); r.RouterLifetime != 0 {
				t.Fatalf("router lifetime %v while forwarding is off, want 0", r.RouterLifetime)
			}
		}
		// A poll, then at most MinDelayBetweenRAs until the fast RA; RAs
		// before the poll still carry the old lifetime.
		wait := engine.DefaultForwardingInterval + 4*time.Second
		last := func(from time.Time) (time.Duration, bool) {
			got := ras(h.conn, 2, from)
			if len(got) == 0 {
				return 0, false
			}
			return decode(t, got[len(got)-1]).RouterLifetime, true
		}
		on := time.Now()
		h.sys.Set("eth0", "forwarding", "1")
		time.Sleep(wait)
		if lt, ok := last(on); !ok || lt != 1800*time.Second {
			t.Errorf("last RA within %v of forwarding coming back: lifetime %v (sent: %v), want 1800s", wait, lt, ok)
		}
		off := time.Now()
		h.sys.Set("eth0", "forwarding", "0")
		time.Sleep(wait)
		if lt, ok := last(off); !ok || lt != 0 {
			t.Errorf("last RA within %v of forwarding going off: lifetime %v (sent: %v), want 0", wait, lt, ok)
		}
		h.stop()
		if n := h.e.Counters().ForwardingOff.Load(); n != 2 {
			t.Errorf("ForwardingOff counter %d, want 2", n)
		}
	})
}

// TestForwardingNetconfEvents: with NetconfUpdate events the sysctl is
// read at most once per link (never while events keep coming), and a
// change is advertised at once: Router Lifetime 0 within
// MinDelayBetweenRAs of forwarding going off, logged and counted once.
func TestForwardingNetconfEvents(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var logBuf netlab.SyncBuffer
		var sys *countingSysctl
		h := startEngine(t, oneLink(nil), func(o *engine.Options) {
			o.Logger = slog.New(slog.NewTextHandler(&logBuf, nil))
			sys = &countingSysctl{Sysctl: o.Sysctl}
			o.Sysctl = sys
		})
		// The sysctl disagrees with the events: the events must win.
		h.sys.Set("eth0", "forwarding", "0")
		conf := func(fwd bool) {
			h.w.Push(iface.Event{Kind: iface.NetconfUpdate, Netconf: iface.Netconf{IfIndex: 2, Forwarding: fwd}})
		}
		h.addLink(2, "eth0")
		conf(true)
		h.synced()
		time.Sleep(time.Minute)
		got := ras(h.conn, 2, h.start)
		if len(got) == 0 {
			t.Fatal("no RAs")
		}
		for _, s := range got {
			if r := decode(t, s); r.RouterLifetime != 1800*time.Second {
				t.Fatalf("router lifetime %v with forwarding on by event, want 1800s", r.RouterLifetime)
			}
		}
		reads := sys.reads.Load()

		check := func(what string, want time.Duration) {
			t.Helper()
			from := time.Now()
			time.Sleep(3*time.Second + time.Millisecond) // MinDelayBetweenRAs
			got := ras(h.conn, 2, from)
			if len(got) == 0 {
				t.Fatalf("%s: no RA within MinDelayBetweenRAs", what)
			}
			if r := decode(t, got[0]); r.RouterLifetime != want {
				t.Errorf("%s: router lifetime %v, want %v", what, r.RouterLifetime, want)
			}
		}
		conf(false)
		check("forwarding off", 0)
		conf(false) // a repeat (resync) changes nothing
		time.Sleep(time.Minute)
		conf(true)
		check("forwarding on", 1800*time.Second)
		conf(false)
		check("forwarding off again", 0)
		time.Sleep(10 * time.Minute)
		if n := sys.reads.Load() - reads; n != 0 {
			t.Errorf("%d sysctl reads while events report forwarding, want 0", n)
		}
		h.stop()
		if n := h.e.Counters().ForwardingOff.Load(); n != 2 {
			t.Errorf("ForwardingOff counter %d, want 2", n)
		}
		log := logBuf.String()
		if n := strings.Count(log, "forwarding is off"); n != 2 {
			t.Errorf("%d 'forwarding is off' warnings, want 2:\n%s", n, log)
		}
		if n := strings.Count(log, "forwarding is on again"); n != 1 {
			t.Errorf("%d 'on again' messages, want 1:\n%s", n, log)
		}
	})
}

// TestForwardingReadOnceBeforeFirstEvent: a link served before its first
// NetconfUpdate (the kernel may report a new link's netconf after the link)
// has its sysctl read once, and the event then takes over.
func TestForwardingReadOnceBeforeFirstEvent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var sys *countingSysctl
		h := startEngine(t, oneLink(nil), func(o *engine.Options) {
			sys = &countingSysctl{Sysctl: o.Sysctl}
			o.Sysctl = sys
		})
		h.sys.Set("eth0", "forwarding", "0")
		h.push(iface.Event{Kind: iface.LinkUpdate, Link: link(1, "lo", true)})
		h.w.Push(iface.Event{Kind: iface.NetconfUpdate, Netconf: iface.Netconf{IfIndex: 1, Forwarding: true}})
		h.synced()
		time.Sleep(time.Second)
		h.addLink(2, "eth0")
		time.Sleep(time.Second)
		got := ras(h.conn, 2, h.start)
		if len(got) == 0 || decode(t, got[0]).RouterLifetime != 0 {
			t.Fatalf("first RA with forwarding 0 in the sysctl: %d RAs, want lifetime 0", len(got))
		}
		if n := sys.reads.Load(); n != 1 {
			t.Errorf("%d sysctl reads when eth0 started being served, want 1", n)
		}
		from := time.Now()
		h.w.Push(iface.Event{Kind: iface.NetconfUpdate, Netconf: iface.Netconf{IfIndex: 2, Forwarding: true}})
		time.Sleep(10 * time.Minute)
		got = ras(h.conn, 2, from)
		if len(got) == 0 || decode(t, got[0]).RouterLifetime != 1800*time.Second {
			t.Errorf("after the NetconfUpdate: %d RAs, want the first with lifetime 1800s", len(got))
		}
		if n := sys.reads.Load(); n != 1 {
			t.Errorf("%d sysctl reads in all, want 1", n)
		}
		h.stop()
	})
}

// countingSysctl counts reads.
type countingSysctl struct {
	iface.Sysctl
	reads atomic.Int64
}

func (s *countingSysctl) IPv6(ifName, key string) (string, error) {
	s.reads.Add(1)
	return s.Sysctl.IPv6(ifName, key)
}

func TestLinkLifecycle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startEngine(t, oneLink(nil))
		h.synced()
		time.Sleep(time.Minute)
		if n := len(sentPackets(h.conn)); n != 0 {
			t.Fatalf("%d RAs before the link exists", n)
		}
		// Appears later.
		h.addLink(2, "eth0")
		time.Sleep(time.Second)
		if len(ras(h.conn, 2, h.start)) == 0 {
			t.Fatal("no RA after the link appeared")
		}
		// Down: silence, RSes not answered.
		h.push(iface.Event{Kind: iface.LinkUpdate, Link: link(2, "eth0", false)})
		time.Sleep(time.Second)
		down := time.Now()
		h.rs(2, netip.MustParseAddr("fe80::99"), 255)
		time.Sleep(30 * time.Minute)
		if n := len(ras(h.conn, 2, down)); n != 0 {
			t.Fatalf("%d RAs while down", n)
		}
		// Up: fast RAs again.
		up := time.Now()
		h.push(iface.Event{Kind: iface.LinkUpdate, Link: link(2, "eth0", true)})
		time.Sleep(40 * time.Second)
		if n := len(multicastOnly(ras(h.conn, 2, up))); n < 3 {
			t.Fatalf("%d RAs in 40 s after up, want the initial burst (≥ 3)", n)
		}
		if n := h.conn.JoinCalls(2, allRouters); n != 2 {
			t.Errorf("joined ff02::2 %d times, want 2 (first up and up again)", n)
		}
		// Deleted, then recreated with a new index.
		h.push(iface.Event{Kind: iface.LinkDelete, Link: link(2, "eth0", true)})
		time.Sleep(time.Second)
		gone := time.Now()
		time.Sleep(20 * time.Minute)
		if n := len(ras(h.conn, 2, gone)); n != 0 {
			t.Fatalf("%d RAs after delete", n)
		}
		h.addLink(7, "eth0")
		time.Sleep(time.Second)
		if n := len(ras(h.conn, 7, gone)); n == 0 {
			t.Fatal("recreated link not served")
		}
		if n := h.conn.JoinCalls(7, allRouters); n != 1 {
			t.Errorf("recreated link joined ff02::2 %d times, want 1", n)
		}
		st, err := h.e.Status()
		if err != nil {
			t.Fatal(err)
		}
		if len(st) != 1 || st[0].Index != 7 || !st[0].Served || st[0].Transport != "kernel" {
			t.Errorf("status %+v, want eth0 index 7 served by kernel", st)
		}
		h.stop()
		if n := h.e.Counters().LinksServed.Load(); n != 0 {
			t.Errorf("LinksServed %d after stop, want 0", n)
		}
	})
}

func TestPacketTransportFallback(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		pc := &ifacetest.FakeConn{}
		var made atomic.Int32
		h := startEngine(t, oneLink(nil), func(o *engine.Options) {
			o.PacketConnFactory = func(l iface.Link) (iface.Conn, error) {
				if l.Index != 2 || l.Name != "eth0" {
					t.Errorf("factory called for %+v", l)
				}
				made.Add(1)
				return pc, nil
			}
		})
		// No link-local address yet (DAD still running): packet transport.
		h.push(iface.Event{Kind: iface.LinkUpdate, Link: link(2, "eth0", true)})
		h.push(iface.Event{Kind: iface.AddrUpdate, Addr: iface.Addr{IfIndex: 2, Prefix: netip.PrefixFrom(linkLocal(2), 64), Flags: iface.AddrTentative, Valid: iface.Infinite, Preferred: iface.Infinite}})
		h.synced()
		time.Sleep(time.Second)
		if made.Load() != 1 || len(ras(pc, 2, h.start)) == 0 || len(sentPackets(h.conn)) != 0 {
			t.Fatalf("factory calls %d, packet RAs %d, kernel RAs %d: want RAs on the packet conn",
				made.Load(), len(ras(pc, 2, h.start)), len(sentPackets(h.conn)))
		}
		want := netip.MustParseAddr("fe80::ff:fe00:2") // EUI-64 of 02:00:00:00:00:02
		if s := ras(pc, 2, h.start)[0]; s.Meta.Src != want {
			t.Errorf("packet transport source %v, want %v", s.Meta.Src, want)
		}
		// An RS through the per-link conn is answered.
		at := time.Now()
		b := []byte{133, 0, 0, 0, 0, 0, 0, 0}
		h.inject(pc, b, iface.Meta{IfIndex: 2, Src: netip.MustParseAddr("fe80::5"), HopLimit: 255})
		time.Sleep(time.Second)
		if got := ras(pc, 2, at); len(got) != 1 || got[0].Meta.Dst != netip.MustParseAddr("fe80::5") {
			t.Errorf("RS on the packet conn: answers %+v", got)
		}
		// DAD completes: the kernel takes over, the packet conn is closed.
		h.addAddr(2, netip.PrefixFrom(linkLocal(2), 64), iface.Infinite, iface.Infinite)
		time.Sleep(4 * time.Second) // MinDelayBetweenRAs since the last multicast RA
		if !pc.Closed() || len(ras(h.conn, 2, h.start)) == 0 {
			t.Errorf("after DAD: packet conn closed %v, kernel RAs %d", pc.Closed(), len(ras(h.conn, 2, h.start)))
		}
		h.stop()
	})
}

func TestPatternThousandLinks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		i := baseInterface("vlan*")
		i.RA.Prefixes = []config.Prefix{{Prefix: netip.MustParsePrefix("::/64"), Auto: true, OnLink: true, Autonomous: true, ValidLifetime: 86400, PreferredLifetime: 14400}}
		before := runtime.NumGoroutine()
		h := startEngine(t, &config.Config{Interfaces: []config.Interface{i}}, func(o *engine.Options) {
			o.Conn = &ifacetest.FakeConn{Queue: 4096, Keep: 10000} // 30 min of RAs and the final ones on 1000 links
		})
		const n = 1000
		for idx := 10; idx < 10+n; idx++ {
			h.addLink(idx, "vlan"+itoa(idx))
			h.addAddr(idx, netip.MustParsePrefix("2001:db8:"+hex(idx)+"::1/64"), iface.Infinite, iface.Infinite)
		}
		h.push(iface.Event{Kind: iface.LinkUpdate, Link: link(5, "eth0", true)}) // not configured
		h.synced()
		time.Sleep(time.Second)
		synctest.Wait()
		if g := runtime.NumGoroutine() - before; g > 4 {
			t.Errorf("%d goroutines for %d links, want ≤ 4 (loop, reader, watcher, Run)", g, n)
		}
		if s := h.e.Counters().LinksServed.Load(); s != n {
			t.Errorf("LinksServed %d, want %d", s, n)
		}
		time.Sleep(30 * time.Minute)
		h.stop()
		per := map[int]int{}
		for _, s := range sentPackets(h.conn) {
			per[s.Meta.IfIndex]++
		}
		for idx := 10; idx < 10+n; idx++ {
			if per[idx] < 4 {
				t.Fatalf("link %d got %d RAs in 30 min, want ≥ 4", idx, per[idx])
			}
		}
		if per[5] != 0 {
			t.Errorf("unconfigured link got %d RAs", per[5])
		}
		// Each link advertises its own automatic prefix.
		last := ras(h.conn, 500, h.start)
		if p := prefixes(decode(t, last[0])); p[netip.MustParseAddr("2001:db8:1f4::")] == nil {
			t.Errorf("vlan500 prefixes %v, want 2001:db8:1f4::/64", p)
		}
	})
}

func itoa(i int) string {
	return string(appendInt(nil, i))
}

func appendInt(b []byte, i int) []byte {
	if i >= 10 {
		b = appendInt(b, i/10)
	}
	return append(b, byte('0'+i%10))
}

func hex(i int) string {
	const d = "0123456789abcdef"
	if i < 16 {
		return string(d[i])
	}
	return hex(i/16) + string(d[i%16])
}

func TestNoPacketFactoryWaits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startEngine(t, oneLink(nil)) // no PacketConnFactory
		h.push(iface.Event{Kind: iface.LinkUpdate, Link: link(2, "eth0", true)})
		h.synced()
		time.Sleep(time.Minute)
		if n := len(sentPackets(h.conn)); n != 0 {
			t.Fatalf("%d RAs without a usable link-local address or packet transport", n)
		}
		st, _ := h.e.Status()
		if len(st) != 1 || st[0].Served || !st[0].Configured {
			t.Errorf("status %+v, want configured but not served", st)
		}
		h.addAddr(2, netip.PrefixFrom(linkLocal(2), 64), iface.Infinite, iface.Infinite)
		time.Sleep(time.Second)
		if n := len(ras(h.conn, 2, h.start)); n == 0 {
			t.Error("not served once the link-local address became usable")
		}
		h.stop()
	})
}

// TestNeighbourLimitWarning: the warning about the kernel's neighbour table
// comes once, when the links served over the kernel transport reach half
// of Options.NeighbourLimit; links on the packet transport do not count.
func TestNeighbourLimitWarning(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var logBuf netlab.SyncBuffer
		kern := baseInterface("vm*")
		pkt := baseInterface("pk*")
		pkt.Transport = config.TransportPacket
		cfg := &config.Config{Source: "test", Interfaces: []config.Interface{kern, pkt}}
		h := startEngine(t, cfg, func(o *engine.Options) {
			o.Logger = slog.New(slog.NewTextHandler(&logBuf, nil))
			o.NeighbourLimit = 6
			o.PacketConnFactory = func(iface.Link) (iface.Conn, error) { return &ifacetest.FakeConn{Queue: 64}, nil }
		})
		const warning = "many links for the kernel's IPv6 neighbour table"
		h.addLink(2, "vm2")
		h.addLink(3, "vm3")
		for i := 10; i < 20; i++ { // packet transport: no kernel neighbour entries
			h.addLink(i, "pk"+string(rune('a'+i)))
		}
		h.synced()
		time.Sleep(time.Second)
		if n := h.e.Counters().LinksServed.Load(); n != 12 {
			t.Fatalf("%d links served, want 12", n)
		}
		if strings.Contains(logBuf.String(), warning) {
			t.Fatalf("warned with 2 kernel-transport links and a limit of 6:\n%s", logBuf.String())
		}
		h.addLink(4, "vm4")
		h.addLink(5, "vm5")
		time.Sleep(time.Second)
		h.stop()
		log := logBuf.String()
		if n := strings.Count(log, warning); n != 1 {
			t.Fatalf("%d neighbour table warnings with 4 kernel links and a limit of 6, want 1:\n%s", n, log)
		}
		if !strings.Contains(log, "links=3 gc_thresh3=6") {
			t.Errorf("the warning does not name the link count and the limit:\n%s", log)
		}
	})
}

// TestLinkDeleteLeavesAllRouters: a link that stops being served (down,
// deleted) leaves ff02::2 on the conn that joined it, and joins again when
// served again. The kernel keeps a socket's memberships after their link
// is deleted, charged to the socket's option memory.
func TestLinkDeleteLeavesAllRouters(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startServing(t, nil)
		time.Sleep(time.Second)
		if !h.conn.Joined(2, allRouters) {
			t.Fatal("ff02::2 not joined on a served link")
		}
		h.push(iface.Event{Kind: iface.LinkUpdate, Link: link(2, "eth0", false)})
		time.Sleep(time.Second)
		if h.conn.Joined(2, allRouters) {
			t.Error("ff02::2 still joined on a link that went down")
		}
		h.push(iface.Event{Kind: iface.LinkUpdate, Link: link(2, "eth0", true)})
		time.Sleep(time.Second)
		if !h.conn.Joined(2, allRouters) {
			t.Error("ff02::2 not joined again when the link came back")
		}
		h.push(iface.Event{Kind: iface.LinkDelete, Link: link(2, "eth0", true)})
		time.Sleep(time.Second)
		h.stop()
		if h.conn.Joined(2, allRouters) {
			t.Error("ff02::2 still joined on a deleted link")
		}
	})
}
