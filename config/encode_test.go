package config_test

import (
	"bytes"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/radish-net/radish/config"
)

// rich sets a non-default value for nearly every key.
var rich = doc(
	"[log]", `format = "json"`, `level = "debug"`,
	"[dhcpv6]", `state_dir = "/run/radish"`, "relay_group = true",
	"[dhcpv6.duid]", `type = "en"`, "enterprise = 32473", `id = "0a:0b:0c"`,
	"[dhcpv6.rate_limit]", "per_source = 5", "per_source_burst = 7", "global = 0", "global_burst = 0",
	"[dhcpv6.defaults]", `dns_servers = ["2001:db8::53"]`, `domain_search = ["example.net"]`, `sntp_servers = ["2001:db8::123"]`,
	`ntp_servers = ["2001:db8::124"]`, `ntp_multicast = ["ff05::101"]`, `ntp_names = ["ntp.example.net"]`,
	`info_refresh_time = "infinity"`, "sol_max_rt = 60", "inf_max_rt = 86400", `always_send = [23, "dnr", 1000]`,
	"set_other_config = false", "dns_in_ra = false",
	`vendor = [{enterprise = 9, options = [{code = 1, text = "x\"y"}, {code = 2, hex = ""}]}]`,
	`dnr = [{adn = "resolver.example.net"}, {priority = 7, adn = "r2.example.net", addresses = ["2001:db8::1"], params = "alpn=dot port=853"}]`,
	"[[interface]]", `name = "eth0"`, `transport = "packet"`, `source_link_local = "fe80::1"`, "ignore_if_missing = false",
	"[interface.ra]", "send_advert = false", "unicast_only = true", "unrestricted_unicast = true", "solicited_unicast = false",
	"max_interval = 10.5", "min_interval = 4.25", "min_delay_between_ras = 3.5", "managed = true", "other_config = true",
	"home_agent_flag = true", "mtu = 9000", "ra_mtu = 1500", "reachable_time = 30000", "retrans_timer = 1000", "hop_limit = 255",
	"router_lifetime = 9000", `router_preference = "low"`, "source_lla = false", "interval_option = true",
	"home_agent_info = true", "home_agent_lifetime = 100", "home_agent_preference = 5", "mobile_router_support = true",
	"snac_router = true", `captive_portal = "https://portal.example.net/api"`, "remove_adv_on_exit = false", "forwarding_check = false",
	`clients = ["fe80::2", "2001:db8::2"]`, `deny = ["fe80::3"]`, `source_addresses = ["fe80::1", "fe80::4"]`, `auto_ignore = ["2001:db8:ff::/48"]`,
	"[[interface.ra.prefix]]", `prefix = "2001:db8::/64"`, "on_link = false", "autonomous = false", "router_address = true",
	"pd_preferred = true", "valid_lifetime = 7200", "preferred_lifetime = 0", "deprecate = true", "decrement_lifetimes = true",
	`base6_interface = "eth1"`, `base6to4_interface = "eth2"`,
	"[[interface.ra.prefix]]", `prefix = "::/64"`,
	"[[interface.ra.route]]", `prefix = "::/0"`, `preference = "high"`, `lifetime = "infinity"`, "remove_on_exit = false",
	"[[interface.ra.rdnss]]", `servers = ["2001:db8::53", "2001:db8::54"]`, "lifetime = 0", "flush = false",
	"[[interface.ra.dnssl]]", `domains = ["a.example", "b.example"]`, "lifetime = 100", "flush = false",
	"[[interface.ra.pref64]]", `prefix = "64:ff9b:1::/48"`, "lifetime = 800",
	"[[interface.ra.lowpan_context]]", `prefix = "2001:db8:6::/48"`, "compression = true", "context_id = 15", "lifetime_minutes = 60",
	"[[interface.ra.lowpan_context]]", `prefix = "::/0"`,
	"[[interface.ra.abro]]", `address = "fe80::1"`, "version_low = 65535", "version_high = 2", "lifetime_minutes = 10000",
	"[[interface.ra.dnr]]", "priority = 3", `adn = "dns.example"`, `addresses = ["2001:db8::53"]`, `params = "alpn=h2"`, "lifetime = 50",
	"[interface.dhcpv6]", "dns_servers = []", `interface_id = "port 7"`, `link_addresses = ["2001:db8:7::/64"]`,
	`vendor = []`, "set_other_config = true", "dns_in_ra = true",
	"[[interface]]", `name = "vlan*"`, "ra.max_interval = 4", "ra.router_lifetime = 0",
	"[[interface]]", `name = "tap0"`, "[interface.dhcpv6]", `domain_search = ["tap.example"]`, "dns_in_ra = true",
)

func TestEncodeRoundTrip(t *testing.T) {
	inputs := map[string]string{
		"rich":    rich,
		"empty":   "",
		"minimal": iface(),
		"strings": iface(`ra.captive_portal = "https://ex.example/é?a=\"b\""`, "[interface.dhcpv6]", `interface_id = "a\"b\\c\td\u0001é\n"`),
	}
	files, _ := filepath.Glob("../examples/*.toml")
	files = append(files, "reference.toml")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inputs[filepath.Base(f)] = string(b)
	}
	for name, src := range inputs {
		t.Run(name, func(t *testing.T) {
			c := mustParse(t, src)
			var buf bytes.Buffer
			if err := config.Encode(&buf, c); err != nil {
				t.Fatal(err)
			}
			c2, err := config.Parse("radish.toml", buf.Bytes())
			if err != nil {
				t.Fatalf("Parse(Encode(c)): %v\n%s", err, buf.String())
			}
			if d := diff(noLines(c2), noLines(c)); d != "" {
				t.Errorf("Parse(Encode(c)) != c: %s\n%s", d, buf.String())
			}
			if len(c2.Warnings) != len(c.Warnings) {
				t.Errorf("warnings %q, want %q", c2.Warnings, c.Warnings)
			}
		})
	}
}

// TestEncodeConcise checks that default values are left out.
func TestEncodeConcise(t *testing.T) {
	var buf bytes.Buffer
	if err := config.Encode(&buf, mustParse(t, iface("[interface.dhcpv6]", `dns_servers = ["2001:db8::53"]`))); err != nil {
		t.Fatal(err)
	}
	want := doc("[[interface]]", `name = "vlan30"`, "", "[[interface.ra.rdnss]]", `servers = ["2001:db8::53"]`, "", "[interface.dhcpv6]", `dns_servers = ["2001:db8::53"]`)
	if got := buf.String(); got != want {
		t.Errorf("Encode =\n%s\nwant\n%s", got, want)
	}
	if strings.Contains(buf.String(), "[log]") {
		t.Error("default [log] written")
	}
}

// TestEncodeModel encodes a Config built directly, as the radvd.conf
// translator does, and parses it back.
func TestEncodeModel(t *testing.T) {
	c := &config.Config{
		Log:    config.Log{Format: "text", Level: "warn", Output: "stderr"},
		DHCPv6: mustParse(t, "").DHCPv6,
		Interfaces: []config.Interface{{
			Name:            "eth1",
			IgnoreIfMissing: true,
			RA: config.RA{
				SendAdvert:         true,
				SolicitedUnicast:   true,
				MaxInterval:        100 * time.Second,
				MinInterval:        40 * time.Second,
				MinDelayBetweenRAs: 3 * time.Second,
				RAMTU:              1280,
				CurHopLimit:        64,
				DefaultLifetime:    300 * time.Second,
				SourceLLAddress:    true,
				HomeAgentLifetime:  300,
				RemoveAdvOnExit:    true,
				ForwardingCheck:    true,
				// radvd takes "3×Max" from the MaxRtrAdvInterval in force
				// where the block appears: here, the default 600 s.
				Routes: []config.Route{{Prefix: netip.MustParsePrefix("2001:db8::/48"), Lifetime: 1800, RemoveOnExit: true}},
			},
		}},
	}
	var buf bytes.Buffer
	if err := config.Encode(&buf, c); err != nil {
		t.Fatal(err)
	}
	c2 := mustParse(t, buf.String())
	if d := diff(noLines(c2), noLines(c)); d != "" {
		t.Errorf("Parse(Encode(c)) != c: %s\n%s", d, buf.String())
	}
	if !strings.Contains(buf.String(), "lifetime = 1800") || !strings.Contains(buf.String(), "min_interval = 40") {
		t.Errorf("non-default values left out:\n%s", buf.String())
	}
}
