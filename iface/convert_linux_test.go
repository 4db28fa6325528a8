package iface_test

import (
	"net"
	"net/netip"
	"testing"

	"github.com/jsimonetti/rtnetlink/v2"
	"golang.org/x/sys/unix"

	"github.com/radish-net/radish/iface"
)

func TestLinkFromMessage(t *testing.T) {
	mac := net.HardwareAddr{2, 0, 0, 0, 0, 1}
	master := uint32(7)
	tests := []struct {
		name  string
		flags uint32
		oper  rtnetlink.OperationalState
		addr  net.HardwareAddr
		want  iface.Link
	}{
		{"up and oper up", unix.IFF_UP | unix.IFF_RUNNING, rtnetlink.OperStateUp, mac,
			iface.Link{Up: true, HardwareAddr: [6]byte(mac)}},
		{"oper unknown but running (loopback)", unix.IFF_UP | unix.IFF_RUNNING, rtnetlink.OperStateUnknown, nil,
			iface.Link{Up: true}},
		{"oper unknown, not running", unix.IFF_UP, rtnetlink.OperStateUnknown, nil, iface.Link{}},
		{"admin up, lower layer down", unix.IFF_UP, rtnetlink.OperStateLowerLayerDown, mac,
			iface.Link{HardwareAddr: [6]byte(mac)}},
		{"admin down, oper up", unix.IFF_RUNNING, rtnetlink.OperStateUp, nil, iface.Link{}},
		{"dormant", unix.IFF_UP | unix.IFF_RUNNING, rtnetlink.OperStateDormant, nil, iface.Link{}},
		{"non-Ethernet address ignored", unix.IFF_UP | unix.IFF_RUNNING, rtnetlink.OperStateUp, make(net.HardwareAddr, 20),
			iface.Link{Up: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lm := &rtnetlink.LinkMessage{Index: 4, Flags: tt.flags, Attributes: &rtnetlink.LinkAttributes{
				Name: "eth0", MTU: 9000, Address: tt.addr, OperationalState: tt.oper, Master: &master,
			}}
			want := tt.want
			want.Index, want.Name, want.MTU, want.Master = 4, "eth0", 9000, 7
			if got := iface.LinkFromMessage(lm); got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
	}
	if got := iface.LinkFromMessage(&rtnetlink.LinkMessage{Index: 3}); got != (iface.Link{Index: 3}) {
		t.Errorf("no attributes: %+v", got)
	}
}

func TestAddrFromMessage(t *testing.T) {
	local := net.ParseIP("2001:db8::1")
	peer := net.ParseIP("2001:db8::2")
	tests := []struct {
		name   string
		msg    rtnetlink.AddressMessage
		want   iface.Addr
		wantOK bool
	}{
		{"plain", rtnetlink.AddressMessage{Family: unix.AF_INET6, PrefixLength: 64, Flags: 0x80, Index: 2,
			Attributes: &rtnetlink.AddressAttributes{Address: local, Flags: 0x80,
				CacheInfo: rtnetlink.CacheInfo{Preferred: iface.Infinite, Valid: iface.Infinite}}},
			iface.Addr{IfIndex: 2, Prefix: netip.MustParsePrefix("2001:db8::1/64"), Flags: iface.AddrPermanent,
				Preferred: iface.Infinite, Valid: iface.Infinite}, true},
		{"point-to-point: IFA_LOCAL is ours", rtnetlink.AddressMessage{Family: unix.AF_INET6, PrefixLength: 128, Index: 2,
			Attributes: &rtnetlink.AddressAttributes{Address: peer, Local: local}},
			iface.Addr{IfIndex: 2, Prefix: netip.MustParsePrefix("2001:db8::1/128")}, true},
		{"32-bit flags and lifetimes", rtnetlink.AddressMessage{Family: unix.AF_INET6, PrefixLength: 64, Flags: 0x40, Index: 3,
			Attributes: &rtnetlink.AddressAttributes{Address: local, Flags: 0x40 | 0x100 | 0x02,
				CacheInfo: rtnetlink.CacheInfo{Preferred: 100, Valid: 200}}},
			iface.Addr{IfIndex: 3, Prefix: netip.MustParsePrefix("2001:db8::1/64"),
				Flags: iface.AddrTentative | iface.AddrNoDAD | 0x100, Preferred: 100, Valid: 200}, true},
		{"no attributes", rtnetlink.AddressMessage{Family: unix.AF_INET6}, iface.Addr{}, false},
		{"IPv4", rtnetlink.AddressMessage{Family: unix.AF_INET, PrefixLength: 24,
			Attributes: &rtnetlink.AddressAttributes{Address: net.IPv4(192, 0, 2, 1).To4()}}, iface.Addr{}, false},
		{"bad prefix length", rtnetlink.AddressMessage{Family: unix.AF_INET6, PrefixLength: 129,
			Attributes: &rtnetlink.AddressAttributes{Address: local}}, iface.Addr{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := iface.AddrFromMessage(&tt.msg)
			if ok != tt.wantOK || got != tt.want {
				t.Errorf("got %+v, %v; want %+v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
