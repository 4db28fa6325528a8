package radvdconf_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/radish-net/radish/config/radvdconf"
)

// TestErrors pins the message, file and line of each kind of error, and
// that several errors are collected from one file.
func TestErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // full messages, in order
	}{
		{"syntax", "interface eth0 {\n AdvSendAdvert yes;\n};",
			[]string{"r.conf:2 error: syntax error: unexpected string 'yes', expecting on or off"}},
		{"eof", "interface eth0 {\n",
			[]string{"r.conf:2 error: syntax error: unexpected end of file, expecting '}'"}},
		{"bad char", "interface eth0 { AdvSendAdvert on; } | ;",
			[]string{"r.conf:1 error: syntax error: unexpected character '|'"}},
		{"unterminated quote", "interface \"eth0 { };\n\n",
			[]string{"r.conf:1 error: syntax error: unterminated quoted string"}},
		{"preferred above valid", "interface eth0 {\n\n prefix 2001:db8::/64 { AdvPreferredLifetime infinity; };\n};",
			[]string{"r.conf:3 error: prefix 2001:db8::/64: AdvValidLifetime must be greater than or equal to AdvPreferredLifetime"}},
		{"min above three quarters", "interface eth0 {\n MaxRtrAdvInterval 8;\n MinRtrAdvInterval 7;\n};",
			[]string{"r.conf:3 error: MinRtrAdvInterval for eth0 (7) must be at least 3 but no more than 3/4 of MaxRtrAdvInterval (6)"}},
		{"mipv6 floor", "interface eth0 { AdvIntervalOpt on; MaxRtrAdvInterval 0.05; };",
			[]string{"r.conf:1 error: MaxRtrAdvInterval for eth0 (0.05) must be between 0.07 and 65535"}},
		{"default lifetime below max", "interface eth0 {\n MaxRtrAdvInterval 100;\n AdvDefaultLifetime 50;\n};",
			[]string{"r.conf:3 error: AdvDefaultLifetime for eth0 (50) must be zero or between 100 and 65535"}},
		{"rdnss limit", "interface eth0 { RDNSS" + strings.Repeat(" 2001:db8::1", 128) + " { }; };",
			[]string{"r.conf:1 error: too many RDNSS servers (128): the upper limit is 127 (RFC 8106 §5.1)"}},
		{"dnssl label", "interface eth0 { DNSSL " + strings.Repeat("a", 64) + ".example { }; };",
			[]string{"r.conf:1 error: invalid domain suffix \"" + strings.Repeat("a", 64) + ".example\": label longer than 63 characters"}},
		{"6LoWPAN field widths", "interface eth0 {\n lowpanco {\n  AdvContextID 16;\n  AdvLifeTime 65536;\n };\n abro fe80::1 { AdvVersionHigh 70000; };\n};",
			[]string{"r.conf:3 error: AdvContextID 16 is above the maximum 15 of its RFC 6775 field",
				"r.conf:4 error: AdvLifeTime 65536 is above the maximum 65535 of its RFC 6775 field",
				"r.conf:6 error: AdvVersionHigh 70000 is above the maximum 65535 of its RFC 6775 field"}},
		{"non-ascii", "interface eth0 {\n\xc3\xa9 };",
			[]string{"r.conf:2 error: syntax error: unexpected character byte 0xc3"}},
		{"link name", "interface .. { };",
			[]string{"r.conf:1 error: interface \"..\" is not a valid link name"}},
		{"decimal max and default lifetime", "interface eth0 { MaxRtrAdvInterval 10.5; AdvDefaultLifetime 10; };",
			[]string{"r.conf:1 error: AdvDefaultLifetime for eth0 (10) must be zero or between 11 and 65535"}},
		{"bad pattern", "interface eth[ { };",
			[]string{"r.conf:1 error: interface \"eth[\" is not a valid pattern: syntax error in pattern"}},
		{"base6 pattern", "interface eth0 { prefix ::/64 { Base6Interface ppp*; }; };",
			[]string{"r.conf:1 error: Base6Interface \"ppp*\" must be a link name, not a pattern"}},
		{"addresses", "interface eth0 {\n RDNSS :: { };\n clients { !ff02::1; };\n AdvRASrcAddress { 2001:db8::1; };\n prefix 0:0:0:0:0:ffff:0:0/96;\n AdvCaptivePortalAPI \"portal\";\n};",
			[]string{
				"r.conf:2 error: RDNSS server :: is not a unicast address",
				"r.conf:3 error: client ff02::1 is not a unicast address",
				"r.conf:4 error: AdvRASrcAddress 2001:db8::1 is not a link-local address: RAs are sent from link-local addresses (RFC 4861 §4.2)",
				"r.conf:5 error: prefix ::ffff:0.0.0.0: IPv4-mapped addresses are not IPv6 prefixes",
				"r.conf:6 error: AdvCaptivePortalAPI \"portal\" is not an absolute URI (RFC 8910)",
			}},
		{"reserved preference", "interface eth0 {\n AdvDefaultPreference -2; AdvSendAdvert maybe;\n};",
			[]string{
				"r.conf:2 error: preference -2 is not low, medium or high",
				"r.conf:2 error: syntax error: unexpected string 'maybe', expecting on or off",
			}},
		{"huge interval", "interface eth0 { MaxRtrAdvInterval 99999999999999999999.5; };",
			[]string{"r.conf:1 error: MaxRtrAdvInterval for eth0 (8589934592.50) must be between 4 and 65535"}},
		{"quoted name", "interface \"eth 0\" { };",
			[]string{"r.conf:1 error: interface \"eth 0\" is not a valid link name"}},
		{"several", "interface eth0 {\n AdvSendAdvert maybe;\n AdvLinkMTU 100;\n};\ninterface eth0 { };\nbogus;",
			[]string{
				"r.conf:2 error: syntax error: unexpected string 'maybe', expecting on or off",
				"r.conf:3 error: AdvLinkMTU for eth0 (100) must be zero or between 1280 and 131072",
				"r.conf:5 error: duplicate interface definition for eth0 (first at line 1)",
				"r.conf:6 error: syntax error: unexpected string 'bogus', expecting 'interface'",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := radvdconf.Parse("r.conf", []byte(tt.src))
			var list radvdconf.ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("error = %v, want an ErrorList", err)
			}
			var got []string
			for _, e := range list {
				got = append(got, e.Error())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			var one *radvdconf.Error
			if !errors.As(err, &one) || one.File != "r.conf" {
				t.Errorf("errors.As(*Error) = %v", one)
			}
		})
	}
}

// TestErrorLimit checks that a pathological file stops collecting errors.
func TestErrorLimit(t *testing.T) {
	src := "interface eth0 {\n" + strings.Repeat("AdvSendAdvert 1;\n", 500) + "};"
	_, err := radvdconf.Parse("r.conf", []byte(src))
	var list radvdconf.ErrorList
	if !errors.As(err, &list) || len(list) != 50 {
		t.Fatalf("got %d errors, want the limit of 50", len(list))
	}
}
