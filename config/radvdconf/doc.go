// Package radvdconf reads radvd.conf files (radvd 2.21's grammar) into
// radish's validated configuration model, config.Config, so that radish can
// stand in for /usr/sbin/radvd with an unchanged configuration.
//
// # Contract
//
// Parse and ParseFile return either a Result whose Config is fully
// defaulted and validated, or an ErrorList with every problem found, each
// printed in radvd's own format "FILE:LINE error: MESSAGE". Parsing goes on
// after most errors (up to 50) so that one run reports several. Non-fatal
// remarks (deprecated keywords, ignored 6LoWPAN blocks, adjusted values) are
// returned as Warnings. The parser is a hand-written lexer and
// recursive-descent parser; it never panics on any input (see FuzzParse).
//
// # Grammar
//
// Tokens follow radvd's scanner.l: '#' starts a comment to the end of the
// line; spaces, tabs and newlines are insignificant; '{', '}', ';' and '/'
// are punctuation; every other run of letters, digits and
// `~!@#$%^&*()_-+=:[]<>,.?\ is one word, classified as a keyword
// (case-insensitive, as in radvd 2.21), an unsigned 32-bit number, a
// negative number, a decimal (digits.digits), an IPv6 address (hex digits
// and colons: no zone, no dotted quad), a negated address (!ADDR) or a
// plain string. "..." is a quoted string.
//
//	file       = { interface }
//	interface  = "interface" NAME "{" { option | block } "}" ";"
//	block      = "prefix" ADDR "/" LEN [ "{" { prefixopt } "}" ] ";"
//	           | "route" ADDR "/" LEN "{" { routeopt } "}" ";"
//	           | "RDNSS" ADDR { ADDR } "{" { rdnssopt } "}" ";"
//	           | "DNSSL" NAME { NAME } "{" { dnsslopt } "}" ";"
//	           | "clients" "{" ( ADDR | "!" ADDR ) ";" { ... } "}" ";"
//	           | "AdvRASrcAddress" "{" ADDR ";" { ADDR ";" } "}" ";"
//	           | "nat64prefix" ADDR "/" LEN [ "{" [ "AdvValidLifetime" N ";" ] "}" ] ";"
//	           | "autoignoreprefixes" "{" ADDR "/" LEN ";" { ... } "}" ";"
//	           | "abro" ADDR [ "/" LEN ] "{" { abroopt } "}" ";"
//	           | "lowpanco" "{" { lowpancoopt } "}" ";"
//
// Options are KEYWORD VALUE ";" where VALUE is on|off, a number, seconds
// (number or decimal: MaxRtrAdvInterval, MinRtrAdvInterval,
// MinDelayBetweenRAs), a lifetime (number or "infinity" = 0xffffffff),
// low|medium|high, or a string (AdvCaptivePortalAPI, Base6Interface,
// Base6to4Interface). Every interface, prefix, route, RDNSS and DNSSL option
// of radvd.conf(5) 2.21 is accepted, including those Debian's radvd 2.19
// rejects (RemoveAdvOnExit, nat64prefix, UnrestrictedUnicast,
// AdvRASolicitedUnicast, AdvDHCPv6PDPreferred, AdvCaptivePortalAPI,
// autoignoreprefixes, "!ADDR" clients), plus AdvSNACRouterFlag.
// AdvRDNSSPreference and AdvRDNSSOpen are accepted and ignored with a
// warning, as radvd does; so is the deprecated "abro ADDR/LEN" form.
// lowpanco and abro become the 6LoWPAN Context and Authoritative Border
// Router options (RFC 6775); as in radvd, only the first block of each
// kind in an interface is sent (the others draw a warning), and the
// context prefix is :: with AdvContextLength bits, since radvd.conf has no
// keyword for it.
//
// # Defaults
//
// radvd's defaults apply (see the model's field comments). The
// "3×MaxRtrAdvInterval" defaults of AdvRouteLifetime, AdvRDNSSLifetime,
// AdvDNSSLLifetime and the nat64prefix lifetime (capped at 65528) use the
// MaxRtrAdvInterval in force at the line where the block starts, because
// radvd computes them when it reads the block's first line: a route written
// before "MaxRtrAdvInterval 30;" gets 1800 s, one written after it 90 s.
// AdvDefaultLifetime (3×Max, at most 65535), MinRtrAdvInterval (0.33×Max)
// and HomeAgentLifetime (= AdvDefaultLifetime) are computed after the whole
// interface block is read, also as radvd does. TestRadvdWireDefaults checks
// these against the lifetimes radvd 2.19 puts on the wire; it also records
// that radvd 2.19 defaults AdvRDNSSLifetime and AdvDNSSLLifetime to 1×Max
// where radish uses 3×Max, the value RFC 8106 §5.1 recommends and radish's
// model documents. A prefix whose address is written as all zeros (::/64)
// is automatic (config.Prefix.Auto), as in radish's TOML format;
// Base6Interface and Base6to4Interface, when set, decide where its bits
// come from. Host bits of prefixes are masked off.
//
// # Checks
//
// Checks radvd makes while parsing are errors here too: prefix and route
// lengths over 128, AdvPreferredLifetime above AdvValidLifetime,
// Base6Interface with a prefix length other than 64, nat64prefix lengths
// other than 32/40/48/56/64/96, all-zeros nat64prefix, NAT64 lifetime above
// 65528, more than 127 RDNSS addresses, DNSSL characters other than
// letters, digits, '-' and '.', an empty AdvCaptivePortalAPI, a duplicate
// interface. The checks radvd makes only when it sets an interface up
// (interface.c; "radvd -c" does not run them) are errors at parse time
// here; the list is on finishInterface in check.go. Limits are radvd
// 2.21's, with RFC 8319: MaxRtrAdvInterval up to 65535 s and
// AdvDefaultLifetime up to 65535 s (radvd 2.19: 1800 and 9000). AdvLinkMTU
// above the link's own MTU can only be found at run time.
//
// # Deviations from radvd
//
//   - A file with no interface (empty, or only comments) is accepted with
//     a warning; radvd rejects it.
//   - A carriage return is white space, so CRLF files load; radvd rejects
//     them. A comment on the last line needs no final newline (radvd's
//     scanner then reads the '#' as a string and fails).
//   - Quotes around an interface name (or Base6Interface /
//     Base6to4Interface) are removed with a warning; radvd keeps them in
//     the name and so never finds the link.
//   - Interface names longer than 15 characters are errors; radvd
//     truncates them silently. A name containing '*', '?' or '[' is a glob
//     pattern (config.Interface.Pattern); radvd treats it literally.
//   - AdvCurHopLimit above 255 and HomeAgentPreference above 65535 are
//     errors; radvd truncates them. So are the 6LoWPAN values that do not
//     fit their RFC 6775 fields: AdvContextLength above 128, AdvContextID
//     above 15, and AdvLifeTime, AdvVersionLow, AdvVersionHigh or
//     AdvValidLifeTime above 65535.
//   - Preferences (AdvDefaultPreference, AdvRoutePreference) accept low,
//     medium, high, -1 and -0; radvd also takes other negative numbers and
//     sends them as the reserved value.
//   - The model obeys the same rules whichever format it comes from, so
//     radish rejects here what its TOML format rejects: DNSSL names with an
//     empty label (a..b), a label over 63 characters or starting or ending
//     with '-', or over 253 characters (names are lower-cased and lose a
//     trailing dot); RDNSS servers and clients that are not unicast (::,
//     multicast, loopback, IPv4-mapped); a non-link-local AdvRASrcAddress
//     (RFC 4861 §4.2); IPv4-mapped prefixes; an AdvCaptivePortalAPI that is
//     not an absolute URI; AdvLinkMTU above 131072; invalid glob patterns
//     and pattern names in Base6Interface / Base6to4Interface. radvd
//     accepts all of these. AdvRAMTU is clamped to 1280..65535 (radvd:
//     ..131072) with a warning.
//   - When MinRtrAdvInterval is not given and MaxRtrAdvInterval is below
//     9 s, the default is 0.75×Max (RFC 4861 §6.2.1 asks for Max, which is
//     out of range); radvd uses 0.33×Max and then fails its own 3 s check.
//     When HomeAgentLifetime is not given with AdvHomeAgentInfo on, its
//     default (AdvDefaultLifetime) is capped at 65520 s; radvd fails. A
//     HomeAgentLifetime that is written must be 1..65520 even without
//     AdvHomeAgentInfo. All three match radish's TOML format.
//   - AdvRDNSSLifetime and AdvDNSSLLifetime default to 3×MaxRtrAdvInterval;
//     radvd 2.19 sends 1×MaxRtrAdvInterval.
//   - AdvRDNSSLifetime below MaxRtrAdvInterval is a warning, as in radvd
//     2.19 (2.21 does not check it).
//   - The per-block address lists (clients, AdvRASrcAddress) keep file
//     order; radvd stores each list reversed.
//   - Any IPv6 address is accepted where one is expected; radvd's scanner
//     reads one that starts with "::" and goes on (::1, ::ffff:a00:1) as a
//     plain string and fails.
//   - Interface names "." and "..", and names containing ':', are errors
//     (Linux does not allow them); radvd accepts them and never finds the
//     link.
//   - Numbers above 0xffffffff are errors, as in radvd; so is every
//     character outside the token classes above (form feed, tab is fine).
package radvdconf
