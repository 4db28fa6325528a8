// Package server is radish's stateless DHCPv6 server (RFC 9915 §18.3.6,
// §18.3.9): it answers Information-request with each link's configured
// options (DNS servers, search list, NTP/SNTP, DNR, vendor options, the
// Information Refresh Time, SOL_MAX_RT/INF_MAX_RT) and Solicit with an
// Advertise that assigns nothing, directly or through relays.
//
// Contract:
//
//   - Transport: one iface.Conn on UDP port 547 shared by every link. The
//     server joins ff02::1:2 on each served link (a link whose
//     config.Interface has DHCPv6 != nil), and ff05::1:3 too when
//     DHCPv6Server.RelayGroup is set. A client is answered at its source
//     address, port 546, out of the interface the request came in on
//     (Meta.IfIndex). A Relay-reply goes to the relay's source address and
//     source port (RFC 8357), from the address the relay sent to; it
//     leaves through the ingress interface when the relay's address is
//     link-local or the relay sent to a multicast group (it is on that
//     link), and by the routing table when a relay with a global address
//     sent to one of ours.
//   - Validation (RFC 9915 §16): a direct (non-relayed) message sent to a
//     unicast address is dropped; Information-request is dropped when it
//     carries a Server Identifier other than ours or any IA option (IA_NA,
//     IA_PD, and, as radish's policy, IA_TA); Solicit is dropped when it
//     carries a Server Identifier or lacks a Client Identifier; Request,
//     Renew, Rebind, Release, Decline and Confirm are dropped (there are
//     no bindings), as are server messages and unknown types. Malformed
//     messages (options running past the end, invalid DUIDs, truncated or
//     more than dhcpv6.MaxRelayDepth nested relay headers, Relay-forward
//     without Relay Message) are dropped. Every drop is counted by reason
//     (Counters); none is logged above debug level and none stops the
//     loop.
//   - Information-request → Reply: same transaction-id, our Server
//     Identifier, the client's Client Identifier byte for byte only if it
//     sent one (no Client-ID in, none out). Options: those the Option
//     Request option asks for that the link has, plus the link's
//     AlwaysSend codes when configured (by default 23, 24 and 32: DNS
//     servers, search list and the Information Refresh Time, which dhclient
//     never requests; see config/reference.toml).
//   - Solicit → Advertise: each IA_NA echoed with a Status Code
//     NoAddrsAvail inside it (each IA_PD with NoPrefixAvail), the requested
//     and always-send options without the Information Refresh Time (it
//     belongs only in replies to Information-request, §21.23), and
//     SOL_MAX_RT always, so that Windows and odhcp6c stop soliciting
//     quickly. Rapid Commit is ignored: nothing can be committed.
//   - Relayed requests: the link is the configured one whose LinkAddresses
//     hold the innermost non-zero link-address (:: is skipped, RFC 6221;
//     longest prefix wins), else the one whose InterfaceID equals the
//     innermost Interface-Id option, else the receiving interface. Every
//     relay level is mirrored in the Relay-reply (hop-count, link-address,
//     peer-address, Interface-Id and Relay Source Port options).
//   - Server DUID (RFC 9915 §11), computed once and kept across Reload:
//     "llt" is read from StateDir/duid (hex) or, on first start, made from
//     the MAC of DUID.Interface (default: the served link with the lowest
//     ifindex that has a MAC; until such a link exists the server waits,
//     logging a warning) and the current time and stored there
//     atomically; if StateDir cannot be written a warning is logged and a
//     DUID-LL from the same MAC is used instead. "ll" uses that MAC, "en",
//     "uuid" and "raw" the configured values. The server answers nothing
//     until the DUID is known (Ready).
//   - Rate limits (DHCPv6Server.PerSourceRate/Burst, GlobalRate/Burst):
//     a token bucket per client in a fixed table of 4096 entries (4-way
//     sets, least recently used evicted; an evicted client comes back with
//     a full bucket) and one global bucket, which bounds what the server
//     sends whatever the sources. A direct message's client is its source
//     address, checked before parsing; a Relay-forward's is the innermost
//     peer-address, checked once the relay headers have been parsed, so
//     that the clients behind one relay do not share the relay's bucket.
//     Refused datagrams are counted (pkt6-rate-limited). A Reload that
//     changes the limits replaces every bucket with a full one under the
//     new limits; one that leaves them unchanged keeps the buckets.
//   - Bounded work: one goroutine reads the conn (ReadBatch/WriteBatch with
//     preallocated buffers when it is an iface.BatchConn, else
//     ReadFrom/WriteTo), with one receive and one send buffer set, and no
//     goroutine or allocation per datagram. Datagrams larger than 8 KiB are
//     dropped.
//   - Reload compiles the new configuration on the caller's goroutine and
//     publishes an immutable table (per-link option sets keyed by ifindex,
//     link-address prefix and Interface-Id) through an atomic pointer; the
//     packet loop reads it without locks. Link events from the Watcher
//     re-key the same compiled sets.
//
// Time comes from time.Now, so tests run the server inside testing/synctest
// bubbles.
package server
