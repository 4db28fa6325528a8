package radvdconf_test

import (
	"net/netip"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/radish-net/radish/config"
	"github.com/radish-net/radish/config/radvdconf"
)

// iface returns an interface with radvd's defaults for a given
// MaxRtrAdvInterval, written out by hand from radvd.conf(5) so that the
// test does not reuse the parser's own constants.
func iface(name string, line int, maxSec float64) config.Interface {
	max := time.Duration(maxSec * float64(time.Second))
	dl := time.Duration(int(3*maxSec)) * time.Second
	return config.Interface{
		Name: name, IgnoreIfMissing: true, Line: line,
		RA: config.RA{
			SolicitedUnicast: true, MaxInterval: max, MinInterval: max * 33 / 100,
			MinDelayBetweenRAs: 3 * time.Second, RAMTU: 1280, CurHopLimit: 64,
			DefaultLifetime: dl, SourceLLAddress: true, RemoveAdvOnExit: true,
			ForwardingCheck: true, HomeAgentLifetime: uint16(dl / time.Second),
		},
	}
}

func prefix(s string, line int) config.Prefix {
	return config.Prefix{
		Prefix: netip.MustParsePrefix(s), OnLink: true, Autonomous: true,
		ValidLifetime: 86400, PreferredLifetime: 14400, Line: line,
	}
}

func addrs(s ...string) []netip.Addr {
	var out []netip.Addr
	for _, a := range s {
		out = append(out, netip.MustParseAddr(a))
	}
	return out
}

func TestModel(t *testing.T) {
	tests := []struct {
		file string
		want func() []config.Interface
	}{
		{"simple.conf", func() []config.Interface {
			i := iface("eth0", 2, 10)
			i.RA.SendAdvert = true
			i.RA.MinInterval = 3 * time.Second
			i.RA.Prefixes = []config.Prefix{prefix("2001:db8:1::/64", 7)}
			return []config.Interface{i}
		}},
		{"nova.conf", func() []config.Interface {
			i := iface("br100", 2, 10)
			i.RA.SendAdvert = true
			i.RA.MinInterval = 3 * time.Second
			i.RA.Prefixes = []config.Prefix{prefix("2001:db8:5:6::/64", 7)}
			return []config.Interface{i}
		}},
		{"neutron_stateful.conf", func() []config.Interface {
			i := iface("qr-aabbccdd-ee", 1, 100)
			i.RA.SendAdvert = true
			i.RA.MinInterval = 30 * time.Second
			i.RA.LinkMTU = 1500
			i.RA.DefaultLifetime = 1800 * time.Second
			i.RA.HomeAgentLifetime = 1800
			i.RA.Managed = true
			p := prefix("2001:db8:f00d::/64", 11)
			p.Autonomous = false
			i.RA.Prefixes = []config.Prefix{p}
			i.RA.RDNSS = []config.RDNSS{{Servers: addrs("2001:db8:f00d::53"), Lifetime: 300, Flush: true, Line: 17}}
			return []config.Interface{i}
		}},
		{"edge_order.conf", func() []config.Interface {
			// Blocks before "MaxRtrAdvInterval 30" default to 3×600 s,
			// blocks after it to 3×30 s; the router lifetime and the
			// MinRtrAdvInterval default use the final value.
			i := iface("eth0", 3, 30)
			i.RA.SendAdvert = true
			i.RA.MinInterval = 10 * time.Second
			i.RA.Routes = []config.Route{
				{Prefix: netip.MustParsePrefix("2001:db8:1::/48"), Lifetime: 1800, RemoveOnExit: true, Line: 4},
				{Prefix: netip.MustParsePrefix("2001:db8:2::/48"), Lifetime: 90, RemoveOnExit: true, Line: 9},
			}
			i.RA.RDNSS = []config.RDNSS{{Servers: addrs("2001:db8::1"), Lifetime: 1800, Flush: true, Line: 5}}
			i.RA.DNSSL = []config.DNSSL{{Domains: []string{"example.com"}, Lifetime: 90, Flush: true, Line: 10}}
			i.RA.Prefixes = []config.Prefix{prefix("2001:db8::/64", 6)}
			return []config.Interface{i}
		}},
		{"routes.conf", func() []config.Interface {
			i := iface("eth1", 2, 600)
			i.RA.SendAdvert = true
			i.RA.DefaultLifetime = 0
			i.RA.HomeAgentLifetime = 0
			i.RA.Routes = []config.Route{
				{Prefix: netip.MustParsePrefix("2001:db8:100::/48"), Preference: config.PreferenceHigh, Lifetime: 3600, RemoveOnExit: true, Line: 6},
				{Prefix: netip.MustParsePrefix("::/0"), Preference: config.PreferenceLow, Lifetime: config.Infinity, Line: 11},
			}
			return []config.Interface{i}
		}},
		{"edge_hostbits.conf", func() []config.Interface {
			i := iface("eth0", 2, 600)
			i.RA.Prefixes = []config.Prefix{prefix("2001:db8:0:1::/64", 3)}
			i.RA.Routes = []config.Route{{Prefix: netip.MustParsePrefix("2001:db8:8000::/33"), Lifetime: 1800, RemoveOnExit: true, Line: 4}}
			return []config.Interface{i}
		}},
		{"edge_decimal.conf", func() []config.Interface {
			i := iface("eth0", 1, 10.5)
			i.RA.SendAdvert = true
			i.RA.MinInterval = 3250 * time.Millisecond
			i.RA.MinDelayBetweenRAs = 3500 * time.Millisecond
			return []config.Interface{i}
		}},
		{"opnsense.conf", func() []config.Interface {
			i := iface("vtnet1", 3, 600)
			i.RA.SendAdvert = true
			i.RA.MinInterval = 200 * time.Second
			i.RA.LinkMTU = 1492
			i.RA.OtherConfig = true
			p := prefix("::/64", 10)
			p.Auto, p.DeprecatePrefix = true, true
			i.RA.Prefixes = []config.Prefix{p}
			i.RA.RDNSS = []config.RDNSS{{Servers: addrs("fe80::1"), Lifetime: 1200, Flush: true, Line: 17}}
			i.RA.DNSSL = []config.DNSSL{{Domains: []string{"localdomain"}, Lifetime: 1200, Flush: true, Line: 20}}
			return []config.Interface{i}
		}},
		{"accept_2_20_keywords.conf", func() []config.Interface {
			i := iface("eth0", 2, 600)
			i.RA.SendAdvert = true
			i.RA.RemoveAdvOnExit = false
			i.RA.UnrestrictedUnicast = true
			i.RA.SolicitedUnicast = false
			i.RA.PREF64 = []config.PREF64{
				{Prefix: netip.MustParsePrefix("64:ff9b::/96"), Lifetime: 1800, Line: 7},
				{Prefix: netip.MustParsePrefix("2001:db8:64::/64"), Lifetime: 1800, Line: 8},
				{Prefix: netip.MustParsePrefix("2001:db8:6464::/48"), Lifetime: 600, Line: 9},
			}
			return []config.Interface{i}
		}},
		{"accept_2_21_keywords.conf", func() []config.Interface {
			i := iface("eth0", 2, 600)
			i.RA.SendAdvert = true
			i.RA.CaptivePortalAPI = "https://portal.example.net/api"
			i.RA.SNACRouterFlag = true
			i.RA.AutoIgnore = []netip.Prefix{netip.MustParsePrefix("2001:db8:dead::/48"), netip.MustParsePrefix("fd00::/8")}
			p := prefix("::/64", 10)
			p.Auto, p.PDPreferred = true, true
			i.RA.Prefixes = []config.Prefix{p}
			return []config.Interface{i}
		}},
		{"accept_clients_negated.conf", func() []config.Interface {
			i := iface("eth0", 2, 600)
			i.RA.SendAdvert = true
			i.RA.Clients = addrs("fe80::1")
			i.RA.Deny = addrs("fe80::bad")
			return []config.Interface{i}
		}},
		{"mobile_ha.conf", func() []config.Interface {
			i := iface("eth0", 3, 3)
			i.RA.SendAdvert = true
			i.RA.MinInterval = time.Second
			i.RA.IntervalOpt, i.RA.HomeAgentFlag, i.RA.HomeAgentInfo, i.RA.MobRtrSupportFlag = true, true, true, true
			i.RA.HomeAgentLifetime, i.RA.HomeAgentPreference = 10000, 20
			p := prefix("2001:db8:0:1::/64", 14)
			p.RouterAddr = true
			i.RA.Prefixes = []config.Prefix{p}
			return []config.Interface{i}
		}},
		{"sixto4.conf", func() []config.Interface {
			i := iface("eth0", 2, 10)
			i.RA.SendAdvert = true
			i.RA.MinInterval = 3 * time.Second
			p := prefix("0:0:0:1234::/64", 7)
			p.Base6to4Interface, p.PreferredLifetime, p.ValidLifetime = "ppp0", 120, 300
			i.RA.Prefixes = []config.Prefix{p}
			return []config.Interface{i}
		}},
		{"rdnss_dnssl.conf", func() []config.Interface {
			i := iface("eth0", 2, 600)
			i.RA.SendAdvert = true
			i.RA.Prefixes = []config.Prefix{prefix("2001:db8:10::/64", 5)}
			i.RA.RDNSS = []config.RDNSS{{Servers: addrs("2001:db8:10::1", "2001:db8:10::2"), Lifetime: 1800, Line: 6}}
			i.RA.DNSSL = []config.DNSSL{{Domains: []string{"example.org", "lab.example.com"}, Lifetime: 1800, Flush: true, Line: 11}}
			return []config.Interface{i}
		}},
		{"edge_short_interval.conf", func() []config.Interface {
			i := iface("eth0", 4, 6)
			i.RA.SendAdvert = true
			i.RA.MinInterval = 4500 * time.Millisecond
			i.RA.DefaultLifetime = 6 * time.Second
			i.RA.HomeAgentLifetime = 6
			return []config.Interface{i}
		}},
		{"mobile_interval_opt.conf", func() []config.Interface {
			i := iface("eth0", 4, 1.5)
			i.RA.SendAdvert, i.RA.IntervalOpt = true, true
			i.RA.MinInterval = 500 * time.Millisecond
			i.RA.MinDelayBetweenRAs = 500 * time.Millisecond
			i.RA.DefaultLifetime, i.RA.HomeAgentLifetime = 1800*time.Second, 1800
			i.RA.Prefixes = []config.Prefix{prefix("2001:db8:7::/64", 11)}
			return []config.Interface{i}
		}},
		{"accept_empty_file.conf", func() []config.Interface { return nil }},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := "testdata/" + tt.file
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			res, err := radvdconf.Parse(path, src)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if res.Config.Source != path {
				t.Errorf("Source = %q, want %q", res.Config.Source, path)
			}
			got, want := res.Config.Interfaces, tt.want()
			if len(got) != len(want) {
				t.Fatalf("%d interfaces, want %d", len(got), len(want))
			}
			for i := range want {
				if !reflect.DeepEqual(got[i], want[i]) {
					t.Errorf("interface %d:\n got %+v\nwant %+v", i, got[i], want[i])
				}
			}
		})
	}
}

// TestWarnings checks the non-fatal remarks radish makes.
func TestWarnings(t *testing.T) {
	tests := []struct {
		src  string
		want []string // substrings, one per warning, in order
	}{
		{"", []string{"f:1 warning: no interface definitions"}},
		{"interface eth0 { RDNSS 2001:db8::1 { AdvRDNSSPreference 1; AdvRDNSSOpen off; }; };",
			[]string{"f:1 warning: ignoring deprecated RDNSS preference", "deprecated RDNSS open flag"}},
		{"interface eth0 {\n abro fe80::1/64 { };\n lowpanco { };\n};",
			[]string{"f:2 warning: abro prefix length deprecated"}},
		{"interface eth0 {\n lowpanco { };\n abro fe80::1 { };\n lowpanco { AdvContextID 2; };\n abro fe80::2 { };\n};",
			[]string{"f:4 warning: only the first lowpanco block", "f:5 warning: only the first abro block"}},
		{"interface \"eth0\" { };", []string{"quotes removed"}},
		{"interface eth0 { AdvRAMTU 100; };", []string{"AdvRAMTU 100 out of range 1280..65535, using 1280"}},
		{"interface eth0 { AdvCaptivePortalAPI \"http://a/\"; AdvCaptivePortalAPI \"http://b/\"; };", []string{"specified twice"}},
		{"interface eth0 { RDNSS 2001:db8::1 { AdvRDNSSLifetime 10; }; };", []string{"less than MaxRtrAdvInterval"}},
		{"interface eth0 { AdvSendAdvert on; };", nil},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			res, err := radvdconf.Parse("f", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Warnings) != len(tt.want) {
				t.Fatalf("warnings %v, want %d", res.Warnings, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(res.Warnings[i].String(), w) {
					t.Errorf("warning %d = %q, want it to contain %q", i, res.Warnings[i], w)
				}
			}
		})
	}
}
