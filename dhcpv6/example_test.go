package dhcpv6_test

import (
	"fmt"
	"net/netip"

	"github.com/radish-net/radish/dhcpv6"
)

// dhclient's Information-request (testdata/dhclient-information-request.hex).
var exampleRequest = []byte{
	0x0b, 0x7b, 0x23, 0xc6, 0x00, 0x01, 0x00, 0x0a, 0x00, 0x03, 0x00, 0x01, 0x02, 0xc6, 0x00, 0x00,
	0x00, 0x0c, 0x00, 0x06, 0x00, 0x08, 0x00, 0x17, 0x00, 0x18, 0x00, 0x27, 0x00, 0x1f, 0x00, 0x08,
	0x00, 0x02, 0x00, 0x00,
}

func ExampleParseMessage() {
	m, err := dhcpv6.ParseMessage(exampleRequest)
	if err != nil {
		fmt.Println(err)
		return
	}
	cid, _ := m.ClientID()
	fmt.Printf("%v xid=%x client=%v %x\n", m.Type(), m.TransactionID(), cid.Type(), []byte(cid))
	for oro := m.ORO(); oro.Next(); {
		fmt.Println("requests", oro.Code())
	}
	// Output:
	// Information-request xid=7b23c6 client=DUID-LL 0003000102c60000000c
	// requests DNS Recursive Name Server
	// requests Domain Search List
	// requests Client FQDN
	// requests SNTP Servers
}

func ExampleOptions() {
	m, _ := dhcpv6.ParseMessage(exampleRequest)
	it := m.Options()
	for it.Next() {
		o := it.Option()
		fmt.Printf("%d %v: %x\n", o.Code, o.Code, o.Body)
	}
	if err := it.Err(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// 1 Client Identifier: 0003000102c60000000c
	// 6 Option Request: 001700180027001f
	// 8 Elapsed Time: 0000
}

func ExampleOptionSet() {
	// Control plane: encode the link's options once.
	var opts []byte
	opts, _ = dhcpv6.AppendDNSServers(opts, netip.MustParseAddr("2001:db8::53"))
	opts, _ = dhcpv6.AppendDomainSearch(opts, "example.com")
	opts = dhcpv6.AppendInfoRefreshTime(opts, 3600)
	set, err := dhcpv6.NewOptionSet(opts, []dhcpv6.OptionCode{dhcpv6.OptInfoRefreshTime})
	if err != nil {
		fmt.Println(err)
		return
	}
	serverID := dhcpv6.AppendDUIDUUID(nil, [16]byte{15: 1})

	// Packet path: parse, then copy into a reused buffer.
	buf := make([]byte, 0, 1500)
	req, _ := dhcpv6.ParseMessage(exampleRequest)
	buf = set.AppendReply(buf[:0], dhcpv6.Reply, req, serverID)

	reply, _ := dhcpv6.ParseMessage(buf)
	it := reply.Options()
	for it.Next() {
		fmt.Println(it.Option().Code)
	}
	// Output:
	// Client Identifier
	// Server Identifier
	// DNS Recursive Name Server
	// Domain Search List
	// Information Refresh Time
}

func ExampleRelayChain() {
	// A Relay-forward from a relay on 2001:db8:1::1 with an Interface-Id.
	fwd := dhcpv6.AppendRelayHeader(nil, dhcpv6.RelayForward, 0,
		netip.MustParseAddr("2001:db8:1::1").As16(), netip.MustParseAddr("fe80::c").As16())
	fwd = dhcpv6.AppendInterfaceID(fwd, []byte("vlan10"))
	fwd = dhcpv6.AppendRelayMessage(fwd, exampleRequest)

	var chain dhcpv6.RelayChain // caller-owned, reused for every packet
	if err := chain.Parse(fwd); err != nil {
		fmt.Println(err)
		return
	}
	link, _ := chain.LinkAddress()
	id, _ := chain.Level(chain.Depth() - 1).InterfaceID()
	fmt.Println("depth", chain.Depth(), "link", link, "interface-id", string(id), "inner", chain.Message().Type())

	opts, _ := dhcpv6.AppendDNSServers(nil, netip.MustParseAddr("2001:db8::53"))
	set, _ := dhcpv6.NewOptionSet(opts, nil)
	serverID := dhcpv6.AppendDUIDUUID(nil, [16]byte{15: 1})

	out := chain.AppendRelayReplyHeaders(make([]byte, 0, 1500))
	out = set.AppendReply(out, dhcpv6.Reply, chain.Message(), serverID)
	out, err := chain.FinishRelayReply(out)
	if err != nil {
		fmt.Println(err)
		return
	}
	r, _ := dhcpv6.ParseRelay(out)
	inner, _ := dhcpv6.ParseMessage(r.RelayMessage())
	fmt.Println(r.Type(), r.PeerAddress(), "carries", inner.Type(), len(out), "octets")
	// Output:
	// depth 1 link 2001:db8:1::1 interface-id vlan10 inner Information-request
	// Relay-reply fe80::c carries Reply 108 octets
}

func ExampleAppendIANA() {
	// An Advertise on a stateless-only link: the IA_NA comes back with
	// NoAddrsAvail inside (RFC 9915 §18.3.9), plus SOL_MAX_RT.
	clientID, _ := dhcpv6.AppendDUIDLL(nil, 1, []byte{2, 0, 0, 0, 0, 1})
	msg := dhcpv6.AppendHeader(nil, dhcpv6.Solicit, dhcpv6.TransactionID{1, 2, 3})
	msg = dhcpv6.AppendClientID(msg, clientID)
	msg = dhcpv6.AppendIANA(msg, 7, 0, 0, dhcpv6.StatusSuccess, "")
	req, _ := dhcpv6.ParseMessage(msg)

	out := dhcpv6.AppendReplyHeader(nil, dhcpv6.Advertise, req, dhcpv6.AppendDUIDUUID(nil, [16]byte{}))
	it := req.Options()
	for it.Next() {
		if iaid, ok := it.Option().IAID(); ok && it.Option().Code == dhcpv6.OptIANA {
			out = dhcpv6.AppendIANA(out, iaid, 0, 0, dhcpv6.StatusNoAddrsAvail, "stateless service only")
		}
	}
	out = dhcpv6.AppendSolMaxRT(out, 3600)
	adv, _ := dhcpv6.ParseMessage(out)
	ia, _ := adv.Option(dhcpv6.OptIANA)
	fmt.Printf("%v IA_NA %x\n", adv.Type(), ia[:12])
	// Output:
	// Advertise IA_NA 000000070000000000000000
}
