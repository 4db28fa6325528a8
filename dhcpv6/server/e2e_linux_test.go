package server_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/radish-net/radish/config"
	"github.com/radish-net/radish/dhcpv6/server"
	"github.com/radish-net/radish/iface"
	"github.com/radish-net/radish/internal/netlab"
)

// End-to-end tests: the server runs on a real UDP socket (iface.ListenUDP)
// in a "router" namespace, real DHCPv6 clients in a "client" namespace on
// a veth. netlab skips them when not root or under -short.

// e2eConfig serves the link named link with DNS servers and a search list.
func e2eConfig(link, extra string) string {
	return `
[dhcpv6.duid]
type = "en"
enterprise = 32473
id = "72616469736865326500"
[[interface]]
name = "` + link + `"
[interface.dhcpv6]
dns_servers = ["2001:db8:53::1", "2001:db8:53::2"]
domain_search = ["lab.example", "radish.example"]
ntp_servers = ["2001:db8:123::1"]
` + extra
}

// startIn runs a server inside ns on a kernel UDP socket and the kernel's
// link watcher for that namespace, until the test ends.
func startIn(t *testing.T, ns *netlab.NS, cfg *config.Config) *server.Server {
	t.Helper()
	var conn *iface.UDPConn
	if err := ns.Do(func() (err error) { conn, err = iface.ListenUDP(547, 0); return err }); err != nil {
		t.Fatalf("listen: %v", err)
	}
	nsf, err := os.Open(ns.Path())
	if err != nil {
		conn.Close()
		t.Fatal(err)
	}
	w := iface.NewWatcher(iface.WatcherConfig{NetNS: int(nsf.Fd())})
	srv, err := server.New(server.Options{Config: cfg, Conn: conn, Watcher: w})
	if err != nil {
		conn.Close()
		nsf.Close()
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		nsf.Close()
	})
	select {
	case <-srv.Ready():
	case err := <-done:
		t.Fatalf("Run: %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("server not ready")
	}
	return srv
}

// pair is a router namespace serving link rIf and a client namespace
// whose link cIf is the other end of the veth.
type pair struct {
	lab            *netlab.Lab
	router, client *netlab.NS
	rIf, cIf       string
	srv            *server.Server
}

func newPair(t *testing.T, extra string) *pair {
	lab := netlab.New(t)
	p := &pair{lab: lab, router: lab.Namespace("router"), client: lab.Namespace("client"),
		rIf: lab.IfName("rs"), cIf: lab.IfName("cl")}
	lab.Veth(p.router, p.rIf, p.client, p.cIf)
	p.router.Up(p.rIf)
	p.client.Up(p.cIf)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, x := range []struct {
		ns *netlab.NS
		ln string
	}{{p.router, p.rIf}, {p.client, p.cIf}} {
		if _, err := x.ns.LinkLocal(ctx, x.ln); err != nil {
			t.Fatalf("%s link-local: %v", x.ln, err)
		}
	}
	p.srv = startIn(t, p.router, parseConfig(t, e2eConfig(p.rIf, extra)))
	return p
}

// writeScript writes an executable shell script that appends the named
// environment variables to out, one "NAME=value" line each.
func writeScript(t *testing.T, dir, out string, vars ...string) string {
	t.Helper()
	var sb strings.Builder
	sb.WriteString("#!/bin/sh\n{\n")
	for _, v := range vars {
		fmt.Fprintf(&sb, "echo \"%s=$%s\"\n", v, v)
	}
	fmt.Fprintf(&sb, "echo end\n} >> %s\nexit 0\n", out)
	path := filepath.Join(dir, "script.sh")
	if err := os.WriteFile(path, []byte(sb.String()), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// waitFile waits up to timeout until path holds a line with every want
// string, and returns the file.
func waitFile(t *testing.T, path string, timeout time.Duration, p *netlab.Proc, want ...string) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		b, _ := os.ReadFile(path)
		for line := range strings.Lines(string(b)) {
			ok := true
			for _, w := range want {
				ok = ok && strings.Contains(line, w)
			}
			if ok {
				return string(b)
			}
		}
		if time.Now().After(deadline) {
			var out, errOut string
			if p != nil {
				out, errOut = p.Output()
			}
			t.Fatalf("%s after %v: %q, want a line with %q\nstdout: %s\nstderr: %s", path, timeout, b, want, out, errOut)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestE2EDhclient(t *testing.T) {
	p := newPair(t, "")
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	script := writeScript(t, dir, out, "reason", "new_dhcp6_name_servers", "new_dhcp6_domain_search")
	proc := p.client.Start("dhclient", "-6", "-S", "-1", "-d", "-sf", script,
		"-lf", filepath.Join(dir, "lease"), "-pf", filepath.Join(dir, "pid"), p.cIf)
	got := waitFile(t, out, 10*time.Second, proc, "new_dhcp6_name_servers=2001:db8:53::1 2001:db8:53::2")
	t.Logf("client script saw:\n%s", got)
	if !strings.Contains(got, "new_dhcp6_domain_search=lab.example. radish.example.") {
		t.Errorf("search list missing: %s", got)
	}
	if c := p.srv.Counters(); c.InfRequestReceived.Load() < 1 || c.ReplySent.Load() < 1 {
		t.Errorf("counters %v", c.Snapshot())
	}
}

func TestE2EDhcpcd(t *testing.T) {
	p := newPair(t, "")
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	script := writeScript(t, dir, out, "reason", "new_dhcp6_name_servers", "new_dhcp6_domain_search")
	conf := filepath.Join(dir, "dhcpcd.conf")
	// DHCPv6 only, no RS, no address configuration: info-request on
	// demand (--inform6), with our script instead of the system hooks.
	if err := os.WriteFile(conf, []byte("ipv6only\nnoipv6rs\nnohook resolv.conf\noption dhcp6_name_servers, dhcp6_domain_search\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	proc := p.client.Start(privateState([]string{"/var/lib/dhcpcd", "/run/dhcpcd"},
		"dhcpcd", "-6", "--inform6", "-B", "-1", "-t", "8", "-f", conf, "-c", script, p.cIf)...)
	got := waitFile(t, out, 10*time.Second, proc, "new_dhcp6_name_servers=2001:db8:53::1 2001:db8:53::2")
	t.Logf("client script saw:\n%s", got)
	if !strings.Contains(got, "new_dhcp6_domain_search=lab.example radish.example") {
		t.Errorf("search list missing: %s", got)
	}
}

func TestE2EDhcp6c(t *testing.T) {
	p := newPair(t, "")
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	script := writeScript(t, dir, out, "REASON", "new_domain_name_servers", "new_domain_name")
	conf := filepath.Join(dir, "dhcp6c.conf")
	body := fmt.Sprintf("interface %s {\n\tinformation-only;\n\trequest domain-name-servers;\n\trequest domain-name;\n\tscript \"%s\";\n};\n", p.cIf, script)
	if err := os.WriteFile(conf, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	proc := p.client.Start(privateState([]string{"/var/lib/dhcpv6"},
		"dhcp6c", "-f", "-d", "-c", conf, "-p", filepath.Join(dir, "pid"), p.cIf)...)
	got := waitFile(t, out, 10*time.Second, proc, "new_domain_name_servers=2001:db8:53::1 2001:db8:53::2")
	t.Logf("client script saw:\n%s", got)
	if !strings.Contains(got, "lab.example") {
		t.Errorf("search list missing: %s", got)
	}
}

// privateState wraps argv so that the client's compiled-in state
// directories (its DUID, leases, pidfiles) are private tmpfs mounts: the
// command runs under `ip netns exec`, which gives it a mount namespace of its
// own (a slave of the host's), so nothing it writes there reaches the host.
func privateState(dirs []string, argv ...string) []string {
	var script strings.Builder
	for _, d := range dirs {
		fmt.Fprintf(&script, "mkdir -p %[1]s && mount -t tmpfs radish-test %[1]s && ", d)
	}
	script.WriteString(`exec "$@"`)
	return append([]string{"sh", "-c", script.String(), "sh"}, argv...)
}
