package serve_test

import (
	"context"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/radish-net/radish/internal/netlab"
)

// radishBin is the radish binary the end-to-end tests run, built once by
// TestMain when they can run (root, not -short).
var radishBin string

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	if os.Geteuid() == 0 && !testing.Short() {
		dir, err := os.MkdirTemp("", "radish-serve-e2e-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		radishBin = filepath.Join(dir, "radish")
		// go test puts its own go command first in PATH.
		cmd := exec.Command("go", "build", "-o", radishBin, "github.com/radish-net/radish/cmd/radish")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "building radish: %v\n%s", err, out)
			return 1
		}
	}
	return m.Run()
}

// seedConfig is examples/seed-vlan30.toml for link name, with a 4 s
// max_interval so that the test runs quickly, extra TOML appended, and the
// DUID kept in a test directory.
func seedConfig(t *testing.T, name, stateDir, extra string) string {
	t.Helper()
	b, err := os.ReadFile("../../examples/seed-vlan30.toml")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for old, repl := range map[string]string{
		`name = "vlan30"`:  fmt.Sprintf("name = %q", name),
		"[interface.ra]\n": "[interface.ra]\nmax_interval = 4\n",
	} {
		if !strings.Contains(s, old) {
			t.Fatalf("examples/seed-vlan30.toml no longer contains %q", old)
		}
		s = strings.Replace(s, old, repl, 1)
	}
	return s + extra + fmt.Sprintf("\n[dhcpv6]\nstate_dir = %q\n", stateDir)
}

// rig is a router namespace with a bridge (the served link) and a host
// namespace whose eth0 is a port of that bridge through a veth pair.
type rig struct {
	t            *testing.T
	lab          *netlab.Lab
	router, host *netlab.NS
	br           string // the bridge's name in the router namespace
	dir          string // config file and DUID state
	cfg          string // config path
	proc         *netlab.Proc
}

func newRig(t *testing.T, disableIPv6 bool) *rig {
	lab := netlab.New(t) // skips unless root and not -short
	if radishBin == "" {
		t.Fatal("radish binary not built")
	}
	r := &rig{t: t, lab: lab, router: lab.Namespace("rt"), host: lab.Namespace("host"), br: lab.IfName("vlan"), dir: t.TempDir()}
	r.cfg = filepath.Join(r.dir, "radish.toml")
	lab.Bridge(r.router, r.br)
	lab.Veth(r.router, "p0", r.host, "eth0")
	r.router.SetMaster("p0", r.br)
	// Forwarding on, so that the Router Lifetime is not forced to 0.
	r.router.Sysctl("net.ipv6.conf.all.forwarding", "1")
	if disableIPv6 {
		r.router.Sysctl("net.ipv6.conf."+r.br+".disable_ipv6", "1")
	}
	r.host.Sysctl("net.ipv6.conf.eth0.accept_ra", "2")
	r.host.Sysctl("net.ipv6.conf.eth0.autoconf", "1")
	r.router.Up("p0")
	r.router.Up(r.br)
	r.host.Up("eth0")
	return r
}

func (r *rig) writeConfig(s string) {
	r.t.Helper()
	tmp := r.cfg + ".tmp"
	if err := os.WriteFile(tmp, []byte(s), 0o644); err != nil {
		r.t.Fatal(err)
	}
	if err := os.Rename(tmp, r.cfg); err != nil {
		r.t.Fatal(err)
	}
}

// start runs radish serve in the router namespace and waits for its
// readiness log line.
func (r *rig) start() {
	r.t.Helper()
	r.proc = r.router.Start(radishBin, "serve", "-c", r.cfg, "--log-level", "debug")
	r.t.Cleanup(func() {
		if r.t.Failed() {
			_, stderr := r.proc.Output()
			r.t.Logf("radish log:\n%s", stderr)
		}
	})
	r.waitLog(`msg=ready`, 10*time.Second)
}

// waitLog waits until radish's log matches the regular expression re.
func (r *rig) waitLog(re string, timeout time.Duration) string {
	r.t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(timeout)
	for {
		_, stderr := r.proc.Output()
		if m := rx.FindString(stderr); m != "" {
			return m
		}
		select {
		case <-r.proc.Done():
			r.t.Fatalf("radish exited while waiting for %q:\n%s", re, stderr)
		default:
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("radish log has no %q after %v:\n%s", re, timeout, stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (r *rig) signal(sig syscall.Signal) {
	r.t.Helper()
	if err := syscall.Kill(r.proc.Pid(), sig); err != nil {
		r.t.Fatal(err)
	}
}

// defaultRoute returns the host's default route learned from an RA on
// eth0, if any.
func (r *rig) defaultRoute() (netlab.Route, bool) {
	routes, err := r.host.Routes()
	if err != nil {
		return netlab.Route{}, false
	}
	for _, rt := range routes {
		if rt.Dst.Bits() == 0 && rt.Gateway.IsLinkLocalUnicast() && rt.Dev == "eth0" {
			return rt, true
		}
	}
	return netlab.Route{}, false
}

// slaac returns the host's global address in prefix, if any.
func (r *rig) slaac(prefix netip.Prefix) (netlab.Addr, bool) {
	addrs, err := r.host.Addrs("eth0")
	if err != nil {
		return netlab.Addr{}, false
	}
	for _, a := range addrs {
		if prefix.Contains(a.Prefix.Addr()) && !a.Has("tentative") {
			return a, true
		}
	}
	return netlab.Addr{}, false
}

// configured waits until the host has a SLAAC address in prefix and a
// default route through the router with preference pref.
func (r *rig) configured(prefix netip.Prefix, pref string, timeout time.Duration) {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(r.t.Context(), timeout)
	defer cancel()
	err := r.host.WaitFor(ctx, func() bool {
		_, okA := r.slaac(prefix)
		rt, okR := r.defaultRoute()
		return okA && okR && rt.Pref == pref
	})
	if err != nil {
		rt, _ := r.defaultRoute()
		addrs, _ := r.host.Addrs("eth0")
		r.t.Fatalf("host not configured within %v: want an address in %v and a default route with pref %s; addresses %v, route %+v", timeout, prefix, pref, addrs, rt)
	}
}

// with returns a copy of r whose helpers report to t (a subtest).
func (r *rig) with(t *testing.T) *rig {
	c := *r
	c.t = t
	return &c
}

// rdisc6 solicits from the host and returns rdisc6's report of the answer.
func (r *rig) rdisc6() string {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(r.t.Context(), 15*time.Second)
	defer cancel()
	out, _, err := r.host.Run(ctx, "rdisc6", "-1", "-n", "-w", "1500", "-r", "5", "eth0")
	if err != nil {
		r.t.Fatalf("rdisc6: %v", err)
	}
	return out
}

// rdisc6Has solicits until rdisc6's answer contains every want (RAs from
// before a change may still be answered for up to MaxRADelayTime).
func (r *rig) rdisc6Has(want ...string) string {
	r.t.Helper()
	var out string
	for range 5 {
		out = r.rdisc6()
		missing := false
		for _, w := range want {
			if !fieldRx(w).MatchString(out) {
				missing = true
			}
		}
		if !missing {
			return out
		}
		time.Sleep(500 * time.Millisecond)
	}
	r.t.Fatalf("rdisc6 output lacks one of %q:\n%s", want, out)
	return ""
}

// fieldRx matches rdisc6's "Name : value" lines whatever the padding:
// "Router preference: high" matches "Router preference       :      high".
func fieldRx(s string) *regexp.Regexp {
	name, value, ok := strings.Cut(s, ":")
	if !ok {
		return regexp.MustCompile(regexp.QuoteMeta(s))
	}
	return regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(strings.TrimSpace(name)) + `\s*:\s*` + regexp.QuoteMeta(strings.TrimSpace(value)) + `\b`)
}

// dhclientDNS runs dhclient -6 -S (Information-request) in the host
// namespace and returns the DNS servers its script was given.
func (r *rig) dhclientDNS() string {
	r.t.Helper()
	dir := r.t.TempDir()
	out := filepath.Join(dir, "out")
	script := filepath.Join(dir, "script")
	body := "#!/bin/sh\necho \"$reason $new_dhcp6_name_servers\" >> " + out + "\n"
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		r.t.Fatal(err)
	}
	p := r.host.Start("dhclient", "-6", "-S", "-1", "-d", "-sf", script,
		"-lf", filepath.Join(dir, "lease"), "-pf", filepath.Join(dir, "pid"), "eth0")
	defer p.Stop()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		b, _ := os.ReadFile(out)
		for line := range strings.Lines(string(b)) {
			// dhclient -S reports the reply as INFORM6, or as
			// RENEW6 when it reuses a lease it just obtained.
			if reason, servers, _ := strings.Cut(strings.TrimSpace(line), " "); servers != "" && reason != "PREINIT6" {
				return servers
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	b, _ := os.ReadFile(out)
	o, e := p.Output()
	r.t.Fatalf("dhclient reported no DNS servers; script saw %q\nstdout: %s\nstderr: %s", b, o, e)
	return ""
}

var seedPrefix = netip.MustParsePrefix("2605:fd00:0:10::/64")

// TestServeSeed serves the seed deployment's configuration to a Linux host
// and checks what the host learns from RAs and DHCPv6, then reloads (good
// and broken files), bounces the link and stops with SIGTERM.
func TestServeSeed(t *testing.T) {
	t.Parallel()
	r := newRig(t, false)
	seed := seedConfig(t, r.br, r.dir, "")
	r.writeConfig(seed)
	r.start()

	r.configured(seedPrefix, "high", 20*time.Second)
	out := r.rdisc6Has(
		"Stateful other conf.: Yes",
		"Router preference: high",
		"Prefix: 2605:fd00:0:10::/64",
		"Recursive DNS server: 2605:fd00::2",
		"Recursive DNS server: 2605:fd00::3",
	)
	t.Logf("rdisc6:\n%s", out)
	if fieldRx("Router lifetime: 0").MatchString(out) {
		t.Errorf("router lifetime 0 although forwarding is on:\n%s", out)
	}

	if got := r.dhclientDNS(); got != "2605:fd00::2 2605:fd00::3" {
		t.Errorf("dhclient -6 -S learned DNS servers %q, want %q", got, "2605:fd00::2 2605:fd00::3")
	}

	t.Run("reload", func(t *testing.T) {
		r := r.with(t)
		r.writeConfig(strings.Replace(seed, `"2605:fd00::3"`, `"2605:fd00::53"`, 1))
		r.signal(syscall.SIGHUP)
		r.waitLog(`msg="configuration reloaded"`, 5*time.Second)
		r.rdisc6Has("Recursive DNS server: 2605:fd00::53")
		if got := r.dhclientDNS(); got != "2605:fd00::2 2605:fd00::53" {
			t.Errorf("after reload dhclient learned %q", got)
		}
	})

	t.Run("broken reload", func(t *testing.T) {
		r := r.with(t)
		good, err := os.ReadFile(r.cfg)
		if err != nil {
			t.Fatal(err)
		}
		broken := strings.Replace(string(good), `router_preference = "high"`, `router_preference = "highest"`, 1)
		r.writeConfig(broken)
		line := 1 + strings.Count(broken[:strings.Index(broken, "highest")], "\n")
		r.signal(syscall.SIGHUP)
		r.waitLog(regexp.QuoteMeta(fmt.Sprintf("%s:%d:", r.cfg, line))+`.*router_preference`, 5*time.Second)
		select {
		case <-r.proc.Done():
			t.Fatal("radish exited after a broken reload")
		default:
		}
		// The previous configuration keeps serving.
		r.rdisc6Has("Router preference: high", "Recursive DNS server: 2605:fd00::53")
	})

	t.Run("link down up", func(t *testing.T) {
		r := r.with(t)
		r.router.Down(r.br)
		r.waitLog(`msg="link no longer served" link=`+r.br, 5*time.Second)
		r.router.Up(r.br)
		// The log is cumulative: count the "serving link" lines.
		deadline := time.Now().Add(10 * time.Second)
		for {
			_, stderr := r.proc.Output()
			if strings.Count(stderr, `msg="link served" link=`+r.br) >= 2 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("link not served again after up:\n%s", stderr)
			}
			time.Sleep(50 * time.Millisecond)
		}
		r.rdisc6Has("Router preference: high", "Prefix: 2605:fd00:0:10::/64")
	})

	t.Run("sigterm", func(t *testing.T) {
		r := r.with(t)
		if _, ok := r.defaultRoute(); !ok {
			t.Fatal("no default route before SIGTERM")
		}
		r.signal(syscall.SIGTERM)
		if err := r.proc.Wait(); err != nil {
			t.Errorf("radish after SIGTERM: %v, want exit status 0", err)
		}
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		if err := r.host.WaitFor(ctx, func() bool { _, ok := r.defaultRoute(); return !ok }); err != nil {
			rt, _ := r.defaultRoute()
			t.Errorf("host kept its default route %+v after the final RA", rt)
		}
	})
}

// countLog waits until radish's log has at least n lines containing s.
func (r *rig) countLog(s string, n int, timeout time.Duration) {
	r.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		_, stderr := r.proc.Output()
		if strings.Count(stderr, s) >= n {
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("radish log has fewer than %d lines with %q after %v:\n%s", n, s, timeout, stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestServeLinkChanges follows the router's link through address changes
// (an automatic ::/64 prefix) and through deletion and re-creation.
func TestServeLinkChanges(t *testing.T) {
	t.Parallel()
	r := newRig(t, false)
	r.writeConfig(fmt.Sprintf(`[[interface]]
name = %q
[interface.ra]
max_interval = 4
[[interface.ra.prefix]]
prefix = "::/64"

[dhcpv6]
state_dir = %q
`, r.br, r.dir))
	r.start()
	r.countLog(`msg="link served" link=`+r.br, 1, 5*time.Second)
	out := r.rdisc6Has("Router preference: medium")
	if strings.Contains(out, "Prefix") {
		t.Fatalf("prefix advertised before the link has a global address:\n%s", out)
	}

	auto := netip.MustParsePrefix("2001:db8:5::/64")
	t.Run("address add", func(t *testing.T) {
		r := r.with(t)
		r.router.IP("addr", "add", "2001:db8:5::1/64", "dev", r.br)
		r.configured(auto, "medium", 15*time.Second)
		r.rdisc6Has("Prefix: 2001:db8:5::/64")
	})

	t.Run("address remove", func(t *testing.T) {
		r := r.with(t)
		r.router.IP("addr", "del", "2001:db8:5::1/64", "dev", r.br)
		// The prefix is withdrawn (RFC 9096): still advertised, with
		// preferred lifetime 0, so the host deprecates its address.
		ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
		defer cancel()
		if err := r.host.WaitFor(ctx, func() bool {
			a, ok := r.slaac(auto)
			return ok && a.Preferred == 0
		}); err != nil {
			a, _ := r.slaac(auto)
			t.Fatalf("host address %+v not deprecated after the router's address was removed", a)
		}
	})

	t.Run("delete recreate", func(t *testing.T) {
		r := r.with(t)
		r.router.Delete(r.br)
		r.waitLog(`msg="link no longer served" link=`+r.br, 5*time.Second)
		r.lab.Bridge(r.router, r.br)
		r.router.SetMaster("p0", r.br)
		r.router.Up(r.br)
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		ll, err := r.router.LinkLocal(ctx, r.br)
		if err != nil {
			t.Fatal(err)
		}
		r.countLog(`msg="link served" link=`+r.br, 2, 10*time.Second)
		// The answer comes from the new bridge's link-local address.
		out := r.rdisc6Has("Router preference: medium")
		if !strings.Contains(out, "from "+ll.String()) {
			t.Errorf("rdisc6 answer not from the new bridge %v:\n%s", ll, out)
		}
	})

	t.Run("sigint", func(t *testing.T) {
		r := r.with(t)
		r.signal(syscall.SIGINT)
		if err := r.proc.Wait(); err != nil {
			t.Errorf("radish after SIGINT: %v, want exit status 0", err)
		}
		r.waitLog(`msg=stopped final_ras=1 `, time.Second)
	})
}

// TestServePacketTransport serves the seed config on a bridge whose kernel
// IPv6 is disabled: radish falls back to the AF_PACKET transport and the
// host configures itself as on the kernel transport, DNS servers from
// stateless DHCPv6 included (answered over the AF_PACKET socket).
func TestServePacketTransport(t *testing.T) {
	t.Parallel()
	r := newRig(t, true)
	r.writeConfig(seedConfig(t, r.br, r.dir, ""))
	r.start()
	r.waitLog(`msg="link served" link=`+r.br+` index=\d+ transport=packet`, 10*time.Second)
	r.configured(seedPrefix, "high", 20*time.Second)
	r.rdisc6Has(
		"Stateful other conf.: Yes",
		"Router preference: high",
		"Prefix: 2605:fd00:0:10::/64",
		"Recursive DNS server: 2605:fd00::2",
		"Recursive DNS server: 2605:fd00::3",
	)
	if got := r.dhclientDNS(); got != "2605:fd00::2 2605:fd00::3" {
		t.Errorf("dhclient -6 -S learned DNS servers %q over the packet transport, want %q", got, "2605:fd00::2 2605:fd00::3")
	}
	r.signal(syscall.SIGTERM)
	if err := r.proc.Wait(); err != nil {
		t.Errorf("radish after SIGTERM: %v, want exit status 0", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if err := r.host.WaitFor(ctx, func() bool { _, ok := r.defaultRoute(); return !ok }); err != nil {
		t.Error("host kept its default route after the final RA on the packet transport")
	}
	// The answers went out through the AF_PACKET socket.
	_, stderr := r.proc.Output()
	if !regexp.MustCompile(`msg=stopped .*dhcpv6_sent=[1-9]\d* dhcpv6_packet_transport=[1-9]`).MatchString(stderr) {
		t.Errorf("radish's final counters show no DHCPv6 answered over the packet transport:\n%s", stderr)
	}
	// And by Kea's names.
	if !regexp.MustCompile(`msg="dhcpv6 counters" .*pkt6-infrequest-received=[1-9]\d* .*pkt6-reply-sent=[1-9]`).MatchString(stderr) {
		t.Errorf("no dhcpv6 counters line with Kea's names at stop:\n%s", stderr)
	}
}

// TestServePacketTransportLifecycle follows DHCPv6 on a bridge through the
// packet transport's life cycle: the link is served over AF_PACKET before
// any DHCPv6 is configured, a reload adds [interface.dhcpv6] (the server
// starts and takes over the open packet conn's DHCPv6 packets), then the
// bridge's IPv6 is enabled (the link moves to the kernel transport and
// ff02::1:2 to the UDP socket) and disabled again (back to AF_PACKET).
// dhclient -6 -S learns the DNS servers at each step. Only the sysctl is
// written (no link event follows it): the move must come from the
// addresses the kernel removes and adds back.
func TestServePacketTransportLifecycle(t *testing.T) {
	t.Parallel()
	r := newRig(t, true)
	seed := seedConfig(t, r.br, r.dir, "")
	cut := strings.Index(seed, "[interface.dhcpv6]")
	if cut < 0 {
		t.Fatal("seed configuration has no [interface.dhcpv6]")
	}
	r.writeConfig(seed[:cut] + fmt.Sprintf("\n[dhcpv6]\nstate_dir = %q\n", r.dir))
	r.start()
	served := `msg="link served" link=` + r.br + ` index=\d+ transport=`
	r.waitLog(served+`packet`, 10*time.Second)
	r.waitLog(`msg=ready router_advertisements=true dhcpv6=false`, time.Second)

	want := "2605:fd00::2 2605:fd00::3"
	t.Run("reload adds DHCPv6", func(t *testing.T) {
		r := r.with(t)
		r.writeConfig(seed)
		r.signal(syscall.SIGHUP)
		r.waitLog(`msg="configuration reloaded".*dhcpv6=true`, 5*time.Second)
		if got := r.dhclientDNS(); got != want {
			t.Errorf("dhclient learned %q, want %q", got, want)
		}
	})

	t.Run("kernel transport", func(t *testing.T) {
		r := r.with(t)
		r.router.Sysctl("net.ipv6.conf."+r.br+".disable_ipv6", "0")
		r.waitLog(served+`kernel`, 10*time.Second)
		if got := r.dhclientDNS(); got != want {
			t.Errorf("dhclient learned %q, want %q", got, want)
		}
	})

	t.Run("packet transport again", func(t *testing.T) {
		r := r.with(t)
		r.router.Sysctl("net.ipv6.conf."+r.br+".disable_ipv6", "1")
		r.countLog(`msg="link served" link=`+r.br+` index=`, 3, 10*time.Second)
		r.waitLog(`(?s)transport=kernel.*`+served+`packet`, time.Second)
		if got := r.dhclientDNS(); got != want {
			t.Errorf("dhclient learned %q, want %q", got, want)
		}
	})

	t.Run("link deleted", func(t *testing.T) {
		r := r.with(t)
		r.router.Delete(r.br)
		r.waitLog(`msg="link no longer served" link=`+r.br, 5*time.Second)
		time.Sleep(200 * time.Millisecond)
		if _, stderr := r.proc.Output(); strings.Contains(stderr, "level=WARN") || strings.Contains(stderr, "level=ERROR") {
			t.Errorf("warnings or errors logged:\n%s", stderr)
		}
	})

	r.signal(syscall.SIGTERM)
	if err := r.proc.Wait(); err != nil {
		t.Errorf("radish after SIGTERM: %v, want exit status 0", err)
	}
	_, stderr := r.proc.Output()
	if m := regexp.MustCompile(`msg=stopped .*dhcpv6_packet_transport=(\d+)`).FindStringSubmatch(stderr); m == nil || atoi(m[1]) < 2 {
		t.Errorf("final counters do not show at least 2 DHCPv6 requests over the packet transport:\n%s", stderr)
	}
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}

// TestServeLinkChurnKeepsServing: links that come and go must not wear
// the sockets out. The kernel keeps a socket's multicast memberships after
// their link is deleted, each charged to the socket's option memory
// (net.core.optmem_max, per namespace: lowered here so that a few dozen
// leaked memberships exhaust it, as a few thousand do at the default); a
// daemon that never leaves them stops answering DHCPv6 everywhere. After
// 60 served links are created and deleted, the host on the bridge still
// gets RAs and DHCPv6 answers.
func TestServeLinkChurnKeepsServing(t *testing.T) {
	t.Parallel()
	r := newRig(t, false)
	r.router.Sysctl("net.core.optmem_max", "2048")
	r.router.Sysctl("net.ipv6.conf.default.accept_dad", "0") // link-local addresses at once
	r.writeConfig(seedConfig(t, r.br, r.dir, `
[[interface]]
name = "ch*"
[interface.ra]
max_interval = 4
[interface.dhcpv6]
dns_servers = ["2001:db8:c::53"]
`))
	r.start()
	for i := range 60 {
		a, b := fmt.Sprintf("ch%d", i), fmt.Sprintf("cq%d", i)
		r.lab.Veth(r.router, a, r.router, b)
		r.router.Up(b)
		r.router.Up(a)
		// Both have joined their groups on the link (debug lines).
		r.waitLog(`msg="serving link" link=`+a+` `, 5*time.Second)
		r.waitLog(`msg="dhcpv6: serving link" link=`+a+` `, 5*time.Second)
		r.router.Delete(a)
	}
	if got, want := r.dhclientDNS(), "2605:fd00::2 2605:fd00::3"; got != want {
		t.Errorf("after the churn dhclient learned %q, want %q", got, want)
	}
	r.rdisc6Has("Stateful other conf. : Yes")
	if _, stderr := r.proc.Output(); strings.Contains(stderr, "cannot join multicast group") {
		t.Errorf("joins failed during the churn:\n%s", stderr)
	}
}

// TestServeSecondInstanceWarns: a second radish serve in the same network
// namespace logs a warning naming the first one's pid (and still starts:
// it may be a rolling restart); when the first stops, the second takes
// the marker over, so a third is warned about the second. Six more
// instances probe the first without hanging.
func TestServeSecondInstanceWarns(t *testing.T) {
	t.Parallel()
	r := newRig(t, false)
	r.writeConfig(seedConfig(t, r.br, r.dir, ""))
	r.start()
	if _, stderr := r.proc.Output(); strings.Contains(stderr, "another radish serve") {
		t.Fatalf("the first instance warned:\n%s", stderr)
	}
	const warning = `level=WARN msg="another radish serve is running in this network namespace: both will send RAs and answer DHCPv6 on the links they share" other_pid=`
	waitWarn := func(p *netlab.Proc, pid int) {
		t.Helper()
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		want := warning + strconv.Itoa(pid)
		if err := r.router.WaitFor(ctx, func() bool { _, e := p.Output(); return strings.Contains(e, want) }); err != nil {
			_, e := p.Output()
			t.Fatalf("no warning naming pid %d:\n%s", pid, e)
		}
	}
	second := r.router.Start(radishBin, "serve", "-c", r.cfg)
	defer second.Stop()
	waitWarn(second, r.proc.Pid())
	for range 6 { // more than a listen backlog: the first must answer every probe
		p := r.router.Start(radishBin, "serve", "-c", r.cfg)
		waitWarn(p, r.proc.Pid())
		p.Stop()
	}
	r.signal(syscall.SIGTERM)
	<-r.proc.Done()
	time.Sleep(6 * time.Second) // the second retries every 5 s
	third := r.router.Start(radishBin, "serve", "-c", r.cfg)
	defer third.Stop()
	waitWarn(third, second.Pid())
}
