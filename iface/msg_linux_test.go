package iface_test

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/radish-net/radish/iface"
)

var (
	llA     = netip.MustParseAddr("fe80::1")
	llB     = netip.MustParseAddr("fe80::2")
	global  = netip.MustParseAddr("2001:db8::1")
	allNode = netip.MustParseAddr("ff02::1")
	allRtr  = netip.MustParseAddr("ff02::2")
)

// kernelControl builds control messages the way the kernel does, with the
// x/sys helpers as the reference.
func kernelControl(dst netip.Addr, ifIndex int, hopLimit int) []byte {
	var b []byte
	if dst.IsValid() {
		b = append(b, unix.PktInfo6(&unix.Inet6Pktinfo{Addr: dst.As16(), Ifindex: uint32(ifIndex)})...)
	}
	if hopLimit >= 0 {
		h := make([]byte, unix.CmsgSpace(4))
		hdr := (*unix.Cmsghdr)(unsafe.Pointer(&h[0]))
		hdr.Level = unix.IPPROTO_IPV6
		hdr.Type = unix.IPV6_HOPLIMIT
		hdr.SetLen(unix.CmsgLen(4))
		binary.NativeEndian.PutUint32(h[unix.CmsgLen(0):], uint32(hopLimit))
		b = append(b, h...)
	}
	return b
}

func TestParseControl(t *testing.T) {
	rights := unix.UnixRights(7) // a message of another level, to be skipped
	tests := []struct {
		name string
		b    []byte
		want iface.Meta
	}{
		{"pktinfo and hop limit", kernelControl(allRtr, 5, 255), iface.Meta{Dst: allRtr, IfIndex: 5, HopLimit: 255}},
		{"hop limit first", append(kernelControl(netip.Addr{}, 0, 64), kernelControl(global, 9, -1)...), iface.Meta{Dst: global, IfIndex: 9, HopLimit: 64}},
		{"pktinfo only", kernelControl(global, 3, -1), iface.Meta{Dst: global, IfIndex: 3}},
		{"other level skipped", append(rights, kernelControl(llA, 2, 1)...), iface.Meta{Dst: llA, IfIndex: 2, HopLimit: 1}},
		{"empty", nil, iface.Meta{}},
		{"short header", make([]byte, unix.SizeofCmsghdr-1), iface.Meta{}},
		{"length beyond buffer", kernelControl(global, 3, 255)[:unix.CmsgSpace(20)-8], iface.Meta{}},
		{"truncated second message", kernelControl(global, 3, 255)[:unix.CmsgSpace(20)+unix.SizeofCmsghdr], iface.Meta{Dst: global, IfIndex: 3}},
	}
	zeroLen := kernelControl(global, 3, -1)
	binary.NativeEndian.PutUint64(zeroLen, 0)
	tests = append(tests, struct {
		name string
		b    []byte
		want iface.Meta
	}{"zero length", zeroLen, iface.Meta{}})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m iface.Meta
			iface.ParseControl(tt.b, &m)
			if m != tt.want {
				t.Errorf("ParseControl = %+v, want %+v", m, tt.want)
			}
		})
	}
}

func TestBuildControl(t *testing.T) {
	tests := []struct {
		name        string
		m           iface.Meta
		wantPktinfo bool
		wantSrc     netip.Addr // unspecified when the kernel chooses
		wantHop     int        // -1: no IPV6_HOPLIMIT message
	}{
		{"ifindex only", iface.Meta{IfIndex: 4, Dst: allNode}, true, netip.IPv6Unspecified(), -1},
		{"ifindex and source", iface.Meta{IfIndex: 4, Src: llA, Dst: llB}, true, llA, -1},
		{"multicast source ignored", iface.Meta{IfIndex: 4, Src: netip.MustParseAddr("ff02::1:2"), Dst: llB}, true, netip.IPv6Unspecified(), -1},
		{"IPv4 source ignored", iface.Meta{IfIndex: 4, Src: netip.MustParseAddr("192.0.2.1"), Dst: llB}, true, netip.IPv6Unspecified(), -1},
		{"hop limit", iface.Meta{IfIndex: 1, Dst: allNode, HopLimit: 64}, true, netip.IPv6Unspecified(), 64},
		{"nothing", iface.Meta{Dst: global}, false, netip.Addr{}, -1},
		{"source without ifindex", iface.Meta{Src: global, Dst: global}, true, global, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b [iface.OOBSize]byte
			n := iface.BuildControl(b[:], &tt.m)
			msgs, err := unix.ParseSocketControlMessage(b[:n])
			if err != nil {
				t.Fatalf("x/sys cannot parse our control messages: %v", err)
			}
			var gotPkt, gotHop bool
			for _, cm := range msgs {
				if cm.Header.Level != unix.IPPROTO_IPV6 {
					t.Errorf("level %d", cm.Header.Level)
					continue
				}
				switch cm.Header.Type {
				case unix.IPV6_PKTINFO:
					gotPkt = true
					if len(cm.Data) != 20 {
						t.Fatalf("pktinfo length %d", len(cm.Data))
					}
					if src := netip.AddrFrom16([16]byte(cm.Data[:16])); src != tt.wantSrc {
						t.Errorf("pktinfo source %v, want %v", src, tt.wantSrc)
					}
					if ifi := int(binary.NativeEndian.Uint32(cm.Data[16:])); ifi != tt.m.IfIndex {
						t.Errorf("pktinfo ifindex %d, want %d", ifi, tt.m.IfIndex)
					}
				case unix.IPV6_HOPLIMIT:
					gotHop = true
					if h := int(int32(binary.NativeEndian.Uint32(cm.Data))); h != tt.wantHop {
						t.Errorf("hop limit %d, want %d", h, tt.wantHop)
					}
				default:
					t.Errorf("unexpected type %d", cm.Header.Type)
				}
			}
			if gotPkt != tt.wantPktinfo {
				t.Errorf("pktinfo present %v, want %v", gotPkt, tt.wantPktinfo)
			}
			if gotHop != (tt.wantHop >= 0) {
				t.Errorf("hop limit present %v, want %v", gotHop, tt.wantHop >= 0)
			}
			// Our parser reads back what our builder wrote.
			var m iface.Meta
			iface.ParseControl(b[:n], &m)
			if tt.wantPktinfo && (m.IfIndex != tt.m.IfIndex || m.Dst != tt.wantSrc) {
				t.Errorf("round trip: %+v", m)
			}
		})
	}
}

func TestPrepareWrite(t *testing.T) {
	payload := []byte{134, 0, 0, 0, 64, 0, 7, 8}
	tests := []struct {
		name      string
		m         iface.Meta
		wantScope uint32
		wantPort  uint16
		wantOOB   bool
	}{
		{"link-local multicast gets scope", iface.Meta{IfIndex: 7, Dst: allNode}, 7, 0, true},
		{"link-local unicast gets scope", iface.Meta{IfIndex: 7, Dst: llB, DstPort: 546}, 7, 546, true},
		{"global has no scope", iface.Meta{IfIndex: 7, Dst: global, DstPort: 547}, 0, 547, true},
		{"no control", iface.Meta{Dst: global}, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := iface.PrepareWrite(payload, &tt.m)
			if err != nil {
				t.Fatal(err)
			}
			if !p.NameIsOwn || !p.IovIsOwn {
				t.Errorf("msghdr does not point at its own storage: %+v", p)
			}
			if p.Namelen != unix.SizeofSockaddrInet6 || p.Name.Family != unix.AF_INET6 {
				t.Errorf("name %+v len %d", p.Name, p.Namelen)
			}
			if netip.AddrFrom16(p.Name.Addr) != tt.m.Dst || p.Name.Scope_id != tt.wantScope {
				t.Errorf("name addr %v scope %d", netip.AddrFrom16(p.Name.Addr), p.Name.Scope_id)
			}
			port := (*[2]byte)(unsafe.Pointer(&p.Name.Port))
			if got := binary.BigEndian.Uint16(port[:]); got != tt.wantPort {
				t.Errorf("port %d (network order), want %d", got, tt.wantPort)
			}
			if p.IovBase != &payload[0] || p.IovLen != uint64(len(payload)) {
				t.Errorf("iovec %p/%d, want %p/%d", p.IovBase, p.IovLen, &payload[0], len(payload))
			}
			if (p.Control != nil) != tt.wantOOB || (tt.wantOOB && (!p.OOBIsOwn || p.Controllen != uint64(unix.CmsgSpace(20)))) {
				t.Errorf("control %x (len %d, own %v)", p.Control, p.Controllen, p.OOBIsOwn)
			}
		})
	}
	for _, bad := range []netip.Addr{{}, netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("::ffff:192.0.2.1")} {
		if _, err := iface.PrepareWrite(payload, &iface.Meta{Dst: bad}); !errors.Is(err, iface.ErrDestination) {
			t.Errorf("destination %v: err %v, want ErrDestination", bad, err)
		}
	}
}

func TestPrepareRead(t *testing.T) {
	b := make([]byte, 1500)
	namelen, controllen, base, n := iface.PreparedRead(b)
	if namelen != unix.SizeofSockaddrInet6 || controllen != iface.OOBSize || base != &b[0] || n != 1500 {
		t.Errorf("got namelen %d controllen %d base %p len %d", namelen, controllen, base, n)
	}
	if _, _, base, n := iface.PreparedRead(nil); base != nil || n != 0 {
		t.Errorf("empty buffer: base %p len %d", base, n)
	}
}

func TestReceivedMeta(t *testing.T) {
	name := unix.RawSockaddrInet6{Family: unix.AF_INET6, Addr: llB.As16(), Scope_id: 3}
	binary.BigEndian.PutUint16((*[2]byte)(unsafe.Pointer(&name.Port))[:], 546)
	got := iface.ReceivedMeta(name, kernelControl(netip.MustParseAddr("ff02::1:2"), 4, 1), 547)
	want := iface.Meta{IfIndex: 4, Src: llB, Dst: netip.MustParseAddr("ff02::1:2"), SrcPort: 546, DstPort: 547, HopLimit: 1}
	if got != want {
		t.Errorf("meta %+v, want %+v", got, want)
	}
	// Without pktinfo, the scope id of a link-local source names the link.
	got = iface.ReceivedMeta(name, nil, 547)
	if got.IfIndex != 3 || got.Dst.IsValid() {
		t.Errorf("meta without control: %+v", got)
	}
}

// FuzzParseControl checks that any control buffer parses without panic,
// and that what buildControl writes parses back.
func FuzzParseControl(f *testing.F) {
	f.Add(kernelControl(allRtr, 5, 255))
	f.Add(append(unix.UnixRights(1), kernelControl(global, 3, 64)...))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		var m iface.Meta
		iface.ParseControl(b, &m)
		if m.Dst.IsValid() && !m.Dst.Is6() {
			t.Errorf("Dst %v is not IPv6", m.Dst)
		}
		var out [iface.OOBSize]byte
		n := iface.BuildControl(out[:], &m)
		var back iface.Meta
		iface.ParseControl(out[:n], &back)
		if back.IfIndex != m.IfIndex {
			t.Errorf("ifindex %d built, %d parsed", m.IfIndex, back.IfIndex)
		}
	})
}
