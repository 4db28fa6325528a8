package server_test

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv6"
	"github.com/insomniacslk/dhcp/dhcpv6/nclient6"
	"github.com/insomniacslk/dhcp/iana"

	"github.com/radish-net/radish/dhcpv6/server"
	"github.com/radish-net/radish/internal/fixture"
	"github.com/radish-net/radish/internal/netlab"
)

// Client — ISC dhcrelay — server, three namespaces: the client's link is
// chosen by the relay's link-address, whose stanza has its own DNS
// servers, not those of the link the relay-forward arrived on.
func TestE2EDhcrelay(t *testing.T) {
	lab := netlab.New(t)
	cl, rl, sv := lab.Namespace("client"), lab.Namespace("relay"), lab.Namespace("server")
	cIf, down, up, sIf := lab.IfName("cl"), lab.IfName("rd"), lab.IfName("ru"), lab.IfName("sv")
	lab.Veth(cl, cIf, rl, down)
	lab.Veth(rl, up, sv, sIf)
	rl.IP("addr", "add", "2001:db8:1::1/64", "dev", down)
	rl.IP("addr", "add", "2001:db8:2::1/64", "dev", up)
	sv.IP("addr", "add", "2001:db8:2::2/64", "dev", sIf)
	for _, x := range []struct {
		ns *netlab.NS
		ln string
	}{{cl, cIf}, {rl, down}, {rl, up}, {sv, sIf}} {
		x.ns.Up(x.ln)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, x := range []struct {
		ns *netlab.NS
		ln string
	}{{cl, cIf}, {rl, down}, {rl, up}, {sv, sIf}} {
		if _, err := x.ns.LinkLocal(ctx, x.ln); err != nil {
			t.Fatal(err)
		}
	}
	cfg := parseConfig(t, `
[dhcpv6.duid]
type = "en"
enterprise = 32473
id = "0102"
[[interface]]
name = "`+sIf+`"
[interface.dhcpv6]
dns_servers = ["2001:db8:2::53"]
[[interface]]
name = "remote-clients"
[interface.dhcpv6]
dns_servers = ["2001:db8:1::53", "2001:db8:1::54"]
domain_search = ["clients.example"]
link_addresses = ["2001:db8:1::/64"]
`)
	srv := startIn(t, sv, cfg)

	dir := t.TempDir()
	relay := rl.Start("dhcrelay", "-6", "-d", "-pf", filepath.Join(dir, "relay.pid"),
		"-l", down, "-u", "2001:db8:2::2%"+up)
	out := filepath.Join(dir, "out")
	script := writeScript(t, dir, out, "reason", "new_dhcp6_name_servers", "new_dhcp6_domain_search")
	proc := cl.Start("dhclient", "-6", "-S", "-1", "-d", "-sf", script,
		"-lf", filepath.Join(dir, "lease"), "-pf", filepath.Join(dir, "pid"), cIf)
	got := waitFile(t, out, 10*time.Second, proc, "new_dhcp6_name_servers=2001:db8:1::53 2001:db8:1::54")
	t.Logf("client script saw:\n%s", got)
	if !strings.Contains(got, "new_dhcp6_domain_search=clients.example.") {
		t.Errorf("search list missing: %s", got)
	}
	c := srv.Counters()
	if c.RelayForwardReceived.Load() < 1 || c.ReplySent.Load() < 1 {
		rout, rerr := relay.Output()
		t.Errorf("counters %v\nrelay: %s %s", c.Snapshot(), rout, rerr)
	}
}

// insomniacslk/dhcp's nclient6 in the client namespace: a valid
// Information-request is answered; each kind of bad one is not, and the
// counter for its reason moves.
func TestE2ENclient6(t *testing.T) {
	p := newPair(t, "")
	link, err := p.client.Link(p.cIf)
	if err != nil {
		t.Fatal(err)
	}
	rll, err := p.router.LinkLocal(context.Background(), p.rIf)
	if err != nil {
		t.Fatal(err)
	}
	zone := strconv.Itoa(link.Index)
	mcast := &net.UDPAddr{IP: net.ParseIP("ff02::1:2"), Port: 547, Zone: zone}
	unicast := &net.UDPAddr{IP: net.IP(rll.AsSlice()), Port: 547, Zone: zone}

	var client *nclient6.Client
	if err := p.client.Do(func() (err error) {
		// One attempt per call (WithRetry counts attempts), with a timeout
		// generous enough for a loaded machine: the negative cases wait it out.
		client, err = nclient6.New(p.cIf, nclient6.WithTimeout(2*time.Second), nclient6.WithRetry(1))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })

	cid := &dhcpv6.DUIDLL{HWType: iana.HWTypeEthernet, LinkLayerAddr: link.HardwareAddr}
	infoReq := func(mods ...dhcpv6.Modifier) *dhcpv6.Message {
		m, err := dhcpv6.NewMessage(append([]dhcpv6.Modifier{
			dhcpv6.WithClientID(cid),
			dhcpv6.WithRequestedOptions(dhcpv6.OptionDNSRecursiveNameServer, dhcpv6.OptionDomainSearchList),
		}, mods...)...)
		if err != nil {
			t.Fatal(err)
		}
		m.MessageType = dhcpv6.MessageTypeInformationRequest
		return m
	}

	// A valid request is answered; a lost first exchange on a loaded machine
	// is retried, as a real client would.
	var rep *dhcpv6.Message
	for attempt := 0; ; attempt++ {
		rep, err = client.SendAndRead(context.Background(), mcast, infoReq(), nil)
		if err == nil {
			break
		}
		if attempt == 2 {
			t.Fatalf("valid Information-request, 3 attempts: %v", err)
		}
	}
	if dns := rep.Options.DNS(); len(dns) != 2 || !dns[0].Equal(net.ParseIP("2001:db8:53::1")) {
		t.Errorf("DNS = %v", dns)
	}

	for _, tc := range []struct {
		name    string
		msg     *dhcpv6.Message
		dest    *net.UDPAddr
		counter func(*server.Counters) uint64
	}{
		{"foreign server id", infoReq(dhcpv6.WithServerID(&dhcpv6.DUIDLL{HWType: iana.HWTypeEthernet, LinkLayerAddr: net.HardwareAddr{2, 1, 2, 3, 4, 5}})), mcast,
			func(c *server.Counters) uint64 { return c.NotForUs.Load() }},
		{"IA_NA in information-request", infoReq(dhcpv6.WithIAID([4]byte{0, 0, 0, 1})), mcast,
			func(c *server.Counters) uint64 { return c.IAInInfoRequest.Load() }},
		{"unicast destination", infoReq(), unicast,
			func(c *server.Counters) uint64 { return c.UnicastDropped.Load() }},
		{"malformed option (3-octet Elapsed Time)", infoReq(dhcpv6.WithOption(&dhcpv6.OptionGeneric{OptionCode: dhcpv6.OptionElapsedTime, OptionData: []byte{0, 0, 0}})), mcast,
			func(c *server.Counters) uint64 { return c.ParseFailed.Load() }},
		{"oversized DUID", infoReq(dhcpv6.WithClientID(&dhcpv6.DUIDOpaque{Type: 2, Data: make([]byte, 200)})), mcast,
			func(c *server.Counters) uint64 { return c.ParseFailed.Load() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := tc.counter(p.srv.Counters())
			_, err := client.SendAndRead(context.Background(), tc.dest, tc.msg, nil)
			if !errors.Is(err, nclient6.ErrNoResponse) {
				t.Errorf("got %v, want no response", err)
			}
			// The server may count the drop a moment after the client gave up.
			deadline := time.Now().Add(3 * time.Second)
			after := tc.counter(p.srv.Counters())
			for after == before && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
				after = tc.counter(p.srv.Counters())
			}
			if after != before+1 {
				t.Errorf("counter %d → %d, want +1 (%v)", before, after, p.srv.Counters().Snapshot())
			}
		})
	}
	// Still serving.
	for attempt := 0; ; attempt++ {
		_, err := client.SendAndRead(context.Background(), mcast, infoReq(), nil)
		if err == nil {
			break
		}
		if attempt == 2 {
			t.Errorf("after the bad requests, 3 attempts: %v", err)
			break
		}
	}
}

// Replies per second over one veth with one client in a closed loop
// (report only; RADISH_MEASURE=1).
func TestMeasureRepliesPerSecond(t *testing.T) {
	if os.Getenv("RADISH_MEASURE") != "1" {
		t.Skip("set RADISH_MEASURE=1 to measure replies per second over a veth")
	}
	p := newPair(t, "[dhcpv6.rate_limit]\nper_source = 0\nglobal = 0\n")
	link, err := p.client.Link(p.cIf)
	if err != nil {
		t.Fatal(err)
	}
	var conn *net.UDPConn
	if err := p.client.Do(func() (err error) {
		conn, err = net.ListenUDP("udp6", &net.UDPAddr{Port: 546})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	dst := net.UDPAddrFromAddrPort(netip.AddrPortFrom(netip.MustParseAddr("ff02::1:2").WithZone(strconv.Itoa(link.Index)), 547))
	req := fixture.Load(t, "testdata/dhcpcd-information-request.hex").Bytes
	buf := make([]byte, 2048)
	n := 0
	timeouts := 0
	start := time.Now()
	for time.Since(start) < 3*time.Second {
		req[3] = byte(n)
		if _, err := conn.WriteToUDP(req, dst); err != nil {
			t.Fatal(err)
		}
		conn.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		k, _, err := conn.ReadFromUDP(buf)
		if err != nil {
			timeouts++
			continue
		}
		if k > 4 && buf[0] == 7 && buf[3] == byte(n) {
			n++
		}
	}
	el := time.Since(start)
	t.Logf("%d replies in %v: %.0f replies/s (one client, closed loop, %d timeouts; counters %v)",
		n, el.Round(time.Millisecond), float64(n)/el.Seconds(), timeouts, p.srv.Counters().Snapshot())
}
