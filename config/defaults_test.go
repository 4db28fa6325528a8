package config_test

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/radish-net/radish/config"
)

// TestDefaults checks the values an interface that sets nothing resolves
// to: radvd's defaults (radvd.conf(5)), except send_advert, which is on.
func TestDefaults(t *testing.T) {
	c := mustParse(t, doc("[[interface]]", `name = "eth0"`))
	if len(c.Interfaces) != 1 {
		t.Fatalf("%d interfaces", len(c.Interfaces))
	}
	ifc := c.Interfaces[0]
	if ifc.Name != "eth0" || ifc.Pattern || !ifc.IgnoreIfMissing || ifc.Transport != config.TransportAuto ||
		ifc.SourceLinkLocal.IsValid() || ifc.DHCPv6 != nil || ifc.Line != 1 {
		t.Errorf("interface = %+v", ifc)
	}
	want := config.RA{
		SendAdvert:         true,
		SolicitedUnicast:   true,
		MaxInterval:        600 * time.Second,
		MinInterval:        198 * time.Second,
		MinDelayBetweenRAs: 3 * time.Second,
		RAMTU:              1280,
		CurHopLimit:        64,
		DefaultLifetime:    1800 * time.Second,
		DefaultPreference:  config.PreferenceMedium,
		SourceLLAddress:    true,
		HomeAgentLifetime:  1800,
		RemoveAdvOnExit:    true,
		ForwardingCheck:    true,
	}
	if d := diff(ifc.RA, want); d != "" {
		t.Errorf("RA differs from radvd's defaults: %s", d)
	}
	if c.Log != (config.Log{Format: "text", Level: "info", Output: "stderr"}) {
		t.Errorf("Log = %+v", c.Log)
	}
	s := c.DHCPv6
	if s.DUID.Kind != "llt" || s.StateDir != "/var/lib/radish" || s.RelayGroup ||
		s.PerSourceRate != 10 || s.PerSourceBurst != 20 || s.GlobalRate != 1000 || s.GlobalBurst != 2000 {
		t.Errorf("DHCPv6 server = %+v", s)
	}
	wantD := config.DHCPv6{InfoRefreshTime: 3600, SolMaxRT: 3600, InfMaxRT: 3600, AlwaysSend: []uint16{23, 24, 32}, SetOtherConfig: true, DNSInRA: true}
	if d := diff(s.Defaults, wantD); d != "" {
		t.Errorf("DHCPv6 defaults: %s", d)
	}
	if len(c.Warnings) != 0 {
		t.Errorf("warnings: %q", c.Warnings)
	}
}

func TestDefaultsDerived(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		check func(t *testing.T, ra config.RA)
	}{
		{"min interval below 9s is 0.75 max", iface("ra.max_interval = 6"), func(t *testing.T, ra config.RA) {
			if ra.MinInterval != 4500*time.Millisecond || ra.DefaultLifetime != 18*time.Second {
				t.Errorf("min %v lifetime %v", ra.MinInterval, ra.DefaultLifetime)
			}
		}},
		{"decimal max", iface("ra.max_interval = 10.5"), func(t *testing.T, ra config.RA) {
			if ra.MaxInterval != 10500*time.Millisecond || ra.MinInterval != 3465*time.Millisecond || ra.DefaultLifetime != 31*time.Second {
				t.Errorf("max %v min %v lifetime %v", ra.MaxInterval, ra.MinInterval, ra.DefaultLifetime)
			}
		}},
		{"router lifetime capped at 65535", iface("ra.max_interval = 30000"), func(t *testing.T, ra config.RA) {
			if ra.DefaultLifetime != 65535*time.Second {
				t.Errorf("lifetime %v", ra.DefaultLifetime)
			}
		}},
		{"mobile IPv6 intervals", iface("[interface.ra]", "home_agent_flag = true", "max_interval = 0.07", "min_interval = 0.03", "min_delay_between_ras = 0.03"), func(t *testing.T, ra config.RA) {
			if ra.MaxInterval != 70*time.Millisecond || ra.MinInterval != 30*time.Millisecond || ra.MinDelayBetweenRAs != 30*time.Millisecond || ra.DefaultLifetime != time.Second {
				t.Errorf("%v %v %v %v", ra.MaxInterval, ra.MinInterval, ra.MinDelayBetweenRAs, ra.DefaultLifetime)
			}
		}},
		{"option lifetimes follow this interface's max", iface("ra.max_interval = 100",
			"[[interface.ra.prefix]]", `prefix = "2001:db8::/64"`,
			"[[interface.ra.route]]", `prefix = "2001:db8:1::/48"`,
			"[[interface.ra.rdnss]]", `servers = ["2001:db8::53"]`,
			"[[interface.ra.dnssl]]", `domains = ["Example.NET."]`,
			"[[interface.ra.pref64]]", `prefix = "64:ff9b::/96"`,
			"[[interface.ra.dnr]]", `adn = "dns.example"`, `addresses = ["2001:db8::53"]`), func(t *testing.T, ra config.RA) {
			p := ra.Prefixes[0]
			if !p.OnLink || !p.Autonomous || p.RouterAddr || p.ValidLifetime != 86400 || p.PreferredLifetime != 14400 || p.Auto || p.Line != 4 {
				t.Errorf("prefix %+v", p)
			}
			if r := ra.Routes[0]; r.Lifetime != 300 || !r.RemoveOnExit || r.Preference != config.PreferenceMedium {
				t.Errorf("route %+v", r)
			}
			if r := ra.RDNSS[0]; r.Lifetime != 300 || !r.Flush {
				t.Errorf("rdnss %+v", r)
			}
			if r := ra.DNSSL[0]; r.Lifetime != 300 || !r.Flush || r.Domains[0] != "example.net" {
				t.Errorf("dnssl %+v", r)
			}
			if r := ra.PREF64[0]; r.Lifetime != 300 {
				t.Errorf("pref64 %+v", r)
			}
			if r := ra.DNR[0]; r.Lifetime != 300 || r.Priority != 1 {
				t.Errorf("dnr %+v", r)
			}
		}},
		{"pref64 default capped", iface("ra.max_interval = 30000", "[[interface.ra.pref64]]", `prefix = "64:ff9b::/96"`), func(t *testing.T, ra config.RA) {
			if ra.PREF64[0].Lifetime != 65528 {
				t.Errorf("pref64 lifetime %d", ra.PREF64[0].Lifetime)
			}
		}},
		{"infinity and automatic prefix", iface("[[interface.ra.prefix]]", `prefix = "::/64"`, `valid_lifetime = "infinity"`, `preferred_lifetime = "Infinity"`), func(t *testing.T, ra config.RA) {
			if p := ra.Prefixes[0]; !p.Auto || p.Prefix != netip.MustParsePrefix("::/64") || p.ValidLifetime != config.Infinity || p.PreferredLifetime != config.Infinity {
				t.Errorf("prefix %+v", p)
			}
		}},
		{"router lifetime 0", iface("ra.router_lifetime = 0"), func(t *testing.T, ra config.RA) {
			if ra.DefaultLifetime != 0 || ra.HomeAgentLifetime != 0 {
				t.Errorf("lifetime %v", ra.DefaultLifetime)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.check(t, mustParse(t, tt.src).Interfaces[0].RA)
		})
	}
}

func TestLookup(t *testing.T) {
	c := mustParse(t, doc(
		"[[interface]]", `name = "vlan*"`, "ra.hop_limit = 1",
		"[[interface]]", `name = "vlan3?"`, "ra.hop_limit = 2",
		"[[interface]]", `name = "vlan30"`, "ra.hop_limit = 3",
		"[[interface]]", `name = "tap[0-9]"`, "ra.hop_limit = 4",
	))
	tests := []struct {
		link string
		hop  uint8 // 0: no match
	}{
		{"vlan30", 3}, // exact beats patterns written before it
		{"vlan31", 1}, // first matching pattern wins, not the most specific
		{"vlan7", 1},
		{"tap3", 4},
		{"tap10", 0},
		{"eth0", 0},
	}
	for _, tt := range tests {
		t.Run(tt.link, func(t *testing.T) {
			ifc, ok := c.Lookup(tt.link)
			if tt.hop == 0 {
				if ok {
					t.Fatalf("Lookup(%q) matched %q", tt.link, ifc.Name)
				}
				return
			}
			if !ok || ifc.RA.CurHopLimit != tt.hop {
				t.Fatalf("Lookup(%q) = %v, %v; want the stanza with hop_limit %d", tt.link, ifc, ok, tt.hop)
			}
		})
	}
	if !c.Interfaces[0].Pattern || c.Interfaces[2].Pattern {
		t.Error("Pattern flags wrong")
	}
}

func TestCoherence(t *testing.T) {
	servers := []netip.Addr{netip.MustParseAddr("2001:db8::53"), netip.MustParseAddr("2001:db8::54")}
	tests := []struct {
		name  string
		src   string
		check func(t *testing.T, ifc config.Interface)
	}{
		{"no dhcpv6: no O flag, no RDNSS", iface(), func(t *testing.T, ifc config.Interface) {
			if ifc.RA.OtherConfig || ifc.RA.RDNSS != nil || ifc.DHCPv6 != nil {
				t.Errorf("%+v", ifc.RA)
			}
		}},
		{"empty dhcpv6 table sets O", iface("[interface.dhcpv6]"), func(t *testing.T, ifc config.Interface) {
			if !ifc.RA.OtherConfig || ifc.DHCPv6 == nil || ifc.DHCPv6.Line != 3 || ifc.RA.RDNSS != nil {
				t.Errorf("%+v", ifc.RA)
			}
		}},
		{"explicit other_config false wins", iface("ra.other_config = false", "[interface.dhcpv6]"), func(t *testing.T, ifc config.Interface) {
			if ifc.RA.OtherConfig {
				t.Error("O flag set")
			}
		}},
		{"set_other_config off", iface("[interface.dhcpv6]", "set_other_config = false"), func(t *testing.T, ifc config.Interface) {
			if ifc.RA.OtherConfig {
				t.Error("O flag set")
			}
		}},
		{"dns_in_ra makes RDNSS and DNSSL", iface("ra.max_interval = 60", "[interface.dhcpv6]", `dns_servers = ["2001:db8::53", "2001:db8::54"]`, `domain_search = ["a.example"]`), func(t *testing.T, ifc config.Interface) {
			if len(ifc.RA.RDNSS) != 1 || diff(ifc.RA.RDNSS[0], config.RDNSS{Servers: servers, Lifetime: 180, Flush: true, Line: 4}) != "" {
				t.Errorf("RDNSS %+v", ifc.RA.RDNSS)
			}
			if len(ifc.RA.DNSSL) != 1 || ifc.RA.DNSSL[0].Domains[0] != "a.example" || ifc.RA.DNSSL[0].Lifetime != 180 {
				t.Errorf("DNSSL %+v", ifc.RA.DNSSL)
			}
		}},
		{"RA's own RDNSS wins, DNSSL still derived", iface("[[interface.ra.rdnss]]", `servers = ["2001:db8::1"]`, "[interface.dhcpv6]", `dns_servers = ["2001:db8::53"]`, `domain_search = ["a.example"]`), func(t *testing.T, ifc config.Interface) {
			if len(ifc.RA.RDNSS) != 1 || ifc.RA.RDNSS[0].Servers[0] != netip.MustParseAddr("2001:db8::1") || len(ifc.RA.DNSSL) != 1 {
				t.Errorf("RDNSS %+v DNSSL %+v", ifc.RA.RDNSS, ifc.RA.DNSSL)
			}
		}},
		{"dns_in_ra off", iface("[interface.dhcpv6]", `dns_servers = ["2001:db8::53"]`, "dns_in_ra = false"), func(t *testing.T, ifc config.Interface) {
			if ifc.RA.RDNSS != nil {
				t.Errorf("RDNSS %+v", ifc.RA.RDNSS)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.check(t, mustParse(t, tt.src).Interfaces[0])
		})
	}
}

func TestDefaultsMerge(t *testing.T) {
	c := mustParse(t, doc(
		"[dhcpv6.defaults]",
		`dns_servers = ["2001:db8::53"]`,
		`domain_search = ["corp.example"]`,
		"info_refresh_time = 7200",
		"dns_in_ra = false",
		`always_send = ["dns_servers", 99]`,
		"[[interface]]", `name = "a"`, "[interface.dhcpv6]",
		"[[interface]]", `name = "b"`, "[interface.dhcpv6]", "dns_servers = []", "info_refresh_time = 600",
		"[[interface]]", `name = "c"`,
	))
	a, b := c.Interfaces[0].DHCPv6, c.Interfaces[1].DHCPv6
	if len(a.DNSServers) != 1 || a.DomainSearch[0] != "corp.example" || a.InfoRefreshTime != 7200 || a.DNSInRA || len(a.AlwaysSend) != 2 || a.AlwaysSend[1] != 99 {
		t.Errorf("a inherits: %+v", a)
	}
	if len(b.DNSServers) != 0 || b.DomainSearch[0] != "corp.example" || b.InfoRefreshTime != 600 {
		t.Errorf("b overrides: %+v", b)
	}
	if c.Interfaces[2].DHCPv6 != nil {
		t.Error("defaults alone turned DHCPv6 on")
	}
	if c.Interfaces[0].RA.RDNSS != nil {
		t.Error("dns_in_ra = false in defaults ignored")
	}
}

func TestWarnings(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string // prefix of one warning
	}{
		{"no interfaces", doc("[log]"), "radish.toml: no [[interface]]"},
		{"O off while serving DHCPv6", iface("[interface.ra]", "other_config = false", "[interface.dhcpv6]"), `radish.toml:4: interface "vlan30" ra.other_config: DHCPv6 is served`},
		{"managed without DHCPv6", iface("ra.managed = true"), `radish.toml:3: interface "vlan30" ra.managed: managed = true but radish serves no DHCPv6`},
		{"managed with stateless DHCPv6", iface("ra.managed = true", "[interface.dhcpv6]"), `radish.toml:3: interface "vlan30" ra.managed: managed = true asks`},
		{"serves nothing", iface("ra.send_advert = false"), `radish.toml:3: interface "vlan30" ra: send_advert = false`},
		{"host bits", iface("[[interface.ra.prefix]]", `prefix = "2001:db8::1/64"`), `radish.toml:4: interface "vlan30" ra.prefix[0].prefix: 2001:db8::1/64 has host bits set; using 2001:db8::/64`},
		{"SLAAC needs /64", iface("[[interface.ra.prefix]]", `prefix = "2001:db8::/56"`), `radish.toml:4: interface "vlan30" ra.prefix[0].prefix: autonomous is on`},
		{"short RDNSS lifetime", iface("[[interface.ra.rdnss]]", `servers = ["2001:db8::53"]`, "lifetime = 100"), `radish.toml:5: interface "vlan30" ra.rdnss[0].lifetime: 100 is below max_interval`},
		{"preference without lifetime", iface("[interface.ra]", "router_lifetime = 0", `router_preference = "high"`), `radish.toml:5: interface "vlan30" ra.router_preference: router_lifetime is 0`},
		{"home agent info without flag", iface("ra.home_agent_info = true"), `radish.toml:3: interface "vlan30" ra.home_agent_info:`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustParse(t, tt.src)
			for _, w := range c.Warnings {
				if strings.HasPrefix(w, tt.want) {
					return
				}
			}
			t.Errorf("warnings %q\nwant one starting %q", c.Warnings, tt.want)
		})
	}
}
