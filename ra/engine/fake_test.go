package engine_test

import (
	"context"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/radish-net/radish/config"
	"github.com/radish-net/radish/iface"
	"github.com/radish-net/radish/iface/ifacetest"
	"github.com/radish-net/radish/ra"
	"github.com/radish-net/radish/ra/engine"
)

// recordKeep is how many sent packets a harness's conn records by
// default; a test that sends more passes a larger FakeConn (see
// startEngine).
const recordKeep = 1024

// sentPackets returns what c recorded, oldest first. It panics if c's ring
// has dropped packets, so that no assertion runs on a partial record.
func sentPackets(c *ifacetest.FakeConn) []ifacetest.Packet {
	keep := c.Keep
	if keep == 0 {
		keep = ifacetest.DefaultKeep
	}
	if n := c.WriteCount(); n > keep {
		panic(fmt.Sprintf("FakeConn sent %d packets but records %d: give it a larger Keep", n, keep))
	}
	return c.Written()
}

// harness runs one Engine inside a synctest bubble.
type harness struct {
	t      *testing.T
	e      *engine.Engine
	conn   *ifacetest.FakeConn
	w      *ifacetest.FakeWatcher
	sys    *ifacetest.FakeSysctl
	cancel context.CancelFunc
	done   chan error
	start  time.Time
}

// startEngine runs an Engine over ifacetest fakes. A mod may replace
// Options.Conn with another *ifacetest.FakeConn (say, with a larger Keep);
// the harness then uses that one.
func startEngine(t *testing.T, cfg *config.Config, mod ...func(*engine.Options)) *harness {
	t.Helper()
	h := &harness{t: t, w: &ifacetest.FakeWatcher{}, sys: &ifacetest.FakeSysctl{}, done: make(chan error, 1)}
	opts := engine.Options{Config: cfg, Conn: &ifacetest.FakeConn{Queue: 4096, Keep: recordKeep}, Watcher: h.w, Sysctl: h.sys}
	for _, m := range mod {
		m(&opts)
	}
	h.conn = opts.Conn.(*ifacetest.FakeConn)
	e, err := engine.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	h.e = e
	ctx, cancel := context.WithCancel(t.Context())
	h.cancel = cancel
	h.start = time.Now()
	go func() { h.done <- e.Run(ctx) }()
	return h
}

// stop cancels the engine and waits for Run to return.
func (h *harness) stop() {
	h.t.Helper()
	h.cancel()
	if err := <-h.done; err != nil {
		h.t.Fatalf("Run: %v", err)
	}
}

// allRouters is the group the engine joins on every served link.
var allRouters = netip.MustParseAddr("ff02::2")

func mac(idx int) [6]byte { return [6]byte{0x02, 0, 0, 0, byte(idx >> 8), byte(idx)} }

func linkLocal(idx int) netip.Addr {
	return netip.AddrFrom16([16]byte{0: 0xfe, 1: 0x80, 14: byte(idx >> 8), 15: byte(idx)})
}

func link(idx int, name string, up bool) iface.Link {
	return iface.Link{Index: idx, Name: name, Up: up, MTU: 1500, HardwareAddr: mac(idx)}
}

// push reports ev to the engine. A link it names has
// net.ipv6.conf.NAME.forwarding = 1 unless the test set it already.
func (h *harness) push(ev iface.Event) {
	if ev.Kind == iface.LinkUpdate {
		if _, err := h.sys.IPv6(ev.Link.Name, "forwarding"); err != nil {
			h.sys.Set(ev.Link.Name, "forwarding", "1")
		}
	}
	h.w.Push(ev)
}

// addLink reports a link with a usable link-local address.
func (h *harness) addLink(idx int, name string) {
	h.push(iface.Event{Kind: iface.LinkUpdate, Link: link(idx, name, true)})
	h.addAddr(idx, netip.PrefixFrom(linkLocal(idx), 64), iface.Infinite, iface.Infinite)
}

func (h *harness) addAddr(idx int, p netip.Prefix, valid, preferred uint32) {
	h.push(iface.Event{Kind: iface.AddrUpdate, Addr: iface.Addr{IfIndex: idx, Prefix: p, Valid: valid, Preferred: preferred, Flags: iface.AddrPermanent}})
}

func (h *harness) synced() { h.push(iface.Event{Kind: iface.Synced}) }

// rs injects a Router Solicitation received on ifIndex from src.
func (h *harness) rs(ifIndex int, src netip.Addr, hop int) {
	b, err := ra.AppendRouterSolicit(nil)
	if err != nil {
		h.t.Fatal(err)
	}
	h.inject(h.conn, b, iface.Meta{IfIndex: ifIndex, Src: src, Dst: netip.MustParseAddr("ff02::2"), HopLimit: hop})
}

// inject delivers b to the engine as if received on c with m.
func (h *harness) inject(c *ifacetest.FakeConn, b []byte, m iface.Meta) {
	if err := c.Inject(b, m); err != nil {
		h.t.Fatal(err)
	}
}

// ras returns the RAs sent on ifIndex (to any destination) after from.
func ras(c *ifacetest.FakeConn, ifIndex int, from time.Time) []ifacetest.Packet {
	var out []ifacetest.Packet
	for _, s := range sentPackets(c) {
		if s.Meta.IfIndex == ifIndex && !s.At.Before(from) {
			out = append(out, s)
		}
	}
	return out
}

func multicastOnly(ss []ifacetest.Packet) []ifacetest.Packet {
	var out []ifacetest.Packet
	for _, s := range ss {
		if s.Meta.Dst == netip.MustParseAddr("ff02::1") {
			out = append(out, s)
		}
	}
	return out
}

// baseInterface returns an interface stanza with radvd's defaults.
func baseInterface(name string) config.Interface {
	max := 600 * time.Second
	return config.Interface{
		Name:            name,
		Pattern:         config.IsPattern(name),
		IgnoreIfMissing: true,
		RA: config.RA{
			SendAdvert:         true,
			SolicitedUnicast:   true,
			MaxInterval:        max,
			MinInterval:        max * 33 / 100,
			MinDelayBetweenRAs: 3 * time.Second,
			RAMTU:              1280,
			CurHopLimit:        64,
			DefaultLifetime:    3 * max,
			SourceLLAddress:    true,
			RemoveAdvOnExit:    true,
			ForwardingCheck:    true,
		},
	}
}

func staticPrefix(s string) config.Prefix {
	return config.Prefix{
		Prefix: netip.MustParsePrefix(s), OnLink: true, Autonomous: true,
		ValidLifetime: 86400, PreferredLifetime: 14400,
	}
}

// startServing starts an engine configured with oneLink(mod) and reports
// eth0 (index 2) up with its link-local address, then Synced.
func startServing(t *testing.T, mod func(*config.Interface)) *harness {
	t.Helper()
	h := startEngine(t, oneLink(mod))
	h.addLink(2, "eth0")
	h.synced()
	return h
}

func oneLink(mod func(*config.Interface)) *config.Config {
	i := baseInterface("eth0")
	i.RA.Prefixes = []config.Prefix{staticPrefix("2001:db8:1::/64")}
	if mod != nil {
		mod(&i)
	}
	return &config.Config{Source: "test", Interfaces: []config.Interface{i}}
}
