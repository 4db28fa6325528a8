package server_test

import (
	"bytes"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/radish-net/radish/config"
	"github.com/radish-net/radish/dhcpv6/server"
	"github.com/radish-net/radish/iface"
)

func dnsOf(t *testing.T, h *harness, link int) []netip.Addr {
	t.Helper()
	d, ok := h.exchange(infoReq(), direct(link))
	if !ok {
		t.Fatalf("no reply on link %d", link)
	}
	return parseReply(t, d.Data).dnsServers(t)
}

// Reload swaps the option sets; the DUID stays, even when the new
// configuration asks for another one.
func TestReload(t *testing.T) {
	dir := t.TempDir()
	cfg := parseConfig(t, duidConfig(`type = "llt"`, dir))
	h := start(t, cfg, false)
	sid := serverIDOf(t, h)
	if got := dnsOf(t, h, lan0.Index); !slices.Equal(got, []netip.Addr{netip.MustParseAddr("2001:db8::53")}) {
		t.Fatalf("DNS before reload = %v", got)
	}

	newCfg := strings.Replace(duidConfig("type = \"en\"\nenterprise = 1\nid = \"01\"", dir), `"2001:db8::53"`, `"2001:db8::99", "2001:db8::98"`, 1)
	if err := h.srv.Reload(parseConfig(t, newCfg)); err != nil {
		t.Fatal(err)
	}
	want := []netip.Addr{netip.MustParseAddr("2001:db8::99"), netip.MustParseAddr("2001:db8::98")}
	if got := dnsOf(t, h, lan0.Index); !slices.Equal(got, want) {
		t.Errorf("DNS after reload = %v, want %v", got, want)
	}
	if got := serverIDOf(t, h); !bytes.Equal(got, sid) {
		t.Errorf("DUID changed on reload: %x → %x", sid, got)
	}
}

// Reload and link events join and leave the multicast groups.
func TestGroups(t *testing.T) {
	all := server.AllRelayAgentsAndServers
	cfg := parseConfig(t, baseConfig)
	h := start(t, cfg, false)
	for _, tc := range []struct {
		link iface.Link
		want []netip.Addr
	}{{lan0, []netip.Addr{all}}, {lan1, []netip.Addr{all}}, {wan0, nil}} {
		if got := joined(h.conn, tc.link.Index); !slices.Equal(got, tc.want) {
			t.Errorf("%s joined %v, want %v", tc.link.Name, got, tc.want)
		}
	}

	// relay_group on, lan1 no longer served, a pattern for new links.
	cfg2 := strings.Replace(baseConfig, "[dhcpv6]\n", "[dhcpv6]\nrelay_group = true\n", 1)
	cfg2 = strings.Replace(cfg2, `name = "lan1"`, `name = "vlan*"`, 1)
	if err := h.srv.Reload(parseConfig(t, cfg2)); err != nil {
		t.Fatal(err)
	}
	if got := joined(h.conn, lan0.Index); !slices.Equal(got, []netip.Addr{all, server.AllServers}) {
		t.Errorf("lan0 joined %v after relay_group", got)
	}
	if got := joined(h.conn, lan1.Index); len(got) != 0 {
		t.Errorf("lan1 still joined %v", got)
	}
	if _, ok := h.send(infoReq(), direct(lan1.Index)); ok {
		t.Error("lan1 answered after it was removed from the configuration")
	}

	vlan := iface.Link{Index: 7, Name: "vlan7", Up: true, HardwareAddr: [6]byte{2, 0, 0, 0, 0, 7}}
	h.w.Push(iface.Event{Kind: iface.LinkUpdate, Link: vlan})
	deadline := time.Now().Add(5 * time.Second)
	for len(joined(h.conn, 7)) < 2 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if got := joined(h.conn, 7); !slices.Equal(got, []netip.Addr{all, server.AllServers}) {
		t.Errorf("vlan7 joined %v", got)
	}
	if got := dnsOf(t, h, 7); !slices.Equal(got, []netip.Addr{netip.MustParseAddr("2001:db8:1::53")}) {
		t.Errorf("vlan7 DNS = %v, want the vlan* stanza's", got)
	}
	h.w.Push(iface.Event{Kind: iface.LinkDelete, Link: vlan})
	deadline = time.Now().Add(5 * time.Second)
	for {
		if _, ok := h.send(infoReq(), direct(7)); !ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("vlan7 still served after it was deleted")
		}
	}
	// Its groups are left: the kernel keeps a socket's memberships after
	// the link goes, charged to the socket's option memory.
	if got := joined(h.conn, 7); len(got) != 0 {
		t.Errorf("vlan7 deleted but its groups %v are still joined", got)
	}
}

// Reload with a configuration that cannot be compiled keeps the old one.
func TestReloadErrorKeepsOld(t *testing.T) {
	h := start(t, parseConfig(t, baseConfig), false)
	bad := parseConfig(t, baseConfig)
	// A DNR option with the reserved priority 0, which the config parser
	// would have rejected: the encoder refuses it.
	bad.Interfaces[0].DHCPv6.DNR = append(bad.Interfaces[0].DHCPv6.DNR, badDNR)
	if err := h.srv.Reload(bad); err == nil {
		t.Fatal("Reload accepted a configuration that cannot be encoded")
	}
	if got := dnsOf(t, h, lan0.Index); len(got) != 2 {
		t.Errorf("DNS after failed reload = %v, want the old two", got)
	}
}

var badDNR = config.DNR{Priority: 0, ADN: "x.example"}

// Reloads while requests flow: every reply carries one of the two
// configurations' DNS servers (run with -race).
func TestReloadConcurrent(t *testing.T) {
	h := start(t, parseConfig(t, baseConfig), true)
	cfgA := parseConfig(t, baseConfig)
	cfgB := parseConfig(t, strings.Replace(baseConfig, `"2001:db8::53", "2001:db8::54"`, `"2001:db8::99"`, 1))
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			c := cfgA
			if i%2 == 1 {
				c = cfgB
			}
			if err := h.srv.Reload(c); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	seen := map[int]int{}
	for range 300 {
		got := dnsOf(t, h, lan0.Index)
		if len(got) != 1 && len(got) != 2 {
			t.Fatalf("DNS = %v", got)
		}
		seen[len(got)]++
	}
	close(stop)
	<-done
	if seen[1]+seen[2] != 300 {
		t.Errorf("replies %v", seen)
	}
}
