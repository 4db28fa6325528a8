package dhcpv6_test

import (
	"bytes"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/radish-net/radish/dhcpv6"
	"github.com/radish-net/radish/internal/fixture"
)

func TestAppendDomainName(t *testing.T) {
	label63 := strings.Repeat("a", 63)
	long := strings.Repeat(label63+".", 4) // 4*64+1 = 257 octets encoded
	tests := []struct {
		name string
		want string // hex, "" for an error
	}{
		{"example.com", "076578616d706c6503636f6d00"},
		{"example.com.", "076578616d706c6503636f6d00"},
		{".", "00"},
		{"", "00"},
		{label63, "3f" + strings.Repeat("61", 63) + "00"},
		{label63 + "a", ""},
		{"a..b", ""},
		{".a", ""},
		{"a..", ""},
		{long, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := dhcpv6.AppendDomainName([]byte{0xee}, tt.name)
			if tt.want == "" {
				if !errors.Is(err, dhcpv6.ErrDomainName) || !bytes.Equal(got, []byte{0xee}) {
					t.Fatalf("got %x, %v; want ErrDomainName and dst unchanged", got, err)
				}
				return
			}
			if err != nil || !bytes.Equal(got[1:], fixture.Hex(t, tt.want)) {
				t.Fatalf("got %x, %v; want %s", got[1:], err, tt.want)
			}
		})
	}
}

func TestOptionBuilders(t *testing.T) {
	mk := musts(t)
	a1 := netip.MustParseAddr("2001:db8::1")
	tests := []struct {
		name string
		got  []byte
		want string
	}{
		{"dns", mk(dhcpv6.AppendDNSServers(nil, a1)), "0017 0010 20010db8000000000000000000000001"},
		{"dns empty", mk(dhcpv6.AppendDNSServers(nil)), "0017 0000"},
		{"sntp", mk(dhcpv6.AppendSNTPServers(nil, a1)), "001f 0010 20010db8000000000000000000000001"},
		{"search", mk(dhcpv6.AppendDomainSearch(nil, "a.b", "c")), "0018 0008 0161016200 016300"},
		{"ntp addr", mk(dhcpv6.AppendNTPServerAddr(nil, a1)), "0038 0014 0001 0010 20010db8000000000000000000000001"},
		{"ntp multicast", mk(dhcpv6.AppendNTPMulticast(nil, netip.MustParseAddr("ff05::101"))), "0038 0014 0002 0010 ff050000000000000000000000000101"},
		{"ntp fqdn", mk(dhcpv6.AppendNTPServerFQDN(nil, "a.b")), "0038 0009 0003 0005 0161016200"},
		{"info refresh", dhcpv6.AppendInfoRefreshTime(nil, dhcpv6.Infinity), "0020 0004 ffffffff"},
		{"sol max rt", dhcpv6.AppendSolMaxRT(nil, 3600), "0052 0004 00000e10"},
		{"inf max rt", dhcpv6.AppendInfMaxRT(nil, 60), "0053 0004 0000003c"},
		{"vendor", mk(dhcpv6.AppendVendorOpts(nil, 4491, dhcpv6.VendorOption{Code: 1, Data: []byte{9}})), "0011 0009 0000118b 0001 0001 09"},
		{"status", dhcpv6.AppendStatusCode(nil, dhcpv6.StatusNoAddrsAvail, "x"), "000d 0003 0002 78"},
		{"elapsed", dhcpv6.AppendElapsedTime(nil, 0x1234), "0008 0002 1234"},
		{"ia_na", dhcpv6.AppendIANA(nil, 0xdeadbeef, 0, 0, dhcpv6.StatusNoAddrsAvail, ""),
			"0003 0012 deadbeef 00000000 00000000 000d 0002 0002"},
		{"oro", dhcpv6.AppendORO(nil, 23, 24), "0006 0004 0017 0018"},
		{"relay port", dhcpv6.AppendRelaySourcePort(nil, 547), "0087 0002 0223"},
		{"dnr", mk(dhcpv6.AppendDNR(nil, 1, "a.b", []netip.Addr{a1}, fixture.Hex(t, "0001000403646f74"))),
			"0090 0023 0001 0005 0161016200 0010 20010db8000000000000000000000001 0001000403646f74"},
		{"dnr adn-only", mk(dhcpv6.AppendDNR(nil, 1, "a.b.", nil, nil)), "0090 0009 0001 0005 0161016200"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !bytes.Equal(tt.got, fixture.Hex(t, tt.want)) {
				t.Errorf("got  %x\nwant %s", tt.got, strings.ReplaceAll(tt.want, " ", ""))
			}
		})
	}
}

func TestOptionBuilderErrors(t *testing.T) {
	v4 := netip.MustParseAddr("192.0.2.1")
	a1 := netip.MustParseAddr("2001:db8::1")
	dst := []byte{0xee}
	tests := []struct {
		name string
		fn   func() ([]byte, error)
		want error
	}{
		{"dns v4", func() ([]byte, error) { return dhcpv6.AppendDNSServers(dst, a1, v4) }, dhcpv6.ErrAddress},
		{"dns v4-mapped", func() ([]byte, error) {
			return dhcpv6.AppendDNSServers(dst, netip.AddrFrom16(v4.As16()))
		}, dhcpv6.ErrAddress},
		{"sntp zero addr", func() ([]byte, error) { return dhcpv6.AppendSNTPServers(dst, netip.Addr{}) }, dhcpv6.ErrAddress},
		{"ntp v4", func() ([]byte, error) { return dhcpv6.AppendNTPServerAddr(dst, v4) }, dhcpv6.ErrAddress},
		{"ntp bad name", func() ([]byte, error) { return dhcpv6.AppendNTPServerFQDN(dst, "a..b") }, dhcpv6.ErrDomainName},
		{"search bad name", func() ([]byte, error) { return dhcpv6.AppendDomainSearch(dst, "ok", "a..b") }, dhcpv6.ErrDomainName},
		{"dnr priority 0", func() ([]byte, error) { return dhcpv6.AppendDNR(dst, 0, "a.b", nil, nil) }, dhcpv6.ErrDNR},
		{"dnr params without addresses", func() ([]byte, error) { return dhcpv6.AppendDNR(dst, 1, "a.b", nil, []byte{0, 1}) }, dhcpv6.ErrDNR},
		{"dnr root adn", func() ([]byte, error) { return dhcpv6.AppendDNR(dst, 1, ".", nil, nil) }, dhcpv6.ErrDNR},
		{"dnr v4", func() ([]byte, error) { return dhcpv6.AppendDNR(dst, 1, "a.b", []netip.Addr{v4}, nil) }, dhcpv6.ErrAddress},
		{"vendor too long", func() ([]byte, error) {
			return dhcpv6.AppendVendorOpts(dst, 1, dhcpv6.VendorOption{Data: make([]byte, 70000)})
		}, dhcpv6.ErrOptionTooLong},
		{"search too long", func() ([]byte, error) {
			names := make([]string, 400) // 400 × 193 octets
			for i := range names {
				names[i] = strings.Repeat("a", 63) + "." + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63)
			}
			return dhcpv6.AppendDomainSearch(dst, names...)
		}, dhcpv6.ErrOptionTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.fn()
			if !errors.Is(err, tt.want) || !bytes.Equal(got, dst) {
				t.Errorf("got %d octets, %v; want %v and dst unchanged", len(got), err, tt.want)
			}
		})
	}
}
