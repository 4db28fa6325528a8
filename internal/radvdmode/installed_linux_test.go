package radvdmode_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/radish-net/radish/internal/daemon"
	"github.com/radish-net/radish/internal/netlab"
)

const novaConf = `interface br100
{
    AdvSendAdvert on;
    MinRtrAdvInterval 3;
    MaxRtrAdvInterval 10;
    prefix %s
    {
        AdvOnLink on;
        AdvAutonomous on;
    };
};
`

// TestNovaSequence is nova-network's use of radvd against radish installed
// as /usr/sbin/radvd: start, check identity and RAs, then SIGTERM and
// immediately a new start on the same pidfile, which must succeed and keep
// the pidfile after the old instance has gone.
func TestNovaSequence(t *testing.T) {
	needRoot(t)
	t.Parallel()
	_, router, host := routerLab(t, "br100")
	dir := publicDir(t)
	conf, pidfile := filepath.Join(dir, "nova-br100.conf"), filepath.Join(dir, "nova-br100.pid")
	writeFile(t, conf, fmt.Sprintf(novaConf, "2001:db8:100:1::/64"))
	env := []string{"RADISH_RADVD_CONFIG=/dev/null"}

	s := startInstalled(t, router, env, "-C", conf, "-p", pidfile)
	if s.code != 0 {
		t.Fatalf("start: exit %d: %s", s.code, s.output)
	}
	first := adopt(t, pidfile)
	checkIdentity(t, first, conf)
	waitRA(t, host, "2001:db8:100:1::/64", "Router lifetime : 30")

	// nova: kill, then start again at once.
	if err := syscall.Kill(first, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	s = startInstalled(t, router, env, "-C", conf, "-p", pidfile)
	if s.code != 0 {
		t.Fatalf("restart right after SIGTERM: exit %d: %s", s.code, s.output)
	}
	second := adopt(t, pidfile)
	if second == first {
		t.Fatalf("pidfile still names the old instance %d", first)
	}
	waitGone(t, first, 10*time.Second)
	if got, err := daemon.ReadPidfile(pidfile); err != nil || got != second {
		t.Fatalf("after the old instance exited the pidfile holds %d (%v), want %d", got, err, second)
	}
	checkIdentity(t, second, conf)
	waitRA(t, host, "2001:db8:100:1::/64")

	// A plain stop sends the final RA (Router Lifetime 0: the host drops
	// its default route) and removes the pidfile (it is ours).
	if !waitDefaultRoute(t, host, true) {
		t.Fatal("the host has no default route from the RAs")
	}
	syscall.Kill(second, syscall.SIGTERM)
	waitGone(t, second, 10*time.Second)
	if !waitDefaultRoute(t, host, false) {
		t.Error("the host kept its default route: no final RA")
	}
	if _, err := os.Stat(pidfile); !os.IsNotExist(err) {
		t.Errorf("pidfile left after SIGTERM: %v", err)
	}
}

const neutronConf = `interface qr-e2e
{
   AdvSendAdvert on;
   MinRtrAdvInterval 30;
   MaxRtrAdvInterval 100;
   AdvLinkMTU 1450;
   AdvOtherConfigFlag on;
   RDNSS 2001:db8:53::1 {};
   prefix %s
   {
        AdvOnLink on;
        AdvAutonomous on;
   };
};
`

// TestNeutronSequence is neutron's: -C CONF -p PIDFILE -m syslog -u
// nobody, a reload by SIGHUP with a changed file, a reload with a broken
// file (the old configuration keeps serving), then kill -9 and a respawn
// on the same pidfile.
func TestNeutronSequence(t *testing.T) {
	needRoot(t)
	t.Parallel()
	nobody, err := user.Lookup("nobody")
	if err != nil {
		t.Skip("no user nobody")
	}
	_, router, host := routerLab(t, "qr-e2e")
	dir := publicDir(t)
	conf, pidfile := filepath.Join(dir, "radvd.conf"), filepath.Join(dir, "radvd.pid")
	writeFile(t, conf, fmt.Sprintf(neutronConf, "2001:db8:1::/64"))
	env := []string{"RADISH_RADVD_CONFIG=/dev/null"}
	args := []string{"-C", conf, "-p", pidfile, "-m", "syslog", "-u", "nobody"}

	s := startInstalled(t, router, env, args...)
	if s.code != 0 {
		t.Fatalf("start: exit %d: %s", s.code, s.output)
	}
	pid := adopt(t, pidfile)
	checkIdentity(t, pid, conf)
	if uid := procUID(t, pid); uid != nobody.Uid {
		t.Errorf("uid %s after -u nobody, want %s", uid, nobody.Uid)
	}
	// Only CAP_NET_ADMIN and CAP_NET_RAW survive -u (radish's build is
	// CGO_ENABLED=0, so they are kept on every thread).
	if eff, prm := procStatus(t, pid, "CapEff:"), procStatus(t, pid, "CapPrm:"); eff != "0000000000003000" || prm != eff {
		t.Errorf("after -u: CapEff %s CapPrm %s, want 0000000000003000 (CAP_NET_ADMIN, CAP_NET_RAW)", eff, prm)
	}
	waitRA(t, host, "2001:db8:1::/64", "Stateful other conf. : Yes", "2001:db8:53::1", "MTU : 1450")
	if mtu, _ := router.ReadSysctl("net.ipv6.conf.qr-e2e.mtu"); mtu != "1450" {
		t.Errorf("router's net.ipv6.conf.qr-e2e.mtu = %q at start, want 1450 (AdvLinkMTU)", mtu)
	}

	// neutron rewrites the file and sends SIGHUP. The new AdvLinkMTU
	// reaches the router's own sysctl although the daemon is now nobody.
	writeFile(t, conf, strings.Replace(fmt.Sprintf(neutronConf, "2001:db8:2::/64"), "AdvLinkMTU 1450", "AdvLinkMTU 1400", 1))
	syscall.Kill(pid, syscall.SIGHUP)
	waitRA(t, host, "2001:db8:2::/64", "MTU : 1400")
	if mtu, _ := router.ReadSysctl("net.ipv6.conf.qr-e2e.mtu"); mtu != "1400" {
		t.Errorf("router's net.ipv6.conf.qr-e2e.mtu = %q after a reload as nobody, want 1400", mtu)
	}

	// A broken file: logged, the previous configuration keeps serving.
	writeFile(t, conf, "interface qr-e2e { AdvSendAdvert on\n};\n")
	syscall.Kill(pid, syscall.SIGHUP)
	time.Sleep(300 * time.Millisecond)
	if !daemon.ProcessAlive(pid) {
		t.Fatal("a broken file on SIGHUP stopped the daemon")
	}
	waitRA(t, host, "2001:db8:2::/64")

	// neutron's stop: kill -9; the pidfile stays and the next start takes
	// it over.
	syscall.Kill(pid, syscall.SIGKILL)
	waitGone(t, pid, 5*time.Second)
	if got, err := daemon.ReadPidfile(pidfile); err != nil || got != pid {
		t.Fatalf("after kill -9 the pidfile holds %d (%v), want the dead pid %d", got, err, pid)
	}
	writeFile(t, conf, fmt.Sprintf(neutronConf, "2001:db8:3::/64"))
	s = startInstalled(t, router, env, args...)
	if s.code != 0 {
		t.Fatalf("respawn: exit %d: %s", s.code, s.output)
	}
	again := adopt(t, pidfile)
	if again == pid {
		t.Fatal("pidfile not replaced on respawn")
	}
	checkIdentity(t, again, conf)
	waitRA(t, host, "2001:db8:3::/64")
}

// TestDeferAndOverlay starts in defer mode (RADISH_RADVD_MODE): the daemon
// contract holds but no RA is sent, as rdisc6 and tshark see. A SIGHUP
// with radvd.toml switched to serve with an overlay then advertises the
// file plus the overlay.
func TestDeferAndOverlay(t *testing.T) {
	needRoot(t)
	t.Parallel()
	if _, err := exec.LookPath("tshark"); err != nil {
		t.Skip("tshark not installed")
	}
	_, router, host := routerLab(t, "br100")
	dir := publicDir(t)
	conf, pidfile, settings := filepath.Join(dir, "radvd.conf"), filepath.Join(dir, "radvd.pid"), filepath.Join(dir, "radvd.toml")
	writeFile(t, conf, fmt.Sprintf(novaConf, "2001:db8:100:1::/64"))
	writeFile(t, settings, "mode = \"defer\"\n")

	// Broken radvd.conf in defer mode: still validated, start fails.
	bad := filepath.Join(dir, "bad.conf")
	writeFile(t, bad, "interface br100 {\n AdvSendAdvert maybe;\n};\n")
	s := startInstalled(t, router, []string{"RADISH_RADVD_CONFIG=" + settings}, "-C", bad, "-p", filepath.Join(dir, "bad.pid"))
	if s.code != 1 || !strings.Contains(s.output, bad+":2 error:") {
		t.Errorf("broken file in defer mode: exit %d, output %q; want 1 and %s:2 error:", s.code, s.output, bad)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	capture := filepath.Join(dir, "defer.pcap")
	tshark := host.Start("tshark", "-q", "-i", "eth0", "-f", "icmp6 and ip6[40] == 134", "-a", "duration:5", "-w", capture)
	waitCapturing(t, ctx, tshark)

	logfile := filepath.Join(dir, "radvd.log")
	s = startInstalled(t, router, []string{"RADISH_RADVD_CONFIG=" + settings}, "-C", conf, "-p", pidfile, "-m", "logfile", "-l", logfile)
	if s.code != 0 {
		t.Fatalf("start: exit %d: %s", s.code, s.output)
	}
	pid := adopt(t, pidfile)
	checkIdentity(t, pid, conf)
	if out, err := rdisc6(ctx, host); err == nil {
		t.Errorf("defer mode answered a solicitation:\n%s", out)
	}
	select {
	case <-tshark.Done():
	case <-ctx.Done():
		t.Fatal("tshark did not stop")
	}
	if n := countPackets(t, ctx, capture); n != 0 {
		t.Errorf("tshark saw %d RAs in defer mode", n)
	}
	if log := readFile(t, logfile); strings.Count(log, "an upstream router is responsible") != 1 {
		t.Errorf("the defer message is not logged exactly once:\n%s", log)
	}

	writeFile(t, settings, `mode = "serve"
[overlay]
interfaces = ["br*"]
other_config = true
preference = "high"
rdnss = ["2001:db8:53::53"]
dnssl = ["example.org"]
`)
	syscall.Kill(pid, syscall.SIGHUP)
	waitRA(t, host, "2001:db8:100:1::/64", "Stateful other conf. : Yes", "Router preference : high",
		"2001:db8:53::53", "example.org")
}

// procStatus returns the first value of a /proc/PID/status field.
func procStatus(t *testing.T, pid int, field string) string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) > 1 && f[0] == field {
			return f[1]
		}
	}
	return ""
}

func procUID(t *testing.T, pid int) string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) > 1 && f[0] == "Uid:" {
			return f[1]
		}
	}
	return ""
}

// waitCapturing waits until tshark reports that it captures.
func waitCapturing(t *testing.T, ctx context.Context, p interface{ Output() (string, string) }) {
	t.Helper()
	for ctx.Err() == nil {
		if _, e := p.Output(); strings.Contains(e, "Capturing on") {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("tshark did not start capturing")
}

func countPackets(t *testing.T, ctx context.Context, file string) int {
	t.Helper()
	out, err := exec.CommandContext(ctx, "tshark", "-r", file, "-T", "fields", "-e", "frame.number").Output()
	if err != nil {
		t.Fatalf("tshark -r: %v", err)
	}
	s := strings.TrimSpace(string(out))
	if s == "" {
		return 0
	}
	return len(strings.Split(s, "\n"))
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestSideBySide runs two installed instances at once in two router
// namespaces with their own -C and -p, one of them chrooted (-t) as
// nobody, both logging to files: each serves its own link, SIGUSR1 is
// taken, and SIGTERM stops each.
func TestSideBySide(t *testing.T) {
	needRoot(t)
	t.Parallel()
	if _, err := user.Lookup("nobody"); err != nil {
		t.Skip("no user nobody")
	}
	_, routerA, hostA := routerLab(t, "br100")
	_, routerB, hostB := routerLab(t, "br100")
	dir := publicDir(t)
	env := []string{"RADISH_RADVD_CONFIG=/dev/null"}

	confA, pidA, logA := filepath.Join(dir, "a.conf"), filepath.Join(dir, "a.pid"), filepath.Join(dir, "a.log")
	writeFile(t, confA, fmt.Sprintf(novaConf, "2001:db8:a::/64"))
	if s := startInstalled(t, routerA, env, "-C", confA, "-p", pidA, "-m", "logfile", "-l", logA); s.code != 0 {
		t.Fatalf("instance A: exit %d: %s", s.code, s.output)
	}
	a := adopt(t, pidA)

	root := filepath.Join(dir, "chroot")
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(root, "radvd.conf"), fmt.Sprintf(novaConf, "2001:db8:b::/64"))
	logB := filepath.Join(dir, "b.log")
	if s := startInstalled(t, routerB, env, "-C", "/radvd.conf", "-p", "/radvd.pid", "-u", "nobody", "-t", root, "-m", "logfile", "-l", logB); s.code != 0 {
		t.Fatalf("instance B: exit %d: %s", s.code, s.output)
	}
	b := adopt(t, filepath.Join(root, "radvd.pid"))
	if a == b {
		t.Fatal("same pid")
	}
	checkIdentity(t, a, confA)
	checkIdentity(t, b, "/radvd.conf")
	waitRA(t, hostA, "2001:db8:a::/64")
	waitRA(t, hostB, "2001:db8:b::/64")

	syscall.Kill(a, syscall.SIGUSR1)
	end := time.Now().Add(5 * time.Second)
	for !strings.Contains(readFile(t, logA), "resetting decrementing lifetimes") {
		if time.Now().After(end) {
			t.Fatalf("SIGUSR1 not logged:\n%s", readFile(t, logA))
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, pid := range []int{a, b} {
		syscall.Kill(pid, syscall.SIGTERM)
	}
	waitGone(t, a, 10*time.Second)
	waitGone(t, b, 10*time.Second)
	if _, err := os.Stat(pidA); !os.IsNotExist(err) {
		t.Errorf("instance A left its pidfile: %v", err)
	}
	for _, l := range []string{logA, logB} {
		if log := readFile(t, l); !strings.Contains(log, "exiting, 1 sigterm(s) received") {
			t.Errorf("%s lacks the exit message:\n%s", l, log)
		}
	}
}

// waitDefaultRoute waits up to 10 s until the host has (want) or has not
// a default route learned from an RA on eth0.
func waitDefaultRoute(t *testing.T, host *netlab.NS, want bool) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	return host.WaitFor(ctx, func() bool {
		routes, err := host.Routes()
		if err != nil {
			return false
		}
		has := false
		for _, r := range routes {
			has = has || (r.Dst.Bits() == 0 && r.Gateway.IsLinkLocalUnicast() && r.Dev == "eth0")
		}
		return has == want
	}) == nil
}

// TestLateLink starts radish for a link that does not exist yet
// (IgnoreIfMissing): when the link appears, its sysctls are written (as
// radvd does when it sets an interface up) and RAs are served on it.
func TestLateLink(t *testing.T) {
	needRoot(t)
	t.Parallel()
	lab := netlab.New(t)
	router, host := lab.Namespace("rt"), lab.Namespace("host")
	router.Sysctl("net.ipv6.conf.all.forwarding", "1")
	dir := publicDir(t)
	conf, pidfile := filepath.Join(dir, "radvd.conf"), filepath.Join(dir, "radvd.pid")
	writeFile(t, conf, `interface late0 {
	AdvSendAdvert on;
	IgnoreIfMissing on;
	MaxRtrAdvInterval 10;
	AdvCurHopLimit 77;
	AdvRetransTimer 1500;
	prefix 2001:db8:77::/64 { };
};
`)
	if s := startInstalled(t, router, []string{"RADISH_RADVD_CONFIG=/dev/null"}, "-C", conf, "-p", pidfile); s.code != 0 {
		t.Fatalf("start: exit %d: %s", s.code, s.output)
	}
	pid := adopt(t, pidfile)
	time.Sleep(200 * time.Millisecond) // let it settle without the link
	lab.Veth(router, "late0", host, "eth0")
	host.Sysctl("net.ipv6.conf.eth0.accept_ra", "2")
	router.Up("late0")
	host.Up("eth0")
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	err := router.WaitFor(ctx, func() bool {
		hl, _ := router.ReadSysctl("net.ipv6.conf.late0.hop_limit")
		rt, _ := router.ReadSysctl("net.ipv6.neigh.late0.retrans_time_ms")
		return hl == "77" && rt == "1500"
	})
	if err != nil {
		hl, _ := router.ReadSysctl("net.ipv6.conf.late0.hop_limit")
		t.Errorf("sysctls of the late link not written (hop_limit %s)", hl)
	}
	waitRA(t, host, "2001:db8:77::/64", "Hop limit : 77", "Retransmit time : 1500")
	checkIdentity(t, pid, conf)
}
