// Package config holds radish's validated configuration model and the
// parsers that produce it: TOML (radish's own format, this package) and
// radvd.conf (package config/radvdconf). Values of these types are built
// only by the parsers (or by tests), are fully validated and defaulted, and
// are treated as immutable afterwards: engines may share them between
// goroutines without copying.
//
// The model follows radvd's vocabulary and defaults (see the radvd.conf(5)
// key named on each field) so that both input formats map onto it 1:1.
// config imports neither the wire packages nor the engines.
//
// The TOML schema is documented key by key, with every default, in
// config/reference.toml; a test keeps that file and the parser in step.
// Parse and Load are strict and report every problem with its file, line
// and key; Encode writes a Config back as TOML.
package config

import (
	"net/netip"
	"time"
)

// Infinity is the lifetime value 0xffffffff ("infinity" in radvd.conf).
const Infinity = ^uint32(0)

// Config is one complete, validated configuration.
type Config struct {
	// Source is the file the configuration was read from (for messages).
	Source string
	// Interfaces in file order. Exact names and glob patterns (path.Match
	// syntax, e.g. "vlan*") may both appear; Lookup resolves a link name.
	Interfaces []Interface
	// DHCPv6 holds the server-wide DHCPv6 settings.
	DHCPv6 DHCPv6Server
	// Log holds logging settings for radish serve.
	Log Log
	// Warnings are non-fatal findings of the parser (contradictions,
	// settings that have no effect), each formatted like an error
	// ("FILE:LINE: KEY: MESSAGE"), for the caller to log.
	Warnings []string
}

// Log configures radish's own logging.
type Log struct {
	Format string // "text" (default) or "json"
	Level  string // "debug", "info" (default), "warn", "error"
	Output string // "stderr" (default) or "stdout" (containers that collect stdout)
}

// Transport selects how packets reach a link.
type Transport uint8

// Transports.
const (
	TransportAuto   Transport = iota // kernel where the link's IPv6 works, packet where it does not
	TransportKernel                  // raw ICMPv6 / UDP sockets through the kernel's IPv6 stack
	TransportPacket                  // AF_PACKET: radish builds whole Ethernet frames itself
)

// Interface is the configuration of one link, or of every link whose name
// matches Name when Pattern is true.
type Interface struct {
	Name    string // link name or glob pattern
	Pattern bool   // Name contains glob metacharacters
	// IgnoreIfMissing (radvd IgnoreIfMissing, default on): a missing link is
	// waited for quietly. radish always waits for missing links and never
	// exits because of one; this only controls the log level.
	IgnoreIfMissing bool
	Transport       Transport
	// SourceLinkLocal is the link-local source address the packet transport
	// uses; the zero Addr derives it from the MAC (EUI-64).
	SourceLinkLocal netip.Addr
	RA              RA
	DHCPv6          *DHCPv6 // nil: no DHCPv6 server on this link
	Line            int     // line of the stanza in Source, for messages
}

// Lookup returns the configuration for the link called name: an exact
// match wins over a pattern; among patterns the first in file order wins.
func (c *Config) Lookup(name string) (*Interface, bool) {
	for i := range c.Interfaces {
		if !c.Interfaces[i].Pattern && c.Interfaces[i].Name == name {
			return &c.Interfaces[i], true
		}
	}
	for i := range c.Interfaces {
		if c.Interfaces[i].Pattern && matchPattern(c.Interfaces[i].Name, name) {
			return &c.Interfaces[i], true
		}
	}
	return nil, false
}

// Preference is a router or route preference (RFC 4191 §2.1).
type Preference int8

// Preferences. The reserved value (binary 10) cannot be expressed.
const (
	PreferenceMedium Preference = 0
	PreferenceHigh   Preference = 1
	PreferenceLow    Preference = -1
)

// String returns "low", "medium" or "high".
func (p Preference) String() string {
	switch p {
	case PreferenceHigh:
		return "high"
	case PreferenceLow:
		return "low"
	default:
		return "medium"
	}
}

// RA is the router-advertisement configuration of one interface. Durations
// are exact (sub-second intervals are allowed where radvd allows them).
type RA struct {
	SendAdvert          bool          // AdvSendAdvert (off in radvd.conf; on in radish TOML, where listing an interface means serving it)
	UnicastOnly         bool          // UnicastOnly (off): no multicast RAs at all
	UnrestrictedUnicast bool          // UnrestrictedUnicast (off)
	SolicitedUnicast    bool          // AdvRASolicitedUnicast (on)
	MaxInterval         time.Duration // MaxRtrAdvInterval (600s; 4..65535s as in radvd 2.21 / RFC 8319; 0.07s minimum with HomeAgentFlag)
	MinInterval         time.Duration // MinRtrAdvInterval (0.33×Max, or 0.75×Max when Max < 9s, RFC 4861 §6.2.1; 3s..0.75×Max, 0.03s minimum with HomeAgentFlag)
	MinDelayBetweenRAs  time.Duration // MinDelayBetweenRAs (3s; ≥3s, 0.03s with HomeAgentFlag)
	Managed             bool          // AdvManagedFlag (off)
	OtherConfig         bool          // AdvOtherConfigFlag (off)
	HomeAgentFlag       bool          // AdvHomeAgentFlag (off)
	LinkMTU             uint32        // AdvLinkMTU (0: no MTU option)
	RAMTU               int           // AdvRAMTU (1280): size budget before an RA is split
	ReachableTime       uint32        // AdvReachableTime, milliseconds (0: unspecified)
	RetransTimer        uint32        // AdvRetransTimer, milliseconds (0: unspecified)
	CurHopLimit         uint8         // AdvCurHopLimit (64)
	DefaultLifetime     time.Duration // AdvDefaultLifetime (3×MaxInterval capped at 65535s; 0 = not a default router; else MaxInterval..65535s)
	DefaultPreference   Preference    // AdvDefaultPreference (medium)
	SourceLLAddress     bool          // AdvSourceLLAddress (on)
	IntervalOpt         bool          // AdvIntervalOpt (off)
	HomeAgentInfo       bool          // AdvHomeAgentInfo (off)
	HomeAgentLifetime   uint16        // HomeAgentLifetime (seconds; default DefaultLifetime, capped at 65520 with HomeAgentInfo)
	HomeAgentPreference uint16        // HomeAgentPreference (0)
	MobRtrSupportFlag   bool          // AdvMobRtrSupportFlag (off)
	SNACRouterFlag      bool          // AdvSNACRouterFlag (off): the S flag, bit 6 of the RA flags (draft-ietf-6man-snac-router-ra-flag)
	CaptivePortalAPI    string        // AdvCaptivePortalAPI (empty: no option)
	RemoveAdvOnExit     bool          // RemoveAdvOnExit (on): final RA with Router Lifetime 0 on shutdown
	// ForwardingCheck (radish, default on): advertise Router Lifetime 0
	// while the kernel's IPv6 forwarding is off (RFC 4861 §6.2.5).
	ForwardingCheck bool

	Prefixes []Prefix
	Routes   []Route
	RDNSS    []RDNSS
	DNSSL    []DNSSL
	PREF64   []PREF64
	DNR      []DNR
	// 6LoWPAN (RFC 6775), sent after Home Agent Information as radvd
	// does: Context options (radvd lowpanco) and Authoritative Border
	// Router options (radvd abro).
	LoWPANContexts []LoWPANContext
	ABROs          []ABRO

	// Clients, when non-empty, restricts RAs to these unicast addresses
	// (radvd `clients { ... };`); Deny lists `!ADDR` entries.
	Clients []netip.Addr
	Deny    []netip.Addr
	// SourceAddresses are the allowed RA source addresses
	// (AdvRASrcAddress), in preference order; empty = the link's link-local.
	SourceAddresses []netip.Addr
	// AutoIgnore lists prefixes that ::/64 automatic prefixes skip
	// (autoignoreprefixes).
	AutoIgnore []netip.Prefix
}

// Prefix is one Prefix Information option source.
type Prefix struct {
	Prefix netip.Prefix // as written (host bits masked off); ::/64 with Auto
	// Auto is set for the radvd "::/64" form: advertise every non-link-local
	// /64 (Prefix.Bits()) found on the interface, except AutoIgnore.
	Auto              bool
	OnLink            bool   // AdvOnLink (on)
	Autonomous        bool   // AdvAutonomous (on)
	RouterAddr        bool   // AdvRouterAddr (off): R flag, send the full address
	PDPreferred       bool   // AdvDHCPv6PDPreferred (off): RFC 9762 P flag
	ValidLifetime     uint32 // AdvValidLifetime (86400), seconds or Infinity
	PreferredLifetime uint32 // AdvPreferredLifetime (14400), ≤ ValidLifetime
	DeprecatePrefix   bool   // DeprecatePrefix (off)
	DecrementLifetime bool   // DecrementLifetimes (off)
	Base6Interface    string // Base6Interface: take the upper 64 bits from this link's address
	Base6to4Interface string // Base6to4Interface: 6to4 prefix from this link's IPv4 address
	Line              int
}

// Route is one Route Information option (RFC 4191).
type Route struct {
	Prefix       netip.Prefix
	Preference   Preference // AdvRoutePreference (medium)
	Lifetime     uint32     // AdvRouteLifetime (3×MaxInterval), seconds or Infinity
	RemoveOnExit bool       // RemoveRoute (on): lifetime 0 in the final RA
	Line         int
}

// RDNSS is one Recursive DNS Server option (RFC 8106).
type RDNSS struct {
	Servers  []netip.Addr
	Lifetime uint32 // AdvRDNSSLifetime (3×MaxInterval), seconds or Infinity
	Flush    bool   // FlushRDNSS (on): lifetime 0 in the final RA
	Line     int
}

// DNSSL is one DNS Search List option (RFC 8106).
type DNSSL struct {
	Domains  []string // lower-case, no trailing dot, each a valid domain name
	Lifetime uint32   // AdvDNSSLLifetime (3×MaxInterval)
	Flush    bool     // FlushDNSSL (on)
	Line     int
}

// PREF64 is one NAT64 prefix option (RFC 8781; radvd nat64prefix).
type PREF64 struct {
	Prefix   netip.Prefix // length 32, 40, 48, 56, 64 or 96
	Lifetime uint32       // AdvValidLifetime (3×MaxInterval, capped at 65528)
	Line     int
}

// LoWPANContext is one 6LoWPAN Context option (RFC 6775 §4.2; radvd
// lowpanco).
type LoWPANContext struct {
	// Prefix is the context prefix; its length is the Context Length.
	// radvd.conf sets only the length (AdvContextLength): the prefix is ::.
	Prefix      netip.Prefix
	Compression bool   // AdvContextCompressionFlag (off): C flag
	ID          uint8  // AdvContextID (0): CID, 0..15
	Lifetime    uint16 // AdvLifeTime (0): valid lifetime in minutes
	Line        int
}

// ABRO is one Authoritative Border Router option (RFC 6775 §4.3; radvd
// abro).
type ABRO struct {
	Address     netip.Addr // the 6LoWPAN border router (6LBR)
	VersionLow  uint16     // AdvVersionLow (0)
	VersionHigh uint16     // AdvVersionHigh (0)
	Lifetime    uint16     // AdvValidLifeTime (0 = the RFC's default, 10000): minutes
	Line        int
}

// DNR is one Encrypted DNS (DNR) option (RFC 9463), in the RA and/or DHCPv6.
type DNR struct {
	Priority  uint16
	ADN       string       // authentication domain name
	Addresses []netip.Addr // empty: ADN-only mode
	Params    string       // SvcParams in presentation form (e.g. "alpn=dot"), may be empty
	Lifetime  uint32       // RA only (3×MaxInterval)
	Line      int
}

// DHCPv6 is the stateless DHCPv6 configuration of one link (RFC 9915).
type DHCPv6 struct {
	DNSServers      []netip.Addr // option 23
	DomainSearch    []string     // option 24
	SNTPServers     []netip.Addr // option 31
	NTPServers      []netip.Addr // option 56 suboption 1
	NTPMulticast    []netip.Addr // option 56 suboption 2
	NTPNames        []string     // option 56 suboption 3
	InfoRefreshTime uint32       // option 32, seconds ≥ 600 or Infinity (default 3600, see reference.toml)
	SolMaxRT        uint32       // option 82, 60..86400 (default 3600)
	InfMaxRT        uint32       // option 83, 60..86400 (default 3600)
	Vendor          []VendorOpts // option 17, one per enterprise number
	DNR             []DNR        // option 144
	// AlwaysSend lists option codes sent even when the client's ORO does
	// not ask for them, when configured for the link (default
	// DefaultAlwaysSend: 23, 24, 32; see reference.toml).
	AlwaysSend []uint16
	// SetOtherConfig (default on): serving DHCPv6 on a link sets the RA's O
	// flag unless the RA configuration sets it explicitly.
	SetOtherConfig bool
	// DNSInRA (default on): DNSServers are also advertised as RDNSS and
	// DomainSearch as DNSSL in the RA when the RA configures none itself.
	DNSInRA bool
	// InterfaceID matches relayed requests by their Interface-Id option.
	InterfaceID string
	// LinkAddresses: relayed requests whose innermost non-zero link-address
	// falls in one of these prefixes are answered with this link's options.
	LinkAddresses []netip.Prefix
	Line          int
}

// VendorOpts is one Vendor-specific Information option (17).
type VendorOpts struct {
	Enterprise uint32
	Options    []VendorOption
}

// VendorOption is one sub-option inside a VendorOpts.
type VendorOption struct {
	Code uint16
	Data []byte
}

// DHCPv6Server holds server-wide DHCPv6 settings.
type DHCPv6Server struct {
	// DUID selects the server identifier: Kind is "llt", "ll", "en",
	// "uuid" or "raw".
	DUID DUID
	// StateDir stores a DUID-LLT across restarts (default /var/lib/radish).
	StateDir string
	// RelayGroup joins ff05::1:3 as well as ff02::1:2.
	RelayGroup bool
	// RateLimit per client address, per relay address and globally,
	// packets per second and burst; 0 disables that limit.
	PerSourceRate, PerSourceBurst int
	PerRelayRate, PerRelayBurst   int
	GlobalRate, GlobalBurst       int
	// Defaults applies to links whose DHCPv6 table leaves a key unset.
	Defaults DHCPv6
}

// DUID configures the server's DHCP Unique Identifier (RFC 9915 §11).
type DUID struct {
	Kind       string // "llt", "ll", "en", "uuid", "raw"
	Interface  string // ll/llt: take the MAC from this link (default: first served link)
	Enterprise uint32 // en
	ID         []byte // en identifier, uuid (16 bytes) or raw DUID bytes
}
