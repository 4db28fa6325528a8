package demux_test

import (
	"net/netip"
	"testing"

	"github.com/radish-net/radish/iface"
	"github.com/radish-net/radish/iface/ifacetest"
	"github.com/radish-net/radish/internal/demux"
)

// TestNoAllocs: forwarding a Link's UDP packet to the server, dropping
// one not for us, the kernel conn's packets through the queue, and routing
// replies to a Link and to the kernel conn, one by one and in batches, do
// not allocate.
func TestNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under -race")
	}
	x := demux.New(demux.Options{})
	udp := &ifacetest.FakeConn{Keep: -1}
	pc := &ifacetest.FakeConn{Keep: -1}
	s := serve(t, x, udp)
	l := x.Link(7, pc)

	b := make([]byte, 2048)
	bufs := [][]byte{make([]byte, 2048), make([]byte, 2048), make([]byte, 2048)}
	lens := make([]int, 3)
	metas := make([]iface.Meta, 3)
	var m iface.Meta
	toLink, toKernel := replyMeta(7), replyMeta(3)
	routed := udpMeta(7)
	routed.Dst = netip.MustParseAddr("2001:db8::547")
	wbufs := [][]byte{infoReq, infoReq, infoReq, infoReq}
	wmetas := []iface.Meta{toKernel, toLink, toKernel, toKernel}
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"link forward", func() {
			pc.Inject(infoReq, udpMeta(7))
			pc.Inject(rs, icmpMeta(7))
			if _, err := l.ReadFrom(b, &m); err != nil {
				t.Fatal(err)
			}
			if _, err := s.ReadFrom(b, &m); err != nil {
				t.Fatal(err)
			}
		}},
		{"link drops a global unicast", func() {
			pc.Inject(infoReq, routed)
			pc.Inject(rs, icmpMeta(7))
			if _, err := l.ReadFrom(b, &m); err != nil {
				t.Fatal(err)
			}
		}},
		{"kernel through the queue", func() {
			udp.Inject(infoReq, udpMeta(3))
			if _, err := s.ReadFrom(b, &m); err != nil {
				t.Fatal(err)
			}
		}},
		{"ReadBatch", func() {
			pc.Inject(infoReq, udpMeta(7))
			pc.Inject(infoReq2, udpMeta(7))
			pc.Inject(rs, icmpMeta(7))
			if _, err := l.ReadFrom(b, &m); err != nil {
				t.Fatal(err)
			}
			for got := 0; got < 2; {
				n, err := s.ReadBatch(bufs, lens, metas)
				if err != nil {
					t.Fatal(err)
				}
				got += n
			}
		}},
		{"WriteTo", func() {
			if _, err := s.WriteTo(infoReq, &toLink); err != nil {
				t.Fatal(err)
			}
			if _, err := s.WriteTo(infoReq, &toKernel); err != nil {
				t.Fatal(err)
			}
			if _, err := l.WriteTo(rs, &toLink); err != nil {
				t.Fatal(err)
			}
		}},
		{"WriteBatch", func() {
			if _, err := s.WriteBatch(wbufs, wmetas); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for range 10 { // warm the fakes' queues
				tc.f()
			}
			if a := testing.AllocsPerRun(200, tc.f); a != 0 {
				t.Errorf("%v allocations per run, want 0", a)
			}
		})
	}
	if d := x.Counters().QueueFull.Load(); d != 0 {
		t.Errorf("QueueFull = %d", d)
	}
}
