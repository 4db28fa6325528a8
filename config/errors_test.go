package config_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/radish-net/radish/config"
)

// doc joins lines with newlines: element i is line i+1.
func doc(lines ...string) string { return strings.Join(lines, "\n") + "\n" }

// iface wraps lines into an [[interface]] stanza named vlan30 whose
// first given line is line 3.
func iface(lines ...string) string {
	return doc(append([]string{"[[interface]]", `name = "vlan30"`}, lines...)...)
}

func TestParseErrors(t *testing.T) {
	const v = `interface "vlan30" `
	tests := []struct {
		name string
		src  string
		line int
		key  string // as printed before the message
		msg  string // substring of the message
	}{
		{"syntax", doc("[log]", "format = ", ""), 2, "", "expected value"},
		{"unknown top-level key", doc("verbose = true"), 1, "verbose", "unknown key"},
		{"unknown key suggests", iface("[interface.ra]", "maxinterval = 5"), 4, v + "ra.maxinterval", "did you mean max_interval?"},
		{"unknown key in prefix", iface("[[interface.ra.prefix]]", `prefix = "2001:db8::/64"`, "onlink = true"), 5, v + "ra.prefix[0].onlink", "unknown key"},
		{"wrong type bool", iface("[interface.ra]", `managed = "yes"`), 4, v + "ra.managed", `expected true or false, got string "yes"`},
		{"wrong type int", iface("[interface.ra]", "hop_limit = 6.5"), 4, v + "ra.hop_limit", "expected an integer, got float 6.5"},
		{"wrong type string", doc("[[interface]]", "name = 5"), 2, `interface #1 name`, "expected a string, got integer 5"},
		{"wrong type array", iface("[interface.ra]", `clients = "fe80::1"`), 4, v + "ra.clients", "expected an array"},
		{"wrong type table", doc("interface = 5"), 1, "interface", "expected an array"},
		{"table instead of array of tables", iface("[interface.ra.prefix]", `prefix = "::/64"`), 3, v + "ra.prefix", "write [[interface.ra.prefix]], not [interface.ra.prefix]"},
		{"wrong type seconds", iface(`ra.max_interval = "10s"`), 3, v + "ra.max_interval", "expected a number of seconds"},
		{"wrong type lifetime", iface("[[interface.ra.route]]", `prefix = "2001:db8::/48"`, `lifetime = "forever"`), 5, v + "ra.route[0].lifetime", `expected seconds or "infinity"`},
		{"lifetime too big", iface("[[interface.ra.route]]", `prefix = "2001:db8::/48"`, "lifetime = 4294967296"), 5, v + "ra.route[0].lifetime", "out of range"},
		{"max_interval low", iface("[interface.ra]", "max_interval = 2"), 4, v + "ra.max_interval", "2s is below the minimum 4s"},
		{"max_interval high", iface("[interface.ra]", "max_interval = 70000"), 4, v + "ra.max_interval", "70000s is above the maximum 65535s"},
		{"max_interval decimal low", iface("[interface.ra]", "max_interval = 3.5"), 4, v + "ra.max_interval", "3.5s is below the minimum 4s"},
		{"min_interval low", iface("[interface.ra]", "min_interval = 2"), 4, v + "ra.min_interval", "2s is below the minimum 3s"},
		{"min_interval high", iface("[interface.ra]", "max_interval = 10", "min_interval = 8"), 5, v + "ra.min_interval", "8s is above 0.75 × max_interval (7.5s)"},
		{"min_delay low", iface("[interface.ra]", "min_delay_between_ras = 1"), 4, v + "ra.min_delay_between_ras", "below the minimum 3s"},
		{"mtu low", iface("[interface.ra]", "mtu = 1000"), 4, v + "ra.mtu", "neither 0"},
		{"ra_mtu low", iface("[interface.ra]", "ra_mtu = 576"), 4, v + "ra.ra_mtu", "out of range 1280..65535"},
		{"reachable high", iface("[interface.ra]", "reachable_time = 3600001"), 4, v + "ra.reachable_time", "out of range 0..3600000"},
		{"hop_limit high", iface("[interface.ra]", "hop_limit = 256"), 4, v + "ra.hop_limit", "out of range 0..255"},
		{"router_lifetime below max", iface("[interface.ra]", "router_lifetime = 100"), 4, v + "ra.router_lifetime", "below max_interval (600s)"},
		{"router_lifetime high", iface("[interface.ra]", "router_lifetime = 65536"), 4, v + "ra.router_lifetime", "above the maximum 65535"},
		{"router_preference", iface("[interface.ra]", `router_preference = "urgent"`), 4, v + "ra.router_preference", "not one of low, medium, high"},
		{"home_agent_lifetime", iface("[interface.ra]", "home_agent_lifetime = 65521"), 4, v + "ra.home_agent_lifetime", "out of range 1..65520"},
		{"captive_portal", iface("[interface.ra]", `captive_portal = "not a uri"`), 4, v + "ra.captive_portal", "not an absolute URI"},
		{"per_relay_burst 0", doc("[dhcpv6.rate_limit]", "per_relay = 5", "per_relay_burst = 0"), 3, "dhcpv6.rate_limit.per_relay_burst", "must be at least 1 while per_relay is 5"},
		{"per_source_burst 0", doc("[dhcpv6.rate_limit]", "per_source = 5", "per_source_burst = 0"), 3, "dhcpv6.rate_limit.per_source_burst", "must be at least 1 while per_source is 5"},
		{"lowpan context id", iface("[[interface.ra.lowpan_context]]", `prefix = "2001:db8::/64"`, "context_id = 16"), 5, v + "ra.lowpan_context[0].context_id", "out of range 0..15"},
		{"lowpan context no prefix", iface("[[interface.ra.lowpan_context]]", "context_id = 1"), 3, v + "ra.lowpan_context[0]", "prefix"},
		{"lowpan context lifetime", iface("[[interface.ra.lowpan_context]]", `prefix = "::/0"`, "lifetime_minutes = 65536"), 5, v + "ra.lowpan_context[0].lifetime_minutes", "out of range 0..65535"},
		{"lowpan context duplicate id", iface("[[interface.ra.lowpan_context]]", `prefix = "::/0"`, "[[interface.ra.lowpan_context]]", `prefix = "2001:db8::/32"`), 5, v + "ra.lowpan_context[1].context_id", "context 0 is already defined on line 3"},
		{"abro address", iface("[[interface.ra.abro]]", `address = "ff02::1"`), 4, v + "ra.abro[0].address", "not a unicast address"},
		{"abro version", iface("[[interface.ra.abro]]", `address = "fe80::1"`, "version_high = -1"), 5, v + "ra.abro[0].version_high", "out of range 0..65535"},
		{"clients multicast", iface("[interface.ra]", `clients = ["fe80::1",`, `  "ff02::1"]`), 5, v + "ra.clients[1]", "not a unicast address"},
		{"source_addresses global", iface("[interface.ra]", `source_addresses = ["2001:db8::1"]`), 4, v + "ra.source_addresses[0]", "not a link-local address"},
		{"auto_ignore", iface("[interface.ra]", `auto_ignore = ["2001:db8::"]`), 4, v + "ra.auto_ignore[0]", "not an IPv6 prefix"},
		{"transport", iface(`transport = "dpdk"`), 3, v + "transport", "not one of auto, kernel, packet"},
		{"source_link_local", iface(`source_link_local = "2001:db8::1"`), 3, v + "source_link_local", "not a link-local address"},
		{"prefix missing", iface("[[interface.ra.prefix]]", "on_link = false"), 3, v + "ra.prefix[0]", "prefix is required"},
		{"prefix bad", iface("[[interface.ra.prefix]]", `prefix = "2001:db8::/129"`), 4, v + "ra.prefix[0].prefix", "not an IPv6 prefix"},
		{"prefix ipv4", iface("[[interface.ra.prefix]]", `prefix = "192.0.2.0/24"`), 4, v + "ra.prefix[0].prefix", "not an IPv6 prefix"},
		{"preferred above valid", iface("[[interface.ra.prefix]]", `prefix = "2001:db8::/64"`, "valid_lifetime = 600", "preferred_lifetime = 700"), 6, v + "ra.prefix[0].preferred_lifetime", "700 is above valid_lifetime (600)"},
		{"valid below default preferred", iface("[[interface.ra.prefix]]", `prefix = "2001:db8::/64"`, "valid_lifetime = 3600"), 5, v + "ra.prefix[0].valid_lifetime", "3600 is below the default preferred_lifetime (14400); set preferred_lifetime too"},
		{"second prefix", iface("[[interface.ra.prefix]]", `prefix = "2001:db8::/64"`, "[[interface.ra.prefix]]", `prefix = "2001:db8:1::/64"`, `valid_lifetime = "infinity"`, `preferred_lifetime = "infinity"`, "[[interface.ra.prefix]]", `prefix = "x"`), 10, v + "ra.prefix[2].prefix", `"x" is not an IPv6 prefix`},
		{"base6_interface", iface("[[interface.ra.prefix]]", `prefix = "2001:db8::/64"`, `base6_interface = "eth*"`), 5, v + "ra.prefix[0].base6_interface", "must be a link name, not a pattern"},
		{"route prefix missing", iface("[[interface.ra.route]]", `preference = "high"`), 3, v + "ra.route[0]", "prefix is required"},
		{"route preference", iface("[[interface.ra.route]]", `prefix = "::/0"`, `preference = "max"`), 5, v + "ra.route[0].preference", "not one of"},
		{"rdnss empty", iface("[[interface.ra.rdnss]]", "servers = []"), 4, v + "ra.rdnss[0].servers", "at least one server"},
		{"rdnss bad", iface("[[interface.ra.rdnss]]", `servers = ["2001:db8::53", "::"]`), 4, v + "ra.rdnss[0].servers[1]", "not a unicast address"},
		{"dnssl bad", iface("[[interface.ra.dnssl]]", `domains = ["ok.example", "bad..example"]`), 4, v + "ra.dnssl[0].domains[1]", "not a valid domain name"},
		{"dnssl label too long", iface("[[interface.ra.dnssl]]", `domains = ["`+strings.Repeat("a", 64)+`.example"]`), 4, v + "ra.dnssl[0].domains[0]", "not a valid domain name"},
		{"pref64 length", iface("[[interface.ra.pref64]]", `prefix = "64:ff9b::/80"`), 4, v + "ra.pref64[0].prefix", "length /80 is not one of 32, 40, 48, 56, 64, 96"},
		{"pref64 lifetime", iface("[[interface.ra.pref64]]", `prefix = "64:ff9b::/96"`, "lifetime = 65529"), 5, v + "ra.pref64[0].lifetime", "out of range 0..65528"},
		{"ra dnr without addresses", iface("[[interface.ra.dnr]]", `adn = "dns.example"`), 3, v + "ra.dnr[0].addresses", "at least one address is required in an RA"},
		{"dnr adn", iface("[[interface.ra.dnr]]", `adn = "-bad-"`, `addresses = ["2001:db8::53"]`), 4, v + "ra.dnr[0].adn", "not a valid domain name"},
		{"dnr priority", iface("[[interface.ra.dnr]]", "priority = 0", `adn = "dns.example"`, `addresses = ["2001:db8::53"]`), 4, v + "ra.dnr[0].priority", "out of range 1..65535"},
		{"dnr params", iface("[interface.dhcpv6]", `dnr = [{adn = "dns.example", params = "alpn=dot"}]`), 4, v + "dhcpv6.dnr[0].params", "need addresses"},
		{"dnr params syntax", iface("[[interface.ra.dnr]]", `adn = "dns.example"`, `addresses = ["2001:db8::53"]`, `params = "ALPN=dot"`), 6, v + "ra.dnr[0].params", "not a key=value"},
		{"info_refresh_time", iface("[interface.dhcpv6]", "info_refresh_time = 300"), 4, v + "dhcpv6.info_refresh_time", "300 is below the minimum 600"},
		{"sol_max_rt", iface("[interface.dhcpv6]", "sol_max_rt = 59"), 4, v + "dhcpv6.sol_max_rt", "out of range 60..86400"},
		{"inf_max_rt", iface("[interface.dhcpv6]", "inf_max_rt = 86401"), 4, v + "dhcpv6.inf_max_rt", "out of range 60..86400"},
		{"dns_servers", iface("[interface.dhcpv6]", `dns_servers = ["2001:db8::53%eth0"]`), 4, v + "dhcpv6.dns_servers[0]", "not an IPv6 address"},
		{"ntp_multicast", iface("[interface.dhcpv6]", `ntp_multicast = ["2001:db8::123"]`), 4, v + "dhcpv6.ntp_multicast[0]", "not a multicast address"},
		{"domain_search", iface("[interface.dhcpv6]", `domain_search = ["exa mple.net"]`), 4, v + "dhcpv6.domain_search[0]", "not a valid domain name"},
		{"vendor duplicate", iface("[[interface.dhcpv6.vendor]]", "enterprise = 9", "[[interface.dhcpv6.vendor]]", "enterprise = 9"), 6, v + "dhcpv6.vendor[1].enterprise", "9 is already used by vendor[0]"},
		{"vendor enterprise missing", iface("[[interface.dhcpv6.vendor]]", "options = []"), 3, v + "dhcpv6.vendor[0]", "enterprise is required"},
		{"vendor hex", iface("[[interface.dhcpv6.vendor]]", "enterprise = 9", `options = [{code = 1, hex = "0g"}]`), 5, v + "dhcpv6.vendor[0].options[0].hex", "not hex bytes"},
		{"vendor hex and text", iface("[[interface.dhcpv6.vendor]]", "enterprise = 9", "options = [", `  {code = 1, hex = "00", text = "a"},`, "]"), 6, v + "dhcpv6.vendor[0].options[0]", "set hex or text, not both"},
		{"vendor code", iface("[[interface.dhcpv6.vendor]]", "enterprise = 9", `options = [{code = 0, text = "a"}]`), 5, v + "dhcpv6.vendor[0].options[0].code", "out of range 1..65535"},
		{"always_send name", iface("[interface.dhcpv6]", `always_send = ["dns_servers", "dns"]`), 4, v + "dhcpv6.always_send[1]", `unknown option name "dns"`},
		{"always_send code", iface("[interface.dhcpv6]", "always_send = [0]"), 4, v + "dhcpv6.always_send[0]", "out of range 1..65535"},
		{"interface_id empty", iface("[interface.dhcpv6]", `interface_id = ""`), 4, v + "dhcpv6.interface_id", "must not be empty"},
		{"interface_id in defaults", doc("[dhcpv6.defaults]", `interface_id = "x"`), 2, "dhcpv6.defaults.interface_id", "belongs in an [interface.dhcpv6] table"},
		{"link_addresses in defaults", doc("[dhcpv6.defaults]", `link_addresses = ["2001:db8::/64"]`), 2, "dhcpv6.defaults.link_addresses", "belongs in an [interface.dhcpv6] table"},
		{"defaults bad value", doc("[dhcpv6.defaults]", "sol_max_rt = 1"), 2, "dhcpv6.defaults.sol_max_rt", "out of range"},
		{"duid type", doc("[dhcpv6]", `duid = {type = "mac"}`), 2, "dhcpv6.duid.type", "not one of llt, ll, en, uuid, raw"},
		{"duid key for other type", doc("[dhcpv6.duid]", `type = "ll"`, "enterprise = 5"), 3, "dhcpv6.duid.enterprise", `does not apply to type = "ll"`},
		{"duid en enterprise", doc("[dhcpv6.duid]", `type = "en"`, `id = "01"`), 1, "dhcpv6.duid", "enterprise is required"},
		{"duid uuid", doc("[dhcpv6.duid]", `type = "uuid"`, `uuid = "1234"`), 3, "dhcpv6.duid.uuid", "not a UUID"},
		{"duid raw short", doc("[dhcpv6.duid]", `type = "raw"`, `id = "0003"`), 3, "dhcpv6.duid.id", "2 bytes is out of range 3..130"},
		{"state_dir", doc("[dhcpv6]", `state_dir = "var/lib"`), 2, "dhcpv6.state_dir", "not an absolute path"},
		{"rate negative", doc("[dhcpv6.rate_limit]", "per_source = -1"), 2, "dhcpv6.rate_limit.per_source", "out of range"},
		{"burst zero", doc("[dhcpv6.rate_limit]", "global = 5", "global_burst = 0"), 3, "dhcpv6.rate_limit.global_burst", "at least 1"},
		{"log format", doc("[log]", `format = "xml"`), 2, "log.format", "not one of text, json"},
		{"log output", doc("[log]", `output = "syslog"`), 2, "log.output", "not one of stderr, stdout"},
		{"log level", doc("[log]", `level = "trace"`), 2, "log.level", "not one of debug, info, warn, error"},
		{"name missing", doc("[[interface]]", "transport = \"auto\""), 1, "interface #1", "name is required"},
		{"name empty", doc("[[interface]]", `name = ""`), 2, "interface #1 name", "must not be empty"},
		{"name too long", doc("[[interface]]", `name = "averyveryverylongname"`), 2, `interface "averyveryverylongname" name`, "longer than 15 bytes"},
		{"bad pattern", doc("[[interface]]", `name = "vlan[1"`), 2, `interface "vlan[1" name`, "not a valid pattern"},
		{"duplicate name", doc("[[interface]]", `name = "eth0"`, "[[interface]]", `name = "eth0"`), 4, `interface "eth0" name`, "already configured by interface #1 (line 1)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := config.Parse("radish.toml", []byte(tt.src))
			if err == nil {
				t.Fatalf("Parse succeeded (%d interfaces), want an error\n%s", len(c.Interfaces), tt.src)
			}
			want := fmt.Sprintf("radish.toml:%d: ", tt.line)
			if tt.key != "" {
				want += tt.key + ": "
			}
			got := err.Error()
			if !strings.Contains(got, want) || !strings.Contains(got, tt.msg) {
				t.Errorf("error:\n%s\nwant a line starting %q containing %q", got, want, tt.msg)
			}
			var e *config.Error
			if !errors.As(err, &e) || e.File != "radish.toml" || e.Line != tt.line {
				t.Errorf("errors.As(*config.Error) = %+v, want file radish.toml line %d", e, tt.line)
			}
		})
	}
}

// TestParseErrorsCollected checks that every problem is reported, in line
// order, not only the first.
func TestParseErrorsCollected(t *testing.T) {
	src := doc(
		"[[interface]]",
		`name = "vlan30"`,
		"ra.hop_limit = 300",
		"bogus = 1",
		"[[interface]]",
		`name = "vlan31"`,
		"[interface.ra]",
		"max_interval = 1",
		`router_preference = "x"`,
		"[log]",
		`level = "loud"`,
	)
	_, err := config.Parse("radish.toml", []byte(src))
	if err == nil {
		t.Fatal("Parse succeeded, want errors")
	}
	want := []string{
		`radish.toml:3: interface "vlan30" ra.hop_limit: `,
		`radish.toml:4: interface "vlan30" bogus: unknown key`,
		`radish.toml:8: interface "vlan31" ra.max_interval: 1s is below the minimum 4s`,
		`radish.toml:9: interface "vlan31" ra.router_preference: `,
		`radish.toml:11: log.level: `,
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != len(want) {
		t.Fatalf("got %d errors, want %d:\n%s", len(lines), len(want), err)
	}
	for i := range want {
		if !strings.HasPrefix(lines[i], want[i]) {
			t.Errorf("error %d = %q, want prefix %q", i, lines[i], want[i])
		}
	}
}

func TestLoad(t *testing.T) {
	if _, err := config.Load("testdata/does-not-exist.toml"); err == nil {
		t.Error("Load of a missing file succeeded")
	}
	c, err := config.Load("../examples/seed-vlan30.toml")
	if err != nil {
		t.Fatal(err)
	}
	if c.Source != "../examples/seed-vlan30.toml" {
		t.Errorf("Source = %q", c.Source)
	}
}
