package server_test

import (
	"context"
	"net/netip"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/radish-net/radish/config"
	"github.com/radish-net/radish/dhcpv6/server"
	"github.com/radish-net/radish/iface"
	"github.com/radish-net/radish/internal/fixture"
)

// datagram is one packet with its metadata.
type datagram struct {
	b []byte
	m iface.Meta
}

// fakeConn is an allocation-free in-memory iface.Conn. ReadFrom takes what
// the test sends on in; WriteTo copies the reply into a ring of
// preallocated buffers and passes it on out (dropping it, counted in
// overflow, if out is full). A receiver that keeps a reply must copy it
// before ringSize more replies are written.
type fakeConn struct {
	in       chan datagram
	out      chan datagram
	closed   chan struct{}
	once     sync.Once
	ring     [][]byte
	next     int
	overflow atomic.Int64
	waiting  atomic.Int64 // ReadFrom calls entered
	writeErr atomic.Pointer[error]

	mu     sync.Mutex
	groups map[int][]netip.Addr
}

const ringSize = 128

var _ iface.Conn = (*fakeConn)(nil)

func newFakeConn() *fakeConn {
	c := &fakeConn{
		in:     make(chan datagram, 64),
		out:    make(chan datagram, ringSize/2),
		closed: make(chan struct{}),
		ring:   make([][]byte, ringSize),
		groups: make(map[int][]netip.Addr),
	}
	for i := range c.ring {
		c.ring[i] = make([]byte, 0, 1<<14)
	}
	return c
}

func (c *fakeConn) ReadFrom(b []byte, m *iface.Meta) (int, error) {
	c.waiting.Add(1)
	select {
	case d := <-c.in:
		*m = d.m
		return copy(b, d.b), nil
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
	if e := c.writeErr.Load(); e != nil {
		return 0, *e
	}
	buf := append(c.ring[c.next][:0], b...)
	c.next = (c.next + 1) % len(c.ring)
	select {
	case c.out <- datagram{b: buf, m: *m}:
	default:
		c.overflow.Add(1)
	}
	return len(b), nil
}

func (c *fakeConn) JoinGroup(ifIndex int, g netip.Addr) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.groups[ifIndex] = append(c.groups[ifIndex], g)
	return nil
}

func (c *fakeConn) LeaveGroup(ifIndex int, g netip.Addr) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	gs := c.groups[ifIndex]
	for i, x := range gs {
		if x == g {
			c.groups[ifIndex] = append(gs[:i:i], gs[i+1:]...)
			break
		}
	}
	return nil
}

func (c *fakeConn) joined(ifIndex int) []netip.Addr {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]netip.Addr(nil), c.groups[ifIndex]...)
}

func (c *fakeConn) Close() error {
	c.once.Do(func() { close(c.closed) })
	return nil
}

// fakeBatchConn adds ReadBatch and WriteBatch to fakeConn.
type fakeBatchConn struct {
	*fakeConn
	batches atomic.Int64
}

var _ iface.BatchConn = (*fakeBatchConn)(nil)

func (c *fakeBatchConn) ReadBatch(bufs [][]byte, lens []int, metas []iface.Meta) (int, error) {
	n, err := c.ReadFrom(bufs[0], &metas[0])
	if err != nil {
		return 0, err
	}
	lens[0] = n
	k := 1
	for k < len(bufs) {
		select {
		case d := <-c.in:
			metas[k] = d.m
			lens[k] = copy(bufs[k], d.b)
			k++
		default:
			c.batches.Add(1)
			return k, nil
		}
	}
	c.batches.Add(1)
	return k, nil
}

func (c *fakeBatchConn) WriteBatch(bufs [][]byte, metas []iface.Meta) (int, error) {
	for i := range bufs {
		if _, err := c.WriteTo(bufs[i], &metas[i]); err != nil {
			return i, err
		}
	}
	return len(bufs), nil
}

// fakeWatcher delivers the links given to it, then Synced, then whatever
// the test sends on events.
type fakeWatcher struct {
	events chan iface.Event
}

func newFakeWatcher(links ...iface.Link) *fakeWatcher {
	w := &fakeWatcher{events: make(chan iface.Event, 64)}
	for _, l := range links {
		w.events <- iface.Event{Kind: iface.LinkUpdate, Link: l}
	}
	w.events <- iface.Event{Kind: iface.Synced}
	return w
}

func (w *fakeWatcher) Watch(ctx context.Context) (<-chan iface.Event, error) {
	out := make(chan iface.Event)
	go func() {
		defer close(out)
		for {
			select {
			case ev := <-w.events:
				select {
				case out <- ev:
				case <-ctx.Done():
					return
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

// Test links: lan0 (ifindex 2) and lan1 (3) are served, wan0 (4) is not.
var (
	lan0 = iface.Link{Index: 2, Name: "lan0", Up: true, MTU: 1500, HardwareAddr: [6]byte{2, 0, 0, 0, 0, 2}}
	lan1 = iface.Link{Index: 3, Name: "lan1", Up: true, MTU: 1500, HardwareAddr: [6]byte{2, 0, 0, 0, 0, 3}}
	wan0 = iface.Link{Index: 4, Name: "wan0", Up: true, MTU: 1500, HardwareAddr: [6]byte{2, 0, 0, 0, 0, 4}}
)

// baseConfig serves lan0 and lan1 with different DNS servers, a raw DUID
// (so no state directory is needed) and no rate limits.
const baseConfig = `
[dhcpv6]
[dhcpv6.duid]
type = "raw"
id = "0002000000090102030405"
[dhcpv6.rate_limit]
per_source = 0
global = 0

[[interface]]
name = "lan0"
[interface.dhcpv6]
dns_servers = ["2001:db8::53", "2001:db8::54"]
domain_search = ["example.com"]
sntp_servers = ["2001:db8::31"]
link_addresses = ["2001:db8:10::/48"]

[[interface]]
name = "lan1"
[interface.dhcpv6]
dns_servers = ["2001:db8:1::53"]
domain_search = ["one.example"]
interface_id = "relay-port-7"
link_addresses = ["2001:db8:20::/48"]

[[interface]]
name = "wan0"
`

var serverDUID = fixture.MustHex("0002000000090102030405")

func parseConfig(t testing.TB, toml string) *config.Config {
	t.Helper()
	cfg, err := config.Parse("test.toml", []byte(toml))
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	return cfg
}

// harness runs a Server over fakes.
type harness struct {
	t      testing.TB
	srv    *server.Server
	conn   *fakeConn
	w      *fakeWatcher
	cancel context.CancelFunc
	done   chan error
}

func start(t testing.TB, cfg *config.Config, batch bool) *harness {
	t.Helper()
	return startLinks(t, cfg, batch, lan0, lan1, wan0)
}

// startLinks starts a server whose Watcher reports links.
func startLinks(t testing.TB, cfg *config.Config, batch bool, links ...iface.Link) *harness {
	t.Helper()
	conn := newFakeConn()
	var c iface.Conn = conn
	if batch {
		c = &fakeBatchConn{fakeConn: conn}
	}
	w := newFakeWatcher(links...)
	srv, err := server.New(server.Options{Config: cfg, Conn: c, Watcher: w})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := &harness{t: t, srv: srv, conn: conn, w: w, cancel: cancel, done: make(chan error, 1)}
	go func() { h.done <- srv.Run(ctx) }()
	t.Cleanup(h.stop)
	select {
	case <-srv.Ready():
	case err := <-h.done:
		t.Fatalf("Run returned before ready: %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("server not ready after 5 s")
	}
	h.waitIdle(0)
	return h
}

func (h *harness) stop() {
	if h.cancel == nil {
		return
	}
	h.cancel()
	h.cancel = nil
	if err := <-h.done; err != nil {
		h.t.Errorf("Run: %v", err)
	}
}

// exchange sends one datagram and returns the reply, if one comes within
// a second (a real-time wait; inside a synctest bubble it is instant).
func (h *harness) exchange(b []byte, m iface.Meta) (datagram, bool) {
	h.t.Helper()
	h.conn.in <- datagram{b: b, m: m}
	select {
	case d := <-h.conn.out:
		return datagram{b: append([]byte(nil), d.b...), m: d.m}, true
	case <-time.After(time.Second):
		return datagram{}, false
	}
}

// send sends one datagram and waits until the server has handled it (its
// loop is back in ReadFrom), then returns the reply if one was written.
func (h *harness) send(b []byte, m iface.Meta) (datagram, bool) {
	h.t.Helper()
	before := h.conn.waiting.Load()
	h.conn.in <- datagram{b: b, m: m}
	h.waitIdle(before)
	select {
	case d := <-h.conn.out:
		return datagram{b: append([]byte(nil), d.b...), m: d.m}, true
	default:
		return datagram{}, false
	}
}

// waitIdle waits until the loop has entered ReadFrom more than n times.
func (h *harness) waitIdle(n int64) {
	h.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for h.conn.waiting.Load() <= n {
		if time.Now().After(deadline) {
			h.t.Fatal("server loop did not come back to ReadFrom")
		}
		runtime.Gosched()
	}
}

// Addresses used by the tests.
var (
	clientLL  = netip.MustParseAddr("fe80::c6:ff:fe00:c")
	relayAddr = netip.MustParseAddr("2001:db8:2::1")
	serverGUA = netip.MustParseAddr("2001:db8:2::2")
	allDHCP   = netip.MustParseAddr("ff02::1:2")
)

// direct is the Meta of a client multicast on link idx.
func direct(idx int) iface.Meta {
	return iface.Meta{IfIndex: idx, Src: clientLL, Dst: allDHCP, SrcPort: 546, DstPort: 547, HopLimit: 1}
}

// relayed is the Meta of a relay's unicast on link idx.
func relayed(idx int) iface.Meta {
	return iface.Meta{IfIndex: idx, Src: relayAddr, Dst: serverGUA, SrcPort: 547, DstPort: 547, HopLimit: 64}
}

func contextWithCancel() (context.Context, context.CancelFunc) {
	return context.WithCancel(context.Background())
}
