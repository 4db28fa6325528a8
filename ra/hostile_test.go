package ra_test

import (
	"bytes"
	"net/netip"
	"testing"

	"github.com/radish-net/radish/ra"
)

type hostileCase struct {
	name   string
	msg    []byte
	rsWant error // ParseRouterSolicit's result
	raWant error // ParseRouterAdvert's result
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

var (
	rsHdr = []byte{133, 0, 0, 0, 0, 0, 0, 0}
	raHdr = []byte{134, 0, 0, 0, 64, 0, 0, 30, 0, 0, 0, 0, 0, 0, 0, 0}
	slla  = []byte{1, 1, 2, 0, 0, 0, 0, 1}
)

// hostile is built once so the no-allocation test can range over it.
var hostile = []hostileCase{
	{"empty", nil, ra.ErrTooShort, ra.ErrTooShort},
	{"icmp header only", []byte{133, 0, 0, 0}, ra.ErrTooShort, ra.ErrTooShort},
	{"rs 7 bytes", rsHdr[:7], ra.ErrTooShort, ra.ErrTooShort},
	{"ra 15 bytes", raHdr[:15], ra.ErrType, ra.ErrTooShort},
	{"rs ok", rsHdr, nil, ra.ErrTooShort},
	{"ra ok", raHdr, ra.ErrType, nil},
	{"rs code 1", []byte{133, 1, 0, 0, 0, 0, 0, 0}, ra.ErrCode, ra.ErrTooShort},
	{"ra code 255", cat([]byte{134, 255}, raHdr[2:]), ra.ErrType, ra.ErrCode},
	{"neighbor solicitation", cat([]byte{135, 0}, raHdr[2:]), ra.ErrType, ra.ErrType},
	{"rs option length 0", cat(rsHdr, []byte{1, 0, 2, 0, 0, 0, 0, 1}), ra.ErrOptionLength, ra.ErrType},
	{"ra option length 0", cat(raHdr, []byte{3, 0, 0, 0, 0, 0, 0, 0}), ra.ErrType, ra.ErrOptionLength},
	{"ra option length 0 after a good one", cat(raHdr, slla, []byte{5, 0}), ra.ErrType, ra.ErrOptionLength},
	{"rs option past the end", cat(rsHdr, []byte{1, 2, 2, 0, 0, 0, 0, 1}), ra.ErrOptionTruncated, ra.ErrType},
	{"ra option past the end", cat(raHdr, slla, []byte{3, 4, 64, 0xc0}), ra.ErrType, ra.ErrOptionTruncated},
	{"ra one trailing byte", cat(raHdr, slla, []byte{5}), ra.ErrType, ra.ErrOptionTruncated},
	{"rs one trailing byte", cat(rsHdr, []byte{1}), ra.ErrOptionTruncated, ra.ErrTooShort},
	{"rs max length option past the end", cat(rsHdr, []byte{0xff, 0xff}, make([]byte, 2037)), ra.ErrOptionTruncated, ra.ErrType},
	{"ra 64KiB of 0xff options", cat(raHdr, bytes.Repeat([]byte{0xff}, 64<<10)), ra.ErrType, ra.ErrOptionTruncated},
	{"ra 64KiB of zeros", cat(raHdr, make([]byte, 64<<10)), ra.ErrType, ra.ErrOptionLength},
	{"64KiB of 0x86", bytes.Repeat([]byte{0x86}, 64<<10), ra.ErrType, ra.ErrCode},
	{"rs unknown options only", cat(rsHdr, []byte{200, 1, 0, 0, 0, 0, 0, 0}), nil, ra.ErrType},
}

func TestHostileMessages(t *testing.T) {
	for _, c := range hostile {
		t.Run(c.name, func(t *testing.T) {
			if _, err := ra.ParseRouterSolicit(c.msg); err != c.rsWant {
				t.Errorf("ParseRouterSolicit = %v, want %v", err, c.rsWant)
			}
			if _, err := ra.ParseRouterAdvert(c.msg); err != c.raWant {
				t.Errorf("ParseRouterAdvert = %v, want %v", err, c.raWant)
			}
			// The raw iterator over the option area reports the same
			// framing error as the parser.
			if len(c.msg) >= 16 && c.msg[0] == 134 && c.msg[1] == 0 {
				it := ra.IterOptions(c.msg[16:])
				for it.Next() {
				}
				if it.Err() != c.raWant {
					t.Errorf("IterOptions.Err = %v, want %v", it.Err(), c.raWant)
				}
			}
		})
	}
}

func TestValidate(t *testing.T) {
	ll := netip.MustParseAddr("fe80::1")
	global := netip.MustParseAddr("2001:db8::1")
	unspec := netip.IPv6Unspecified()
	rsSLLA, _ := ra.ParseRouterSolicit(cat(rsHdr, slla))
	rsBare, _ := ra.ParseRouterSolicit(rsHdr)
	rsUnknown, _ := ra.ParseRouterSolicit(cat(rsHdr, []byte{200, 1, 0, 0, 0, 0, 0, 0}))
	adv, _ := ra.ParseRouterAdvert(raHdr)
	tests := []struct {
		name string
		got  error
		want error
	}{
		{"rs ok", rsSLLA.Validate(255, ll), nil},
		{"rs hop limit 254", rsSLLA.Validate(254, ll), ra.ErrHopLimit},
		{"rs hop limit 64", rsBare.Validate(64, unspec), ra.ErrHopLimit},
		{"rs from :: with slla", rsSLLA.Validate(255, unspec), ra.ErrUnspecifiedSLLA},
		{"rs from :: without slla", rsBare.Validate(255, unspec), nil},
		{"rs from :: with unknown option", rsUnknown.Validate(255, unspec), nil},
		{"rs from global", rsSLLA.Validate(255, global), nil},
		{"ra ok", adv.Validate(255, ll), nil},
		{"ra hop limit", adv.Validate(1, ll), ra.ErrHopLimit},
		{"ra from global", adv.Validate(255, global), ra.ErrSource},
		{"ra from ::", adv.Validate(255, unspec), ra.ErrSource},
		{"ra from v4", adv.Validate(255, netip.MustParseAddr("169.254.0.1")), ra.ErrSource},
	}
	// Zero views are empty, not panics.
	if _, ok := (ra.RouterSolicit{}).SourceLinkLayerAddr(); ok {
		t.Error("zero RouterSolicit has an SLLA")
	}
	if _, ok := (ra.RouterAdvert{}).SourceLinkLayerAddr(); ok {
		t.Error("zero RouterAdvert has an SLLA")
	}
	if it := (ra.RouterAdvert{}).Options(); it.Next() {
		t.Error("zero RouterAdvert has options")
	}
	if a, ok := adv.SourceLinkLayerAddr(); ok {
		t.Errorf("RA without options has SLLA %x", a)
	}
	if a, ok := rsSLLA.SourceLinkLayerAddr(); !ok || string(a) != string(slla[2:]) {
		t.Errorf("SLLA = %x, %v", a, ok)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Fatalf("got %v, want %v", tc.got, tc.want)
			}
		})
	}
}

// TestHostileOptions feeds malformed bodies to every typed decoder.
func TestHostileOptions(t *testing.T) {
	z := func(n int) []byte { return make([]byte, n) }
	pio := func(plen byte) []byte { b := z(30); b[0] = plen; return b }
	route := func(plen, prf byte, units int) []byte { b := z(units*8 - 2); b[0], b[1] = plen, prf<<3; return b }
	dnr := func(tail ...byte) []byte { return cat([]byte{0, 1, 0, 0, 0, 60}, tail) }
	tests := []struct {
		name  string
		o     ra.Option
		parse func(ra.Option) error
	}{
		{"pio short", ra.Option{Type: ra.TypePrefixInfo, Body: z(22)}, pioErr},
		{"pio long", ra.Option{Type: ra.TypePrefixInfo, Body: z(38)}, pioErr},
		{"pio /129", ra.Option{Type: ra.TypePrefixInfo, Body: pio(129)}, pioErr},
		{"pio wrong type", ra.Option{Type: ra.TypeMTU, Body: pio(64)}, pioErr},
		{"route /65 in length 2", ra.Option{Type: ra.TypeRouteInfo, Body: route(65, 0, 2)}, routeErr},
		{"route /1 in length 1", ra.Option{Type: ra.TypeRouteInfo, Body: route(1, 0, 1)}, routeErr},
		{"route /129", ra.Option{Type: ra.TypeRouteInfo, Body: route(129, 0, 3)}, routeErr},
		{"route reserved preference", ra.Option{Type: ra.TypeRouteInfo, Body: route(48, 2, 2)}, routeErr},
		{"route length 4", ra.Option{Type: ra.TypeRouteInfo, Body: route(48, 0, 4)}, routeErr},
		{"rdnss no servers", ra.Option{Type: ra.TypeRDNSS, Body: z(6)}, rdnssErr},
		{"rdnss even length", ra.Option{Type: ra.TypeRDNSS, Body: z(30)}, rdnssErr},
		{"dnssl no names", ra.Option{Type: ra.TypeDNSSL, Body: z(14)}, dnsslErr},
		{"dnssl short", ra.Option{Type: ra.TypeDNSSL, Body: z(6)}, dnsslErr},
		{"dnssl label 64", ra.Option{Type: ra.TypeDNSSL, Body: cat(z(6), []byte{64}, bytes.Repeat([]byte{'a'}, 64), z(1))}, dnsslErr},
		{"dnssl compression pointer", ra.Option{Type: ra.TypeDNSSL, Body: cat(z(6), []byte{1, 'a', 0xc0, 0x0c, 0, 0, 0, 0})}, dnsslErr},
		{"dnssl unterminated", ra.Option{Type: ra.TypeDNSSL, Body: cat(z(6), []byte{3, 'a', 'b', 'c', 3, 'd', 'e', 'f'})}, dnsslErr},
		{"dnssl label past the end", ra.Option{Type: ra.TypeDNSSL, Body: cat(z(6), []byte{1, 'a', 9, 'b', 0, 0, 0, 0})}, dnsslErr},
		{"pref64 plc 6", ra.Option{Type: ra.TypePREF64, Body: cat([]byte{0, 6}, z(12))}, pref64Err},
		{"pref64 long", ra.Option{Type: ra.TypePREF64, Body: z(22)}, pref64Err},
		{"mtu short", ra.Option{Type: ra.TypeMTU, Body: z(4)}, mtuErr},
		{"captive portal empty", ra.Option{Type: ra.TypeCaptivePortal, Body: z(6)}, cpErr},
		{"adv interval long", ra.Option{Type: ra.TypeAdvInterval, Body: z(14)}, advErr},
		{"home agent short", ra.Option{Type: ra.TypeHomeAgentInfo, Body: z(2)}, haErr},
		{"flags expansion short", ra.Option{Type: ra.TypeFlagsExpansion, Body: z(4)}, feErr},
		{"6co length 1", ra.Option{Type: ra.TypeSixLoWPANContext, Body: z(6)}, coErr},
		{"6co length 4", ra.Option{Type: ra.TypeSixLoWPANContext, Body: z(30)}, coErr},
		{"6co context length 129", ra.Option{Type: ra.TypeSixLoWPANContext, Body: cat([]byte{129}, z(21))}, coErr},
		{"6co context /65 in length 2", ra.Option{Type: ra.TypeSixLoWPANContext, Body: cat([]byte{65}, z(13))}, coErr},
		{"abro length 2", ra.Option{Type: ra.TypeABRO, Body: z(14)}, abroErr},
		{"abro length 4", ra.Option{Type: ra.TypeABRO, Body: z(30)}, abroErr},
		{"dnr short", ra.Option{Type: ra.TypeDNR, Body: z(6)}, dnrErr},
		{"dnr adn length 0", ra.Option{Type: ra.TypeDNR, Body: dnr(0, 0, 0, 0, 0, 0, 0, 0)}, dnrErr},
		{"dnr adn past the end", ra.Option{Type: ra.TypeDNR, Body: dnr(0, 40, 1, 'a', 0, 0, 0, 0)}, dnrErr},
		{"dnr adn not a name", ra.Option{Type: ra.TypeDNR, Body: dnr(0, 3, 5, 'a', 0, 0, 0, 0)}, dnrErr},
		{"dnr adn root", ra.Option{Type: ra.TypeDNR, Body: dnr(0, 1, 0, 0, 0, 0, 0, 0)}, dnrErr},
		{"dnr addr length 15", ra.Option{Type: ra.TypeDNR, Body: dnr(cat([]byte{0, 3, 1, 'a', 0, 0, 15}, z(15), []byte{0, 0}, z(5))...)}, dnrErr},
		{"dnr addrs past the end", ra.Option{Type: ra.TypeDNR, Body: dnr(0, 3, 1, 'a', 0, 0, 32, 0, 0, 0, 0, 0, 0)}, dnrErr},
		{"dnr no svcparams length", ra.Option{Type: ra.TypeDNR, Body: dnr(cat([]byte{0, 3, 1, 'a', 0, 0, 16}, z(16), z(0))...)}, dnrErr},
		{"dnr svcparams past the end", ra.Option{Type: ra.TypeDNR, Body: dnr(cat([]byte{0, 3, 1, 'a', 0, 0, 16}, z(16), []byte{0, 9})...)}, dnrErr},
		{"dnr garbage after adn", ra.Option{Type: ra.TypeDNR, Body: dnr(0, 3, 1, 'a', 0, 7, 0, 0)}, dnrErr},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Bodies need not be aligned: callers may hand-make Options,
			// and decoders must reject, not panic.
			if err := tc.parse(tc.o); err != ra.ErrBadOption {
				t.Fatalf("got %v, want ErrBadOption", err)
			}
		})
	}
}

func pioErr(o ra.Option) error    { _, err := ra.ParsePrefixInfo(o); return err }
func routeErr(o ra.Option) error  { _, err := ra.ParseRouteInfo(o); return err }
func rdnssErr(o ra.Option) error  { _, err := ra.ParseRDNSS(o); return err }
func dnsslErr(o ra.Option) error  { _, err := ra.ParseDNSSL(o); return err }
func pref64Err(o ra.Option) error { _, err := ra.ParsePREF64(o); return err }
func mtuErr(o ra.Option) error    { _, err := ra.ParseMTU(o); return err }
func cpErr(o ra.Option) error     { _, err := ra.ParseCaptivePortal(o); return err }
func advErr(o ra.Option) error    { _, err := ra.ParseAdvInterval(o); return err }
func haErr(o ra.Option) error     { _, err := ra.ParseHomeAgentInfo(o); return err }
func feErr(o ra.Option) error     { _, err := ra.ParseFlagsExpansion(o); return err }
func dnrErr(o ra.Option) error    { _, err := ra.ParseDNR(o); return err }
func coErr(o ra.Option) error     { _, err := ra.ParseSixLoWPANContext(o); return err }
func abroErr(o ra.Option) error   { _, err := ra.ParseABRO(o); return err }
