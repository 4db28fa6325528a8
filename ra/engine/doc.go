// Package engine is radish's Router Advertisement daemon logic (RFC 4861
// §6.2, with RFC 4191, RFC 8106, RFC 8781, RFC 7772 and RFC 9096): it decides
// when to send which RA on which link and answers Router Solicitations.
//
// An Engine serves any number of links with one event-loop goroutine and one
// timer heap (one time.Timer reset to the earliest deadline); it never starts
// a goroutine or a timer per link. Packets move through one shared kernel
// Conn (raw ICMPv6, demultiplexed by Meta.IfIndex) and, for links whose
// kernel IPv6 is unusable or that are configured so, through per-link Conns
// obtained from Options.PacketConnFactory. Each Conn has one reader goroutine
// with one receive buffer.
//
// Link and address state is cached from the iface.Watcher's events. RA bytes
// are compiled per link when its configuration, addresses, MTU, MAC or
// transport change, never per send; a send copies the compiled template into
// the link's send buffer and patches the lifetimes that change over time
// (Router Lifetime while forwarding is off, decrementing and address-bound
// prefix lifetimes). Receiving a Router Solicitation and sending the answer
// does not allocate.
//
// Contract:
//   - Run owns Options.Conn and every Conn made by PacketConnFactory: it
//     closes them before it returns, after the final RAs.
//   - The *config.Config given to New and Reload is treated as immutable.
//   - Options.Sysctl is read only on the event loop (control plane).
//   - ICMPv6 messages are handed to Conn.WriteTo with a zero checksum: the
//     kernel fills it in for raw ICMPv6 sockets, and a packet-transport Conn
//     must compute it itself (internal/inet.Checksum).
//   - Reload, Stop, ResetDecrementingLifetimes, Status and Counters are safe
//     for concurrent use.
//
// Timing follows RFC 4861 §6.2.4–§6.2.6 with its constants: unsolicited RAs
// at a uniform random interval in [MinInterval, MaxInterval], the first
// MaxInitialRtrAdvertisements of them (and again after any change) at most
// MaxInitialRtrAdvertInterval apart; every solicited answer after a random
// delay of up to MaxRADelayTime; multicast RAs at most one per
// MinDelayBetweenRAs (deferred, never dropped). To wake the event loop
// less often with many links, timers due within CoalesceWindow (20 ms) of
// a wakeup fire with it, so an interval may be up to 20 ms shorter than
// drawn; MinDelayBetweenRAs is kept exactly.
//
// Links: Config.Lookup picks each link's stanza (an exact name beats a
// pattern). Links are served while they are up and configured with
// AdvSendAdvert; missing, down, deleted and recreated links are waited for
// and served again with fast RAs, and the engine never exits because of a
// link. ff02::2 is joined on a link each time serving starts. Transport
// auto uses the shared kernel Conn when the link has a usable link-local
// address (neither tentative nor DAD-failed) and IPv6 is not disabled, and
// a per-link Conn otherwise; the packet transport's source is the
// configured SourceLinkLocal or the MAC's EUI-64 link-local address.
//
// Prefixes: static prefixes are advertised as configured, with lifetimes
// never exceeding those of the link's own addresses in the prefix (as
// radvd does). Automatic prefixes (::/64) follow the link's global
// addresses of that length not in AutoIgnore; Base6Interface prefixes, as
// in radvd's implementation, are the prefixes of the other link's global
// addresses. Both are bounded by the addresses' remaining lifetimes, and a
// prefix that disappears keeps being advertised with preferred lifetime 0
// and a valid lifetime counting down from min(remaining, 2 h) (RFC 9096
// §3.5). Base6to4Interface prefixes, as radvd builds them, are
// 2002:V4ADDR::/48 from the named link's primary IPv4 address
// (Options.IPv4Addr) followed by the configured prefix's other bits; the
// address is read again every SixToFourPoll, and the prefix is left out
// (logged) while there is none. DecrementLifetimes prefixes count down
// in real time from when the link started being served, reset by
// ResetDecrementingLifetimes; unlike radvd they stay advertised (preferred
// 0, valid counting down) after their preferred lifetime ends.
// AdvSNACRouterFlag sets the S flag, bit 6 of the RA header's flags, as
// draft-ietf-6man-snac-router-ra-flag and OpenThread's border router do.
//
// Router Lifetime is 0 while net.ipv6.conf.IF.forwarding is 0 and
// ForwardingCheck is on (RFC 4861 §6.2.5). The forwarding state comes from
// the Watcher's NetconfUpdate events (the kernel's watcher reports every
// change, also those made through net.ipv6.conf.all.forwarding), so a
// change is advertised at once with fast RAs and nothing is polled; the
// sysctl is read only when a link starts being served before its first
// event. A Watcher that reports no NetconfUpdate by the first Synced is
// taken not to report forwarding: the sysctl is then re-read every
// Options.ForwardingInterval (60 s by default) per served link, staggered
// over the timer heap. A change to off is logged and counted once.
// Withdrawn and address-bound prefixes are expired when their valid
// lifetime ends, by the link's maintenance timer.
// RAs from other routers on served links are checked against ours (RFC
// 4861 §6.2.7) and inconsistencies counted and logged at most once a
// minute per link.
//
// On shutdown every served link with RemoveAdvOnExit gets one final RA
// (Router Lifetime 0, DeprecatePrefix prefixes with preferred lifetime 0 and
// valid lifetime min(current, 2 h), RemoveRoute routes, FlushRDNSS and
// FlushDNSSL options with lifetime 0). RFC 4861 §6.2.5 allows up to
// MAX_FINAL_RTR_ADVERTISEMENTS (3); radish sends one, as radvd does, so that
// a restart (which sends fresh RAs immediately) is not delayed.
package engine
