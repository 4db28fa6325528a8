package engine_test

// Reload, RS and prefix edge cases: each test failed before the fix it
// guards.

import (
	"net/netip"
	"testing"
	"testing/synctest"
	"time"

	"github.com/radish-net/radish/config"
	"github.com/radish-net/radish/iface"
	"github.com/radish-net/radish/iface/ifacetest"
)

// TestReloadUnicastOnlyOffResumesRAs: a reload turning UnicastOnly off
// resumes unsolicited multicast RAs.
func TestReloadUnicastOnlyOffResumesRAs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startServing(t, func(i *config.Interface) { i.RA.UnicastOnly = true })
		time.Sleep(time.Minute)
		at := time.Now()
		h.e.Reload(oneLink(nil)) // same stanza, UnicastOnly off
		time.Sleep(time.Hour)
		if n := len(multicastOnly(ras(h.conn, 2, at))); n == 0 {
			t.Errorf("no multicast RA in the hour after UnicastOnly was turned off (MaxInterval 600s)")
		}
		h.stop()
	})
}

// TestReloadUnicastOnlyOnStopsMulticast: after a reload turning
// UnicastOnly on, no multicast RA is sent.
func TestReloadUnicastOnlyOnStopsMulticast(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startServing(t, nil)
		time.Sleep(2 * time.Minute)
		at := time.Now()
		h.e.Reload(oneLink(func(i *config.Interface) { i.RA.UnicastOnly = true }))
		time.Sleep(time.Hour)
		h.cancel()
		<-h.done
		if got := multicastOnly(ras(h.conn, 2, at)); len(got) != 0 {
			t.Errorf("%d multicast RAs after UnicastOnly was turned on, first %v after the reload", len(got), got[0].At.Sub(at))
		}
	})
}

// TestUnicastOnlyWithoutSolicitedUnicast: UnicastOnly with
// AdvRASolicitedUnicast off still answers a unicast-sourced RS by unicast.
func TestUnicastOnlyWithoutSolicitedUnicast(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startServing(t, func(i *config.Interface) { i.RA.UnicastOnly, i.RA.SolicitedUnicast = true, false })
		time.Sleep(time.Minute)
		h.rs(2, netip.MustParseAddr("fe80::5"), 255)
		time.Sleep(time.Second)
		h.stop()
		if got := sentPackets(h.conn); len(got) != 1 {
			t.Errorf("sent %d RAs after an RS from fe80::5 on a UnicastOnly link, want 1; RSDroppedUnicast=%d",
				len(got), h.e.Counters().RSDroppedUnicast.Load())
		}
	})
}

// TestReloadKeepsWithdrawal: a reload with an unchanged configuration does
// not end an RFC 9096 withdrawal in progress.
func TestReloadKeepsWithdrawal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startEngine(t, autoLink())
		h.addLink(2, "eth0")
		h.addAddr(2, netip.MustParsePrefix("2001:db8:1::1/64"), iface.Infinite, iface.Infinite)
		h.synced()
		time.Sleep(time.Minute)
		h.push(iface.Event{Kind: iface.AddrDelete, Addr: iface.Addr{IfIndex: 2, Prefix: netip.MustParsePrefix("2001:db8:1::1/64")}})
		time.Sleep(5 * time.Second)
		if p := prefixes(lastRA(t, h.conn, 2))[netip.MustParseAddr("2001:db8:1::")]; p == nil || p.PreferredLifetime != 0 {
			t.Fatalf("before reload: withdrawn prefix %+v, want it with preferred 0", p)
		}
		h.e.Reload(autoLink()) // identical content (SIGHUP)
		time.Sleep(5 * time.Second)
		p := prefixes(fresh(t, h, 2))[netip.MustParseAddr("2001:db8:1::")]
		st, _ := h.e.Status()
		h.stop()
		if p == nil {
			t.Errorf("after an identical reload the withdrawn prefix is no longer advertised (status withdrawn=%v); hosts keep it preferred-less for up to its old valid lifetime", st[0].Withdrawn)
		}
	})
}

// TestWithdrawalOfDecrementingPrefixExtendsLifetime: withdrawing a
// DecrementLifetimes automatic prefix never advertises a valid lifetime
// above the one advertised just before (RFC 9096: never extend).
func TestWithdrawalOfDecrementingPrefixExtendsLifetime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := autoLink()
		cfg.Interfaces[0].RA.Prefixes[0].DecrementLifetime = true
		cfg.Interfaces[0].RA.Prefixes[0].ValidLifetime = 3600
		cfg.Interfaces[0].RA.Prefixes[0].PreferredLifetime = 1800
		h := startEngine(t, cfg)
		h.addLink(2, "eth0")
		h.addAddr(2, netip.MustParsePrefix("2001:db8:1::1/64"), iface.Infinite, iface.Infinite)
		h.synced()
		time.Sleep(50 * time.Minute)
		before := prefixes(fresh(t, h, 2))[netip.MustParseAddr("2001:db8:1::")]
		h.push(iface.Event{Kind: iface.AddrDelete, Addr: iface.Addr{IfIndex: 2, Prefix: netip.MustParsePrefix("2001:db8:1::1/64")}})
		time.Sleep(5 * time.Second)
		after := prefixes(lastRA(t, h.conn, 2))[netip.MustParseAddr("2001:db8:1::")]
		h.stop()
		if before == nil || after == nil {
			t.Fatalf("before %+v after %+v", before, after)
		}
		if after.ValidLifetime > before.ValidLifetime {
			t.Errorf("valid lifetime %v before withdrawal, %v in the withdrawal RA: withdrawal extended it", before.ValidLifetime, after.ValidLifetime)
		}
	})
}

// TestReloadForwardingCheckOn: turning ForwardingCheck on by reload while
// forwarding is off advertises Router Lifetime 0 at once (a fast RA), logged
// and counted.
func TestReloadForwardingCheckOn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := oneLink(func(i *config.Interface) { i.RA.ForwardingCheck = false })
		h := startEngine(t, cfg)
		h.push(iface.Event{Kind: iface.LinkUpdate, Link: link(2, "eth0", true)})
		h.addAddr(2, netip.PrefixFrom(linkLocal(2), 64), iface.Infinite, iface.Infinite)
		h.push(iface.Event{Kind: iface.NetconfUpdate, Netconf: iface.Netconf{IfIndex: 2, Forwarding: false}})
		h.synced()
		time.Sleep(2 * time.Minute)
		at := time.Now()
		h.e.Reload(oneLink(nil)) // ForwardingCheck on
		time.Sleep(5 * time.Second)
		got := multicastOnly(ras(h.conn, 2, at))
		n := h.e.Counters().ForwardingOff.Load()
		h.stop()
		if len(got) == 0 || n == 0 {
			t.Errorf("within 5 s of enabling ForwardingCheck with forwarding off: %d multicast RAs, ForwardingOff counter %d; want a fast RA with Router Lifetime 0 and the counter at 1", len(got), n)
		}
	})
}

// TestUnrestrictedBatchOverflow: with a clients list and
// UnrestrictedUnicast, an unlisted host is
// answered by unicast only: the "multicast" answer for a full batch goes
// to the listed clients and would not reach it. Beyond a full batch such
// solicitations are dropped and counted (not silently skipped), and the
// hosts are answered when they solicit again (RFC 4861 §6.3.7).
func TestUnrestrictedBatchOverflow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := netip.MustParseAddr("fe80::a")
		h := startServing(t, func(i *config.Interface) {
			i.RA.Clients = []netip.Addr{a}
			i.RA.UnrestrictedUnicast = true
		})
		time.Sleep(2 * time.Minute)
		at := time.Now()
		var hosts []netip.Addr
		for i := range 20 {
			hosts = append(hosts, netip.AddrFrom16([16]byte{0: 0xfe, 1: 0x80, 15: byte(0x20 + i)}))
			h.rs(2, hosts[i], 255)
		}
		time.Sleep(4 * time.Second)
		if n := h.e.Counters().RSDroppedBatch.Load(); n != 4 {
			t.Errorf("RSDroppedBatch = %d after 20 solicitations (batch of 16), want 4", n)
		}
		for _, x := range hosts[16:] { // the dropped ones try again
			h.rs(2, x, 255)
		}
		time.Sleep(time.Second)
		got := map[netip.Addr]int{}
		for _, s := range ras(h.conn, 2, at) {
			got[s.Meta.Dst]++
		}
		h.stop()
		for _, x := range hosts {
			if got[x] != 1 {
				t.Errorf("%v got %d answers, want 1; sent %v", x, got[x], got)
			}
		}
		if got[a] != 0 {
			t.Errorf("the listed client got %d RAs although it did not solicit and no periodic RA was due", got[a])
		}
	})
}

// TestRenameAwaySendsFinal: a served link renamed to a name no stanza
// matches sends a final RA, as a reload removing its stanza does.
func TestRenameAwaySendsFinal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startServing(t, nil)
		time.Sleep(2 * time.Minute)
		at := time.Now()
		h.push(iface.Event{Kind: iface.LinkUpdate, Link: link(2, "other0", true)})
		time.Sleep(time.Second)
		n := h.e.Counters().RAFinal.Load()
		got := ras(h.conn, 2, at)
		h.stop()
		if n == 0 {
			t.Errorf("link renamed out of the configuration: %d RAs, RAFinal %d; hosts keep it as default router for up to 1800 s", len(got), n)
		}
	})
}

// TestPeriodicRAsHonourMinDelay: with MinDelayBetweenRAs above
// MinRtrAdvInterval, periodic multicast RAs too stay MinDelayBetweenRAs
// apart (RFC 4861 §6.2.4 rate-limits every multicast RA).
func TestPeriodicRAsHonourMinDelay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startServing(t, func(i *config.Interface) {
			i.RA.MinInterval, i.RA.MaxInterval = 3*time.Second, 4*time.Second
			i.RA.MinDelayBetweenRAs = 10 * time.Second
		})
		time.Sleep(5 * time.Minute)
		end := time.Now()
		h.stop()
		var got []ifacetest.Packet
		for _, p := range multicastOnly(ras(h.conn, 2, h.start)) {
			if p.At.Before(end) { // the final RA on stop is not rate-limited
				got = append(got, p)
			}
		}
		if len(got) < 20 {
			t.Fatalf("%d multicast RAs in 5 minutes, want about 30", len(got))
		}
		for i := 1; i < len(got); i++ {
			if gap := got[i].At.Sub(got[i-1].At); gap < 10*time.Second {
				t.Fatalf("RAs %d and %d only %v apart, want at least MinDelayBetweenRAs 10s", i-1, i, gap)
			}
		}
	})
}
