package engine_test

import (
	"context"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/radish-net/radish/config"
	"github.com/radish-net/radish/iface"
	"github.com/radish-net/radish/ra"
	"github.com/radish-net/radish/ra/engine"
)

// sent is one packet a fakeConn was asked to send.
type sent struct {
	b  []byte
	m  iface.Meta
	at time.Time
}

type inbound struct {
	b []byte
	m iface.Meta
}

// fakeConn is an in-memory iface.Conn: ReadFrom returns what the test
// injects, WriteTo records.
type fakeConn struct {
	in     chan inbound
	closed chan struct{}
	once   sync.Once

	mu    sync.Mutex
	out   []sent
	joins []int
}

var _ iface.Conn = (*fakeConn)(nil)

func newFakeConn() *fakeConn {
	return &fakeConn{in: make(chan inbound, 4096), closed: make(chan struct{})}
}

func (c *fakeConn) ReadFrom(b []byte, m *iface.Meta) (int, error) {
	select {
	case p := <-c.in:
		*m = p.m
		return copy(b, p.b), nil
	case <-c.closed:
		return 0, iface.ErrClosed
	}
}

func (c *fakeConn) WriteTo(b []byte, m *iface.Meta) (int, error) {
	select {
	case <-c.closed:
		return 0, iface.ErrClosed
	default:
	}
	c.mu.Lock()
	c.out = append(c.out, sent{append([]byte(nil), b...), *m, time.Now()})
	c.mu.Unlock()
	return len(b), nil
}

func (c *fakeConn) JoinGroup(ifIndex int, group netip.Addr) error {
	c.mu.Lock()
	c.joins = append(c.joins, ifIndex)
	c.mu.Unlock()
	return nil
}

func (c *fakeConn) LeaveGroup(int, netip.Addr) error { return nil }

func (c *fakeConn) Close() error {
	c.once.Do(func() { close(c.closed) })
	return nil
}

func (c *fakeConn) isClosed() bool {
	select {
	case <-c.closed:
		return true
	default:
		return false
	}
}

// sentPackets returns a copy of everything sent so far.
func (c *fakeConn) sentPackets() []sent {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]sent(nil), c.out...)
}

func (c *fakeConn) joinCount(ifIndex int) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, j := range c.joins {
		if j == ifIndex {
			n++
		}
	}
	return n
}

// fakeWatcher delivers the events the test pushes.
type fakeWatcher struct{ events chan iface.Event }

func newFakeWatcher() *fakeWatcher { return &fakeWatcher{events: make(chan iface.Event, 8192)} }

func (w *fakeWatcher) Watch(ctx context.Context) (<-chan iface.Event, error) {
	out := make(chan iface.Event)
	go func() {
		defer close(out)
		for {
			select {
			case <-ctx.Done():
				return
			case ev := <-w.events:
				select {
				case out <- ev:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out, nil
}

// fakeSysctl serves net.ipv6.conf.*.forwarding from a map (default "1").
type fakeSysctl struct {
	mu  sync.Mutex
	off map[string]bool
}

func (s *fakeSysctl) IPv6(ifName, key string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if key == "forwarding" && s.off[ifName] {
		return "0", nil
	}
	return "1", nil
}

func (s *fakeSysctl) SetIPv6(ifName, key, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.off == nil {
		s.off = map[string]bool{}
	}
	if key == "forwarding" {
		s.off[ifName] = value == "0"
	}
	return nil
}

// harness runs one Engine inside a synctest bubble.
type harness struct {
	t      *testing.T
	e      *engine.Engine
	conn   *fakeConn
	w      *fakeWatcher
	sys    *fakeSysctl
	cancel context.CancelFunc
	done   chan error
	start  time.Time
}

func startEngine(t *testing.T, cfg *config.Config, mod ...func(*engine.Options)) *harness {
	t.Helper()
	h := &harness{t: t, conn: newFakeConn(), w: newFakeWatcher(), sys: &fakeSysctl{}, done: make(chan error, 1)}
	opts := engine.Options{Config: cfg, Conn: h.conn, Watcher: h.w, Sysctl: h.sys}
	for _, m := range mod {
		m(&opts)
	}
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

func mac(idx int) [6]byte { return [6]byte{0x02, 0, 0, 0, byte(idx >> 8), byte(idx)} }

func linkLocal(idx int) netip.Addr {
	return netip.AddrFrom16([16]byte{0: 0xfe, 1: 0x80, 14: byte(idx >> 8), 15: byte(idx)})
}

func link(idx int, name string, up bool) iface.Link {
	return iface.Link{Index: idx, Name: name, Up: up, MTU: 1500, HardwareAddr: mac(idx)}
}

// addLink reports a link with a usable link-local address.
func (h *harness) addLink(idx int, name string) {
	h.w.events <- iface.Event{Kind: iface.LinkUpdate, Link: link(idx, name, true)}
	h.addAddr(idx, netip.PrefixFrom(linkLocal(idx), 64), iface.Infinite, iface.Infinite)
}

func (h *harness) addAddr(idx int, p netip.Prefix, valid, preferred uint32) {
	h.w.events <- iface.Event{Kind: iface.AddrUpdate, Addr: iface.Addr{IfIndex: idx, Prefix: p, Valid: valid, Preferred: preferred, Flags: iface.AddrPermanent}}
}

func (h *harness) synced() { h.w.events <- iface.Event{Kind: iface.Synced} }

// rs injects a Router Solicitation received on ifIndex from src.
func (h *harness) rs(ifIndex int, src netip.Addr, hop int) {
	b, err := ra.AppendRouterSolicit(nil)
	if err != nil {
		h.t.Fatal(err)
	}
	h.conn.in <- inbound{b, iface.Meta{IfIndex: ifIndex, Src: src, Dst: netip.MustParseAddr("ff02::2"), HopLimit: hop}}
}

// ras returns the RAs sent on ifIndex (to any destination) after from.
func ras(c *fakeConn, ifIndex int, from time.Time) []sent {
	var out []sent
	for _, s := range c.sentPackets() {
		if s.m.IfIndex == ifIndex && !s.at.Before(from) {
			out = append(out, s)
		}
	}
	return out
}

func multicastOnly(ss []sent) []sent {
	var out []sent
	for _, s := range ss {
		if s.m.Dst == netip.MustParseAddr("ff02::1") {
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

func oneLink(mod func(*config.Interface)) *config.Config {
	i := baseInterface("eth0")
	i.RA.Prefixes = []config.Prefix{staticPrefix("2001:db8:1::/64")}
	if mod != nil {
		mod(&i)
	}
	return &config.Config{Source: "test", Interfaces: []config.Interface{i}}
}
