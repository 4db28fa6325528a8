package config_test

import (
	"fmt"
	"os"

	"github.com/radish-net/radish/config"
)

func ExampleParse() {
	c, err := config.Parse("radish.toml", []byte(`
[[interface]]
name = "vlan*"

[[interface]]
name = "vlan30"
ra.router_preference = "high"

[[interface.ra.prefix]]
prefix = "2001:db8:30::/64"

[interface.dhcpv6]
dns_servers = ["2001:db8::53"]
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	ifc, _ := c.Lookup("vlan30")
	ra := ifc.RA
	fmt.Println(ifc.Name, ra.DefaultPreference, ra.OtherConfig, ra.MaxInterval, ra.DefaultLifetime)
	fmt.Println(ra.Prefixes[0].Prefix, ra.Prefixes[0].ValidLifetime, ra.Prefixes[0].PreferredLifetime)
	fmt.Println(ra.RDNSS[0].Servers, ra.RDNSS[0].Lifetime)
	other, _ := c.Lookup("vlan7")
	fmt.Println(other.Name)
	// Output:
	// vlan30 high true 10m0s 30m0s
	// 2001:db8:30::/64 86400 14400
	// [2001:db8::53] 1800
	// vlan*
}

func ExampleParse_errors() {
	_, err := config.Parse("radish.toml", []byte(`[[interface]]
name = "vlan30"
[interface.ra]
max_interval = 2
hop_limit = 300
[[interface.ra.prefix]]
prefix = "2001:db8::/64"
valid_lifetime = 600
preferred_lifetime = 700
`))
	fmt.Println(err)
	// Output:
	// radish.toml:4: interface "vlan30" ra.max_interval: 2s is below the minimum 4s
	// radish.toml:5: interface "vlan30" ra.hop_limit: 300 is out of range 0..255
	// radish.toml:9: interface "vlan30" ra.prefix[0].preferred_lifetime: 700 is above valid_lifetime (600)
}

func ExampleEncode() {
	c, err := config.Parse("radish.toml", []byte(`[[interface]]
name = "eth0"
ra.max_interval = 30
[[interface.ra.prefix]]
prefix = "2001:db8::/64"
preferred_lifetime = 14400
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := config.Encode(os.Stdout, c); err != nil {
		fmt.Println(err)
	}
	// Output:
	// [[interface]]
	// name = "eth0"
	//
	// [interface.ra]
	// max_interval = 30
	//
	// [[interface.ra.prefix]]
	// prefix = "2001:db8::/64"
}
