package dhcpv6_test

import (
	"bytes"
	"testing"

	"github.com/radish-net/radish/dhcpv6"
	"github.com/radish-net/radish/internal/fixture"
)

func TestAppendSvcParams(t *testing.T) {
	tests := []struct {
		in   string
		want string // hex; "-" for ErrSvcParams
	}{
		{"", ""},
		{"alpn=dot", "0001 0004 03646f74"},
		{"port=853 alpn=dot", "0001 0004 03646f74 0003 0002 0355"},
		{`alpn="h2,h3" dohpath=/q{?dns}`, "0001 0006 026832 026833 0007 0008 2f717b3f646e737d"},
		{"no-default-alpn alpn=doq mandatory=port,alpn port=8853", "0000 0004 00010003 0001 0004 03646f71 0002 0000 0003 0002 2295"},
		{"ipv6hint=2001:db8::1", "-"},
		{"alpn=dot alpn=doq", "-"},
		{"alpn=", "-"},
		{"alpn=a,,b", "-"},
		{"port=70000", "-"},
		{"no-default-alpn=x", "-"},
		{"mandatory=mandatory", "-"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := dhcpv6.AppendSvcParams([]byte{0xee}, tt.in)
			if tt.want == "-" {
				if err != dhcpv6.ErrSvcParams || !bytes.Equal(got, []byte{0xee}) {
					t.Fatalf("got %x, %v; want ErrSvcParams", got, err)
				}
				return
			}
			if err != nil || !bytes.Equal(got[1:], fixture.Hex(t, tt.want)) {
				t.Fatalf("got %x, %v; want %s", got[1:], err, tt.want)
			}
		})
	}
}
