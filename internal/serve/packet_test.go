package serve_test

import (
	"bytes"
	"fmt"
	"net/netip"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/radish-net/radish/iface"
	"github.com/radish-net/radish/internal/fixture"
)

// TestDaemonPacketTransportDHCPv6 serves a link over the packet transport
// with in-memory conns: before DHCPv6 is configured the link gets RAs and
// the UDP socket stays closed; after a reload that adds [interface.dhcpv6]
// the server joins ff02::1:2 on the link's packet conn (not on the kernel
// socket), and a DHCPv6 Information-request read from the packet conn is
// answered through that conn while Router Solicitations still reach the
// engine.
func TestDaemonPacketTransportDHCPv6(t *testing.T) {
	// Captured from dhclient -6 -S (see the file's header).
	req := fixture.Load(t, "testdata/dhclient-information-request.hex")
	synctest.Test(t, func(t *testing.T) {
		base := "[[interface]]\nname = \"eth0\"\ntransport = \"packet\"\n[interface.ra]\nmax_interval = 4\n"
		f := startFakeDaemon(t, base, nil, nil)
		d, udp, pc, dir := f.Daemon, f.udp, f.pc, filepath.Dir(f.path)

		time.Sleep(time.Second)
		synctest.Wait()
		if f.pcOpened.Load() != 1 {
			t.Fatalf("packet conn opened %d times, want 1", f.pcOpened.Load())
		}
		lastRA(t, pc)
		if f.udpOpened.Load() != 0 {
			t.Error("UDP socket opened without any [interface.dhcpv6]")
		}
		client := iface.Meta{IfIndex: 1, Src: netip.MustParseAddr("fe80::c"), Dst: netip.MustParseAddr("ff02::1:2"),
			SrcPort: 546, DstPort: 547, HopLimit: 1}
		// No server yet: the request is dropped, the engine keeps reading.
		pc.Inject(req.Bytes, client)
		synctest.Wait()

		f.write(t, base+fmt.Sprintf("[interface.dhcpv6]\ndns_servers = [\"2001:db8::55\"]\n[dhcpv6]\nstate_dir = %q\n", dir))
		f.reload <- struct{}{}
		time.Sleep(4 * time.Second)
		synctest.Wait()
		if f.udpOpened.Load() != 1 {
			t.Errorf("UDP socket opened %d times, want 1", f.udpOpened.Load())
		}
		allDHCP := netip.MustParseAddr("ff02::1:2")
		if !pc.Joined(1, allDHCP) || !pc.Joined(1, netip.MustParseAddr("ff02::2")) {
			t.Errorf("packet conn groups %v, want ff02::2 and ff02::1:2 on link 1", pc.Groups())
		}
		if udp.Joined(1, allDHCP) {
			t.Error("ff02::1:2 joined on the kernel socket for a packet-transport link")
		}

		pc.ClearWritten()
		pc.Inject(req.Bytes, client)
		// A Router Solicitation behind it is still the engine's.
		rs := []byte{133, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0x02, 0, 0, 0, 0, 0x0c}
		pc.Inject(rs, iface.Meta{IfIndex: 1, Src: client.Src, Dst: netip.MustParseAddr("ff02::2"), HopLimit: 255})
		time.Sleep(time.Second) // MAX_RA_DELAY_TIME
		synctest.Wait()
		var reply []byte
		ras := 0
		for _, p := range pc.Written() {
			switch {
			case p.Meta.DstPort == 546 && p.Meta.Dst == client.Src && p.Meta.IfIndex == 1:
				reply = p.Data
			case len(p.Data) > 0 && p.Data[0] == 134:
				ras++
			}
		}
		if len(reply) < 4 || reply[0] != 7 || !bytes.Equal(reply[1:4], req.Bytes[1:4]) || !hasAddr(reply, "2001:db8::55") {
			t.Errorf("no Reply with the DNS server written on the packet conn: %x (written %d)", reply, len(pc.Written()))
		}
		if ras == 0 {
			t.Error("no RA after the Router Solicitation")
		}
		if udp.WriteCount() != 0 {
			t.Errorf("%d packets written on the kernel socket", udp.WriteCount())
		}
		if got := d.Engine().Counters().RSReceived.Load(); got != 1 {
			t.Errorf("engine received %d RSes, want 1 (DHCPv6 is not the engine's)", got)
		}

		f.stop(t)
		if !pc.Closed() || !udp.Closed() {
			t.Errorf("after Run: packet conn closed %v, UDP conn closed %v", pc.Closed(), udp.Closed())
		}
	})
}
