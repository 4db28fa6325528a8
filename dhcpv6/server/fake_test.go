package server_test

import (
	"context"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/radish-net/radish/config"
	"github.com/radish-net/radish/dhcpv6/server"
	"github.com/radish-net/radish/iface"
	"github.com/radish-net/radish/iface/ifacetest"
	"github.com/radish-net/radish/internal/fixture"
)

// replyKeep is how many replies a harness's conn records; the harness
// forgets the taken ones when the loop is idle (drain), so a test only
// needs it to exceed the replies it leaves untaken.
const replyKeep = 1024

// newConn returns the fake conn a harness serves on: ifacetest.FakeConn,
// as a BatchConn if batch, else hiding its batch methods so the server
// takes its one-datagram ReadFrom path.
func newConn(batch bool) (*ifacetest.FakeConn, iface.Conn) {
	c := &ifacetest.FakeConn{Queue: 64, Keep: replyKeep}
	if batch {
		return c, c
	}
	return c, struct{ iface.Conn }{c}
}

// newWatcher reports links, then Synced, then what the test pushes.
func newWatcher(links ...iface.Link) *ifacetest.FakeWatcher {
	w := &ifacetest.FakeWatcher{}
	w.Sync(links, nil)
	return w
}

// joined returns the groups c has joined on link ifIndex, in address
// order.
func joined(c *ifacetest.FakeConn, ifIndex int) []netip.Addr {
	var out []netip.Addr
	for _, m := range c.Groups() {
		if m.IfIndex == ifIndex {
			out = append(out, m.Group)
		}
	}
	return out
}

// Test links: lan0 (ifindex 2) and lan1 (3) are served, wan0 (4) is not.
var (
	lan0 = iface.Link{Index: 2, Name: "lan0", Up: true, MTU: 1500, HardwareAddr: [6]byte{2, 0, 0, 0, 0, 2}}
	lan1 = iface.Link{Index: 3, Name: "lan1", Up: true, MTU: 1500, HardwareAddr: [6]byte{2, 0, 0, 0, 0, 3}}
	wan0 = iface.Link{Index: 4, Name: "wan0", Up: true, MTU: 1500, HardwareAddr: [6]byte{2, 0, 0, 0, 0, 4}}
)

// plainServer is the server part most test configurations share: the raw
// DUID serverDUID (so no state directory is needed) and no rate limits.
const plainServer = `
[dhcpv6.duid]
type = "raw"
id = "0002000000090102030405"
[dhcpv6.rate_limit]
per_source = 0
per_relay = 0
global = 0
`

// baseConfig serves lan0 and lan1 with different DNS servers, a raw DUID
// and no rate limits.
const baseConfig = `
[dhcpv6]` + plainServer + `
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

// harness runs a Server over ifacetest fakes.
type harness struct {
	t      testing.TB
	srv    *server.Server
	conn   *ifacetest.FakeConn
	w      *ifacetest.FakeWatcher
	cancel context.CancelFunc
	done   chan error
	taken  int // replies the test has taken since the conn's record was cleared
}

func start(t testing.TB, cfg *config.Config, batch bool) *harness {
	t.Helper()
	return startLinks(t, cfg, batch, lan0, lan1, wan0)
}

// startLinks starts a server whose Watcher reports links.
func startLinks(t testing.TB, cfg *config.Config, batch bool, links ...iface.Link) *harness {
	t.Helper()
	conn, c := newConn(batch)
	w := newWatcher(links...)
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

// inject delivers a datagram to the server.
func (h *harness) inject(b []byte, m iface.Meta) {
	h.t.Helper()
	if err := h.conn.Inject(b, m); err != nil {
		h.t.Fatal(err)
	}
}

// nextReply takes the oldest reply not taken yet, if one has been written.
func (h *harness) nextReply() (ifacetest.Packet, bool) {
	h.t.Helper()
	n := h.conn.WriteCount()
	if n <= h.taken {
		return ifacetest.Packet{}, false
	}
	if n > replyKeep {
		h.t.Fatalf("%d replies not drained: the conn recorded only the last %d", n, replyKeep)
	}
	p := h.conn.Written()[h.taken]
	h.taken++
	return p, true
}

// drain forgets every reply written so far, taken or not. The server must
// be idle (after send, waitIdle or synctest.Wait), or a reply being
// written may be forgotten too.
func (h *harness) drain() {
	h.conn.ClearWritten()
	h.taken = 0
}

// exchange sends one datagram and returns the next reply, if one comes
// within a second (a real-time wait; inside a synctest bubble it is
// instant).
func (h *harness) exchange(b []byte, m iface.Meta) (ifacetest.Packet, bool) {
	h.t.Helper()
	h.inject(b, m)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if h.conn.WaitWritten(ctx, h.taken+1) != nil {
		return ifacetest.Packet{}, false
	}
	return h.nextReply()
}

// send sends one datagram and waits until the server has handled it (its
// loop is back in ReadFrom), then returns the reply if one was written.
func (h *harness) send(b []byte, m iface.Meta) (ifacetest.Packet, bool) {
	h.t.Helper()
	before := h.conn.Reads()
	h.inject(b, m)
	h.waitIdle(before)
	return h.nextReply()
}

// waitIdle waits until the loop has entered ReadFrom more than n times.
func (h *harness) waitIdle(n int) {
	h.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for h.conn.Reads() <= n {
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
