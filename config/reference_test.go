package config_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/radish-net/radish/config"
)

// commentedKey matches the commented-out examples of reference.toml:
// "# key = value" and "# [table]" lines (prose never has this shape).
var commentedKey = regexp.MustCompile(`^(\s*)# ((?:\[\[?[a-z0-9_.]+\]\]?)|(?:[a-z0-9_]+ = .*))$`)

// uncomment turns the commented-out examples of a reference file into keys.
func uncomment(src string) string {
	lines := strings.Split(src, "\n")
	for i, l := range lines {
		if m := commentedKey.FindStringSubmatch(l); m != nil {
			lines[i] = m[1] + m[2]
		}
	}
	return strings.Join(lines, "\n")
}

// stripIndexes turns "interface.0.ra.prefix.1.valid_lifetime" into
// "interface.ra.prefix.valid_lifetime".
func stripIndexes(path string) string {
	parts := strings.Split(path, ".")
	out := parts[:0]
	for _, p := range parts {
		if strings.Trim(p, "0123456789") != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, ".")
}

func readReference(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("reference.toml")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestReferenceComplete checks that reference.toml mentions every key of
// the schema and no key the schema lacks.
func TestReferenceComplete(t *testing.T) {
	src := uncomment(readReference(t))
	var tree map[string]any
	if _, err := toml.Decode(src, &tree); err != nil {
		t.Fatalf("reference.toml with its examples uncommented is not valid TOML: %v", err)
	}
	documented := map[string]bool{}
	for path := range config.KeyLines(src) {
		documented[stripIndexes(path)] = true
	}
	schema := config.SchemaKeys()
	if len(schema) < 100 {
		t.Fatalf("schema has only %d keys", len(schema))
	}
	for _, k := range schema {
		if !documented[k] {
			t.Errorf("reference.toml does not document %s", k)
		}
	}
	for k := range documented {
		if !slices.Contains(schema, k) {
			t.Errorf("reference.toml documents %s, which is not in the schema", k)
		}
	}
}

// TestReferenceDefaults checks that the values reference.toml writes out
// are the defaults: its interface equals one that sets nothing but the
// same required keys.
func TestReferenceDefaults(t *testing.T) {
	ref := mustParse(t, readReference(t))
	if len(ref.Warnings) != 0 {
		t.Errorf("reference.toml draws warnings: %q", ref.Warnings)
	}
	min := mustParse(t, doc(
		"[[interface]]", `name = "eth0"`,
		"[[interface.ra.prefix]]", `prefix = "2001:db8:1::/64"`,
		"[[interface.ra.route]]", `prefix = "2001:db8:2::/48"`,
		"[[interface.ra.rdnss]]", `servers = ["2001:db8:1::53"]`,
		"[[interface.ra.dnssl]]", `domains = ["example.net"]`,
		"[[interface.ra.pref64]]", `prefix = "64:ff9b::/96"`,
		"[[interface.ra.dnr]]", `adn = "dns.example.net"`, `addresses = ["2001:db8:1::53"]`,
		"[[interface.ra.lowpan_context]]", `prefix = "2001:db8:1::/64"`,
		"[[interface.ra.abro]]", `address = "2001:db8:1::1"`,
		"[interface.dhcpv6]",
	))
	if d := diff(noLines(ref), noLines(min)); d != "" {
		t.Errorf("reference.toml's values are not the defaults: %s", d)
	}
	empty := mustParse(t, "")
	if d := diff(noLines(ref).DHCPv6, noLines(empty).DHCPv6); d != "" {
		t.Errorf("reference.toml's [dhcpv6] differs from an empty file's: %s", d)
	}
}

func TestExamples(t *testing.T) {
	files, err := filepath.Glob("../examples/*.toml")
	if err != nil || len(files) < 3 {
		t.Fatalf("examples: %v %v", files, err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			c, err := config.Load(f)
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Warnings) != 0 {
				t.Errorf("warnings: %q", c.Warnings)
			}
			if len(c.Interfaces) == 0 {
				t.Error("no interfaces")
			}
		})
	}
}

func TestExampleSeed(t *testing.T) {
	c, err := config.Load("../examples/seed-vlan30.toml")
	if err != nil {
		t.Fatal(err)
	}
	ifc, ok := c.Lookup("vlan30")
	if !ok {
		t.Fatal("no vlan30")
	}
	ra := ifc.RA
	if !ra.OtherConfig || ra.Managed || ra.DefaultPreference != config.PreferenceHigh || !ra.SendAdvert {
		t.Errorf("flags: %+v", ra)
	}
	if len(ra.Prefixes) != 1 || ra.Prefixes[0].Prefix.String() != "2605:fd00:0:10::/64" || !ra.Prefixes[0].Autonomous {
		t.Errorf("prefixes: %+v", ra.Prefixes)
	}
	want := "[2605:fd00::2 2605:fd00::3]"
	if ifc.DHCPv6 == nil || fmtAny(ifc.DHCPv6.DNSServers) != want {
		t.Fatalf("DHCPv6: %+v", ifc.DHCPv6)
	}
	if len(ra.RDNSS) != 1 || fmtAny(ra.RDNSS[0].Servers) != want || ra.RDNSS[0].Lifetime != 1800 {
		t.Errorf("RDNSS: %+v", ra.RDNSS)
	}
}

func TestExampleGateway(t *testing.T) {
	c, err := config.Load("../examples/gateway-many-vlans.toml")
	if err != nil {
		t.Fatal(err)
	}
	v100, _ := c.Lookup("vlan100")
	v7, ok := c.Lookup("vlan7")
	if !ok || v100.Name != "vlan100" || v7.Name != "vlan*" {
		t.Fatalf("lookup: %v %v", v100, v7)
	}
	if !v7.RA.Prefixes[0].Auto || len(v7.RA.RDNSS) != 1 || len(v7.RA.RDNSS[0].Servers) != 2 || !v7.RA.OtherConfig {
		t.Errorf("vlan*: %+v", v7.RA)
	}
	if fmtAny(v100.DHCPv6.DNSServers) != "[2001:db8:100::53]" || len(v100.DHCPv6.DomainSearch) != 2 || v100.RA.MaxInterval.Seconds() != 30 {
		t.Errorf("vlan100: %+v %+v", v100.DHCPv6, v100.RA)
	}
}
