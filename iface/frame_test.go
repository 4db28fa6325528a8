package iface_test

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"net/netip"
	"strings"
	"testing"

	"github.com/radish-net/radish/iface"
	"github.com/radish-net/radish/internal/inet"
)

// From ra/testdata/linux-kernel-rs.hex:
//
//	# Linux kernel RS sent by the host when its interface came up
//	# ICMPv6 message only (16 bytes); checksum pseudo-header: src fe80::c4:ff:fe00:2 dst ff02::2; IPv6 hop limit 255; eth src 02:c4:00:00:00:02 dst 33:33:00:00:00:02
//	# captured 2026-11-27 on Linux 6.18.44-fc-v782
const kernelRSHex = "85 00 79 a2 00 00 00 00 01 01 02 c4 00 00 00 02"

// From dhcpv6/testdata/dhclient-information-request.hex:
//
//	# isc-dhcp-client 4.4.3-P1-2: dhclient -6 -S -d -sf /bin/true c0; 2026-11-27
//	# DHCPv6 message (UDP payload, 36 bytes); envelope [fe80::c]:546 -> [ff02::1:2]:547 hlim 1
//	# decoded: Information-request xid=7b23c6 CID=0003000102c60000000c ORO[23, 24, 39, 31] ET=0
const dhclientInfoReqHex = `
0b 7b 23 c6 00 01 00 0a 00 03 00 01 02 c6 00 00
00 0c 00 06 00 08 00 17 00 18 00 27 00 1f 00 08
00 02 00 00`

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var hostMAC = [6]byte{0x02, 0xc4, 0, 0, 0, 0x02}

// kernelRSFrame is the kernel's RS as it appeared on the wire.
func kernelRSFrame(t testing.TB) iface.Frame {
	return iface.Frame{
		DstMAC:     [6]byte{0x33, 0x33, 0, 0, 0, 2},
		SrcMAC:     hostMAC,
		Src:        netip.MustParseAddr("fe80::c4:ff:fe00:2"),
		Dst:        netip.MustParseAddr("ff02::2"),
		HopLimit:   255,
		NextHeader: inet.ProtoICMPv6,
		Payload:    unhex(t, kernelRSHex),
	}
}

func dhclientFrame(t testing.TB) iface.Frame {
	return iface.Frame{
		DstMAC:     iface.MulticastMAC(netip.MustParseAddr("ff02::1:2")),
		SrcMAC:     [6]byte{0x02, 0xc6, 0, 0, 0, 0x0c},
		Src:        netip.MustParseAddr("fe80::c"),
		Dst:        netip.MustParseAddr("ff02::1:2"),
		HopLimit:   1,
		NextHeader: inet.ProtoUDP,
		SrcPort:    546,
		DstPort:    547,
		Payload:    unhex(t, dhclientInfoReqHex),
	}
}

func TestLinkLocalFromMAC(t *testing.T) {
	for _, tc := range []struct {
		mac  [6]byte
		want string
	}{
		{hostMAC, "fe80::c4:ff:fe00:2"}, // the kernel's choice in linux-kernel-rs.hex
		{[6]byte{0x00, 0x1b, 0x21, 0x3a, 0x4b, 0x5c}, "fe80::21b:21ff:fe3a:4b5c"},
		{[6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, "fe80::fdff:ffff:feff:ffff"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			if got := iface.LinkLocalFromMAC(tc.mac); got != netip.MustParseAddr(tc.want) {
				t.Errorf("LinkLocalFromMAC(% x) = %v, want %s", tc.mac, got, tc.want)
			}
		})
	}
}

func TestMulticastMAC(t *testing.T) {
	for _, tc := range []struct {
		group string
		want  [6]byte
	}{
		{"ff02::1", [6]byte{0x33, 0x33, 0, 0, 0, 1}},
		{"ff02::2", [6]byte{0x33, 0x33, 0, 0, 0, 2}},
		{"ff02::1:2", [6]byte{0x33, 0x33, 0, 1, 0, 2}},
		{"ff05::1:3", [6]byte{0x33, 0x33, 0, 1, 0, 3}},
		{"ff02::1:ff12:3456", [6]byte{0x33, 0x33, 0xff, 0x12, 0x34, 0x56}},
	} {
		t.Run(tc.group, func(t *testing.T) {
			if got := iface.MulticastMAC(netip.MustParseAddr(tc.group)); got != tc.want {
				t.Errorf("MulticastMAC(%s) = % x, want % x", tc.group, got, tc.want)
			}
		})
	}
}

// TestAppendFrameKernelRS rebuilds the kernel's RS and checks the wire
// bytes field by field, including the kernel's checksum 0x79a2.
func TestAppendFrameKernelRS(t *testing.T) {
	f := kernelRSFrame(t)
	wire := bytes.Clone(f.Payload)
	f.Payload[2], f.Payload[3] = 0xde, 0xad // AppendFrame must ignore and not modify this
	b, err := iface.AppendFrame([]byte("prefix"), &f)
	if err != nil {
		t.Fatal(err)
	}
	if f.Payload[2] != 0xde || f.Payload[3] != 0xad {
		t.Error("AppendFrame modified the caller's payload")
	}
	if string(b[:6]) != "prefix" {
		t.Fatalf("AppendFrame overwrote the existing bytes: %q", b[:6])
	}
	b = b[6:]
	want := unhex(t, `
		33 33 00 00 00 02  02 c4 00 00 00 02  86 dd
		60 00 00 00  00 10 3a ff
		fe 80 00 00 00 00 00 00 00 c4 00 ff fe 00 00 02
		ff 02 00 00 00 00 00 00 00 00 00 00 00 00 00 02`)
	want = append(want, wire...)
	if !bytes.Equal(b, want) {
		t.Fatalf("frame:\n got % x\nwant % x", b, want)
	}
}

func TestFrameRoundTrip(t *testing.T) {
	for name, build := range map[string]func(testing.TB) iface.Frame{
		"kernel RS":         kernelRSFrame,
		"dhclient inforeq":  dhclientFrame,
		"UDP empty payload": func(t testing.TB) iface.Frame { f := dhclientFrame(t); f.Payload = nil; return f },
		"traffic class flow": func(t testing.TB) iface.Frame {
			f := dhclientFrame(t)
			f.TrafficClass, f.FlowLabel = 0xb8, 0xabcde
			return f
		},
	} {
		t.Run(name, func(t *testing.T) {
			f := build(t)
			b, err := iface.AppendFrame(nil, &f)
			if err != nil {
				t.Fatal(err)
			}
			var g iface.Frame
			if err := iface.ParseFrame(b, &g); err != nil {
				t.Fatalf("ParseFrame(AppendFrame(f)): %v", err)
			}
			// The ICMPv6 checksum field is the computed one; compare the rest.
			wantPayload := bytes.Clone(f.Payload)
			if f.NextHeader == inet.ProtoICMPv6 {
				copy(wantPayload[2:4], g.Payload[2:4])
			}
			if g.DstMAC != f.DstMAC || g.SrcMAC != f.SrcMAC || g.Src != f.Src || g.Dst != f.Dst ||
				g.HopLimit != f.HopLimit || g.NextHeader != f.NextHeader || g.SrcPort != f.SrcPort ||
				g.DstPort != f.DstPort || g.TrafficClass != f.TrafficClass || g.FlowLabel != f.FlowLabel ||
				!bytes.Equal(g.Payload, wantPayload) {
				t.Errorf("round trip:\n got %+v\nwant %+v", g, f)
			}
			// Ethernet padding after the IPv6 payload is ignored.
			padded := append(bytes.Clone(b), 0, 0, 0, 0)
			if err := iface.ParseFrame(padded, &g); err != nil || len(g.Payload) != len(wantPayload) {
				t.Errorf("padded frame: %v, payload %d bytes", err, len(g.Payload))
			}
		})
	}
}

func TestAppendFrameUDPChecksum(t *testing.T) {
	f := dhclientFrame(t)
	b, err := iface.AppendFrame(nil, &f)
	if err != nil {
		t.Fatal(err)
	}
	udp := b[iface.EthernetHeaderLen+iface.IPv6HeaderLen:]
	if got := binary.BigEndian.Uint16(udp[4:]); int(got) != iface.UDPHeaderLen+len(f.Payload) {
		t.Errorf("UDP length %d", got)
	}
	if inet.Checksum(f.Src, f.Dst, inet.ProtoUDP, udp) != 0 {
		t.Error("UDP checksum does not verify")
	}
	// Find a payload whose checksum computes to zero: it must be sent as
	// 0xffff (RFC 768), and still verify.
	f.Payload = make([]byte, 2)
	for v := range 0x10000 {
		binary.BigEndian.PutUint16(f.Payload, uint16(v))
		b, err = iface.AppendFrame(b[:0], &f)
		if err != nil {
			t.Fatal(err)
		}
		udp = b[iface.EthernetHeaderLen+iface.IPv6HeaderLen:]
		if c := binary.BigEndian.Uint16(udp[6:]); c == 0 {
			t.Fatalf("payload %04x: UDP checksum sent as zero", v)
		} else if c == 0xffff {
			var g iface.Frame
			if err := iface.ParseFrame(b, &g); err != nil {
				t.Fatalf("payload %04x with checksum 0xffff: %v", v, err)
			}
			return
		}
	}
	t.Fatal("no payload produced a zero checksum")
}

func TestParseFrameErrors(t *testing.T) {
	rs, err := iface.AppendFrame(nil, new(kernelRSFrame(t)))
	if err != nil {
		t.Fatal(err)
	}
	udp, err := iface.AppendFrame(nil, new(dhclientFrame(t)))
	if err != nil {
		t.Fatal(err)
	}
	const ip = iface.EthernetHeaderLen
	const upper = ip + iface.IPv6HeaderLen
	edit := func(b []byte, f func(b []byte)) []byte { b = bytes.Clone(b); f(b); return b }
	for _, tc := range []struct {
		name string
		b    []byte
		want error
	}{
		{"empty", nil, iface.ErrFrameShort},
		{"no IPv6 header", rs[:upper-1], iface.ErrFrameShort},
		{"IPv4 EtherType", edit(rs, func(b []byte) { b[12], b[13] = 0x08, 0x00 }), iface.ErrFrameNotIPv6},
		{"VLAN tag", edit(rs, func(b []byte) { b[12], b[13] = 0x81, 0x00 }), iface.ErrFrameNotIPv6},
		{"IP version 4", edit(rs, func(b []byte) { b[ip] = 0x45 }), iface.ErrFrameNotIPv6},
		{"hop-by-hop header", edit(rs, func(b []byte) { b[ip+6] = 0 }), iface.ErrFrameNextHeader},
		{"TCP", edit(rs, func(b []byte) { b[ip+6] = 6 }), iface.ErrFrameNextHeader},
		{"payload beyond frame", rs[:len(rs)-1], iface.ErrFrameLength},
		{"ICMPv6 too short", edit(rs[:upper+3], func(b []byte) { b[ip+5] = 3 }), iface.ErrFrameShort},
		{"ICMPv6 bad checksum", edit(rs, func(b []byte) { b[len(b)-1] ^= 1 }), iface.ErrFrameChecksum},
		{"ICMPv6 bad source", edit(rs, func(b []byte) { b[ip+8+15] ^= 1 }), iface.ErrFrameChecksum},
		{"UDP too short", edit(udp[:upper+7], func(b []byte) { b[ip+4], b[ip+5] = 0, 7 }), iface.ErrFrameShort},
		{"UDP length mismatch", edit(udp, func(b []byte) { b[upper+5]-- }), iface.ErrFrameLength},
		{"UDP zero checksum", edit(udp, func(b []byte) { b[upper+6], b[upper+7] = 0, 0 }), iface.ErrFrameChecksum},
		{"UDP bad checksum", edit(udp, func(b []byte) { b[upper+9] ^= 0x80 }), iface.ErrFrameChecksum},
		{"UDP bad port", edit(udp, func(b []byte) { b[upper+3]++ }), iface.ErrFrameChecksum},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var f iface.Frame
			if err := iface.ParseFrame(tc.b, &f); err != tc.want {
				t.Errorf("ParseFrame = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestAppendFrameErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(f *iface.Frame)
		want error
	}{
		{"zero source", func(f *iface.Frame) { f.Src = netip.Addr{} }, iface.ErrFrameAddr},
		{"IPv4 destination", func(f *iface.Frame) { f.Dst = netip.MustParseAddr("192.0.2.1") }, iface.ErrFrameAddr},
		{"ICMPv6 too short", func(f *iface.Frame) { f.Payload = f.Payload[:3] }, iface.ErrFramePayload},
		{"UDP too long", func(f *iface.Frame) { f.NextHeader = inet.ProtoUDP; f.Payload = make([]byte, 0xffff-7) }, iface.ErrFramePayload},
		{"next header", func(f *iface.Frame) { f.NextHeader = 6 }, iface.ErrFrameNextHeader},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := kernelRSFrame(t)
			tc.edit(&f)
			b, err := iface.AppendFrame([]byte{1, 2}, &f)
			if err != tc.want {
				t.Errorf("AppendFrame = %v, want %v", err, tc.want)
			}
			if len(b) != 2 {
				t.Errorf("AppendFrame on error returned %d bytes, want the input's 2", len(b))
			}
		})
	}
}

func TestFrameNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under -race")
	}
	rs, udp := kernelRSFrame(t), dhclientFrame(t)
	buf := make([]byte, 0, 1518)
	var g iface.Frame
	allocs := testing.AllocsPerRun(100, func() {
		for _, f := range []*iface.Frame{&rs, &udp} {
			b, err := iface.AppendFrame(buf[:0], f)
			if err != nil {
				panic(err)
			}
			if err := iface.ParseFrame(b, &g); err != nil {
				panic(err)
			}
		}
		_ = iface.LinkLocalFromMAC(hostMAC)
		_ = iface.MulticastMAC(rs.Dst)
	})
	if allocs != 0 {
		t.Errorf("AppendFrame+ParseFrame allocate %v times per run, want 0", allocs)
	}
}

func FuzzParseFrame(f *testing.F) {
	for _, fr := range []iface.Frame{kernelRSFrame(f), dhclientFrame(f)} {
		b, err := iface.AppendFrame(nil, &fr)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var p iface.Frame
		if iface.ParseFrame(b, &p) != nil {
			return
		}
		// A frame that parses is rebuilt byte for byte, up to the end of
		// its IPv6 payload, except for the ICMPv6 checksum, where 0x0000
		// and 0xffff are the same one's complement value.
		out, err := iface.AppendFrame(nil, &p)
		if err != nil {
			t.Fatalf("AppendFrame of a parsed frame: %v", err)
		}
		if len(out) > len(b) {
			t.Fatalf("rebuilt frame is %d bytes, input %d", len(out), len(b))
		}
		in := bytes.Clone(b[:len(out)])
		if p.NextHeader == inet.ProtoICMPv6 {
			const c = iface.EthernetHeaderLen + iface.IPv6HeaderLen + 2
			in[c], in[c+1], out[c], out[c+1] = 0, 0, 0, 0
		}
		if !bytes.Equal(in, out) {
			t.Fatalf("round trip:\n in % x\nout % x", in, out)
		}
	})
}

func BenchmarkAppendFrame(b *testing.B) {
	f := dhclientFrame(b)
	buf := make([]byte, 0, 1518)
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = iface.AppendFrame(buf[:0], &f)
	}
}

func BenchmarkParseFrame(b *testing.B) {
	f := dhclientFrame(b)
	buf, err := iface.AppendFrame(nil, &f)
	if err != nil {
		b.Fatal(err)
	}
	var g iface.Frame
	b.ReportAllocs()
	for b.Loop() {
		if err := iface.ParseFrame(buf, &g); err != nil {
			b.Fatal(err)
		}
	}
}
