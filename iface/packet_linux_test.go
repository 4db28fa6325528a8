package iface_test

import (
	"context"
	"encoding/binary"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mdlayher/packet"
	"golang.org/x/net/bpf"

	"github.com/radish-net/radish/iface"
	"github.com/radish-net/radish/internal/inet"
	"github.com/radish-net/radish/internal/netlab"
)

// TestPacketFilter runs the socket's BPF program in x/net/bpf's VM over
// frames it must pass or drop. The VM does not implement the packet-type
// extension, so the first three instructions (drop outgoing frames and
// frames for other stations) are checked by shape and the rest is
// executed; TestPacketOtherHostDropped checks them on a real socket.
func TestPacketFilter(t *testing.T) {
	prog := iface.PacketFilter()
	if _, err := bpf.Assemble(prog); err != nil {
		t.Fatal(err)
	}
	if ext, ok := prog[0].(bpf.LoadExtension); !ok || ext.Num != bpf.ExtType {
		t.Fatalf("instruction 0 = %v, want the packet type load", prog[0])
	}
	for i, typ := range []uint32{4, 3} { // PACKET_OUTGOING, PACKET_OTHERHOST
		if j, ok := prog[1+i].(bpf.JumpIf); !ok || j.Cond != bpf.JumpEqual || j.Val != typ || 1+i+int(j.SkipTrue)+1 != len(prog)-1 {
			t.Fatalf("instruction %d = %v, want packet type %d to jump to the final drop", 1+i, prog[1+i], typ)
		}
	}
	if r, ok := prog[len(prog)-1].(bpf.RetConstant); !ok || r.Val != 0 {
		t.Fatalf("last instruction = %v, want ret #0", prog[len(prog)-1])
	}
	vm, err := bpf.NewVM(prog[3:])
	if err != nil {
		t.Fatal(err)
	}
	frame := func(edit func(f *iface.Frame)) []byte {
		f := kernelRSFrame(t)
		edit(&f)
		b, err := iface.AppendFrame(nil, &f)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	udp := func(port uint16) func(f *iface.Frame) {
		return func(f *iface.Frame) { *f = dhclientFrame(t); f.DstPort = port }
	}
	icmp := func(typ byte) func(f *iface.Frame) {
		return func(f *iface.Frame) { f.Payload = append([]byte{typ}, f.Payload[1:]...) }
	}
	for _, tc := range []struct {
		name string
		b    []byte
		pass bool
	}{
		{"router solicitation", frame(func(*iface.Frame) {}), true},
		{"DHCPv6 to 547", frame(udp(547)), true},
		{"DHCPv6 to 546", frame(udp(546)), false},
		{"UDP to 5547", frame(udp(5547)), false},
		{"router advertisement", frame(icmp(134)), false},
		{"neighbor solicitation", frame(icmp(135)), false},
		{"echo request", frame(icmp(128)), false},
		{"hop-by-hop then ICMPv6", edit(frame(func(*iface.Frame) {}), func(b []byte) { b[20] = 0 }), false},
		{"IPv4", edit(frame(func(*iface.Frame) {}), func(b []byte) { b[12], b[13] = 8, 0 }), false},
		{"VLAN tagged", edit(frame(func(*iface.Frame) {}), func(b []byte) { b[12], b[13] = 0x81, 0 }), false},
		{"runt", []byte{1, 2, 3}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := vm.Run(tc.b)
			if err != nil {
				t.Fatal(err)
			}
			if pass := n > 0; pass != tc.pass {
				t.Errorf("filter returned %d, want pass=%v", n, tc.pass)
			}
			if tc.pass && n < len(tc.b) {
				t.Errorf("filter keeps only %d of %d bytes", n, len(tc.b))
			}
		})
	}
}

func edit(b []byte, f func([]byte)) []byte {
	b = slices.Clone(b)
	f(b)
	return b
}

// pktLab is a router namespace whose bridge br0 has IPv6 disabled, with
// one port p0 joined by a veth to eth0 in a host namespace.
type pktLab struct {
	lab          *netlab.Lab
	router, host *netlab.NS
	brIndex      int
	hostMAC      [6]byte
	hostLL       netip.Addr
	hostZone     string // the host eth0's index, as an IPv6 zone (set by hostUDP)
	conn         *iface.PacketConn
}

// newPktLab builds the lab, opens a PacketConn on br0 inside the router
// namespace and joins ff02::2 and ff02::1:2. The host's eth0 has
// accept_ra=2 and is left down. With hostRS false, the host kernel sends
// no Router Solicitations.
func newPktLab(t *testing.T, hostRS bool, opts ...iface.PacketOption) *pktLab {
	t.Helper()
	l := netlab.New(t)
	p := &pktLab{lab: l, router: l.Namespace("router"), host: l.Namespace("host")}
	l.Bridge(p.router, "br0")
	l.Veth(p.router, "p0", p.host, "eth0")
	p.router.Sysctl("net.ipv6.conf.br0.disable_ipv6", "1")
	p.router.Sysctl("net.ipv6.conf.p0.disable_ipv6", "1")
	p.router.SetMaster("p0", "br0")
	p.router.Up("p0")
	p.router.Up("br0")
	p.host.Sysctl("net.ipv6.conf.eth0.accept_ra", "2")

	br, err := p.router.Link("br0")
	if err != nil {
		t.Fatal(err)
	}
	p.brIndex = br.Index
	if addrs, err := p.router.Addrs("br0"); err != nil || len(addrs) != 0 {
		t.Fatalf("br0 has IPv6 addresses %v (%v), want none", addrs, err)
	}
	eth, err := p.host.Link("eth0")
	if err != nil {
		t.Fatal(err)
	}
	p.hostMAC = [6]byte(eth.HardwareAddr)
	p.hostLL = iface.LinkLocalFromMAC(p.hostMAC)

	if err := p.router.Do(func() (err error) {
		p.conn, err = iface.ListenPacket(p.brIndex, opts...)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.conn.Close() })
	for _, g := range []string{"ff02::2", "ff02::1:2"} {
		if err := p.conn.JoinGroup(p.brIndex, netip.MustParseAddr(g)); err != nil {
			t.Fatal(err)
		}
	}
	if !hostRS {
		p.host.Sysctl("net.ipv6.conf.eth0.router_solicitations", "0")
	}
	return p
}

// waitBridgeUp waits until br0 reports operational state UP. br0 gets
// its carrier only when the host's end of the veth comes up, and an RA
// written within a few milliseconds of that (in reply to the host's very
// first RS) was occasionally lost: sendto succeeded but the frame never
// left through p0 (seen in about 1 run in 40). Waiting for the bridge to
// settle, as a router's random RA delay (RFC 4861 §6.2.6) does anyway,
// removed the loss in hundreds of runs.
func (p *pktLab) waitBridgeUp(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if err := p.router.WaitFor(ctx, func() bool {
		l, err := p.router.Link("br0")
		return err == nil && l.OperState == "UP"
	}); err != nil {
		t.Fatalf("br0 did not come up: %v", err)
	}
}

// read reads one packet with a deadline.
func (p *pktLab) read(t *testing.T, b []byte, m *iface.Meta) int {
	t.Helper()
	p.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	defer p.conn.SetReadDeadline(time.Time{})
	n, err := p.conn.ReadFrom(b, m)
	if err != nil {
		t.Fatalf("ReadFrom: %v", err)
	}
	return n
}

// testRA builds a Router Advertisement by hand (RFC 4861 §4.2): hop limit
// 64, router lifetime 1800 s, a source link-layer address option and a
// prefix information option for prefix/64 with L and A set. The checksum
// is left zero for the transport to compute.
func testRA(mac [6]byte, prefix netip.Prefix) []byte {
	b := []byte{
		134, 0, 0, 0, // type, code, checksum
		64, 0, 0x07, 0x08, // cur hop limit, flags, router lifetime 1800
		0, 0, 0, 0, // reachable time
		0, 0, 0, 0, // retrans timer
		1, 1, // source link-layer address, 8 bytes
	}
	b = append(b, mac[:]...)
	b = append(b, 3, 4, byte(prefix.Bits()), 0xc0) // prefix information, 32 bytes, L|A
	b = binary.BigEndian.AppendUint32(b, 86400)    // valid lifetime
	b = binary.BigEndian.AppendUint32(b, 14400)    // preferred lifetime
	b = append(b, 0, 0, 0, 0)                      // reserved
	a := prefix.Addr().As16()
	return append(b, a[:]...)
}

// TestPacketRouterAdvert: the host kernel's RS reaches the PacketConn on a
// bridge without IPv6, and the RA written back makes the host kernel form
// a SLAAC address and a default route.
func TestPacketRouterAdvert(t *testing.T) {
	p := newPktLab(t, true)
	p.host.Up("eth0")
	buf := make([]byte, 1500)
	var m iface.Meta
	n := p.read(t, buf, &m)
	if n < 8 || buf[0] != 133 || buf[1] != 0 {
		t.Fatalf("got % x, want a Router Solicitation", buf[:n])
	}
	want := iface.Meta{IfIndex: p.brIndex, Src: p.hostLL, Dst: netip.MustParseAddr("ff02::2"), HopLimit: 255}
	if m != want {
		t.Errorf("RS meta = %+v, want %+v", m, want)
	}
	// The kernel's RS carries the host MAC as its source link-layer option.
	if n >= 16 && [6]byte(buf[10:16]) != p.hostMAC {
		t.Errorf("RS source link-layer option % x, want host MAC % x", buf[10:16], p.hostMAC)
	}

	// Unicast reply to the solicitor: the MAC comes from the learned cache.
	prefix := netip.MustParsePrefix("2001:db8:1::/64")
	ra := testRA(p.conn.HardwareAddr(), prefix)
	p.waitBridgeUp(t)
	if _, err := p.conn.WriteTo(ra, &iface.Meta{IfIndex: p.brIndex, Dst: m.Src}); err != nil {
		t.Fatal(err)
	}
	if got := p.conn.Counters().Sent.Load(); got != 1 {
		t.Errorf("Sent = %d, want 1", got)
	}

	routerLL := p.conn.Source()
	if routerLL != iface.LinkLocalFromMAC(p.conn.HardwareAddr()) {
		t.Errorf("default source %v is not the EUI-64 link-local of % x", routerLL, p.conn.HardwareAddr())
	}
	slaac := netip.PrefixFrom(netip.AddrFrom16(func() [16]byte {
		a, ll := prefix.Addr().As16(), p.hostLL.As16()
		copy(a[8:], ll[8:])
		return a
	}()), 64)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	var addrs []netlab.Addr
	var routes []netlab.Route
	err := p.host.WaitFor(ctx, func() bool {
		addrs, _ = p.host.Addrs("eth0")
		routes, _ = p.host.Routes()
		return slices.ContainsFunc(addrs, func(a netlab.Addr) bool { return a.Prefix == slaac }) &&
			slices.ContainsFunc(routes, func(r netlab.Route) bool { return r.Dst.Bits() == 0 && r.Gateway == routerLL })
	})
	if err != nil {
		nstat, _, _ := p.host.Run(t.Context(), "sh", "-c", "nstat -a | grep -E 'Ip6|Icmp6'; ip -s link show eth0")
		rt, _, _ := p.router.Run(t.Context(), "sh", "-c", "bridge fdb show br br0; ip -s link show p0; ip -d link show p0")
		nstat += rt
		t.Fatalf("host did not accept the RA: %v\naddresses: %+v\nroutes: %+v\n%s", err, addrs, routes, nstat)
	}
	i := slices.IndexFunc(routes, func(r netlab.Route) bool { return r.Dst.Bits() == 0 })
	if r := routes[i]; r.Dev != "eth0" || r.Protocol != "ra" {
		t.Errorf("default route %+v, want dev eth0 proto ra", r)
	}
	i = slices.IndexFunc(addrs, func(a netlab.Addr) bool { return a.Prefix == slaac })
	if a := addrs[i]; a.Scope != "global" || !a.Has("dynamic") || a.Valid > 86400 || a.Valid < 86000 {
		t.Errorf("SLAAC address %+v, want global, dynamic, valid ≤ 86400 s", a)
	}
}

// TestPacketRdisc6 answers rdisc6's RS with a multicast RA and checks that
// rdisc6 decodes it.
func TestPacketRdisc6(t *testing.T) {
	p := newPktLab(t, false)
	p.host.Up("eth0")
	p.waitBridgeUp(t)
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	if _, err := p.host.LinkLocal(ctx, "eth0"); err != nil {
		t.Fatal(err)
	}
	proc := p.host.Start("rdisc6", "-1", "-r", "3", "-w", "2000", "eth0")
	buf := make([]byte, 1500)
	var m iface.Meta
	for {
		n := p.read(t, buf, &m)
		if n >= 1 && buf[0] == 133 {
			break
		}
	}
	prefix := netip.MustParsePrefix("2001:db8:2::/64")
	if _, err := p.conn.WriteTo(testRA(p.conn.HardwareAddr(), prefix), &iface.Meta{Dst: netip.MustParseAddr("ff02::1")}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-proc.Done():
	case <-ctx.Done():
		t.Fatal("rdisc6 did not finish")
	}
	out, stderr := proc.Output()
	if err := proc.Wait(); err != nil {
		t.Fatalf("rdisc6: %v\n%s%s", err, out, stderr)
	}
	for _, want := range []string{
		"Hop limit                 :           64",
		"Router lifetime           :         1800",
		"Prefix                   : 2001:db8:2::/64",
		"from " + p.conn.Source().String(),
	} {
		if !strings.Contains(out, want) {
			t.Errorf("rdisc6 output lacks %q:\n%s", want, out)
		}
	}
}

// hostUDP opens a UDP socket on [hostLL%eth0]:546 in the host namespace and
// sets p.hostZone. Zones are given by index, never by name: Go caches
// zone names process-wide, and "eth0" names different links in different
// namespaces.
func (p *pktLab) hostUDP(t *testing.T) *net.UDPConn {
	t.Helper()
	p.host.Up("eth0")
	p.waitBridgeUp(t)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if _, err := p.host.LinkLocal(ctx, "eth0"); err != nil {
		t.Fatal(err)
	}
	var c *net.UDPConn
	if err := p.host.Do(func() (err error) {
		ifi, err := net.InterfaceByName("eth0")
		if err != nil {
			return err
		}
		p.hostZone = strconv.Itoa(ifi.Index)
		c, err = net.ListenUDP("udp6", &net.UDPAddr{IP: p.hostLL.AsSlice(), Port: 546, Zone: p.hostZone})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// allDHCP is All_DHCP_Relay_Agents_and_Servers on the host's eth0, at port.
func (p *pktLab) allDHCP(port int) *net.UDPAddr {
	return &net.UDPAddr{IP: net.ParseIP("ff02::1:2"), Port: port, Zone: p.hostZone}
}

// TestPacketDHCPv6 exchanges a DHCPv6 request and reply between a kernel
// UDP socket on the host and the PacketConn, and checks that the filter
// drops UDP to other ports and that corrupt checksums are counted.
func TestPacketDHCPv6(t *testing.T) {
	p := newPktLab(t, false)
	h := p.hostUDP(t)
	req := unhex(t, dhclientInfoReqHex)

	// A datagram to port 548 is filtered out; the next one to 547 is read.
	if _, err := h.WriteToUDP([]byte("not for us"), p.allDHCP(548)); err != nil {
		t.Fatal(err)
	}
	if _, err := h.WriteToUDP(req, p.allDHCP(547)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1500)
	var m iface.Meta
	n := p.read(t, buf, &m)
	if string(buf[:n]) != string(req) {
		t.Fatalf("payload % x, want % x", buf[:n], req)
	}
	want := iface.Meta{IfIndex: p.brIndex, Src: p.hostLL, Dst: netip.MustParseAddr("ff02::1:2"), SrcPort: 546, DstPort: 547, HopLimit: 1}
	if m != want {
		t.Errorf("meta = %+v, want %+v", m, want)
	}

	// Unicast reply from the configured source, port 547 by default.
	reply := []byte{7, 0x7b, 0x23, 0xc6, 0, 13, 0, 2, 0, 0} // Reply, xid, Status Code success
	if _, err := p.conn.WriteTo(reply, &iface.Meta{Dst: m.Src, DstPort: m.SrcPort}); err != nil {
		t.Fatal(err)
	}
	h.SetReadDeadline(time.Now().Add(5 * time.Second))
	hb := make([]byte, 1500)
	hn, from, err := h.ReadFromUDP(hb)
	if err != nil {
		t.Fatalf("host did not receive the reply (bad checksum or MAC?): %v", err)
	}
	if string(hb[:hn]) != string(reply) {
		t.Errorf("host got % x, want % x", hb[:hn], reply)
	}
	if got := from.AddrPort(); got.Addr().WithZone("") != p.conn.Source() || got.Port() != 547 {
		t.Errorf("reply from %v, want [%v]:547", got, p.conn.Source())
	}

	// A frame with a corrupt UDP checksum, injected by a raw socket on the
	// host, is dropped and counted; the valid one after it is delivered.
	bad := dhclientFrame(t)
	bad.SrcMAC, bad.Src = p.hostMAC, p.hostLL
	frame, err := iface.AppendFrame(nil, &bad)
	if err != nil {
		t.Fatal(err)
	}
	frame[len(frame)-1] ^= 0xff
	good := slices.Clone(frame)
	good[len(good)-1] ^= 0xff
	if err := p.host.Do(func() error {
		ifi, err := net.InterfaceByName("eth0")
		if err != nil {
			return err
		}
		raw, err := packet.Listen(ifi, packet.Raw, iface.EtherTypeIPv6, nil)
		if err != nil {
			return err
		}
		defer raw.Close()
		to := &packet.Addr{HardwareAddr: net.HardwareAddr(bad.DstMAC[:])}
		if _, err := raw.WriteTo(frame, to); err != nil {
			return err
		}
		_, err = raw.WriteTo(good, to)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	before := p.conn.Counters().BadChecksum.Load()
	n = p.read(t, buf, &m)
	if string(buf[:n]) != string(bad.Payload) {
		t.Errorf("after the corrupt frame, read % x, want % x", buf[:n], bad.Payload)
	}
	if got := p.conn.Counters().BadChecksum.Load(); got != before+1 {
		t.Errorf("BadChecksum = %d, want %d", got, before+1)
	}
}

func TestPacketErrors(t *testing.T) {
	src := netip.MustParseAddr("fe80::1234")
	p := newPktLab(t, false, iface.PacketSource(src))
	if p.conn.Source() != src {
		t.Errorf("Source = %v, want %v", p.conn.Source(), src)
	}
	ra := testRA(p.conn.HardwareAddr(), netip.MustParsePrefix("2001:db8::/64"))

	unknown := netip.MustParseAddr("fe80::99")
	if _, err := p.conn.WriteTo(ra, &iface.Meta{Dst: unknown}); err != iface.ErrNoNeighbor {
		t.Errorf("WriteTo unknown unicast = %v, want ErrNoNeighbor", err)
	}
	if got := p.conn.Counters().NoNeighbor.Load(); got != 1 {
		t.Errorf("NoNeighbor = %d, want 1", got)
	}
	if _, err := p.conn.WriteTo(ra, &iface.Meta{IfIndex: p.brIndex + 100, Dst: netip.MustParseAddr("ff02::1")}); err != iface.ErrWrongLink {
		t.Errorf("WriteTo other link = %v, want ErrWrongLink", err)
	}
	if err := p.conn.JoinGroup(p.brIndex+100, netip.MustParseAddr("ff02::2")); err != iface.ErrWrongLink {
		t.Errorf("JoinGroup other link = %v, want ErrWrongLink", err)
	}
	if err := p.conn.JoinGroup(0, netip.MustParseAddr("fe80::1")); err == nil {
		t.Error("JoinGroup of a unicast address succeeded")
	}
	if _, err := p.conn.WriteTo(make([]byte, 1500), &iface.Meta{Dst: netip.MustParseAddr("ff02::1")}); err != iface.ErrPacketTooBig {
		t.Errorf("WriteTo 1500-byte ICMPv6 = %v, want ErrPacketTooBig", err)
	}
	if _, err := iface.ListenPacket(p.brIndex, iface.PacketSource(netip.MustParseAddr("ff02::1"))); err == nil {
		t.Error("ListenPacket with a multicast source succeeded")
	}

	// Close unblocks a pending read.
	done := make(chan error, 1)
	go func() {
		var m iface.Meta
		_, err := p.conn.ReadFrom(make([]byte, 1500), &m)
		done <- err
	}()
	time.Sleep(100 * time.Millisecond)
	if err := p.conn.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != iface.ErrClosed {
			t.Errorf("ReadFrom after Close = %v, want ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not unblock ReadFrom")
	}
	if _, err := p.conn.WriteTo(ra, &iface.Meta{Dst: netip.MustParseAddr("ff02::1")}); err != iface.ErrClosed {
		t.Errorf("WriteTo after Close = %v, want ErrClosed", err)
	}
}

// TestPacketNoAllocs measures ReadFrom and WriteTo on a live socket.
func TestPacketNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under -race")
	}
	p := newPktLab(t, false)
	h := p.hostUDP(t)
	const runs = 50
	req := unhex(t, dhclientInfoReqHex)
	for range runs + 1 {
		if _, err := h.WriteToUDP(req, p.allDHCP(547)); err != nil {
			t.Fatal(err)
		}
	}
	buf := make([]byte, 1500)
	var m iface.Meta
	p.read(t, buf, &m) // the first one has arrived; wait for the rest
	time.Sleep(200 * time.Millisecond)
	p.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	var readErr error
	allocs := testing.AllocsPerRun(runs-1, func() {
		if _, err := p.conn.ReadFrom(buf, &m); err != nil {
			readErr = err
		}
	})
	if readErr != nil {
		c := p.conn.Counters()
		t.Fatalf("%v (received %d, delivered %d)", readErr, c.Received.Load(), c.Delivered.Load())
	}
	if allocs != 0 {
		t.Errorf("ReadFrom allocates %v times per call, want 0", allocs)
	}

	reply := []byte{7, 0x7b, 0x23, 0xc6}
	uni := iface.Meta{Dst: m.Src, DstPort: 546}
	multi := iface.Meta{Dst: netip.MustParseAddr("ff02::1")}
	ra := testRA(p.conn.HardwareAddr(), netip.MustParsePrefix("2001:db8:3::/64"))
	var writeErr error
	allocs = testing.AllocsPerRun(runs, func() {
		if _, err := p.conn.WriteTo(reply, &uni); err != nil {
			writeErr = err
		}
		if _, err := p.conn.WriteTo(ra, &multi); err != nil {
			writeErr = err
		}
	})
	if writeErr != nil {
		t.Fatal(writeErr)
	}
	if allocs != 0 {
		t.Errorf("WriteTo allocates %v times per call, want 0", allocs)
	}
}

// TestPacketNeighborCache fills the learned-MAC cache from 17 injected
// sources and checks that the oldest is evicted, and that a reply goes to
// the learned MAC with the default UDP source port and hop limit.
func TestPacketNeighborCache(t *testing.T) {
	p := newPktLab(t, false)
	p.host.Up("eth0")
	p.waitBridgeUp(t)
	const n = 17 // one more than the cache holds
	var raw *packet.Conn
	if err := p.host.Do(func() error {
		ifi, err := net.InterfaceByName("eth0")
		if err != nil {
			return err
		}
		raw, err = packet.Listen(ifi, packet.Raw, iface.EtherTypeIPv6, nil)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	src := func(i int) (netip.Addr, [6]byte) {
		return netip.AddrFrom16([16]byte{0: 0xfe, 1: 0x80, 15: byte(i)}), [6]byte{0x02, 0, 0, 0, 0, byte(i)}
	}
	for i := 1; i <= n; i++ {
		f := dhclientFrame(t)
		f.Src, f.SrcMAC = src(i)
		b, err := iface.AppendFrame(nil, &f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := raw.WriteTo(b, &packet.Addr{HardwareAddr: net.HardwareAddr(f.DstMAC[:])}); err != nil {
			t.Fatal(err)
		}
	}
	buf := make([]byte, 1500)
	var m iface.Meta
	for i := 1; i <= n; i++ {
		p.read(t, buf, &m)
		if want, _ := src(i); m.Src != want {
			t.Fatalf("packet %d from %v, want %v", i, m.Src, want)
		}
	}
	reply := []byte{7, 1, 2, 3}
	first, _ := src(1)
	if _, err := p.conn.WriteTo(reply, &iface.Meta{Dst: first, DstPort: 546}); err != iface.ErrNoNeighbor {
		t.Errorf("WriteTo the evicted %v = %v, want ErrNoNeighbor", first, err)
	}
	last, lastMAC := src(n)
	if _, err := p.conn.WriteTo(reply, &iface.Meta{Dst: last, DstPort: 546}); err != nil {
		t.Fatalf("WriteTo %v: %v", last, err)
	}
	raw.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		nr, _, err := raw.ReadFrom(buf)
		if err != nil {
			t.Fatalf("reply not seen on the host: %v", err)
		}
		var f iface.Frame
		if iface.ParseFrame(buf[:nr], &f) != nil || f.NextHeader != inet.ProtoUDP || f.Dst != last {
			continue // the host's own traffic
		}
		want := iface.Frame{
			DstMAC: lastMAC, SrcMAC: p.conn.HardwareAddr(), Src: p.conn.Source(), Dst: last,
			HopLimit: 64, NextHeader: inet.ProtoUDP, SrcPort: 547, DstPort: 546,
		}
		if f.DstMAC != want.DstMAC || f.SrcMAC != want.SrcMAC || f.Src != want.Src || f.HopLimit != want.HopLimit ||
			f.SrcPort != want.SrcPort || f.DstPort != want.DstPort || string(f.Payload) != string(reply) {
			t.Errorf("reply frame %+v\nwant %+v with payload % x", f, want, reply)
		}
		return
	}
}
