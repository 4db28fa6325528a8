package ra_test

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/ipv6"

	"github.com/mdlayher/ndp"
	"github.com/radish-net/radish/internal/fixture"
	"github.com/radish-net/radish/internal/netlab"
	"github.com/radish-net/radish/internal/oracle"
	"github.com/radish-net/radish/ra"
)

var capture = flag.Bool("capture", false, "TestRadvdE2E: write radvd's RAs to testdata/radvd-ra-options.hex and radvd-ra-final.hex")

// radvdOptionsConf exercises prefix flags, routes of every length, RDNSS,
// DNSSL, MTU, Advertisement Interval, Home Agent Information and the
// 6LoWPAN Context and Authoritative Border Router options. It is also
// the configuration testdata/radvd-ra-options.hex was captured with.
const radvdOptionsConf = `interface r0 {
	AdvSendAdvert on;
	MinRtrAdvInterval 3;
	MaxRtrAdvInterval 10;
	AdvManagedFlag on;
	AdvOtherConfigFlag on;
	AdvLinkMTU 1400;
	AdvReachableTime 30000;
	AdvRetransTimer 1000;
	AdvCurHopLimit 63;
	AdvDefaultLifetime 1800;
	AdvDefaultPreference low;
	AdvIntervalOpt on;
	AdvHomeAgentFlag on;
	AdvHomeAgentInfo on;
	HomeAgentLifetime 1200;
	HomeAgentPreference 7;
	prefix 2001:db8:1::/64 {
		AdvOnLink on;
		AdvAutonomous on;
		AdvValidLifetime 7200;
		AdvPreferredLifetime 3600;
	};
	prefix 2001:db8:2::1/64 {
		AdvOnLink off;
		AdvAutonomous off;
		AdvRouterAddr on;
		AdvValidLifetime infinity;
		AdvPreferredLifetime infinity;
	};
	route 2001:db8:f00::/40 {
		AdvRoutePreference high;
		AdvRouteLifetime 600;
	};
	route ::/0 {
		AdvRoutePreference low;
		AdvRouteLifetime 300;
	};
	route 2001:db8:f00:1:2::/80 {
		AdvRouteLifetime 60;
	};
	RDNSS 2001:db8::53 2001:db8::54 {
		AdvRDNSSLifetime 900;
	};
	DNSSL example.com corp.example.org {
		AdvDNSSLLifetime 900;
	};
	lowpanco {
		AdvContextLength 64;
		AdvContextCompressionFlag on;
		AdvContextID 5;
		AdvLifeTime 1000;
	};
	abro fe80::a200:0:0:1 {
		AdvVersionLow 10;
		AdvVersionHigh 2;
		AdvValidLifeTime 2;
	};
};
`

// routerMAC is set on the router's veth so captures are reproducible.
var routerMAC = []byte{0x02, 0xc4, 0x00, 0x00, 0x00, 0x11}

// radvdOptionsWant is what radvdOptionsConf must produce, in radvd's order.
func radvdOptionsWant() (ra.Header, []ra.OptionSpec) {
	h := ra.Header{CurHopLimit: 63, Managed: true, Other: true, HomeAgent: true, Preference: ra.Low,
		RouterLifetime: 1800, ReachableTime: 30000, RetransTimer: 1000}
	return h, []ra.OptionSpec{
		ra.PrefixInfo{Prefix: netip.MustParsePrefix("2001:db8:1::/64"), OnLink: true, Autonomous: true, ValidLifetime: 7200, PreferredLifetime: 3600},
		ra.PrefixInfo{Prefix: netip.MustParsePrefix("2001:db8:2::1/64"), RouterAddr: true, ValidLifetime: ra.Infinity, PreferredLifetime: ra.Infinity},
		ra.RouteInfo{Prefix: netip.MustParsePrefix("2001:db8:f00::/40"), Preference: ra.High, Lifetime: 600},
		ra.RouteInfo{Prefix: netip.MustParsePrefix("::/0"), Preference: ra.Low, Lifetime: 300},
		ra.RouteInfo{Prefix: netip.MustParsePrefix("2001:db8:f00:1:2::/80"), Preference: ra.Medium, Lifetime: 60},
		ra.RDNSS{Lifetime: 900, Servers: []netip.Addr{netip.MustParseAddr("2001:db8::53"), netip.MustParseAddr("2001:db8::54")}},
		ra.DNSSL{Lifetime: 900, Domains: []string{"example.com", "corp.example.org"}},
		ra.MTU(1400),
		ra.SourceLinkLayerAddr(routerMAC),
		ra.AdvInterval(10000),
		ra.HomeAgentInfo{Preference: 7, Lifetime: 1200},
		// radvd.conf cannot set the context prefix: radvd sends ::.
		ra.SixLoWPANContext{Prefix: netip.MustParsePrefix("::/64"), Compression: true, ID: 5, Lifetime: 1000},
		ra.ABRO{VersionLow: 10, VersionHigh: 2, Lifetime: 2, Address: netip.MustParseAddr("fe80::a200:0:0:1")},
	}
}

// checkRadvdOptions decodes msg and compares it with radvdOptionsWant, and
// with ndp's reading of it.
func checkRadvdOptions(t *testing.T, msg []byte) {
	t.Helper()
	wantH, wantOpts := radvdOptionsWant()
	checkRA(t, msg, wantH, wantOpts)
}

// radvdFinalWant is radvd's final RA on SIGTERM for radvdOptionsConf, built
// the way the engine builds one: the options' template with Router
// Lifetime 0 (RemoveAdvOnExit), route lifetimes 0 (RemoveRoute) and
// RDNSS/DNSSL lifetimes 0 (FlushRDNSS, FlushDNSSL), prefixes unchanged
// (DeprecatePrefix off).
func radvdFinalWant(t *testing.T) []byte {
	h, opts := radvdOptionsWant()
	tmpl, err := ra.Compile(h, opts)
	if err != nil {
		t.Fatal(err)
	}
	b := tmpl.AppendTo(nil)
	ra.SetRouterLifetime(b, 0)
	tmpl.SetLifetimes(b, ra.TypeRouteInfo, 0)
	tmpl.SetLifetimes(b, ra.TypeRDNSS, 0)
	tmpl.SetLifetimes(b, ra.TypeDNSSL, 0)
	return b
}

// checkRadvdFinal compares radvd's final RA with radvdFinalWant.
func checkRadvdFinal(t *testing.T, msg []byte) {
	t.Helper()
	want, err := ra.ParseRouterAdvert(radvdFinalWant(t))
	if err != nil {
		t.Fatal(err)
	}
	var opts []ra.OptionSpec
	it := want.AllOptions()
	for it.Next() {
		opts = append(opts, specOf(it.Option()))
	}
	checkRA(t, msg, want.Header(), opts)
}

// checkRA decodes msg, compares it with the expected header and options
// (as decoded values, so radvd 2.19's fixed-length route options compare
// equal to our shortest ones) and with ndp's reading.
func checkRA(t *testing.T, msg []byte, wantH ra.Header, wantOpts []ra.OptionSpec) {
	t.Helper()
	m, err := ra.ParseRouterAdvert(msg)
	if err != nil {
		t.Fatal(err)
	}
	if m.Header() != wantH {
		t.Errorf("header %+v, want %+v", m.Header(), wantH)
	}
	var got []ra.OptionSpec
	it := m.AllOptions()
	for it.Next() {
		got = append(got, specOf(it.Option()))
	}
	if it.Err() != nil {
		t.Fatal(it.Err())
	}
	if !reflect.DeepEqual(got, wantOpts) {
		var sb strings.Builder
		for i, o := range got {
			fmt.Fprintf(&sb, "  %d: %#v\n", i, o)
		}
		t.Errorf("options:\n%s", sb.String())
	}
	nm, err := ndp.ParseMessage(msg)
	if err != nil {
		t.Fatalf("ndp: %v", err)
	}
	if err := oracle.DiffRA(nm.(*ndp.RouterAdvertisement), m); err != nil {
		t.Errorf("ndp disagrees: %v", err)
	}
}

func TestFixtureRadvdOptions(t *testing.T) {
	fx := loadFixture(t, "radvd-ra-options.hex")
	checkRadvdOptions(t, fx.Bytes)
	fin := loadFixture(t, "radvd-ra-final.hex")
	checkRadvdFinal(t, fin.Bytes)
}

// TestRadvdE2E runs radvd in a network namespace, receives its first RA on
// a raw ICMPv6 socket in a peer namespace and checks it with Parse,
// Validate (real hop limit and source), the checksum and the option values.
func TestRadvdE2E(t *testing.T) {
	if _, err := exec.LookPath("radvd"); err != nil {
		t.Skip("radvd not installed")
	}
	lab := netlab.New(t)
	router := lab.Namespace("rtr")
	host := lab.Namespace("host")
	lab.Veth(router, "r0", host, "h0")
	router.IP("link", "set", "r0", "address", net.HardwareAddr(routerMAC).String())
	host.IP("link", "set", "h0", "address", "02:c4:00:00:00:12")
	router.Sysctl("net.ipv6.conf.all.forwarding", "1")
	host.Sysctl("net.ipv6.conf.h0.accept_ra", "0") // a silent host: radvd's RAs go to ff02::1

	var pc *ipv6.PacketConn
	err := host.Do(func() error {
		c, err := net.ListenPacket("ip6:ipv6-icmp", "::")
		if err != nil {
			return err
		}
		pc = ipv6.NewPacketConn(c)
		var f ipv6.ICMPFilter
		f.SetAll(true)
		f.Accept(ipv6.ICMPTypeRouterAdvertisement)
		if err := pc.SetICMPFilter(&f); err != nil {
			return err
		}
		return pc.SetControlMessage(ipv6.FlagDst|ipv6.FlagHopLimit, true)
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	router.Up("r0")
	host.Up("h0")
	// -d 5 makes radvd log when it enters its main loop (see below).
	// Start radvd once both ends have their link-local address: an RA
	// sent before the host's side is ready is lost, and the next one only
	// comes MinRtrAdvInterval later.
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if _, err := router.LinkLocal(ctx, "r0"); err != nil {
		t.Fatal(err)
	}
	if _, err := host.LinkLocal(ctx, "h0"); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	conf := filepath.Join(dir, "radvd.conf")
	if err := os.WriteFile(conf, []byte(radvdOptionsConf), 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	radvd := router.Start("radvd", "-n", "-C", conf, "-p", filepath.Join(dir, "radvd.pid"), "-m", "stderr", "-d", "5")
	t.Cleanup(func() { radvd.Stop() })

	buf := make([]byte, 1500)
	first := readRA(t, pc, radvd, buf, func(m ra.RouterAdvert) bool { return m.RouterLifetime() != 0 })
	t.Logf("RA received after %v", time.Since(start))
	checkRadvdOptions(t, first.Bytes)
	if *capture {
		writeCapture(t, "radvd-ra-options.hex", "first (initial, multicast) RA", first)
	}

	// SIGTERM to radvd alone (not its process group: its privilege
	// separation helper dying first can make it exit without the final
	// RA): radvd sends its final RA before exiting. radvd installs its
	// signal handlers late, after the first RA; its debug log says when it
	// is in its main loop.
	if err := router.WaitFor(ctx, func() bool {
		_, stderr := radvd.Output()
		return strings.Contains(stderr, "polling for")
	}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(radvd.Pid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	final := readRA(t, pc, radvd, buf, func(m ra.RouterAdvert) bool { return m.RouterLifetime() == 0 })
	checkRadvdFinal(t, final.Bytes)
	if *capture {
		writeCapture(t, "radvd-ra-final.hex", "final RA on SIGTERM", final)
	}
}

// readRA reads RAs until one satisfies want, checking each with Parse,
// Validate (with the real hop limit and source) and the checksum (with the
// real destination). The returned message is a copy.
func readRA(t *testing.T, pc *ipv6.PacketConn, radvd *netlab.Proc, buf []byte, want func(ra.RouterAdvert) bool) fixture.Fixture {
	t.Helper()
	pc.SetReadDeadline(time.Now().Add(20 * time.Second))
	for {
		n, cm, from, err := pc.ReadFrom(buf)
		if err != nil {
			_, stderr := radvd.Output()
			t.Fatalf("no RA from radvd: %v\nradvd: %s", err, stderr)
		}
		msg := buf[:n]
		if n == 0 || msg[0] != ra.ICMPTypeRouterAdvert || cm == nil {
			continue
		}
		src, _ := netip.AddrFromSlice(from.(*net.IPAddr).IP)
		dst, _ := netip.AddrFromSlice(cm.Dst)
		m, err := ra.ParseRouterAdvert(msg)
		if err != nil {
			t.Fatalf("radvd's RA: %v\n%x", err, msg)
		}
		if err := m.Validate(cm.HopLimit, src); err != nil {
			t.Fatalf("Validate(%d, %v): %v", cm.HopLimit, src, err)
		}
		if !ra.VerifyChecksum(msg, src, dst) {
			t.Fatalf("checksum %#04x does not verify for %v -> %v", m.Checksum(), src, dst)
		}
		if want(m) {
			return fixture.Fixture{Bytes: append([]byte(nil), msg...), Meta: fixture.Meta{Src: src, Dst: dst, HopLimit: cm.HopLimit}}
		}
	}
}

// writeCapture saves a received RA as a commented hex fixture.
func writeCapture(t *testing.T, name, what string, fx fixture.Fixture) {
	kernel, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	comments := []string{
		fmt.Sprintf("radvd 2.19: %s for the configuration radvdOptionsConf in e2e_test.go", what),
		"(prefix L/A/R flags, routes /40 /0 /80, RDNSS, DNSSL, MTU, Advertisement Interval, Home Agent Information, 6CO, ABRO)",
		fmt.Sprintf("ICMPv6 message only (%d bytes); checksum pseudo-header: src %v dst %v; IPv6 hop limit %d; eth src %v",
			len(fx.Bytes), fx.Meta.Src, fx.Meta.Dst, fx.Meta.HopLimit, net.HardwareAddr(routerMAC)),
		fmt.Sprintf("captured %s on Linux %s by TestRadvdE2E -capture", time.Now().UTC().Format("2006-01-02"), strings.TrimSpace(string(kernel))),
	}
	if err := os.WriteFile(filepath.Join("testdata", name), fixture.Append(nil, comments, fx.Bytes), 0o644); err != nil {
		t.Fatal(err)
	}
}
