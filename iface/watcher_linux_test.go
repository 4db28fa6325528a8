package iface_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/radish-net/radish/iface"
	"github.com/radish-net/radish/internal/netlab"
)

// nsSysctl reads sysctls inside a lab namespace, for WatcherConfig.Sysctl.
type nsSysctl struct{ ns *netlab.NS }

func (s nsSysctl) IPv6(ifName, key string) (string, error) {
	return s.ns.ReadSysctl("net/ipv6/conf/" + ifName + "/" + key)
}

func (s nsSysctl) SetIPv6(ifName, key, value string) error {
	return errors.New("read only")
}

// watchNS starts a NetlinkWatcher on ns and returns its channel.
func watchNS(t *testing.T, ctx context.Context, ns *netlab.NS, cfg iface.WatcherConfig) <-chan iface.Event {
	t.Helper()
	fd, err := unix.Open(ns.Path(), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	cfg.NetNS = fd
	ch, err := iface.NewWatcher(cfg).Watch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

// waitEvent reads events until one satisfies match, failing after 10 s.
// It returns the matching event and those before it.
func waitEvent(t *testing.T, ch <-chan iface.Event, what string, match func(iface.Event) bool) (iface.Event, []iface.Event) {
	t.Helper()
	var skipped []iface.Event
	timeout := time.After(10 * time.Second)
	for {
		select {
		case e, ok := <-ch:
			if !ok {
				t.Fatalf("channel closed while waiting for %s", what)
			}
			if match(e) {
				return e, skipped
			}
			skipped = append(skipped, e)
		case <-timeout:
			t.Fatalf("no %s within 10 s; saw %+v", what, skipped)
		}
	}
}

func isLink(kind iface.EventKind, name string, cond func(iface.Link) bool) func(iface.Event) bool {
	return func(e iface.Event) bool { return e.Kind == kind && e.Link.Name == name && cond(e.Link) }
}

func isAddr(kind iface.EventKind, p netip.Prefix) func(iface.Event) bool {
	return func(e iface.Event) bool { return e.Kind == kind && e.Addr.Prefix == p }
}

func anyLink(iface.Link) bool { return true }

func TestWatcher(t *testing.T) {
	l := netlab.New(t)
	ns := l.Namespace("w")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	ch := watchNS(t, ctx, ns, iface.WatcherConfig{Sysctl: nsSysctl{ns}})

	_, initial := waitEvent(t, ch, "Synced", func(e iface.Event) bool { return e.Kind == iface.Synced })
	var lo iface.Link
	var loAddr bool
	for _, e := range initial {
		if e.Kind == iface.LinkUpdate && e.Link.Name == "lo" {
			lo = e.Link
		}
		if e.Kind == iface.AddrUpdate && e.Addr.Prefix == netip.MustParsePrefix("::1/128") {
			loAddr = e.Addr.Flags&iface.AddrPermanent != 0 && e.Addr.Valid == iface.Infinite
		}
	}
	if !lo.Up || lo.MTU != 65536 || lo.Index != 1 {
		t.Errorf("initial dump: lo = %+v, want up, MTU 65536, index 1", lo)
	}
	if !loAddr {
		t.Errorf("initial dump lacks ::1/128 permanent forever: %+v", initial)
	}

	l.Veth(ns, "wa0", ns, "wb0")
	e, _ := waitEvent(t, ch, "wa0 appears", isLink(iface.LinkUpdate, "wa0", anyLink))
	nl, err := ns.Link("wa0")
	if err != nil {
		t.Fatal(err)
	}
	wa0 := e.Link
	if wa0.Up || wa0.MTU != 1500 || wa0.Index != nl.Index || wa0.HardwareAddr != [6]byte(nl.HardwareAddr) || wa0.Master != 0 || wa0.IPv6Disabled {
		t.Errorf("new veth: %+v, want down, MTU 1500, index %d, MAC %v", wa0, nl.Index, nl.HardwareAddr)
	}

	ns.Up("wa0")
	waitEvent(t, ch, "wa0 admin up but peer down", isLink(iface.LinkUpdate, "wa0", func(l iface.Link) bool { return !l.Up }))
	ns.Up("wb0")
	waitEvent(t, ch, "wa0 up", isLink(iface.LinkUpdate, "wa0", func(l iface.Link) bool { return l.Up }))
	waitEvent(t, ch, "wa0 link-local", func(e iface.Event) bool {
		return e.Kind == iface.AddrUpdate && e.Addr.IfIndex == wa0.Index && e.Addr.Prefix.Addr().IsLinkLocalUnicast()
	})

	p := netip.MustParsePrefix("2001:db8:5::1/64")
	ns.IP("addr", "add", p.String(), "dev", "wa0", "nodad", "valid_lft", "3600", "preferred_lft", "1800")
	e, _ = waitEvent(t, ch, "address added", isAddr(iface.AddrUpdate, p))
	a := e.Addr
	if a.IfIndex != wa0.Index || a.Flags&iface.AddrNoDAD == 0 || a.Flags&iface.AddrPermanent != 0 ||
		a.Valid > 3600 || a.Valid < 3500 || a.Preferred > 1800 || a.Preferred < 1700 {
		t.Errorf("added address: %+v, want nodad, not permanent, valid ~3600, preferred ~1800", a)
	}
	ns.IP("addr", "del", p.String(), "dev", "wa0")
	e, _ = waitEvent(t, ch, "address removed", isAddr(iface.AddrDelete, p))
	if e.Addr.IfIndex != wa0.Index {
		t.Errorf("removed address: %+v", e.Addr)
	}

	// Writing disable_ipv6 sends no link message; the watcher notices
	// through the addresses the kernel removes and adds back.
	ns.Sysctl("net.ipv6.conf.wa0.disable_ipv6", "1")
	waitEvent(t, ch, "wa0 IPv6 disabled", isLink(iface.LinkUpdate, "wa0", func(l iface.Link) bool { return l.IPv6Disabled && l.Up }))
	ns.Sysctl("net.ipv6.conf.wa0.disable_ipv6", "0")
	_, before := waitEvent(t, ch, "wa0 link-local again", func(e iface.Event) bool {
		return e.Kind == iface.AddrUpdate && e.Addr.IfIndex == wa0.Index && e.Addr.Prefix.Addr().IsLinkLocalUnicast()
	})
	enabled := false
	for _, e := range before {
		if e.Kind == iface.LinkUpdate && e.Link.Name == "wa0" {
			enabled = !e.Link.IPv6Disabled
		}
	}
	if !enabled {
		t.Errorf("wa0's link-local came back without a LinkUpdate with IPv6 enabled before it: %+v", before)
	}

	ns.Down("wa0")
	waitEvent(t, ch, "wa0 down", isLink(iface.LinkUpdate, "wa0", func(l iface.Link) bool { return !l.Up }))

	ns.Sysctl("net.ipv6.conf.wb0.disable_ipv6", "1")
	l.Bridge(ns, "wbr0")
	ns.SetMaster("wb0", "wbr0")
	br, err := ns.Link("wbr0")
	if err != nil {
		t.Fatal(err)
	}
	waitEvent(t, ch, "wb0 enslaved, IPv6 disabled", isLink(iface.LinkUpdate, "wb0", func(l iface.Link) bool {
		return l.Master == br.Index && l.IPv6Disabled
	}))

	ns.Delete("wa0")
	e, _ = waitEvent(t, ch, "wa0 deleted", isLink(iface.LinkDelete, "wa0", anyLink))
	if e.Link.Index != wa0.Index {
		t.Errorf("deleted link %+v", e.Link)
	}
	waitEvent(t, ch, "wb0 deleted", isLink(iface.LinkDelete, "wb0", anyLink))

	cancel()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		case <-deadline:
			t.Fatal("channel not closed after cancel")
		}
	}
}

// TestWatcherOverrun makes the event socket overflow (a tiny receive
// buffer and a consumer that stops reading while hundreds of addresses come
// and go) and checks the watcher resynchronises: it reports the overrun,
// sends Synced again, and the state built from its events matches the
// kernel's, additions and removals alike.
func TestWatcherOverrun(t *testing.T) {
	l := netlab.New(t)
	ns := l.Namespace("o")
	var mu sync.Mutex
	var overruns int
	cfg := iface.WatcherConfig{ReadBuffer: 1, OnError: func(err error) {
		t.Logf("%v OnError: %v", time.Now().Format("05.000"), err)
		if errors.Is(err, unix.ENOBUFS) {
			mu.Lock()
			overruns++
			mu.Unlock()
		}
	}}
	ch := watchNS(t, t.Context(), ns, cfg)
	state := map[netip.Prefix]bool{}
	track := func(e iface.Event) {
		switch e.Kind {
		case iface.AddrUpdate:
			state[e.Addr.Prefix] = true
		case iface.AddrDelete:
			delete(state, e.Addr.Prefix)
		}
	}
	synced := func(e iface.Event) bool { track(e); return e.Kind == iface.Synced }
	waitEvent(t, ch, "first Synced", synced)

	const n = 300
	batch := func(verb string) {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "addr %s 2001:db8:9::%x/128 dev lo\n", verb, i+1)
		}
		f := filepath.Join(t.TempDir(), "batch")
		if err := os.WriteFile(f, []byte(b.String()), 0o600); err != nil {
			t.Fatal(err)
		}
		ns.IP("-batch", f) // meanwhile nobody reads ch
	}
	want := func(present bool) {
		t.Helper()
		got := 0
		for i := range n {
			if state[netip.MustParsePrefix(fmt.Sprintf("2001:db8:9::%x/128", i+1))] {
				got++
			}
		}
		if present && got != n || !present && got != 0 {
			t.Errorf("consumer state holds %d of the %d addresses, want %v", got, n, present)
		}
	}

	batch("add")
	waitEvent(t, ch, "Synced after overrun", synced)
	// Drain what followed the resync (stale events repeating the dump).
	drain(ch, track)
	want(true)
	batch("del")
	waitEvent(t, ch, "Synced after second overrun", synced)
	drain(ch, track)
	want(false)
	mu.Lock()
	defer mu.Unlock()
	if overruns < 2 {
		t.Errorf("OnError saw %d ENOBUFS overruns, want at least 2", overruns)
	}
}

// drain applies events until none arrives for 300 ms.
func drain(ch <-chan iface.Event, f func(iface.Event)) {
	for {
		select {
		case e := <-ch:
			f(e)
		case <-time.After(300 * time.Millisecond):
			return
		}
	}
}

// TestWatcherNetconf checks IPv6 forwarding is reported: for every link in
// the initial dump (after its LinkUpdate, before Synced), for a link created
// later, and on each change of the link's own sysctl and of
// net.ipv6.conf.all.forwarding, which the kernel applies to every link.
func TestWatcherNetconf(t *testing.T) {
	l := netlab.New(t)
	ns := l.Namespace("n")
	ns.Sysctl("net.ipv6.conf.all.forwarding", "0")
	l.Veth(ns, "na0", ns, "nb0")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	ch := watchNS(t, ctx, ns, iface.WatcherConfig{})

	isConf := func(idx int, fwd bool) func(iface.Event) bool {
		return func(e iface.Event) bool {
			return e.Kind == iface.NetconfUpdate && e.Netconf.IfIndex == idx && e.Netconf.Forwarding == fwd
		}
	}
	_, initial := waitEvent(t, ch, "Synced", func(e iface.Event) bool { return e.Kind == iface.Synced })
	index := map[string]int{}
	conf := map[int]int{} // NetconfUpdate events per index, with forwarding off
	for _, e := range initial {
		switch e.Kind {
		case iface.LinkUpdate:
			index[e.Link.Name] = e.Link.Index
		case iface.NetconfUpdate:
			if _, ok := slicesIndex(index, e.Netconf.IfIndex); !ok {
				t.Errorf("NetconfUpdate for index %d before its LinkUpdate", e.Netconf.IfIndex)
			}
			if e.Netconf.Forwarding {
				t.Errorf("initial NetconfUpdate %+v, want forwarding off", e.Netconf)
			}
			conf[e.Netconf.IfIndex]++
		}
	}
	for _, name := range []string{"lo", "na0", "nb0"} {
		if conf[index[name]] == 0 {
			t.Errorf("initial dump: no NetconfUpdate for %s (index %d); saw %+v", name, index[name], initial)
		}
	}

	// One link's own sysctl: an event for that link only.
	ns.Sysctl("net.ipv6.conf.na0.forwarding", "1")
	_, skipped := waitEvent(t, ch, "na0 forwarding on", isConf(index["na0"], true))
	ns.Sysctl("net.ipv6.conf.na0.forwarding", "0")
	_, more := waitEvent(t, ch, "na0 forwarding off", isConf(index["na0"], false))
	for _, e := range append(skipped, more...) {
		if e.Kind == iface.NetconfUpdate {
			t.Errorf("unexpected %+v while toggling na0 only", e.Netconf)
		}
	}

	// all.forwarding: every link changes and is reported.
	ns.Sysctl("net.ipv6.conf.all.forwarding", "1")
	waitAll(t, ch, true, index["lo"], index["na0"], index["nb0"])
	// A link created now inherits default (set by all) and is reported.
	l.Veth(ns, "nc0", ns, "nd0")
	e, _ := waitEvent(t, ch, "nc0 appears", isLink(iface.LinkUpdate, "nc0", anyLink))
	waitEvent(t, ch, "nc0 forwarding on", isConf(e.Link.Index, true))
	ns.Sysctl("net.ipv6.conf.all.forwarding", "0")
	waitAll(t, ch, false, index["lo"], index["na0"], index["nb0"], e.Link.Index)
}

// waitAll waits for a NetconfUpdate with forwarding fwd for each of the
// indexes, in any order.
func waitAll(t *testing.T, ch <-chan iface.Event, fwd bool, idx ...int) {
	t.Helper()
	want := map[int]bool{}
	for _, i := range idx {
		want[i] = true
	}
	waitEvent(t, ch, fmt.Sprintf("forwarding %v on indexes %v", fwd, idx), func(e iface.Event) bool {
		if e.Kind == iface.NetconfUpdate && e.Netconf.Forwarding == fwd {
			delete(want, e.Netconf.IfIndex)
		}
		return len(want) == 0
	})
}

// slicesIndex reports whether idx is one of m's values.
func slicesIndex(m map[string]int, idx int) (string, bool) {
	for k, v := range m {
		if v == idx {
			return k, true
		}
	}
	return "", false
}

// TestWatcherBridgePortRelease: taking a port out of its bridge (ip link
// set P nomaster) deletes nothing. The kernel also sends an AF_BRIDGE
// RTM_DELLINK for the port then; it must not be reported as LinkDelete,
// and the port's address must not be forgotten.
func TestWatcherBridgePortRelease(t *testing.T) {
	l := netlab.New(t)
	ns := l.Namespace("w")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	l.Veth(ns, "pa0", ns, "pb0")
	l.Bridge(ns, "wbr0")
	ns.Up("pa0")
	ns.Up("pb0")
	ns.Up("wbr0")
	p := netip.MustParsePrefix("2001:db8:7::1/64")
	ns.IP("addr", "add", p.String(), "dev", "pa0", "nodad")
	ns.SetMaster("pa0", "wbr0")
	ch := watchNS(t, ctx, ns, iface.WatcherConfig{})
	waitEvent(t, ch, "Synced", func(e iface.Event) bool { return e.Kind == iface.Synced })

	ns.IP("link", "set", "pa0", "nomaster")
	_, before := waitEvent(t, ch, "pa0 without a master", isLink(iface.LinkUpdate, "pa0", func(l iface.Link) bool { return l.Master == 0 }))
	// A marker after the release: every event the release caused comes
	// before it.
	marker := netip.MustParsePrefix("2001:db8:8::1/64")
	ns.IP("addr", "add", marker.String(), "dev", "pb0", "nodad")
	_, more := waitEvent(t, ch, "marker address", isAddr(iface.AddrUpdate, marker))
	for _, e := range append(before, more...) {
		if e.Kind == iface.LinkDelete && e.Link.Name == "pa0" {
			t.Errorf("LinkDelete for pa0, which still exists: %+v", e.Link)
		}
		if e.Kind == iface.AddrDelete && e.Addr.Prefix == p {
			t.Errorf("AddrDelete for %v, which pa0 still has", p)
		}
	}
}
