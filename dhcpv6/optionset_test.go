package dhcpv6_test

import (
	"bytes"
	"errors"
	"net/netip"
	"slices"
	"testing"

	"github.com/radish-net/radish/dhcpv6"
)

// setRequest returns an Information-request with the given ORO (nil: no
// ORO at all).
func setRequest(t *testing.T, oro []dhcpv6.OptionCode) dhcpv6.Message {
	b := dhcpv6.AppendHeader(nil, dhcpv6.InformationRequest, dhcpv6.TransactionID{1, 2, 3})
	if oro != nil {
		b = dhcpv6.AppendORO(b, oro...)
	}
	m, err := dhcpv6.ParseMessage(b)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func replyCodes(t *testing.T, b []byte) []dhcpv6.OptionCode {
	m, err := dhcpv6.ParseMessage(b)
	if err != nil {
		t.Fatal(err)
	}
	var out []dhcpv6.OptionCode
	it := m.Options()
	for it.Next() {
		out = append(out, it.Option().Code)
	}
	return out
}

func TestOptionSet(t *testing.T) {
	mk := musts(t)
	var enc []byte
	enc = mk(dhcpv6.AppendNTPServerAddr(enc, netip.MustParseAddr("2001:db8::123")))
	enc = mk(dhcpv6.AppendDNSServers(enc, netip.MustParseAddr("2001:db8::53")))
	enc = mk(dhcpv6.AppendNTPServerFQDN(enc, "ntp.example.com"))
	enc = dhcpv6.AppendInfoRefreshTime(enc, 3600)
	enc = mk(dhcpv6.AppendDomainSearch(enc, "example.com"))
	set, err := dhcpv6.NewOptionSet(enc, []dhcpv6.OptionCode{dhcpv6.OptInfoRefreshTime, 999})
	if err != nil {
		t.Fatal(err)
	}
	if got := set.Codes(nil); !slices.Equal(got, []dhcpv6.OptionCode{56, 23, 32, 24}) {
		t.Fatalf("codes %v", got)
	}
	ntp, ok := set.Lookup(dhcpv6.OptNTPServer)
	if !ok || len(ntp) != 24+4+4+17 {
		t.Errorf("NTP blob %x: both instances grouped", ntp)
	}
	if !set.AlwaysSend(dhcpv6.OptInfoRefreshTime) || set.AlwaysSend(dhcpv6.OptDNSServers) || set.AlwaysSend(999) {
		t.Error("always-send membership wrong")
	}
	sid := keaDUID(t)
	tests := []struct {
		name string
		set  *dhcpv6.OptionSet
		oro  []dhcpv6.OptionCode
		want []dhcpv6.OptionCode
	}{
		{"no ORO: always-send only", set, nil, []dhcpv6.OptionCode{2, 32}},
		{"set order, not ORO order", set, []dhcpv6.OptionCode{24, 23, 56}, []dhcpv6.OptionCode{2, 56, 56, 23, 32, 24}},
		{"duplicates and unknown codes", set, []dhcpv6.OptionCode{23, 23, 7, 23, 4000}, []dhcpv6.OptionCode{2, 23, 32}},
		{"without 32", set.Without(dhcpv6.OptInfoRefreshTime), []dhcpv6.OptionCode{32, 24}, []dhcpv6.OptionCode{2, 24}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := tt.set.AppendReply(nil, dhcpv6.Reply, setRequest(t, tt.oro), sid)
			if got := replyCodes(t, out); !slices.Equal(got, tt.want) {
				t.Errorf("reply options %v, want %v", got, tt.want)
			}
		})
	}
	// Without keeps always-send bits aligned with the remaining entries.
	w := set.Without(dhcpv6.OptNTPServer)
	if !w.AlwaysSend(dhcpv6.OptInfoRefreshTime) || w.AlwaysSend(dhcpv6.OptDNSServers) {
		t.Error("Without misaligned the always-send set")
	}
	if dns, _ := w.Lookup(dhcpv6.OptDNSServers); !bytes.Equal(dns, enc[24:24+20]) {
		t.Errorf("Without changed the DNS blob: %x", dns)
	}
}

func TestOptionSetErrors(t *testing.T) {
	var many []byte
	for c := range dhcpv6.MaxSetCodes + 1 {
		many = dhcpv6.AppendOption(many, dhcpv6.OptionCode(1000+c), nil)
	}
	tests := []struct {
		name string
		enc  []byte
		want error
	}{
		{"too many codes", many, dhcpv6.ErrTooManyCodes},
		{"truncated", []byte{0, 23, 0, 16, 1}, dhcpv6.ErrOptionTruncated},
		{"bad length", []byte{0, 23, 0, 1, 1}, dhcpv6.ErrOptionLength},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := dhcpv6.NewOptionSet(tt.enc, nil); !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := dhcpv6.NewOptionSet(many[:len(many)-4], nil); err != nil {
		t.Errorf("%d codes: %v", dhcpv6.MaxSetCodes, err)
	}
}
