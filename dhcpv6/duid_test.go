package dhcpv6_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/radish-net/radish/dhcpv6"
	"github.com/radish-net/radish/internal/fixture"
)

func TestDUIDBuilders(t *testing.T) {
	mk := musts(t)
	mac := []byte{2, 0xc6, 0, 0, 0, 0x0c}
	uuid := [16]byte{0: 0x12, 15: 0x34}
	tests := []struct {
		name string
		got  []byte
		want string
		typ  dhcpv6.DUIDType
	}{
		{"llt", mk(dhcpv6.AppendDUIDLLT(nil, 1, 0x329b9603, mac)), "0001 0001 329b9603 02c60000000c", dhcpv6.DUIDLLT},
		{"en", mk(dhcpv6.AppendDUIDEN(nil, 32473, []byte{0xc6, 0xc6})), "0002 00007ed9 c6c6", dhcpv6.DUIDEN},
		{"ll", mk(dhcpv6.AppendDUIDLL(nil, 1, mac)), "0003 0001 02c60000000c", dhcpv6.DUIDLL},
		{"uuid", dhcpv6.AppendDUIDUUID(nil, uuid), "0004 12000000000000000000000000000034", dhcpv6.DUIDUUID},
		{"opaque", mk(dhcpv6.AppendDUID(nil, 77, []byte{1})), "004d 01", 77},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !bytes.Equal(tt.got, fixture.Hex(t, tt.want)) {
				t.Fatalf("got %x, want %s", tt.got, tt.want)
			}
			d, err := dhcpv6.ParseDUID(tt.got)
			if err != nil || d.Type() != tt.typ {
				t.Fatalf("ParseDUID: %v %v", d.Type(), err)
			}
		})
	}

	llt := dhcpv6.DUID(mk(dhcpv6.AppendDUIDLLT(nil, 1, 0x329b9603, mac)))
	if hw, ok := llt.HardwareType(); !ok || hw != 1 {
		t.Error("LLT hardware type")
	}
	if ts, ok := llt.Time(); !ok || ts != 0x329b9603 {
		t.Error("LLT time")
	}
	if ll, ok := llt.LinkLayerAddress(); !ok || !bytes.Equal(ll, mac) {
		t.Error("LLT link-layer address")
	}
	ll := dhcpv6.DUID(mk(dhcpv6.AppendDUIDLL(nil, 1, mac)))
	if a, ok := ll.LinkLayerAddress(); !ok || !bytes.Equal(a, mac) {
		t.Error("LL link-layer address")
	}
	if _, ok := ll.Time(); ok {
		t.Error("Time on a DUID-LL")
	}
	en := dhcpv6.DUID(mk(dhcpv6.AppendDUIDEN(nil, 32473, []byte{7})))
	if n, id, ok := en.Enterprise(); !ok || n != 32473 || !bytes.Equal(id, []byte{7}) {
		t.Error("EN fields")
	}
	if u, ok := dhcpv6.DUID(dhcpv6.AppendDUIDUUID(nil, uuid)).UUID(); !ok || u != uuid {
		t.Error("UUID")
	}
	if got := dhcpv6.DUIDTime(time.Date(2000, 1, 1, 0, 1, 0, 0, time.UTC)); got != 60 {
		t.Errorf("DUIDTime = %d, want 60", got)
	}
	if s := dhcpv6.DUIDEN.String() + dhcpv6.DUIDType(9).String(); s != "DUID-ENDUIDType(9)" {
		t.Errorf("String: %s", s)
	}
}

func TestDUIDErrors(t *testing.T) {
	tests := []struct {
		name string
		fn   func() ([]byte, error)
	}{
		{"parse empty", func() ([]byte, error) { return dhcpv6.ParseDUID(nil) }},
		{"parse type only", func() ([]byte, error) { return dhcpv6.ParseDUID([]byte{0, 1}) }},
		{"parse 131", func() ([]byte, error) { return dhcpv6.ParseDUID(make([]byte, 131)) }},
		{"llt empty", func() ([]byte, error) { return dhcpv6.AppendDUIDLLT(nil, 1, 0, nil) }},
		{"llt long", func() ([]byte, error) { return dhcpv6.AppendDUIDLLT(nil, 1, 0, make([]byte, 123)) }},
		{"en empty", func() ([]byte, error) { return dhcpv6.AppendDUIDEN(nil, 1, nil) }},
		{"en long", func() ([]byte, error) { return dhcpv6.AppendDUIDEN(nil, 1, make([]byte, 125)) }},
		{"ll long", func() ([]byte, error) { return dhcpv6.AppendDUIDLL(nil, 1, make([]byte, 127)) }},
		{"opaque long", func() ([]byte, error) { return dhcpv6.AppendDUID(nil, 9, make([]byte, 129)) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if b, err := tt.fn(); err != dhcpv6.ErrDUID || len(b) != 0 {
				t.Errorf("got %x, %v; want ErrDUID", b, err)
			}
		})
	}
	// The longest valid ones.
	if _, err := dhcpv6.ParseDUID(make([]byte, 130)); err != nil {
		t.Error(err)
	}
	if _, err := dhcpv6.AppendDUIDLLT(nil, 1, 0, make([]byte, 122)); err != nil {
		t.Error(err)
	}
}

func TestStrings(t *testing.T) {
	got := strings.Join([]string{
		dhcpv6.InformationRequest.String(), dhcpv6.MessageType(99).String(),
		dhcpv6.OptDNSServers.String(), dhcpv6.OptionCode(4000).String(),
		dhcpv6.StatusNoAddrsAvail.String(), dhcpv6.StatusCode(42).String(),
	}, ",")
	want := "Information-request,MessageType(99),DNS Recursive Name Server,Option(4000),NoAddrsAvail,StatusCode(42)"
	if got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
}
