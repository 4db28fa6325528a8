package iface_test

import (
	"net"
	"testing"
	"time"

	"github.com/mdlayher/packet"

	"github.com/radish-net/radish/iface"
)

// rawHost opens an AF_PACKET socket on the host's eth0 that can write any
// frame.
func rawHost(t *testing.T, p *pktLab) *packet.Conn {
	t.Helper()
	var raw *packet.Conn
	if err := p.host.Do(func() error {
		ifi, err := net.InterfaceByName("eth0")
		if err != nil {
			return err
		}
		raw, err = packet.Listen(ifi, packet.Raw, 0x0003, nil) // ETH_P_ALL
		return err
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

// vlanTag inserts an 802.1Q tag with VLAN ID vid after the MAC addresses.
func vlanTag(b []byte, vid uint16) []byte {
	out := append([]byte{}, b[:12]...)
	out = append(out, 0x81, 0x00, byte(vid>>8), byte(vid))
	return append(out, b[12:]...)
}

// TestPacketOtherHostDropped: frames that are not for this station are not
// delivered: one tagged for VLAN 100 (the kernel strips the tag and marks
// the frame for another host, there being no VLAN link here), and one
// unicast to another station's MAC that a promiscuous bridge hands up.
// A valid frame sent next is delivered, so the link itself works.
func TestPacketOtherHostDropped(t *testing.T) {
	for _, tc := range []struct {
		name    string
		promisc bool
		bad     func(good iface.Frame, goodBytes []byte) ([]byte, [6]byte)
	}{
		{"VLAN 100", false, func(good iface.Frame, b []byte) ([]byte, [6]byte) { return vlanTag(b, 100), good.DstMAC }},
		{"another station", true, func(good iface.Frame, _ []byte) ([]byte, [6]byte) {
			good.DstMAC = [6]byte{0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee}
			good.Dst = iface.LinkLocalFromMAC(good.DstMAC)
			b, err := iface.AppendFrame(nil, &good)
			if err != nil {
				t.Fatal(err)
			}
			return b, good.DstMAC
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPktLab(t, false)
			p.host.Up("eth0")
			p.waitBridgeUp(t)
			if tc.promisc {
				p.router.IP("link", "set", "br0", "promisc", "on")
			}
			raw := rawHost(t, p)
			good := dhclientFrame(t)
			good.SrcMAC = p.hostMAC
			goodBytes, err := iface.AppendFrame(nil, &good)
			if err != nil {
				t.Fatal(err)
			}
			bad, dst := tc.bad(good, goodBytes)
			if _, err := raw.WriteTo(bad, &packet.Addr{HardwareAddr: net.HardwareAddr(dst[:])}); err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 1500)
			var m iface.Meta
			p.conn.SetReadDeadline(time.Now().Add(time.Second))
			if n, err := p.conn.ReadFrom(buf, &m); err == nil {
				t.Fatalf("delivered: %d bytes, %+v", n, m)
			}
			if r := p.conn.Counters().Received.Load(); r != 0 {
				t.Errorf("%d frames passed the filter, want 0", r)
			}
			if _, err := raw.WriteTo(goodBytes, &packet.Addr{HardwareAddr: net.HardwareAddr(good.DstMAC[:])}); err != nil {
				t.Fatal(err)
			}
			if n := p.read(t, buf, &m); m.Dst != good.Dst || n != len(good.Payload) {
				t.Errorf("valid frame read as %d bytes for %v, want %d for %v", n, m.Dst, len(good.Payload), good.Dst)
			}
		})
	}
}
