package oracle_test

import (
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"

	ins "github.com/insomniacslk/dhcp/dhcpv6"
	"github.com/mdlayher/ndp"

	"github.com/radish-net/radish/dhcpv6"
	"github.com/radish-net/radish/internal/oracle"
	"github.com/radish-net/radish/ra"
)

func ndpRA() *ndp.RouterAdvertisement {
	return &ndp.RouterAdvertisement{
		CurrentHopLimit: 64, OtherConfiguration: true, RouterSelectionPreference: ndp.High,
		RouterLifetime: 30 * time.Second,
		Options: []ndp.Option{
			&ndp.LinkLayerAddress{Direction: ndp.Source, Addr: net.HardwareAddr{2, 0, 0, 0, 0, 1}},
			ndp.NewMTU(1500),
			&ndp.PrefixInformation{PrefixLength: 64, OnLink: true, AutonomousAddressConfiguration: true,
				ValidLifetime: time.Hour, PreferredLifetime: time.Minute, Prefix: netip.MustParseAddr("2001:db8:1::")},
			&ndp.RouteInformation{PrefixLength: 60, Preference: ndp.Low, RouteLifetime: time.Minute, Prefix: netip.MustParseAddr("2001:db8:10::")},
			&ndp.RecursiveDNSServer{Lifetime: time.Minute, Servers: []netip.Addr{netip.MustParseAddr("2001:db8::53")}},
			&ndp.DNSSearchList{Lifetime: time.Minute, DomainNames: []string{"example.com"}},
			&ndp.CaptivePortal{URI: "https://portal.example/"},
			&ndp.PREF64{Lifetime: 600 * time.Second, Prefix: netip.MustParsePrefix("64:ff9b::/96")},
			&ndp.RawOption{Type: 200, Length: 1, Value: []byte{1, 2, 3, 4, 5, 6}},
		},
	}
}

func parseRA(t *testing.T, n *ndp.RouterAdvertisement) ra.RouterAdvert {
	t.Helper()
	b, err := ndp.MarshalMessage(n)
	if err != nil {
		t.Fatal(err)
	}
	m, err := ra.ParseRouterAdvert(b)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestDiffRA(t *testing.T) {
	m := parseRA(t, ndpRA())
	if err := oracle.DiffRA(ndpRA(), m); err != nil {
		t.Fatalf("same message: %v", err)
	}
	tests := []struct {
		name      string
		change    func(*ndp.RouterAdvertisement)
		deviation bool
	}{
		{"router lifetime", func(n *ndp.RouterAdvertisement) { n.RouterLifetime = time.Minute }, false},
		{"managed flag", func(n *ndp.RouterAdvertisement) { n.ManagedConfiguration = true }, false},
		{"mtu", func(n *ndp.RouterAdvertisement) { n.Options[1] = ndp.NewMTU(1280) }, false},
		{"prefix", func(n *ndp.RouterAdvertisement) {
			n.Options[2].(*ndp.PrefixInformation).Prefix = netip.MustParseAddr("2001:db8:2::")
		}, false},
		{"route whole bytes", func(n *ndp.RouterAdvertisement) {
			n.Options[3].(*ndp.RouteInformation).Prefix = netip.MustParseAddr("2001:db8:11::")
		}, false},
		{"rdnss server", func(n *ndp.RouterAdvertisement) {
			n.Options[4].(*ndp.RecursiveDNSServer).Servers[0] = netip.MustParseAddr("2001:db8::54")
		}, false},
		{"dnssl name", func(n *ndp.RouterAdvertisement) {
			n.Options[5].(*ndp.DNSSearchList).DomainNames = []string{"example.org"}
		}, false},
		{"raw body", func(n *ndp.RouterAdvertisement) { n.Options[8].(*ndp.RawOption).Value[0] = 9 }, false},
		{"missing option", func(n *ndp.RouterAdvertisement) { n.Options = n.Options[:8] }, false},
		{"extra option", func(n *ndp.RouterAdvertisement) { n.Options = append(n.Options, ndp.NewMTU(1500)) }, false},
		{"prefix length over 128", func(n *ndp.RouterAdvertisement) {
			n.Options[2].(*ndp.PrefixInformation).PrefixLength = 200
		}, true},
		{"idna dnssl name", func(n *ndp.RouterAdvertisement) {
			n.Options[5].(*ndp.DNSSearchList).DomainNames = []string{"xn--bcher-kva.example"}
		}, true},
		{"long dnssl label", func(n *ndp.RouterAdvertisement) {
			n.Options[5].(*ndp.DNSSearchList).DomainNames = []string{string(make([]byte, 64))}
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := ndpRA()
			tt.change(n)
			err := oracle.DiffRA(n, m)
			if err == nil {
				t.Fatal("difference not reported")
			}
			if errors.Is(err, oracle.ErrNDPDeviation) != tt.deviation {
				t.Fatalf("%v: deviation %v, want %v", err, !tt.deviation, tt.deviation)
			}
		})
	}
}

// The route comparison ignores the partial byte ndp drops (a /60's last
// nibble) but nothing else.
func TestDiffRARoutePartialByte(t *testing.T) {
	b, err := ra.AppendRouterAdvert(nil, ra.Header{},
		ra.RouteInfo{Prefix: netip.MustParsePrefix("2001:db8:10::/60"), Preference: ra.Low, Lifetime: 60})
	if err != nil {
		t.Fatal(err)
	}
	m, err := ra.ParseRouterAdvert(b)
	if err != nil {
		t.Fatal(err)
	}
	n := &ndp.RouterAdvertisement{Options: []ndp.Option{&ndp.RouteInformation{PrefixLength: 60, Preference: ndp.Low,
		RouteLifetime: time.Minute, Prefix: netip.MustParseAddr("2001:db8:10::")}}}
	if err := oracle.DiffRA(n, m); err != nil {
		t.Fatal(err)
	}
	n.Options[0].(*ndp.RouteInformation).PrefixLength = 56
	if err := oracle.DiffRA(n, m); err == nil {
		t.Fatal("prefix length difference not reported")
	}
}

func insMessage() *ins.Message {
	m := &ins.Message{MessageType: ins.MessageTypeReply, TransactionID: ins.TransactionID{1, 2, 3}}
	m.AddOption(ins.OptClientID(&ins.DUIDLL{HWType: 1, LinkLayerAddr: net.HardwareAddr{2, 0, 0, 0, 0, 12}}))
	m.AddOption(ins.OptDNS(net.ParseIP("2001:db8::53")))
	m.AddOption(ins.OptElapsedTime(120 * time.Millisecond))
	return m
}

func TestDiffDHCPv6(t *testing.T) {
	im := insMessage()
	m, err := dhcpv6.ParseMessage(im.ToBytes())
	if err != nil {
		t.Fatal(err)
	}
	if err := oracle.DiffDHCPv6Message(m, im, nil); err != nil {
		t.Fatalf("same message: %v", err)
	}
	onlyElapsed := func(c dhcpv6.OptionCode) bool { return c == dhcpv6.OptElapsedTime }

	other := insMessage()
	other.TransactionID[2] = 4
	if err := oracle.DiffDHCPv6Message(m, other, nil); err == nil {
		t.Error("transaction id difference not reported")
	}
	other = insMessage()
	other.UpdateOption(ins.OptDNS(net.ParseIP("2001:db8::54")))
	if err := oracle.DiffDHCPv6Message(m, other, nil); err == nil {
		t.Error("DNS body difference not reported when comparing every body")
	}
	if err := oracle.DiffDHCPv6Message(m, other, onlyElapsed); err != nil {
		t.Errorf("DNS body compared although body() excludes it: %v", err)
	}
	other = insMessage()
	other.UpdateOption(ins.OptElapsedTime(time.Second))
	if err := oracle.DiffDHCPv6Message(m, other, onlyElapsed); err == nil {
		t.Error("Elapsed Time difference not reported")
	}
	other = insMessage()
	other.AddOption(ins.OptSNTP(net.ParseIP("2001:db8::123")))
	if err := oracle.DiffDHCPv6Message(m, other, nil); err == nil {
		t.Error("missing option not reported")
	}
	other = insMessage()
	other.Options.Options = other.Options.Options[:2]
	if err := oracle.DiffDHCPv6Message(m, other, nil); err == nil {
		t.Error("extra option not reported")
	}
}

func TestDiffRelayHeader(t *testing.T) {
	rm, err := ins.EncapsulateRelay(insMessage(), ins.MessageTypeRelayForward, net.ParseIP("2001:db8::1"), net.ParseIP("fe80::2"))
	if err != nil {
		t.Fatal(err)
	}
	rm.HopCount = 3
	r, err := dhcpv6.ParseRelay(rm.ToBytes())
	if err != nil {
		t.Fatal(err)
	}
	if err := oracle.DiffRelayHeader(r, rm); err != nil {
		t.Fatalf("same relay: %v", err)
	}
	for name, change := range map[string]func(*ins.RelayMessage){
		"hop count": func(r *ins.RelayMessage) { r.HopCount = 4 },
		"link":      func(r *ins.RelayMessage) { r.LinkAddr = net.ParseIP("2001:db8::2") },
		"peer":      func(r *ins.RelayMessage) { r.PeerAddr = net.ParseIP("fe80::3") },
	} {
		other := *rm
		change(&other)
		if err := oracle.DiffRelayHeader(r, &other); err == nil {
			t.Errorf("%s difference not reported", name)
		}
	}
}
