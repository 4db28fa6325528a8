// Package dhcpv6 is the wire codec for the server side of stateless DHCPv6
// (RFC 9915, which obsoletes RFC 8415; section numbers are the same).
//
// The contract:
//
//   - Received messages are validated views. [ParseMessage] checks a client
//     message's header and the length of every option once; [RelayChain.Parse]
//     walks nested Relay-forward messages iteratively (no recursion), at most
//     [MaxRelayDepth] levels deep. After a successful parse, accessors index
//     without further checks and never panic. Views alias their input: they
//     must not outlive the buffer, and handlers must not retain the packet.
//   - Parsing never allocates. Invalid input yields one of the package-level
//     sentinel errors (ErrTruncated, ErrOptionLength, ...), returned
//     unwrapped so that the hot path can count and drop without formatting.
//   - Builders are Append-style: AppendX(dst, ...) appends to the caller's
//     buffer and returns it. With enough capacity in dst they do not
//     allocate. Builders that validate control-plane input (names, DUID
//     lengths) return an error instead of emitting a bad option.
//   - Options are iterated with a scanner value ([Options]): unknown option
//     codes are passed through for the caller to ignore and are never an
//     error (RFC 9915 §16).
//   - The hot-path reply is built from an [OptionSet]: a link's configured
//     options are encoded once on the control plane, and per request the
//     blobs the client asked for (plus an always-send set) are copied into
//     the reply without allocation.
//
// # Serving stateless DHCPv6 with this package
//
// Control plane, on start and reload: build the server DUID once
// (AppendDUIDLLT, AppendDUIDEN, AppendDUIDLL, AppendDUIDUUID or AppendDUID)
// and, per link, encode the configured options with the Append functions
// (AppendDNSServers, AppendDomainSearch, AppendSNTPServers,
// AppendNTPServerAddr/Multicast/FQDN, AppendInfoRefreshTime,
// AppendSolMaxRT, AppendInfMaxRT, AppendVendorOpts, AppendDNR with
// AppendSvcParams) into one buffer, and compile it with NewOptionSet,
// passing the always-send codes. Derive the set for Advertise with
// set.Without(OptInfoRefreshTime).
//
// Packet path, per datagram (one receive and one send buffer per loop):
//
//	switch dhcpv6.MessageType(pkt[0]) {
//	case dhcpv6.RelayForward:
//		err = chain.Parse(pkt)        // chain: a RelayChain owned by the loop
//		req = chain.Message()
//		// link: chain.LinkAddress(), else chain.InterfaceID(), else ifindex
//	default:
//		req, err = dhcpv6.ParseMessage(pkt)
//	}
//	// apply RFC 9915 §16 with req.Type(), req.ServerID() (compare with
//	// bytes.Equal), req.ClientID(), req.HasIA() ...
//	out := send[:0]
//	if relayed {
//		out = chain.AppendRelayReplyHeaders(out)
//	}
//	out = set.AppendReply(out, dhcpv6.Reply, req, serverID)
//	// for a Solicit: AppendIANA(out, iaid, 0, 0, StatusNoAddrsAvail, msg)
//	// for each IA_NA option (Option.IAID), then AppendSolMaxRT.
//	if relayed {
//		out, err = chain.FinishRelayReply(out)
//	}
//
// Nothing in that path allocates. The RelayChain and the views it returns
// alias pkt: finish the reply before reading the next datagram into it.
//
// The package does no I/O, keeps no state, reads no clock and logs nothing.
// The server engine that applies RFC 9915's rules lives in dhcpv6/server.
package dhcpv6

import "errors"

// Sentinel errors returned by the parsers. They are returned unwrapped.
var (
	// ErrTruncated: the message is shorter than its fixed header
	// (4 octets for a client message, 34 for a relay message, §8 and §9).
	ErrTruncated = errors.New("dhcpv6: message truncated")
	// ErrOptionTruncated: an option header or body runs past the end of
	// the message (§21.1).
	ErrOptionTruncated = errors.New("dhcpv6: option runs past end of message")
	// ErrOptionLength: a known option has a length its RFC forbids, such as
	// an empty Relay Message or an Elapsed Time that is not 2 octets.
	ErrOptionLength = errors.New("dhcpv6: invalid option length")
	// ErrDUID: a DUID is empty or longer than 2+128 octets (§11.1).
	ErrDUID = errors.New("dhcpv6: invalid DUID length")
	// ErrMessageType: ParseMessage was given a relay message, or the
	// relay parser was given something other than a Relay-forward.
	ErrMessageType = errors.New("dhcpv6: unexpected message type")
	// ErrNoRelayMessage: a Relay-forward carries no Relay Message option
	// (§9, §16).
	ErrNoRelayMessage = errors.New("dhcpv6: relay message option missing")
	// ErrRelayDepth: relay messages are nested more than MaxRelayDepth
	// levels deep.
	ErrRelayDepth = errors.New("dhcpv6: relay nesting too deep")
)
