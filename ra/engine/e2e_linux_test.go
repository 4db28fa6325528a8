package engine_test

import (
	"context"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/radish-net/radish/config"
	"github.com/radish-net/radish/iface"
	"github.com/radish-net/radish/internal/netlab"
	"github.com/radish-net/radish/ra/engine"
)

// nsSysctl reads a lab namespace's IPv6 sysctls.
type nsSysctl struct{ ns *netlab.NS }

func (s nsSysctl) IPv6(ifName, key string) (string, error) {
	return s.ns.ReadSysctl("net.ipv6.conf." + ifName + "." + key)
}

func (s nsSysctl) SetIPv6(string, string, string) error { return nil }

// e2eLab is a router namespace and a host namespace joined by a veth pair
// (r0 in the router, eth0 in the host), with the engine running in the
// router on the real transports.
type e2eLab struct {
	router, host *netlab.NS
	e            *engine.Engine
	cancel       context.CancelFunc
	done         chan error
}

func startE2E(t *testing.T, disableIPv6 bool) *e2eLab {
	lab := netlab.New(t)
	x := &e2eLab{router: lab.Namespace("rt"), host: lab.Namespace("host"), done: make(chan error, 1)}
	router, host := x.router, x.host
	lab.Veth(router, "r0", host, "eth0")
	router.Sysctl("net.ipv6.conf.all.forwarding", "1")
	if disableIPv6 {
		router.Sysctl("net.ipv6.conf.r0.disable_ipv6", "1")
	}
	host.Sysctl("net.ipv6.conf.eth0.accept_ra", "2")
	router.Up("r0")
	host.Up("eth0")

	var conn *iface.ICMPConn
	if err := router.Do(func() (err error) { conn, err = iface.ListenICMP(); return err }); err != nil {
		t.Fatal(err)
	}
	nsf, err := os.Open(router.Path())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nsf.Close() })

	stanza := baseInterface("r0")
	stanza.RA.MaxInterval, stanza.RA.MinInterval = 4*time.Second, 3*time.Second
	stanza.RA.DefaultLifetime = 600 * time.Second
	stanza.RA.Prefixes = []config.Prefix{staticPrefix("2001:db8:1::/64")}
	stanza.RA.RDNSS = []config.RDNSS{{Servers: []netip.Addr{netip.MustParseAddr("2001:db8::53")}, Lifetime: 600, Flush: true}}
	x.e, err = engine.New(engine.Options{
		Config:  &config.Config{Interfaces: []config.Interface{stanza}},
		Conn:    conn,
		Watcher: iface.NewWatcher(iface.WatcherConfig{NetNS: int(nsf.Fd()), Sysctl: nsSysctl{router}}),
		Sysctl:  nsSysctl{router},
		PacketConnFactory: func(l iface.Link) (c iface.Conn, err error) {
			err = router.Do(func() (err error) { c, err = iface.ListenPacket(l.Index); return err })
			return c, err
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	x.cancel = cancel
	go func() { x.done <- x.e.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-x.done })
	return x
}

// defaultRoute reports whether the host has a default route learned from
// an RA.
func (x *e2eLab) defaultRoute() bool {
	routes, err := x.host.Routes()
	if err != nil {
		return false
	}
	for _, r := range routes {
		if r.Dst.Bits() == 0 && r.Gateway.IsLinkLocalUnicast() && r.Dev == "eth0" {
			return true
		}
	}
	return false
}

// configured waits until the host has a SLAAC address in 2001:db8:1::/64
// and a default route.
func (x *e2eLab) configured(t *testing.T, ctx context.Context) {
	t.Helper()
	slaac := netip.MustParsePrefix("2001:db8:1::/64")
	err := x.host.WaitFor(ctx, func() bool {
		addrs, err := x.host.Addrs("eth0")
		if err != nil {
			return false
		}
		for _, a := range addrs {
			if slaac.Contains(a.Prefix.Addr()) {
				return x.defaultRoute()
			}
		}
		return false
	})
	if err != nil {
		t.Fatalf("host did not configure an address in %v and a default route: %v", slaac, err)
	}
}

// rdisc6 solicits from the host and checks the answer.
func (x *e2eLab) rdisc6(t *testing.T, ctx context.Context) {
	t.Helper()
	out, _, err := x.host.Run(ctx, "rdisc6", "-1", "-n", "-w", "1500", "-r", "3", "eth0")
	if err != nil {
		t.Fatalf("rdisc6: %v", err)
	}
	for _, want := range []string{"2001:db8:1::/64", "2001:db8::53", "Router lifetime           :          600"} {
		if !strings.Contains(out, want) {
			t.Errorf("rdisc6 output lacks %q:\n%s", want, out)
		}
	}
	c := x.e.Counters()
	if c.RSReceived.Load() == 0 || c.RASolicited.Load() == 0 {
		t.Errorf("counters after rdisc6: RS %d, solicited RAs %d", c.RSReceived.Load(), c.RASolicited.Load())
	}
}

// transport checks which transport serves r0.
func (x *e2eLab) transport(t *testing.T, want string) {
	t.Helper()
	st, err := x.e.Status()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st {
		if s.Name == "r0" {
			if !s.Served || s.Transport != want || s.RAsSent == 0 {
				t.Errorf("r0 status %+v, want served on the %s transport", s, want)
			}
			return
		}
	}
	t.Errorf("status %+v lacks r0", st)
}

// shutdown stops the engine and checks that its final RA removed the
// host's default route.
func (x *e2eLab) shutdown(t *testing.T, ctx context.Context) {
	t.Helper()
	x.cancel()
	if err := <-x.done; err != nil {
		t.Fatal(err)
	}
	x.done <- nil // for the cleanup
	if err := x.host.WaitFor(ctx, func() bool { return !x.defaultRoute() }); err != nil {
		t.Errorf("default route still there after the final RA: %v", err)
	}
	if n := x.e.Counters().RAFinal.Load(); n != 1 {
		t.Errorf("RAFinal %d, want 1", n)
	}
}

// TestEndToEndKernel runs the engine with the real raw ICMPv6 socket and
// netlink watcher inside a namespace: a Linux host configures itself from
// the RAs, rdisc6 gets an answer to its RS, and the final RA on shutdown
// removes the host's default route.
func TestEndToEndKernel(t *testing.T) {
	x := startE2E(t, false)
	ctx, stop := context.WithTimeout(t.Context(), 20*time.Second)
	defer stop()
	x.configured(t, ctx)
	x.rdisc6(t, ctx)
	x.transport(t, "kernel")
	x.shutdown(t, ctx)
}

// TestEndToEndPacket does the same on a router link whose IPv6 is
// disabled: the engine falls back to the AF_PACKET transport.
func TestEndToEndPacket(t *testing.T) {
	x := startE2E(t, true)
	ctx, stop := context.WithTimeout(t.Context(), 20*time.Second)
	defer stop()
	x.configured(t, ctx)
	x.rdisc6(t, ctx)
	x.transport(t, "packet")
	x.shutdown(t, ctx)
}
