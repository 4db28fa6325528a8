package config_test

import (
	"testing"

	"github.com/radish-net/radish/config"
)

func TestKeyLines(t *testing.T) {
	src := doc(
		`# comment with [brackets] and key = value`, // 1
		`top = """`,                              // 2
		`multi [not.a.table]`,                    // 3
		`x = 1 """`,                              // 4
		`lit = '''`,                              // 5
		`'''`,                                    // 6
		`[[interface]]`,                          // 7
		`name = "a" # trailing`,                  // 8
		`ra.max_interval = 5`,                    // 9
		`[[interface]]`,                          // 10
		`"name" = "b\"]"`,                        // 11
		`[ interface . ra ]`,                     // 12
		`clients = [`,                            // 13
		`  "fe80::1", # one`,                     // 14
		`  "fe80::2",`,                           // 15
		`]`,                                      // 16
		`[[interface.ra.prefix]]`,                // 17
		`prefix = "::/64"`,                       // 18
		`[[interface.ra.prefix]]`,                // 19
		`prefix = "2001:db8::/64"`,               // 20
		`[interface.dhcpv6]`,                     // 21
		`vendor = [{enterprise = 1, options = [`, // 22
		`  {code = 1, hex = "00"},`,              // 23
		`  {code = 2, text = "}]"}]}]`,           // 24
		`when = 1979-05-27 07:32:00Z`,            // 25
		`[[interface]]`,                          // 26
		`name = 'c'`,                             // 27
	)
	want := map[string]int{
		"top":                                        2,
		"lit":                                        5,
		"interface.0":                                7,
		"interface.0.name":                           8,
		"interface.0.ra":                             9,
		"interface.0.ra.max_interval":                9,
		"interface.1":                                10,
		"interface.1.name":                           11,
		"interface.1.ra":                             12,
		"interface.1.ra.clients":                     13,
		"interface.1.ra.clients.0":                   14,
		"interface.1.ra.clients.1":                   15,
		"interface.1.ra.prefix.0":                    17,
		"interface.1.ra.prefix.0.prefix":             18,
		"interface.1.ra.prefix.1":                    19,
		"interface.1.ra.prefix.1.prefix":             20,
		"interface.1.dhcpv6":                         21,
		"interface.1.dhcpv6.vendor.0.enterprise":     22,
		"interface.1.dhcpv6.vendor.0.options.0":      23,
		"interface.1.dhcpv6.vendor.0.options.1.code": 24,
		"interface.1.dhcpv6.vendor.0.options.1.text": 24,
		"interface.1.dhcpv6.when":                    25,
		"interface.2":                                26,
		"interface.2.name":                           27,
	}
	got := config.KeyLines(src)
	for k, l := range want {
		if got[k] != l {
			t.Errorf("line of %s = %d, want %d", k, got[k], l)
		}
	}
	for _, k := range []string{"x", "multi", "interface.0.ra.prefix.0"} {
		if _, ok := got[k]; ok {
			t.Errorf("%s recorded, but it is not a key", k)
		}
	}
}
