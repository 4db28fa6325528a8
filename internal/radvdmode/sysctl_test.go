package radvdmode_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/radish-net/radish/internal/radvdmode"
)

// TestWriteSysctls checks which files radvd's interface setup writes:
// hop_limit always (AdvCurHopLimit is 64 by default), mtu, reachable and
// retrans times only when set; only for existing links with
// AdvSendAdvert on.
func TestWriteSysctls(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{}
	for _, ifName := range []string{"eth0", "eth1", "eth2"} {
		for _, f := range []string{"conf/%s/hop_limit", "conf/%s/mtu", "neigh/%s/base_reachable_time_ms", "neigh/%s/retrans_time_ms"} {
			p := filepath.Join(root, "net/ipv6", strings.Replace(f, "%s", ifName, 1))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			writeFile(t, p, "1\n")
			files[p] = "1\n"
		}
	}
	c := parseConf(t, `
interface eth0 { AdvSendAdvert on; AdvCurHopLimit 42; AdvLinkMTU 1400; AdvReachableTime 30000; AdvRetransTimer 1500; };
interface eth1 { AdvSendAdvert on; };
interface eth2 { AdvSendAdvert off; AdvCurHopLimit 7; };
interface eth3 { AdvSendAdvert on; AdvCurHopLimit 9; };
interface eth* { AdvSendAdvert on; AdvCurHopLimit 8; };
`)
	radvdmode.WriteSysctlsUnder(root, c)
	want := map[string]string{
		"conf/eth0/hop_limit":               "42",
		"conf/eth0/mtu":                     "1400",
		"neigh/eth0/base_reachable_time_ms": "30000",
		"neigh/eth0/retrans_time_ms":        "1500",
		"conf/eth1/hop_limit":               "64",
	}
	for p, old := range files {
		rel, _ := filepath.Rel(filepath.Join(root, "net/ipv6"), p)
		got, _ := os.ReadFile(p)
		w, ok := want[rel]
		if !ok {
			w = strings.TrimSpace(old)
		}
		if strings.TrimSpace(string(got)) != w {
			t.Errorf("%s = %q, want %q", rel, got, w)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "net/ipv6/conf/eth3")); !os.IsNotExist(err) {
		t.Errorf("a sysctl directory was created for a missing link: %v", err)
	}
}
