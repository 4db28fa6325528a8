package main

import (
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/radish-net/radish/config"
)

func TestLinkPrefix(t *testing.T) {
	for _, tc := range []struct {
		i    int
		want string
	}{
		{0, "2001:db8::/64"},
		{1, "2001:db8:1::/64"},
		{2047, "2001:db8:7ff::/64"},
		{9999, "2001:db8:270f::/64"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			if got := linkPrefix(tc.i).String(); got != tc.want {
				t.Errorf("linkPrefix(%d) = %s, want %s", tc.i, got, tc.want)
			}
		})
	}
}

func TestLinkNameFits(t *testing.T) {
	if n := linkName(9999999, 9999); len(n) > 15 {
		t.Errorf("linkName = %q, %d bytes, want at most 15", n, len(n))
	}
}

func TestRadishConf(t *testing.T) {
	links := []string{"sc1x0", "sc1x1", "sc1x2"}
	for _, tc := range []struct {
		name, pattern string
		wantIfaces    int
	}{
		{"per-link", "", 3},
		{"pattern", "sc1x*", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := radishConf(links, tc.pattern)
			cfg, err := config.Parse("scale.toml", []byte(text))
			if err != nil {
				t.Fatalf("generated configuration does not parse: %v\n%s", err, text)
			}
			if len(cfg.Interfaces) != tc.wantIfaces {
				t.Errorf("%d interface stanzas, want %d", len(cfg.Interfaces), tc.wantIfaces)
			}
			if tc.pattern == "" && !strings.Contains(text, `prefix = "2001:db8:2::/64"`) {
				t.Errorf("third link's prefix missing:\n%s", text)
			}
		})
	}
}

func TestRadvdConf(t *testing.T) {
	text := radvdConf([]string{"sc1x0", "sc1x1"})
	for _, want := range []string{"interface sc1x1 {", "MinRtrAdvInterval 3;", "MaxRtrAdvInterval 10;", "prefix 2001:db8:1::/64 { };"} {
		if !strings.Contains(text, want) {
			t.Errorf("radvd.conf lacks %q:\n%s", want, text)
		}
	}
	radvd, err := exec.LookPath("/usr/sbin/radvd")
	if err != nil {
		t.Skip("no /usr/sbin/radvd to check the syntax with")
	}
	path := filepath.Join(t.TempDir(), "radvd.conf")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(radvd, "-c", "-C", path).CombinedOutput(); err != nil {
		t.Errorf("radvd -c: %v\n%s", err, out)
	}
}

func TestParseStat(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     procStat
		wantErr  bool
	}{
		{
			name: "plain",
			in:   "4453 (radvd) S 4440 4453 4440 0 -1 4194560 150 0 0 0 27 13 0 0 20 0 1 0 5000 3000000 500",
			want: procStat{ppid: 4440, utime: 27, stime: 13},
		},
		{
			name: "parens and spaces in comm",
			in:   "7 (a) b (c) R 1 7 7 0 -1 0 0 0 0 0 1234 56 0 0 20 0 1 0 1 1 1",
			want: procStat{ppid: 1, utime: 1234, stime: 56},
		},
		{name: "truncated", in: "7 (x) R 1 7 7", wantErr: true},
		{name: "no comm", in: "garbage", wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseStat([]byte(tc.in))
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestParseStatusKiB(t *testing.T) {
	status := "Name:\tradvd\nVmPeak:\t  10000 kB\nVmHWM:\t    2048 kB\nVmRSS:\t    1980 kB\n"
	if got := parseStatusKiB([]byte(status), "VmHWM:"); got != 2048 {
		t.Errorf("VmHWM = %d, want 2048", got)
	}
	if got := parseStatusKiB([]byte(status), "VmRSS:"); got != 1980 {
		t.Errorf("VmRSS = %d, want 1980", got)
	}
	if got := parseStatusKiB([]byte(status), "VmSwap:"); got != 0 {
		t.Errorf("missing key = %d, want 0", got)
	}
}

func TestSummarize(t *testing.T) {
	s := time.Second
	arrivals := [][]time.Duration{
		{2 * s, 11 * s, 15 * s, 21 * s, 25 * s}, // 3 in [10s, 22s)
		{5 * s, 30 * s},                         // first at 5 s, none in the window
		nil,                                     // never got one
		{9 * s, 10 * s, 21900 * time.Millisecond},
	}
	got := summarize(arrivals, 10*s, 22*s) // a 0.2-minute window
	want := summary{
		links: 4, withRA: 3,
		firstLast: 9 * s, firstP50: 5 * s, firstP99: 9 * s,
		rateMean: 5 / 0.2 / 4, rateP1: 0, rateP50: 0, rateMax: 15,
		silent: 2, inWindow: 5,
	}
	if got != want {
		t.Errorf("summarize:\n got %+v\nwant %+v", got, want)
	}
}

func TestRank(t *testing.T) {
	for _, tc := range []struct {
		n    int
		q    float64
		want int
	}{
		{1, 0.5, 0}, {2, 0.5, 0}, {3, 0.5, 1}, {100, 0.99, 98}, {2048, 0.99, 2027}, {10, 0.01, 0}, {10, 1, 9},
	} {
		if got := rank(tc.n, tc.q); got != tc.want {
			t.Errorf("rank(%d, %v) = %d, want %d", tc.n, tc.q, got, tc.want)
		}
	}
}

func TestHasPrefix(t *testing.T) {
	px := netip.MustParsePrefix("2001:db8:7::/64")
	ra := func(opts ...[]byte) []byte {
		msg := []byte{134, 0, 0, 0, 64, 0, 0, 30, 0, 0, 0, 0, 0, 0, 0, 0}
		for _, o := range opts {
			msg = append(msg, o...)
		}
		return msg
	}
	pio := func(p netip.Prefix) []byte {
		o := []byte{3, 4, byte(p.Bits()), 0xc0, 0, 1, 0x51, 0x80, 0, 0, 0x38, 0x40, 0, 0, 0, 0}
		a := p.Addr().As16()
		return append(o, a[:]...)
	}
	slla := []byte{1, 1, 2, 0, 0, 0, 0, 1}
	for _, tc := range []struct {
		name string
		msg  []byte
		want bool
	}{
		{"after slla", ra(slla, pio(px)), true},
		{"other prefix", ra(pio(netip.MustParsePrefix("2001:db8:8::/64"))), false},
		{"other length", ra(pio(netip.MustParsePrefix("2001:db8:7::/48"))), false},
		{"no options", ra(), false},
		{"zero-length option", ra([]byte{1, 0, 0, 0, 0, 0, 0, 0}, pio(px)), false},
		{"truncated option", ra(pio(px)[:24]), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := hasPrefix(tc.msg, px); got != tc.want {
				t.Errorf("hasPrefix = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestKernelCounters(t *testing.T) {
	snmp := []byte("Ip6InReceives                   \t12\nIcmp6InRouterAdvertisements     \t345\nIcmp6OutRouterAdvertisements    \t678\n")
	if got := snmpValue(snmp, "Icmp6InRouterAdvertisements"); got != 345 {
		t.Errorf("Icmp6InRouterAdvertisements = %d, want 345", got)
	}
	if got := snmpValue(snmp, "Icmp6OutRouterAdvertisements"); got != 678 {
		t.Errorf("Icmp6OutRouterAdvertisements = %d, want 678", got)
	}
	if got := snmpValue(snmp, "Icmp6InMsgs"); got != 0 {
		t.Errorf("missing counter = %d, want 0", got)
	}
	softnet := []byte("000334db 00000010 00000000\n00024968 0000000a 00000001\n")
	if got := softnetDrops(softnet); got != 0x10+0x0a {
		t.Errorf("softnetDrops = %d, want %d", got, 0x10+0x0a)
	}
	ndisc := []byte("entries  allocs   destroys table_fulls\n00000000 000123b2 0001275c 000031f3\n00000000 00010ac3 00010719 00000010\n")
	if got := statColumn(ndisc, "table_fulls"); got != 0x31f3+0x10 {
		t.Errorf("table_fulls = %d, want %d", got, 0x31f3+0x10)
	}
	if got := statColumn(ndisc, "no_such_column"); got != 0 {
		t.Errorf("missing column = %d, want 0", got)
	}
	raw6 := []byte("  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n" +
		"   58: 00000000000000000000000000000000:003A 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 123 2 0000000000000000 17\n")
	if got := rawDrops(raw6); got != 17 {
		t.Errorf("rawDrops = %d, want 17", got)
	}
}
