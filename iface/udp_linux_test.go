package iface_test

import (
	"bytes"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/radish-net/radish/iface"
	"github.com/radish-net/radish/internal/netlab"
)

var (
	dhcpMcast  = netip.MustParseAddr("ff02::1:2")
	allServers = netip.MustParseAddr("ff05::1:3")
	srvAddr1   = netip.MustParseAddr("2001:db8:1::1")
	srvAddr2   = netip.MustParseAddr("2001:db8:1::a")
	cliAddr    = netip.MustParseAddr("2001:db8:1::2")
)

// clientConn opens a plain Go UDP socket on port 546 in ns: an independent
// client to check the server conn against.
func clientConn(t *testing.T, ns *netlab.NS) *net.UDPConn {
	t.Helper()
	var c *net.UDPConn
	if err := ns.Do(func() (err error) {
		c, err = net.ListenUDP("udp6", &net.UDPAddr{IP: net.IPv6unspecified, Port: 546})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// udpAddr is a destination for the client socket; the zone is the
// numeric ifindex, since link names are only known inside the namespace.
func udpAddr(a netip.Addr, port, ifIndex int) *net.UDPAddr {
	u := &net.UDPAddr{IP: a.AsSlice(), Port: port}
	if a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() {
		u.Zone = strconv.Itoa(ifIndex)
	}
	return u
}

// reply mirrors a request's Meta into the Meta of its reply.
func reply(m iface.Meta) iface.Meta {
	return iface.Meta{IfIndex: m.IfIndex, Src: m.Dst, Dst: m.Src, SrcPort: m.DstPort, DstPort: m.SrcPort}
}

func readClient(t *testing.T, c *net.UDPConn, b []byte) (int, netip.AddrPort) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, from, err := c.ReadFromUDPAddrPort(b)
	if err != nil {
		t.Fatalf("client read: %v", err)
	}
	return n, netip.AddrPortFrom(from.Addr().WithZone(""), from.Port())
}

func newUDPPair(t *testing.T) *pair {
	p := newPair(t)
	p.a.IP("addr", "add", srvAddr1.String()+"/64", "dev", p.ifA, "nodad")
	p.a.IP("addr", "add", srvAddr2.String()+"/64", "dev", p.ifA, "nodad")
	p.b.IP("addr", "add", cliAddr.String()+"/64", "dev", p.ifB, "nodad")
	return p
}

func TestUDPExchange(t *testing.T) {
	p := newUDPPair(t)
	srv := listenUDP(t, p.a, 547, 0)
	if srv.Port() != 547 {
		t.Fatalf("Port() = %d", srv.Port())
	}
	if err := srv.JoinGroup(p.idxA, dhcpMcast); err != nil {
		t.Fatal(err)
	}
	if err := srv.JoinGroup(p.idxA, allServers); err != nil {
		t.Fatal(err)
	}
	cli := clientConn(t, p.b)
	buf := make([]byte, 1500)
	cbuf := make([]byte, 1500)

	tests := []struct {
		name    string
		dst     netip.Addr
		src     netip.Addr   // client's source as the server sees it
		replyBy []netip.Addr // sources the reply may carry
	}{
		{"multicast, kernel chooses the source", dhcpMcast, p.llB, []netip.Addr{p.llA}},
		{"site-scope All_DHCP_Servers, kernel chooses", allServers, cliAddr, []netip.Addr{srvAddr1, srvAddr2}},
		{"unicast to second address", srvAddr2, cliAddr, []netip.Addr{srvAddr2}},
		{"unicast to first address", srvAddr1, cliAddr, []netip.Addr{srvAddr1}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := []byte{11, 0xab, 0xcd, byte(i)} // Information-request, transaction id
			if _, err := cli.WriteToUDP(req, udpAddr(tt.dst, 547, p.idxB)); err != nil {
				t.Fatal(err)
			}
			var m iface.Meta
			n := readTimeout(t, srv, buf, &m, 5*time.Second)
			want := iface.Meta{IfIndex: p.idxA, Src: tt.src, Dst: tt.dst, SrcPort: 546, DstPort: 547, HopLimit: m.HopLimit}
			if m != want || m.HopLimit <= 0 {
				t.Errorf("meta %+v, want %+v (any hop limit > 0)", m, want)
			}
			if !bytes.Equal(buf[:n], req) {
				t.Errorf("payload %x, want %x", buf[:n], req)
			}
			resp := []byte{7, 0xab, 0xcd, byte(i)} // Reply
			rm := reply(m)
			if _, err := srv.WriteTo(resp, &rm); err != nil {
				t.Fatal(err)
			}
			cn, from := readClient(t, cli, cbuf)
			if from.Port() != 547 || !slices.Contains(tt.replyBy, from.Addr()) {
				t.Errorf("reply from %v, want port 547 and one of %v", from, tt.replyBy)
			}
			if !bytes.Equal(cbuf[:cn], resp) {
				t.Errorf("reply %x, want %x", cbuf[:cn], resp)
			}
		})
	}
}

func TestUDPBatch(t *testing.T) {
	p := newUDPPair(t)
	srv := listenUDP(t, p.a, 547, 4) // smaller than the burst: several calls
	cli := clientConn(t, p.b)
	defer closeAfter(t, 20*time.Second, srv)()
	const count = 10
	for i := range count {
		if _, err := cli.WriteToUDP([]byte{11, 0, 0, byte(i)}, udpAddr(srvAddr1, 547, 0)); err != nil {
			t.Fatal(err)
		}
	}
	bufs := make([][]byte, 8)
	for i := range bufs {
		bufs[i] = make([]byte, 1500)
	}
	lens := make([]int, len(bufs))
	metas := make([]iface.Meta, len(bufs))
	var got [][]byte
	var replies []iface.Meta
	for len(got) < count {
		n, err := srv.ReadBatch(bufs, lens, metas)
		if err != nil {
			t.Fatal(err)
		}
		if n < 1 || n > 4 {
			t.Fatalf("ReadBatch returned %d packets with batch size 4", n)
		}
		for i := range n {
			if metas[i].Src != cliAddr || metas[i].Dst != srvAddr1 || metas[i].IfIndex != p.idxA || metas[i].SrcPort != 546 || metas[i].DstPort != 547 {
				t.Errorf("packet %d meta %+v", len(got), metas[i])
			}
			got = append(got, append([]byte{7}, bufs[i][1:lens[i]]...))
			replies = append(replies, reply(metas[i]))
		}
	}
	for i, b := range got {
		if want := []byte{7, 0, 0, byte(i)}; !bytes.Equal(b, want) {
			t.Errorf("packet %d = %x, want %x", i, b, want)
		}
	}
	n, err := srv.WriteBatch(got, replies)
	if err != nil || n != count {
		t.Fatalf("WriteBatch = %d, %v; want %d", n, err, count)
	}
	cbuf := make([]byte, 1500)
	for i := range count {
		cn, from := readClient(t, cli, cbuf)
		if from != netip.AddrPortFrom(srvAddr1, 547) || !bytes.Equal(cbuf[:cn], []byte{7, 0, 0, byte(i)}) {
			t.Errorf("reply %d: %x from %v", i, cbuf[:cn], from)
		}
	}
	t.Run("bad destination stops the batch", func(t *testing.T) {
		n, err := srv.WriteBatch([][]byte{{1}, {2}}, []iface.Meta{reply(metas[0]), {}})
		if n != 1 || err == nil {
			t.Errorf("WriteBatch = %d, %v; want 1 and ErrDestination", n, err)
		}
		readClient(t, cli, cbuf)
	})
}

func TestUDPNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	p := newUDPPair(t)
	srv := listenUDP(t, p.a, 547, 8)
	cli := listenUDP(t, p.b, 546, 8) // zero-allocation client too
	defer closeAfter(t, 20*time.Second, srv, cli)()
	if err := srv.JoinGroup(p.idxA, dhcpMcast); err != nil {
		t.Fatal(err)
	}
	req := []byte{11, 1, 2, 3}
	buf := make([]byte, 1500)
	var m, cm iface.Meta
	toSrv := iface.Meta{IfIndex: p.idxB, Dst: dhcpMcast, DstPort: 547}
	var failed error
	check := func(err error) {
		if err != nil && failed == nil {
			failed = err
		}
	}
	run := func() {
		_, err := cli.WriteTo(req, &toSrv)
		check(err)
		_, err = srv.ReadFrom(buf, &m)
		check(err)
		rm := reply(m)
		_, err = srv.WriteTo(buf[:4], &rm)
		check(err)
		_, err = cli.ReadFrom(buf, &cm)
		check(err)
		if cm.Src != p.llA || cm.SrcPort != 547 {
			check(fmt.Errorf("reply meta %+v", cm))
		}
	}
	// Prime once with a timeout, so a broken path fails instead of hanging.
	cli.WriteTo(req, &toSrv)
	readTimeout(t, srv, buf, &m, 5*time.Second)
	if a := testing.AllocsPerRun(200, run); failed != nil || a != 0 {
		t.Errorf("ReadFrom/WriteTo: %v allocations per exchange (err %v), want 0", a, failed)
	}

	bufs := make([][]byte, 8)
	reqs := make([][]byte, 8)
	for i := range bufs {
		bufs[i] = make([]byte, 1500)
		reqs[i] = req
	}
	lens := make([]int, 8)
	metas := make([]iface.Meta, 8)
	out := make([][]byte, 8)
	toSrvs := make([]iface.Meta, 8)
	for i := range toSrvs {
		toSrvs[i] = iface.Meta{IfIndex: p.idxB, Dst: srvAddr1, DstPort: 547}
	}
	batch := func() {
		n, err := cli.WriteBatch(reqs, toSrvs)
		check(err)
		for got := 0; got < n && failed == nil; {
			k, err := srv.ReadBatch(bufs, lens, metas)
			check(err)
			for i := range k {
				metas[i] = reply(metas[i])
				out[i] = bufs[i][:lens[i]]
			}
			_, err = srv.WriteBatch(out[:k], metas[:k])
			check(err)
			got += k
		}
		for got := 0; got < n && failed == nil; {
			k, err := cli.ReadBatch(bufs, lens, metas)
			check(err)
			got += k
		}
	}
	if a := testing.AllocsPerRun(100, batch); failed != nil || a != 0 {
		t.Errorf("ReadBatch/WriteBatch: %v allocations per batch (err %v), want 0", a, failed)
	}
}

// TestUDPDhclient has ISC dhclient ask for configuration (stateless,
// Information-request, RFC 9915 §18.2.6) on the host side; the request must
// reach ListenUDP on the router side through the ff02::1:2 membership.
func TestUDPDhclient(t *testing.T) {
	p := newUDPPair(t)
	srv := listenUDP(t, p.a, 547, 0)
	if err := srv.JoinGroup(p.idxA, dhcpMcast); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	proc := p.b.Start("dhclient", "-6", "-S", "-d", "-v", "-sf", "/bin/true",
		"-lf", dir+"/leases", "-pf", dir+"/pid", p.ifB)
	buf := make([]byte, 1500)
	var m iface.Meta
	n := readTimeout(t, srv, buf, &m, 10*time.Second)
	proc.Stop()
	want := iface.Meta{IfIndex: p.idxA, Src: p.llB, Dst: dhcpMcast, SrcPort: 546, DstPort: 547, HopLimit: 1}
	if m != want {
		t.Errorf("meta %+v, want %+v", m, want)
	}
	if n < 4 || buf[0] != 11 {
		t.Errorf("dhclient sent %x, want an Information-request (type 11)", buf[:n])
	}
}

// TestUDPReaderAndWriter runs the documented concurrency: one goroutine
// reading while another writes on the same conn (run it with -race).
func TestUDPReaderAndWriter(t *testing.T) {
	p := newUDPPair(t)
	srv := listenUDP(t, p.a, 547, 0)
	cli := listenUDP(t, p.b, 546, 0)
	defer closeAfter(t, 20*time.Second, srv, cli)()
	const count = 50
	type job struct {
		m iface.Meta
		b [4]byte
	}
	jobs := make(chan job, count)
	readErr := make(chan error, 1)
	go func() { // reader
		buf := make([]byte, 1500)
		for range count {
			var j job
			n, err := srv.ReadFrom(buf, &j.m)
			if err != nil || n != 4 {
				readErr <- fmt.Errorf("read: %d, %v", n, err)
				return
			}
			copy(j.b[:], buf)
			jobs <- j
		}
		readErr <- nil
	}()
	writeErr := make(chan error, 1)
	go func() { // writer
		for range count {
			j := <-jobs
			r := reply(j.m)
			if _, err := srv.WriteTo(j.b[:], &r); err != nil {
				writeErr <- err
				return
			}
		}
		writeErr <- nil
	}()
	to := iface.Meta{IfIndex: p.idxB, Dst: srvAddr1, DstPort: 547}
	seen := make(map[byte]bool)
	buf := make([]byte, 1500)
	for i := range count {
		if _, err := cli.WriteTo([]byte{11, 0, 0, byte(i)}, &to); err != nil {
			t.Fatal(err)
		}
		var m iface.Meta
		n, err := cli.ReadFrom(buf, &m)
		if err != nil || n != 4 || m.Src != srvAddr1 {
			t.Fatalf("reply %d: %x %+v %v", i, buf[:n], m, err)
		}
		seen[buf[3]] = true
	}
	if err := <-readErr; err != nil {
		t.Fatal(err)
	}
	if err := <-writeErr; err != nil {
		t.Fatal(err)
	}
	if len(seen) != count {
		t.Errorf("%d distinct replies, want %d", len(seen), count)
	}
}
