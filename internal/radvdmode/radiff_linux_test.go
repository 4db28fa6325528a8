package radvdmode_test

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/radish-net/radish/config/radvdconf"
	"github.com/radish-net/radish/internal/netlab"
)

// raCorpus are the configurations whose RAs are compared: every shape of
// testdata that both radvd and radish accept.
var raCorpus = []string{
	"testdata/nova_bridge.conf",
	"testdata/neutron_slaac.conf",
	"testdata/neutron_stateless.conf",
	"testdata/neutron_stateful.conf",
	"testdata/libvirt_net.conf",
	"testdata/pfsense_full.conf",
	"testdata/opnsense_unmanaged.conf",
	"testdata/ra_options.conf",
	"testdata/lowpan_6lbr.conf",
	"testdata/base6to4.conf",
}

// raSetup prepares a router namespace for a corpus file beyond its
// advertising links.
var raSetup = map[string]func(*netlab.Lab, *netlab.NS){
	"testdata/base6to4.conf": func(lab *netlab.Lab, r *netlab.NS) {
		lab.Veth(r, "up0", r, "up1")
		r.IP("addr", "add", "192.0.2.33/24", "dev", "up0")
		r.Up("up0")
	},
}

// TestRADifferential runs Debian's radvd and radish on the same files,
// each in its own router namespace whose links (named as in the file, with
// the same MAC, the same link-local and the same extra /64 address) are
// joined by veths to one capture namespace. One tshark captures there;
// the first RA from each router link is decoded by tshark (-V) and the
// two decodings are compared line by line, option order included.
func TestRADifferential(t *testing.T) {
	needRoot(t)
	t.Parallel()
	for _, tool := range []string{"tshark", radvdPath} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	bin := radishBinary(t)
	lab := netlab.New(t)
	capNS := lab.Namespace("cap")
	capNS.Sysctl("net.ipv6.conf.default.accept_ra", "0")
	capNS.Sysctl("net.ipv6.conf.default.router_solicitations", "0")
	dir := t.TempDir()

	type link struct {
		file, name, radvdIf, radishIf string
		maxInterval                   uint32
		routers                       [2]*netlab.NS
		hopLimit                      uint8
	}
	var links []link
	var daemons [][]string
	type start struct {
		ns   *netlab.NS
		argv []string
	}
	var starts []start
	for i, file := range raCorpus {
		res, err := radvdconf.ParseFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, ifc := range res.Config.Interfaces {
			names = append(names, ifc.Name)
		}
		var capIfs [2][]string
		var routers [2]*netlab.NS
		for j, impl := range []string{"radvd", "radish"} {
			r := lab.Namespace(fmt.Sprintf("%s%d", map[string]string{"radvd": "rv", "radish": "rs"}[impl], i))
			r.Sysctl("net.ipv6.conf.all.forwarding", "1")
			if setup := raSetup[file]; setup != nil {
				setup(lab, r)
			}
			routers[j] = r
			for k, name := range names {
				capIf := fmt.Sprintf("c%d%c%d", i, "ab"[j], k)
				lab.Veth(r, name, capNS, capIf)
				r.IP("link", "set", "dev", name, "address", fmt.Sprintf("02:00:5e:00:%02x:%02x", i, k))
				r.IP("addr", "add", fmt.Sprintf("2001:db8:a%d%d::1/64", i, k), "dev", name, "nodad")
				r.Up(name)
				capNS.Up(capIf)
				capIfs[j] = append(capIfs[j], capIf)
			}
			pid := filepath.Join(dir, fmt.Sprintf("%s%d.pid", impl, i))
			argv := []string{radvdPath, "-n", "-C", file, "-p", pid, "-m", "stderr"}
			if impl == "radish" {
				argv = append([]string{"env", "RADISH_RADVD_CONFIG=/dev/null", bin, "radvd"}, argv[1:]...)
			}
			starts = append(starts, start{r, argv})
			daemons = append(daemons, argv)
		}
		for k, name := range names {
			max := uint32(res.Config.Interfaces[k].RA.MaxInterval / time.Second)
			links = append(links, link{file, name, capIfs[0][k], capIfs[1][k], max, routers, res.Config.Interfaces[k].RA.CurHopLimit})
		}
	}

	ctx, cancel := context.WithTimeout(t.Context(), 40*time.Second)
	defer cancel()
	pcap := filepath.Join(dir, "ra.pcap")
	// Stop after one RA per link (all initial RAs leave within a second of
	// the start), or after 15 s.
	argv := []string{"tshark", "-q", "-f", "icmp6 and ip6[40] == 134", "-c", fmt.Sprint(2 * len(links)), "-a", "duration:15", "-w", pcap}
	for _, l := range links {
		argv = append(argv, "-i", l.radvdIf, "-i", l.radishIf)
	}
	tshark := capNS.Start(argv...)
	waitCapturing(t, ctx, tshark)
	// dumpcap says "Capturing on" before every interface is armed.
	time.Sleep(2 * time.Second)
	var procs []*netlab.Proc
	for _, s := range starts {
		procs = append(procs, s.ns.Start(s.argv...))
	}
	select {
	case <-tshark.Done():
	case <-ctx.Done():
		t.Fatal("tshark did not finish")
	}
	for i, p := range procs {
		select {
		case <-p.Done():
			o, e := p.Output()
			t.Errorf("%q exited early:\n%s%s", daemons[i], o, e)
		default:
			// "radish radvd ARGS" names itself radvd for pidof.
			if comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", p.Pid())); string(comm) != "radvd\n" {
				t.Errorf("%q: comm %q, want radvd", daemons[i], comm)
			}
		}
	}

	first := firstRAs(t, ctx, pcap)
	defer func() {
		if t.Failed() {
			sum, _ := exec.Command("tshark", "-r", pcap, "-T", "fields", "-e", "frame.interface_name", "-e", "frame.time_relative").Output()
			t.Logf("captured (interface, time):\n%s", sum)
			for i, p := range procs {
				o, e := p.Output()
				t.Logf("%q:\n%s%s", daemons[i], o, e)
			}
		}
	}()
	for _, l := range links {
		t.Run(filepath.Base(l.file)+"/"+l.name, func(t *testing.T) {
			a, b := first[l.radvdIf], first[l.radishIf]
			if a == nil || b == nil {
				t.Fatalf("no RA captured: radvd %v, radish %v", a != nil, b != nil)
			}
			compareDecoded(t, a, b, l.maxInterval)
			// radvd writes the advertised host parameters to the router's
			// own sysctls; radish does the same by default.
			for _, key := range []string{"conf/%s/hop_limit", "conf/%s/mtu", "neigh/%s/base_reachable_time_ms", "neigh/%s/retrans_time_ms"} {
				k := "net/ipv6/" + fmt.Sprintf(key, l.name)
				va, errA := l.routers[0].ReadSysctl(k)
				vb, errB := l.routers[1].ReadSysctl(k)
				if errA != nil || errB != nil || va != vb {
					t.Errorf("sysctl %s: radvd %q (%v), radish %q (%v)", k, va, errA, vb, errB)
				}
				if strings.HasSuffix(k, "/hop_limit") && vb != fmt.Sprint(l.hopLimit) {
					t.Errorf("sysctl %s = %s, want AdvCurHopLimit %d", k, vb, l.hopLimit)
				}
			}
		})
	}
}

// firstRAs decodes the capture with tshark -V and returns, per capture
// interface, the detail lines of the first RA seen there (IPv6 and ICMPv6
// layers).
func firstRAs(t *testing.T, ctx context.Context, pcap string) map[string][]string {
	t.Helper()
	out, err := exec.CommandContext(ctx, "tshark", "-r", pcap, "-V", "-O", "ipv6,icmpv6").Output()
	if err != nil {
		t.Fatalf("tshark -r: %v", err)
	}
	ifRE := regexp.MustCompile(`^Frame \d+: .* on interface ([^,]+), id \d+`)
	first := map[string][]string{}
	var cur string
	var lines []string
	flush := func() {
		if cur != "" && first[cur] == nil {
			first[cur] = lines
		}
		cur, lines = "", nil
	}
	for _, line := range strings.Split(string(out), "\n") {
		if m := ifRE.FindStringSubmatch(line); m != nil {
			flush()
			cur = m[1]
			continue
		}
		if cur == "" || strings.HasPrefix(line, "Ethernet II") || strings.TrimSpace(line) == "" {
			continue
		}
		lines = append(lines, line)
	}
	flush()
	if len(first) == 0 {
		t.Fatalf("no RA in the capture:\n%s", out)
	}
	return first
}

// decodedRA is one RA as tshark -V prints it: the IPv6 and ICMPv6 header
// lines, then each option as its title line and detail lines.
type decodedRA struct {
	header  []string
	options []decodedOption
}

type decodedOption struct {
	title string   // "ICMPv6 Option (MTU : 1450)"
	typ   string   // "MTU"
	lines []string // detail lines, indented as tshark prints them
}

func splitDecoded(lines []string) decodedRA {
	var ra decodedRA
	for _, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "ICMPv6 Option (") {
			ra.options = append(ra.options, decodedOption{title: strings.TrimSpace(l), typ: optionKind(l)})
			continue
		}
		if n := len(ra.options); n > 0 {
			ra.options[n-1].lines = append(ra.options[n-1].lines, strings.TrimSpace(l))
		} else {
			ra.header = append(ra.header, strings.TrimSpace(l))
		}
	}
	return ra
}

// optionKind names an option by the text after "ICMPv6 Option (" up to
// its value: "Prefix information", "Recursive DNS Server", ...
func optionKind(title string) string {
	t := title[strings.Index(title, "(")+1:]
	for _, k := range []string{"Source link-layer address", "MTU", "Advertisement Interval", "Prefix information",
		"Route Information", "Recursive DNS Server", "DNS Search List Option", "Home Agent Information"} {
		if strings.HasPrefix(t, k) {
			return k
		}
	}
	return t
}

// compareDecoded compares radvd's and radish's first RA. Differences
// allowed, each for a documented reason:
//
//   - Route Information length: radvd 2.19 always sends 24 bytes; radish,
//     like radvd 2.20 and later, sends the shortest length for the prefix
//     (RFC 4191 §2.3).
//   - RDNSS and DNSSL default lifetimes: radvd 2.19 uses
//     MaxRtrAdvInterval, radish uses radvd 2.21's 3×MaxRtrAdvInterval
//     (RFC 8106 §5.1 recommends at least 3×).
//   - Prefix host bits: radvd sends the address written in the file;
//     radish clears the bits after the prefix length, as RFC 4861 §4.6.2
//     requires of the sender.
//
// Options must come in radvd's order. Payload Length is compared only when
// the options are byte-for-byte the same length, and Checksum only when no
// documented difference was allowed.
func compareDecoded(t *testing.T, radvd, radish []string, maxInterval uint32) {
	t.Helper()
	a, b := splitDecoded(radvd), splitDecoded(radish)
	sameSize := true
	defer func() {
		if t.Failed() {
			t.Logf("radvd's RA:\n%s\nradish's RA:\n%s", strings.Join(radvd, "\n"), strings.Join(radish, "\n"))
		}
	}()

	// Option order.
	kinds := func(r decodedRA) []string {
		var k []string
		for _, o := range r.options {
			k = append(k, o.typ)
		}
		return k
	}
	ka, kb := kinds(a), kinds(b)
	if !slices.Equal(kb, ka) {
		t.Fatalf("option order:\n  radvd:  %q\n  radish: %q", ka, kb)
	}
	tolerated := false
	pa, pb := a.options, b.options
	for i := range pa {
		oa, ob := pa[i], pb[i]
		la, lb := slices.Clone(oa.lines), slices.Clone(ob.lines)
		ta, tb := oa.title, ob.title
		switch oa.typ {
		case "Route Information":
			if lenLine(la) != lenLine(lb) {
				sameSize = false
				if lenLine(la) != "Length: 3 (24 bytes)" {
					t.Errorf("radvd's route option is not 24 bytes: %q", lenLine(la))
				}
			}
			if !slices.Equal(la, lb) {
				tolerated = true
			}
			la, lb = dropPrefix(la, "Length:"), dropPrefix(lb, "Length:")
			// A length-1 option (::/0) has no prefix field for tshark to show.
			if valueOf(la, "Prefix Length: ") == "0" && valueOf(la, "Prefix: ") == "::" && valueOf(lb, "Prefix: ") == "" {
				la = dropPrefix(la, "Prefix: ")
			}
		case "Recursive DNS Server", "DNS Search List Option":
			want := fmt.Sprintf("Lifetime: %d", maxInterval)
			if slices.Contains(la, want) && slices.Contains(lb, fmt.Sprintf("Lifetime: %d", 3*maxInterval)) {
				tolerated = true
				la, lb = dropPrefix(la, "Lifetime:"), dropPrefix(lb, "Lifetime:")
			}
		case "Prefix information":
			pfxA, pfxB := valueOf(la, "Prefix: "), valueOf(lb, "Prefix: ")
			if pfxA != pfxB {
				bits := valueOf(la, "Prefix Length: ")
				masked, err := netip.ParsePrefix(pfxA + "/" + bits)
				if err == nil && masked.Masked().Addr().String() == pfxB {
					tolerated = true
					la, lb = dropPrefix(la, "Prefix: "), dropPrefix(lb, "Prefix: ")
					ta, tb = "", ""
				}
			}
		}
		if ta != tb {
			t.Errorf("option %d: %q vs %q", i, ta, tb)
		}
		if !slices.Equal(la, lb) {
			t.Errorf("option %s differs:\n  radvd:  %q\n  radish: %q", oa.typ, la, lb)
		}
	}
	ha, hb := a.header, b.header
	if !sameSize {
		ha, hb = dropPrefix(dropPrefix(ha, "Payload Length:"), "Checksum:"), dropPrefix(dropPrefix(hb, "Payload Length:"), "Checksum:")
	} else if tolerated { // a documented difference changes the checksum
		ha, hb = dropPrefix(ha, "Checksum:"), dropPrefix(hb, "Checksum:")
	}
	if !slices.Equal(ha, hb) {
		t.Errorf("IPv6/RA header differs:\n  radvd:  %q\n  radish: %q", ha, hb)
	}
}

func lenLine(lines []string) string { return "Length: " + valueOf(lines, "Length: ") }

func valueOf(lines []string, prefix string) string {
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			return strings.TrimPrefix(l, prefix)
		}
	}
	return ""
}

// dropPrefix removes the lines starting with prefix and the bit-field
// lines tshark prints under them.
func dropPrefix(lines []string, prefix string) []string {
	var out []string
	for _, l := range lines {
		if !strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return out
}
