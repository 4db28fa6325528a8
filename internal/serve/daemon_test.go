package serve_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/radish-net/radish/iface"
	"github.com/radish-net/radish/iface/ifacetest"
	"github.com/radish-net/radish/internal/netlab"
)

// linkWatcher reports one up Ethernet link with a link-local address to
// every Watch (the RA engine and the DHCPv6 server each watch).
type linkWatcher struct{ link iface.Link }

func (w linkWatcher) Watch(ctx context.Context) (<-chan iface.Event, error) {
	ch := make(chan iface.Event)
	ll := netip.MustParsePrefix("fe80::1/64")
	go func() {
		defer close(ch)
		for _, e := range []iface.Event{
			{Kind: iface.LinkUpdate, Link: w.link},
			{Kind: iface.AddrUpdate, Addr: iface.Addr{IfIndex: w.link.Index, Prefix: ll, Flags: iface.AddrPermanent, Preferred: iface.Infinite, Valid: iface.Infinite}},
			{Kind: iface.Synced},
		} {
			select {
			case ch <- e:
			case <-ctx.Done():
				return
			}
		}
		<-ctx.Done()
	}()
	return ch, nil
}

// lastRA returns the most recent Router Advertisement written.
func lastRA(t *testing.T, c *ifacetest.FakeConn) []byte {
	t.Helper()
	w := c.Written()
	for i := len(w) - 1; i >= 0; i-- {
		if b := w[i].Data; len(b) >= 16 && b[0] == 134 {
			return b
		}
	}
	t.Fatal("no RA written")
	return nil
}

func hasAddr(b []byte, s string) bool {
	a := netip.MustParseAddr(s).As16()
	return bytes.Contains(b, a[:])
}

// TestDaemonReload runs the daemon over in-memory transports: it
// advertises the file's RDNSS, keeps the old configuration when the file
// breaks, applies a good file (starting the DHCPv6 server when the new file
// asks for it), and sends a final RA with Router Lifetime 0 on shutdown.
func TestDaemonReload(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		stanza := `[[interface]]
name = "eth0"
[interface.ra]
max_interval = 4
[[interface.ra.rdnss]]
servers = [%q]
`
		var logs netlab.SyncBuffer
		level := new(slog.LevelVar) // info, from the file's [log] default
		f := startFakeDaemon(t, fmt.Sprintf(stanza, "2001:db8::53"),
			slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: level})), level)
		icmp, udp, path, dir := f.icmp, f.udp, f.path, filepath.Dir(f.path)

		time.Sleep(time.Second)
		synctest.Wait()
		if ra := lastRA(t, icmp); !hasAddr(ra, "2001:db8::53") {
			t.Errorf("first RA lacks the RDNSS server: %x", ra)
		}
		if !strings.Contains(logs.String(), "msg=ready") || !strings.Contains(logs.String(), `msg="link served" link=eth0`) {
			t.Errorf("no readiness or link log:\n%s", logs.String())
		}
		if f.udpOpened.Load() != 0 {
			t.Error("UDP socket opened without any [interface.dhcpv6]")
		}

		// A broken file: the error is logged with file:line: key, and
		// the next RA still carries the old server.
		f.write(t, strings.Replace(fmt.Sprintf(stanza, "2001:db8::54"), "max_interval = 4\n", "max_interval = 4\nrouter_preference = \"highest\"\n", 1))
		f.reload <- struct{}{}
		synctest.Wait()
		if want := path + `:5: interface \"eth0\" ra.router_preference`; !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
		icmp.ClearWritten()
		time.Sleep(20 * time.Second)
		synctest.Wait()
		if ra := lastRA(t, icmp); !hasAddr(ra, "2001:db8::53") || hasAddr(ra, "2001:db8::54") {
			t.Errorf("RA after a broken reload does not carry the old configuration: %x", ra)
		}

		// A good file with DHCPv6: the UDP socket is opened and the
		// server joins ff02::1:2; the RA carries the new server.
		f.write(t, fmt.Sprintf(stanza, "2001:db8::54")+fmt.Sprintf("[interface.dhcpv6]\ndns_servers = [\"2001:db8::55\"]\n[dhcpv6]\nstate_dir = %q\n[log]\nlevel = \"debug\"\n", dir))
		f.reload <- struct{}{}
		// The change is sent at once, or MinDelayBetweenRAs (3 s) after
		// the previous multicast RA.
		time.Sleep(4 * time.Second)
		synctest.Wait()
		if !strings.Contains(logs.String(), `msg="configuration reloaded"`) {
			t.Errorf("no reload log:\n%s", logs.String())
		}
		if level.Level() != slog.LevelDebug {
			t.Errorf("log level %v after reloading a file with [log] level = \"debug\"", level.Level())
		}
		if n := f.udpOpened.Load(); n != 1 {
			t.Errorf("UDP socket opened %d times, want 1", n)
		}
		if !udp.Joined(1, netip.MustParseAddr("ff02::1:2")) {
			t.Errorf("DHCPv6 server did not join ff02::1:2 on eth0: %v", udp.Groups())
		}
		if ra := lastRA(t, icmp); !hasAddr(ra, "2001:db8::54") || hasAddr(ra, "2001:db8::53") {
			t.Errorf("RA after a good reload lacks the new RDNSS server: %x", ra)
		}

		f.stop(t)
		ra := lastRA(t, icmp)
		if lifetime := uint16(ra[6])<<8 | uint16(ra[7]); lifetime != 0 {
			t.Errorf("last RA has Router Lifetime %d, want a final RA with 0", lifetime)
		}
		if _, err := icmp.WriteTo([]byte{1}, &iface.Meta{}); err != iface.ErrClosed {
			t.Errorf("ICMP conn still open after Run: %v", err)
		}
		if _, err := udp.WriteTo([]byte{1}, &iface.Meta{}); err != iface.ErrClosed {
			t.Errorf("UDP conn still open after Run: %v", err)
		}
	})
}
