package iface_test

import (
	"net"
	"testing"

	"golang.org/x/net/ipv6"

	"github.com/radish-net/radish/iface"
	"github.com/radish-net/radish/internal/netlab"
)

// benchPair builds the namespace pair for a benchmark (skipped when not
// root or under -short, by netlab).
func benchPair(b *testing.B) (a, c *netlab.NS, idxA, idxB int) {
	l := netlab.New(b)
	a, c = l.Namespace("ba"), l.Namespace("bb")
	l.Veth(a, "ba0", c, "bb0")
	a.Up("ba0")
	c.Up("bb0")
	a.IP("addr", "add", srvAddr1.String()+"/64", "dev", "ba0", "nodad")
	c.IP("addr", "add", cliAddr.String()+"/64", "dev", "bb0", "nodad")
	la, err := a.Link("ba0")
	if err != nil {
		b.Fatal(err)
	}
	lb, err := c.Link("bb0")
	if err != nil {
		b.Fatal(err)
	}
	return a, c, la.Index, lb.Index
}

// exchange is the measured loop of the server exchange benchmarks: the
// client sends msg as to, the server under test handles it into its
// buffer (serve), and the client reads the answer.
func exchange(b *testing.B, cli iface.Conn, msg []byte, to iface.Meta, serve func([]byte) error) {
	buf := make([]byte, 1500)
	cbuf := make([]byte, 1500)
	var cm iface.Meta
	b.ReportAllocs()
	for b.Loop() {
		if _, err := cli.WriteTo(msg, &to); err != nil {
			b.Fatal(err)
		}
		if err := serve(buf); err != nil {
			b.Fatal(err)
		}
		if _, err := cli.ReadFrom(cbuf, &cm); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUDPServerExchange measures one DHCPv6-sized request/reply round
// trip over a veth pair: a zero-allocation client sends, the server under
// test reads the packet with its destination and interface, and replies
// through that interface from that address. The server is radish's
// UDPConn, or golang.org/x/net/ipv6's PacketConn doing the same job.
func BenchmarkUDPServerExchange(b *testing.B) {
	req := make([]byte, 100)
	req[0] = 11
	// run measures the exchange against the server that open starts in
	// the router namespace; serve handles one request into buf.
	run := func(b *testing.B, open func() (serve func(buf []byte) error, closeFn func() error, err error)) {
		nsA, nsB, _, idxB := benchPair(b)
		var serve func([]byte) error
		var closeSrv func() error
		if err := nsA.Do(func() (err error) { serve, closeSrv, err = open(); return err }); err != nil {
			b.Fatal(err)
		}
		defer closeSrv()
		var cli *iface.UDPConn
		if err := nsB.Do(func() (err error) { cli, err = iface.ListenUDP(546, 0); return err }); err != nil {
			b.Fatal(err)
		}
		defer cli.Close()
		exchange(b, cli, req, iface.Meta{IfIndex: idxB, Dst: srvAddr1, DstPort: 547}, serve)
	}
	b.Run("radish", func(b *testing.B) {
		run(b, func() (func([]byte) error, func() error, error) {
			srv, err := iface.ListenUDP(547, 0)
			if err != nil {
				return nil, nil, err
			}
			var m, r iface.Meta
			return func(buf []byte) error {
				n, err := srv.ReadFrom(buf, &m)
				if err != nil {
					return err
				}
				r = reply(m)
				_, err = srv.WriteTo(buf[:n], &r)
				return err
			}, srv.Close, nil
		})
	})
	b.Run("xnet", func(b *testing.B) {
		run(b, func() (func([]byte) error, func() error, error) {
			uc, err := net.ListenUDP("udp6", &net.UDPAddr{IP: net.IPv6unspecified, Port: 547})
			if err != nil {
				return nil, nil, err
			}
			p := ipv6.NewPacketConn(uc)
			if err := p.SetControlMessage(ipv6.FlagDst|ipv6.FlagInterface, true); err != nil {
				uc.Close()
				return nil, nil, err
			}
			return func(buf []byte) error {
				n, cm, src, err := p.ReadFrom(buf)
				if err != nil {
					return err
				}
				out := &ipv6.ControlMessage{IfIndex: cm.IfIndex}
				if !cm.Dst.IsMulticast() {
					out.Src = cm.Dst
				}
				_, err = p.WriteTo(buf[:n], out, src)
				return err
			}, uc.Close, nil
		})
	})
}

// BenchmarkUDPServerBatch is BenchmarkUDPServerExchange with bursts of 8
// requests, which the server reads and answers with recvmmsg/sendmmsg:
// radish's ReadBatch/WriteBatch, or x/net/ipv6's PacketConn ReadBatch and
// WriteBatch with control messages parsed and marshalled per packet.
func BenchmarkUDPServerBatch(b *testing.B) {
	const burst = 8
	reqs := make([][]byte, burst)
	for i := range reqs {
		reqs[i] = make([]byte, 100)
		reqs[i][0] = 11
	}
	run := func(b *testing.B, open func() (serve func() (int, error), closeFn func() error, err error)) {
		nsA, nsB, _, idxB := benchPair(b)
		var serve func() (int, error)
		var closeSrv func() error
		if err := nsA.Do(func() (err error) { serve, closeSrv, err = open(); return err }); err != nil {
			b.Fatal(err)
		}
		defer closeSrv()
		var cli *iface.UDPConn
		if err := nsB.Do(func() (err error) { cli, err = iface.ListenUDP(546, burst); return err }); err != nil {
			b.Fatal(err)
		}
		defer cli.Close()
		to := make([]iface.Meta, burst)
		for i := range to {
			to[i] = iface.Meta{IfIndex: idxB, Dst: srvAddr1, DstPort: 547}
		}
		cbufs := make([][]byte, burst)
		for i := range cbufs {
			cbufs[i] = make([]byte, 1500)
		}
		clens := make([]int, burst)
		cmetas := make([]iface.Meta, burst)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := cli.WriteBatch(reqs, to); err != nil {
				b.Fatal(err)
			}
			for served := 0; served < burst; {
				n, err := serve()
				if err != nil {
					b.Fatal(err)
				}
				served += n
			}
			for got := 0; got < burst; {
				n, err := cli.ReadBatch(cbufs, clens, cmetas)
				if err != nil {
					b.Fatal(err)
				}
				got += n
			}
		}
	}
	b.Run("radish", func(b *testing.B) {
		run(b, func() (func() (int, error), func() error, error) {
			srv, err := iface.ListenUDP(547, burst)
			if err != nil {
				return nil, nil, err
			}
			bufs := make([][]byte, burst)
			out := make([][]byte, burst)
			for i := range bufs {
				bufs[i] = make([]byte, 1500)
			}
			lens := make([]int, burst)
			metas := make([]iface.Meta, burst)
			return func() (int, error) {
				n, err := srv.ReadBatch(bufs, lens, metas)
				if err != nil {
					return 0, err
				}
				for i := range n {
					metas[i] = reply(metas[i])
					out[i] = bufs[i][:lens[i]]
				}
				return srv.WriteBatch(out[:n], metas[:n])
			}, srv.Close, nil
		})
	})
	b.Run("xnet", func(b *testing.B) {
		run(b, func() (func() (int, error), func() error, error) {
			uc, err := net.ListenUDP("udp6", &net.UDPAddr{IP: net.IPv6unspecified, Port: 547})
			if err != nil {
				return nil, nil, err
			}
			p := ipv6.NewPacketConn(uc)
			if err := p.SetControlMessage(ipv6.FlagDst|ipv6.FlagInterface, true); err != nil {
				uc.Close()
				return nil, nil, err
			}
			msgs := make([]ipv6.Message, burst)
			for i := range msgs {
				msgs[i].Buffers = [][]byte{make([]byte, 1500)}
				msgs[i].OOB = ipv6.NewControlMessage(ipv6.FlagDst | ipv6.FlagInterface)
			}
			outs := make([]ipv6.Message, burst)
			return func() (int, error) {
				for i := range msgs {
					msgs[i].OOB = msgs[i].OOB[:cap(msgs[i].OOB)]
				}
				n, err := p.ReadBatch(msgs, 0)
				if err != nil {
					return 0, err
				}
				for i := range n {
					var cm ipv6.ControlMessage
					if err := cm.Parse(msgs[i].OOB[:msgs[i].NN]); err != nil {
						return 0, err
					}
					out := &ipv6.ControlMessage{IfIndex: cm.IfIndex}
					if !cm.Dst.IsMulticast() {
						out.Src = cm.Dst
					}
					outs[i] = ipv6.Message{
						Buffers: [][]byte{msgs[i].Buffers[0][:msgs[i].N]},
						OOB:     out.Marshal(),
						Addr:    msgs[i].Addr,
					}
				}
				return p.WriteBatch(outs[:n], 0)
			}, uc.Close, nil
		})
	})
}

// BenchmarkICMPServerExchange measures one Router Solicitation / Router
// Advertisement round trip over a veth pair: a zero-allocation client
// solicits ff02::2, the server under test reads the RS with its ingress
// interface and hop limit and answers to ff02::1 through that interface.
// The server is radish's ICMPConn, or golang.org/x/net/ipv6's PacketConn
// on a raw ICMPv6 socket doing the same job.
func BenchmarkICMPServerExchange(b *testing.B) {
	run := func(b *testing.B, open func(ifIndex int) (serve func(buf []byte) error, closeFn func() error, err error)) {
		nsA, nsB, idxA, idxB := benchPair(b)
		nsA.Sysctl("net.ipv6.conf.ba0.router_solicitations", "0")
		nsB.Sysctl("net.ipv6.conf.bb0.router_solicitations", "0")
		var serve func([]byte) error
		var closeSrv func() error
		if err := nsA.Do(func() (err error) { serve, closeSrv, err = open(idxA); return err }); err != nil {
			b.Fatal(err)
		}
		defer closeSrv()
		var cli *iface.ICMPConn
		if err := nsB.Do(func() (err error) { cli, err = iface.ListenICMP(); return err }); err != nil {
			b.Fatal(err)
		}
		defer cli.Close()
		exchange(b, cli, rsMsg, iface.Meta{IfIndex: idxB, Dst: allRtr}, serve)
	}
	b.Run("radish", func(b *testing.B) {
		run(b, func(ifIndex int) (func([]byte) error, func() error, error) {
			srv, err := iface.ListenICMP()
			if err != nil {
				return nil, nil, err
			}
			if err := srv.JoinGroup(ifIndex, allRtr); err != nil {
				srv.Close()
				return nil, nil, err
			}
			var m, r iface.Meta
			return func(buf []byte) error {
				if _, err := srv.ReadFrom(buf, &m); err != nil {
					return err
				}
				r = iface.Meta{IfIndex: m.IfIndex, Dst: allNode}
				_, err := srv.WriteTo(raMsg, &r)
				return err
			}, srv.Close, nil
		})
	})
	b.Run("xnet", func(b *testing.B) {
		run(b, func(ifIndex int) (func([]byte) error, func() error, error) {
			c, err := net.ListenPacket("ip6:ipv6-icmp", "::")
			if err != nil {
				return nil, nil, err
			}
			p := ipv6.NewPacketConn(c)
			var f ipv6.ICMPFilter
			f.SetAll(true)
			f.Accept(ipv6.ICMPTypeRouterSolicitation)
			for _, set := range []func() error{
				func() error { return p.SetICMPFilter(&f) },
				func() error {
					return p.SetControlMessage(ipv6.FlagDst|ipv6.FlagInterface|ipv6.FlagHopLimit, true)
				},
				func() error { return p.SetMulticastHopLimit(255) },
				func() error { return p.SetMulticastLoopback(false) },
				func() error {
					return p.JoinGroup(&net.Interface{Index: ifIndex}, &net.IPAddr{IP: allRtr.AsSlice()})
				},
			} {
				if err := set(); err != nil {
					c.Close()
					return nil, nil, err
				}
			}
			dst := &net.IPAddr{IP: allNode.AsSlice()}
			return func(buf []byte) error {
				_, cm, _, err := p.ReadFrom(buf)
				if err != nil {
					return err
				}
				_, err = p.WriteTo(raMsg, &ipv6.ControlMessage{IfIndex: cm.IfIndex, HopLimit: 255}, dst)
				return err
			}, c.Close, nil
		})
	})
}
