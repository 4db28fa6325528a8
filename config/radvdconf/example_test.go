package radvdconf_test

import (
	"fmt"

	"github.com/radish-net/radish/config/radvdconf"
)

func ExampleParse() {
	src := []byte(`
interface br100 {
	AdvSendAdvert on;
	MinRtrAdvInterval 3;
	MaxRtrAdvInterval 10;
	prefix 2001:db8:5:6::/64 { AdvOnLink on; AdvAutonomous on; };
	RDNSS 2001:db8::53 { };
};
`)
	res, err := radvdconf.Parse("/etc/radvd.conf", src)
	if err != nil {
		fmt.Println(err)
		return
	}
	ifc := res.Config.Interfaces[0]
	fmt.Println(ifc.Name, ifc.RA.MaxInterval, ifc.RA.DefaultLifetime)
	fmt.Println(ifc.RA.Prefixes[0].Prefix, ifc.RA.Prefixes[0].ValidLifetime, ifc.RA.Prefixes[0].PreferredLifetime)
	fmt.Println(ifc.RA.RDNSS[0].Servers, ifc.RA.RDNSS[0].Lifetime)

	_, err = radvdconf.Parse("/etc/radvd.conf", []byte("interface eth0 {\n\tAdvSendAdvert yes;\n};\n"))
	fmt.Println(err)
	// Output:
	// br100 10s 30s
	// 2001:db8:5:6::/64 86400 14400
	// [2001:db8::53] 30
	// /etc/radvd.conf:2 error: syntax error: unexpected string 'yes', expecting on or off
}
