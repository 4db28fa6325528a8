package engine

import (
	"net/netip"
	"testing"
	"time"

	"github.com/mdlayher/ndp"

	"github.com/radish-net/radish/config"
	"github.com/radish-net/radish/iface"
	"github.com/radish-net/radish/iface/ifacetest"
	"github.com/radish-net/radish/ra"
)

// stepper drives an Engine's loop steps by hand: no goroutines, explicit
// time, so allocation can be measured per RS→RA.
type stepper struct {
	e    *Engine
	conn *ifacetest.FakeConn // records the last RA only
	now  time.Time
	rs   []byte
	meta iface.Meta
}

func newStepper(tb testing.TB) *stepper {
	i := config.Interface{
		Name: "eth0",
		RA: config.RA{
			SendAdvert: true, SolicitedUnicast: true,
			MaxInterval: 600 * time.Second, MinInterval: 198 * time.Second, MinDelayBetweenRAs: 3 * time.Second,
			RAMTU: 1280, CurHopLimit: 64, DefaultLifetime: 1800 * time.Second, SourceLLAddress: true,
			ForwardingCheck: true, LinkMTU: 1500,
			Prefixes: []config.Prefix{
				{Prefix: netip.MustParsePrefix("2001:db8:1::/64"), OnLink: true, Autonomous: true, ValidLifetime: 86400, PreferredLifetime: 14400, DecrementLifetime: true},
				{Prefix: netip.MustParsePrefix("::/64"), Auto: true, OnLink: true, Autonomous: true, ValidLifetime: 86400, PreferredLifetime: 14400},
			},
			RDNSS: []config.RDNSS{{Servers: []netip.Addr{netip.MustParseAddr("2001:db8::53")}, Lifetime: 1800}},
			DNSSL: []config.DNSSL{{Domains: []string{"example.net"}, Lifetime: 1800}},
		},
	}
	conn := &ifacetest.FakeConn{Keep: 1}
	e, err := New(Options{Config: &config.Config{Interfaces: []config.Interface{i}}, Conn: conn, Watcher: &ifacetest.FakeWatcher{}})
	if err != nil {
		tb.Fatal(err)
	}
	s := &stepper{e: e, conn: conn, now: time.Unix(1_800_000_000, 0)}
	e.onEvent(iface.Event{Kind: iface.LinkUpdate, Link: iface.Link{Index: 2, Name: "eth0", Up: true, MTU: 1500, HardwareAddr: [6]byte{2, 0, 0, 0, 0, 2}}}, s.now)
	e.onEvent(iface.Event{Kind: iface.AddrUpdate, Addr: iface.Addr{IfIndex: 2, Prefix: netip.MustParsePrefix("fe80::2/64"), Valid: iface.Infinite, Preferred: iface.Infinite}}, s.now)
	e.onEvent(iface.Event{Kind: iface.AddrUpdate, Addr: iface.Addr{IfIndex: 2, Prefix: netip.MustParsePrefix("2001:db8:2::1/64"), Valid: 7200, Preferred: 3600}}, s.now)
	e.onEvent(iface.Event{Kind: iface.Synced}, s.now)
	e.flush(s.now)
	s.rs, _ = ra.AppendRouterSolicit(nil, ra.SourceLinkLayerAddr([]byte{2, 0, 0, 0, 0, 9}))
	s.meta = iface.Meta{IfIndex: 2, Src: netip.MustParseAddr("fe80::9"), HopLimit: 255}
	return s
}

// step feeds one RS through the reader path and the loop and fires the
// answer: RS in → validated → queued → RA out.
func (s *stepper) step() {
	s.e.handlePacket(s.rs, &s.meta)
	s.e.onRS(<-s.e.rsCh, s.now)
	s.now = s.now.Add(MaxRADelayTime + time.Millisecond)
	s.e.runDue(s.now)
	s.e.flush(s.now)
}

func TestNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under -race")
	}
	s := newStepper(t)
	for range 100 { // warm up: initial RAs, heap growth
		s.step()
	}
	before := s.conn.WriteCount()
	allocs := testing.AllocsPerRun(1000, s.step)
	if allocs != 0 {
		t.Errorf("%v allocations per RS→RA, want 0", allocs)
	}
	if n := s.conn.WriteCount() - before; n < 1000 {
		t.Fatalf("%d RAs for 1001 RSes", n)
	}
	// RAs from another router, consistent or not (the log is rate-limited),
	// are checked without allocating once the first warning is logged.
	other := iface.Meta{IfIndex: 2, Src: netip.MustParseAddr("fe80::77"), HopLimit: 255}
	good, _ := ra.AppendRouterAdvert(nil, ra.Header{CurHopLimit: 64}, ra.MTU(1500),
		ra.PrefixInfo{Prefix: netip.MustParsePrefix("2001:db8:1::/64"), ValidLifetime: 1, PreferredLifetime: 1})
	bad, _ := ra.AppendRouterAdvert(nil, ra.Header{CurHopLimit: 9})
	s.e.handlePacket(bad, &other)
	if a := testing.AllocsPerRun(100, func() {
		s.e.handlePacket(good, &other)
		s.e.handlePacket(bad, &other)
	}); a != 0 {
		t.Errorf("%v allocations per RA from another router, want 0", a)
	}
	if s.e.counters.RAInconsistent.Load() < 100 {
		t.Errorf("RAInconsistent %d, want ≥ 100", s.e.counters.RAInconsistent.Load())
	}
	// An RS is answered with a valid RA to the soliciting host. A periodic
	// multicast RA due in the same step answers it instead (RFC 4861
	// §6.2.6); periodic RAs are minutes apart, so the next step is unicast.
	var last ifacetest.Packet
	for range 2 {
		s.step()
		if last = s.conn.Written()[0]; !last.Meta.Dst.IsMulticast() {
			break
		}
	}
	m, err := ra.ParseRouterAdvert(last.Data)
	if err != nil || last.Meta.Dst != s.meta.Src || m.RouterLifetime() != 1800 {
		t.Errorf("last RA: %v, dst %v, lifetime %d", err, last.Meta.Dst, m.RouterLifetime())
	}
}

// BenchmarkEngineRSToRA measures one Router Solicitation through
// validation, queueing, scheduling and the answer's copy-and-patch send;
// the ndp variant does the same job the way a marshal-per-send daemon
// does (parse the RS, build and marshal the RA).
func BenchmarkEngineRSToRA(b *testing.B) {
	b.Run("radish", func(b *testing.B) {
		s := newStepper(b)
		for range 100 {
			s.step()
		}
		b.ReportAllocs()
		for b.Loop() {
			s.step()
		}
	})
	b.Run("ndp", func(b *testing.B) {
		s := newStepper(b)
		conn := s.conn
		b.ReportAllocs()
		for b.Loop() {
			m, err := ndp.ParseMessage(s.rs)
			if err != nil {
				b.Fatal(err)
			}
			if _, ok := m.(*ndp.RouterSolicitation); !ok {
				b.Fatal("not an RS")
			}
			out, err := ndp.MarshalMessage(&ndp.RouterAdvertisement{
				CurrentHopLimit: 64,
				RouterLifetime:  1800 * time.Second,
				Options: []ndp.Option{
					&ndp.LinkLayerAddress{Direction: ndp.Source, Addr: []byte{2, 0, 0, 0, 0, 2}},
					ndp.NewMTU(1500),
					&ndp.PrefixInformation{PrefixLength: 64, OnLink: true, AutonomousAddressConfiguration: true, ValidLifetime: 86400 * time.Second, PreferredLifetime: 14400 * time.Second, Prefix: netip.MustParseAddr("2001:db8:1::")},
					&ndp.PrefixInformation{PrefixLength: 64, OnLink: true, AutonomousAddressConfiguration: true, ValidLifetime: 7200 * time.Second, PreferredLifetime: 3600 * time.Second, Prefix: netip.MustParseAddr("2001:db8:2::")},
					&ndp.RecursiveDNSServer{Lifetime: 1800 * time.Second, Servers: []netip.Addr{netip.MustParseAddr("2001:db8::53")}},
					&ndp.DNSSearchList{Lifetime: 1800 * time.Second, DomainNames: []string{"example.net"}},
				},
			})
			if err != nil {
				b.Fatal(err)
			}
			conn.WriteTo(out, &s.meta)
		}
	})
}

func TestRSQueueFullDrops(t *testing.T) {
	s := newStepper(t)
	for range cap(s.e.rsCh) + 5 { // the loop is not draining
		s.e.handlePacket(s.rs, &s.meta)
	}
	if n := s.e.counters.RSDroppedQueue.Load(); n != 5 {
		t.Errorf("RSDroppedQueue %d, want 5", n)
	}
	if n := s.e.counters.RSReceived.Load(); n != uint64(cap(s.e.rsCh)+5) {
		t.Errorf("RSReceived %d, want %d", n, cap(s.e.rsCh)+5)
	}
}
