package server_test

import (
	"bytes"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"testing"

	"github.com/insomniacslk/dhcp/dhcpv6"
	"github.com/insomniacslk/dhcp/iana"

	r6 "github.com/radish-net/radish/dhcpv6"
	"github.com/radish-net/radish/internal/fixture"
)

// Real clients' Information-requests (captured, testdata/) get a Reply
// with the configured options, checked with insomniacslk/dhcp.
func TestFixtureInformationRequests(t *testing.T) {
	for _, batch := range []bool{false, true} {
		h := start(t, parseConfig(t, baseConfig), batch)
		for _, tc := range []struct {
			file  string
			codes []r6.OptionCode
		}{
			// ORO [23 24 39 31]: 39 not configured; 32 always sent.
			{"dhclient-information-request.hex", []r6.OptionCode{1, 2, 23, 24, 31, 32}},
			// ORO [23 24 32 82 83]: 31 configured but not requested.
			{"dhcpcd-information-request.hex", []r6.OptionCode{1, 2, 23, 24, 32, 82, 83}},
		} {
			t.Run(fmt.Sprintf("%s/batch=%v", tc.file, batch), func(t *testing.T) {
				req := fixture.Load(t, "testdata/"+tc.file).Bytes
				d, ok := h.exchange(req, direct(lan0.Index))
				if !ok {
					t.Fatal("no reply")
				}
				wantMeta := direct(lan0.Index)
				if d.Meta.Dst != clientLL || d.Meta.DstPort != 546 || d.Meta.IfIndex != lan0.Index || d.Meta.Src.IsValid() {
					t.Errorf("reply meta = %+v, want to [%v]:546 via %d, kernel-chosen source", d.Meta, wantMeta.Src, lan0.Index)
				}
				if got := parseReply(t, d.Data).codes; !slices.Equal(got, tc.codes) {
					t.Errorf("option codes = %v, want %v", got, tc.codes)
				}
				m, err := dhcpv6.MessageFromBytes(d.Data)
				if err != nil {
					t.Fatalf("oracle: %v", err)
				}
				if m.MessageType != dhcpv6.MessageTypeReply || !bytes.Equal(m.TransactionID[:], req[1:4]) {
					t.Errorf("type %v xid %x, want Reply %x", m.MessageType, m.TransactionID, req[1:4])
				}
				reqCID, _ := mustParse(t, req).ClientID()
				if got := m.GetOneOption(dhcpv6.OptionClientID); got == nil || !bytes.Equal(got.ToBytes(), reqCID) {
					t.Errorf("client id not echoed byte for byte: %v", got)
				}
				if got := m.GetOneOption(dhcpv6.OptionServerID); got == nil || !bytes.Equal(got.ToBytes(), serverDUID) {
					t.Errorf("server id = %v, want %x", got, serverDUID)
				}
				wantDNS := []net.IP{net.ParseIP("2001:db8::53"), net.ParseIP("2001:db8::54")}
				if got := m.Options.DNS(); !slices.EqualFunc(got, wantDNS, net.IP.Equal) {
					t.Errorf("DNS = %v, want %v", got, wantDNS)
				}
				if got := m.Options.DomainSearchList(); got == nil || !slices.Equal(got.Labels, []string{"example.com"}) {
					t.Errorf("search list = %v, want [example.com]", got)
				}
				if got := m.Options.InformationRefreshTime(0); got.Seconds() != 3600 {
					t.Errorf("information refresh time = %v, want 3600s", got)
				}
			})
		}
	}
}

func mustParse(t testing.TB, b []byte) r6.Message {
	t.Helper()
	m, err := r6.ParseMessage(b)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Kea 2.2.0's reply to the same dhclient request, from a server with the
// same options and DUID, compared field by field and then byte for byte.
func TestKeaReply(t *testing.T) {
	cfg := parseConfig(t, `
[dhcpv6.duid]
type = "raw"
id = "000200007ed9c6c6c6c6c6c6"
[dhcpv6.rate_limit]
per_source = 0
global = 0
[[interface]]
name = "lan0"
[interface.dhcpv6]
dns_servers = ["2001:db8::53", "2001:db8::54"]
domain_search = ["example.com"]
sntp_servers = ["2001:db8::31"]
always_send = ["dns_servers", "domain_search"]
`)
	h := start(t, cfg, false)
	d, ok := h.exchange(fixture.Load(t, "testdata/dhclient-information-request.hex").Bytes, direct(lan0.Index))
	if !ok {
		t.Fatal("no reply")
	}
	kea := fixture.Load(t, "testdata/kea-reply-to-dhclient.hex").Bytes
	ours, err := dhcpv6.MessageFromBytes(d.Data)
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := dhcpv6.MessageFromBytes(kea)
	if err != nil {
		t.Fatal(err)
	}
	if ours.MessageType != theirs.MessageType || ours.TransactionID != theirs.TransactionID {
		t.Errorf("header: ours %v %x, Kea %v %x", ours.MessageType, ours.TransactionID, theirs.MessageType, theirs.TransactionID)
	}
	for _, code := range []dhcpv6.OptionCode{dhcpv6.OptionClientID, dhcpv6.OptionServerID,
		dhcpv6.OptionDNSRecursiveNameServer, dhcpv6.OptionDomainSearchList, dhcpv6.OptionSNTPServerList,
		dhcpv6.OptionInformationRefreshTime, dhcpv6.OptionSolMaxRT, dhcpv6.OptionInfMaxRT} {
		a, b := ours.GetOneOption(code), theirs.GetOneOption(code)
		switch {
		case a == nil && b == nil:
		case a == nil || b == nil:
			t.Errorf("%v: ours %v, Kea %v", code, a, b)
		case !bytes.Equal(a.ToBytes(), b.ToBytes()):
			t.Errorf("%v: ours %x, Kea %x", code, a.ToBytes(), b.ToBytes())
		}
	}
	if len(ours.Options.Options) != len(theirs.Options.Options) {
		t.Errorf("ours has %d options, Kea %d", len(ours.Options.Options), len(theirs.Options.Options))
	}
	if !bytes.Equal(d.Data, kea) {
		t.Errorf("reply differs from Kea's:\nours % x\nKea  % x", d.Data, kea)
	}
}

// The Option Request option selects options; always_send adds to it.
func TestOROAndAlwaysSend(t *testing.T) {
	const cfg = plainServer + `[[interface]]
name = "lan0"
[interface.dhcpv6]
dns_servers = ["2001:db8::53"]
domain_search = ["example.com"]
ntp_servers = ["2001:db8::123"]
[[interface]]
name = "lan1"
[interface.dhcpv6]
dns_servers = ["2001:db8::53"]
domain_search = ["example.com"]
ntp_servers = ["2001:db8::123"]
always_send = []
`
	h := start(t, parseConfig(t, cfg), false)
	for _, tc := range []struct {
		name  string
		link  int
		opts  [][]byte
		codes []r6.OptionCode
	}{
		{"default always_send, no ORO", lan0.Index, nil, []r6.OptionCode{1, 2, 23, 24, 32}},
		{"default always_send, ORO 56", lan0.Index, [][]byte{optORO(56)}, []r6.OptionCode{1, 2, 23, 24, 56, 32}},
		{"default always_send, ORO unconfigured 31 39", lan0.Index, [][]byte{optORO(31, 39)}, []r6.OptionCode{1, 2, 23, 24, 32}},
		{"empty always_send, no ORO", lan1.Index, nil, []r6.OptionCode{1, 2}},
		{"empty always_send, ORO 24", lan1.Index, [][]byte{optORO(24)}, []r6.OptionCode{1, 2, 24}},
		{"empty always_send, ORO 83 32 23", lan1.Index, [][]byte{optORO(83, 32, 23)}, []r6.OptionCode{1, 2, 23, 32, 83}},
		{"empty always_send, ORO repeated", lan1.Index, [][]byte{optORO(23, 23, 23)}, []r6.OptionCode{1, 2, 23}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, ok := h.exchange(infoReq(tc.opts...), direct(tc.link))
			if !ok {
				t.Fatal("no reply")
			}
			// Set order: 23 24 56 32 82 83 as configured and encoded.
			got := parseReply(t, d.Data).codes
			want := slices.Clone(tc.codes)
			if !slices.Equal(sortedTail(got), sortedTail(want)) {
				t.Errorf("codes = %v, want %v (in any order after 1, 2)", got, want)
			}
		})
	}
}

func sortedTail(c []r6.OptionCode) []r6.OptionCode {
	c = slices.Clone(c)
	if len(c) > 2 {
		slices.Sort(c[2:])
	}
	return c
}

// An Information-request without a Client Identifier is answered, and the
// Reply carries none (RFC 9915 §18.3.6).
func TestNoClientID(t *testing.T) {
	h := start(t, parseConfig(t, baseConfig), false)
	req := msg(r6.InformationRequest, optET(), optORO(23))
	d, ok := h.exchange(req, direct(lan0.Index))
	if !ok {
		t.Fatal("no reply to an Information-request without Client-ID")
	}
	p := parseReply(t, d.Data)
	if p.has(r6.OptClientID) {
		t.Error("reply carries a Client Identifier the request did not have")
	}
	if sid, ok := p.msg.ServerID(); !ok || !bytes.Equal(sid, serverDUID) {
		t.Errorf("server id = %x, want %x", sid, serverDUID)
	}
	if got := p.dnsServers(t); !slices.Equal(got, []netip.Addr{netip.MustParseAddr("2001:db8::53"), netip.MustParseAddr("2001:db8::54")}) {
		t.Errorf("DNS = %v", got)
	}
	// Our own Server Identifier is fine.
	if _, ok := h.exchange(infoReq(optSID(serverDUID)), direct(lan0.Index)); !ok {
		t.Error("no reply to an Information-request carrying our Server-ID")
	}
}

// Solicit on a stateless link: Advertise, IA_NA echoed with NoAddrsAvail
// inside, SOL_MAX_RT, no Information Refresh Time or INF_MAX_RT (even
// when asked for); Rapid Commit ignored.
func TestSolicitAdvertise(t *testing.T) {
	h := start(t, parseConfig(t, baseConfig), false)
	for _, tc := range []struct {
		name  string
		extra [][]byte
	}{
		{"plain", nil},
		{"rapid commit", [][]byte{r6.AppendOption(nil, r6.OptRapidCommit, nil)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := [][]byte{optCID(clientID), optET(), optORO(23, 32, 82, 83), optIA(r6.OptIANA, 7), optIA(r6.OptIANA, 9), optIA(r6.OptIAPD, 11)}
			req := msg(r6.Solicit, append(opts, tc.extra...)...)
			d, ok := h.exchange(req, direct(lan1.Index))
			if !ok {
				t.Fatal("no Advertise")
			}
			m, err := dhcpv6.MessageFromBytes(d.Data)
			if err != nil {
				t.Fatalf("oracle: %v", err)
			}
			if m.MessageType != dhcpv6.MessageTypeAdvertise {
				t.Fatalf("type %v, want Advertise", m.MessageType)
			}
			ianas := m.Options.IANA()
			if len(ianas) != 2 || ianas[0].IaId != [4]byte{0, 0, 0, 7} || ianas[1].IaId != [4]byte{0, 0, 0, 9} {
				t.Fatalf("IA_NAs = %v, want IAIDs 7 and 9", ianas)
			}
			for _, ia := range ianas {
				st := ia.Options.Status()
				if st == nil || st.StatusCode != iana.StatusNoAddrsAvail {
					t.Errorf("IA_NA %x status = %v, want NoAddrsAvail inside", ia.IaId, st)
				}
				if len(ia.Options.Addresses()) != 0 {
					t.Errorf("IA_NA %x carries addresses", ia.IaId)
				}
			}
			if pd := m.Options.OneIAPD(); pd == nil || pd.Options.Status() == nil || pd.Options.Status().StatusCode != iana.StatusNoPrefixAvail {
				t.Errorf("IA_PD = %v, want NoPrefixAvail inside", pd)
			}
			if m.GetOneOption(dhcpv6.OptionSolMaxRT) == nil {
				t.Error("no SOL_MAX_RT")
			}
			if m.GetOneOption(dhcpv6.OptionInformationRefreshTime) != nil {
				t.Error("Information Refresh Time in an Advertise")
			}
			if m.GetOneOption(dhcpv6.OptionInfMaxRT) != nil {
				t.Error("INF_MAX_RT in an Advertise, although the Solicit asked for it")
			}
			if m.GetOneOption(dhcpv6.OptionRapidCommit) != nil {
				t.Error("Rapid Commit in an Advertise")
			}
			if got := m.Options.DNS(); len(got) != 1 || !got[0].Equal(net.ParseIP("2001:db8:1::53")) {
				t.Errorf("DNS = %v, want lan1's", got)
			}
			if got := m.GetOneOption(dhcpv6.OptionServerID); got == nil || !bytes.Equal(got.ToBytes(), serverDUID) {
				t.Errorf("server id = %v", got)
			}
		})
	}
	if got := h.srv.Counters().AdvertiseSent.Load(); got != 2 {
		t.Errorf("pkt6-advertise-sent = %d, want 2", got)
	}
}
