package config

import (
	"fmt"
	"math"
	"strings"
)

// The raw* types mirror the TOML schema one to one: every key is a field
// with a toml tag, and a nil pointer means "not written in the file". The
// decoder (decode.go) fills them strictly; validate*.go turns them into the
// exported model. A field of type pos receives the indexed key path of its
// table, for messages.

type pos string

type rawConfig struct {
	Log       *rawLog    `toml:"log"`
	DHCPv6    *rawServer `toml:"dhcpv6"`
	Interface []rawIface `toml:"interface"`
}

type rawLog struct {
	Pos    pos
	Format *string `toml:"format"`
	Level  *string `toml:"level"`
	Output *string `toml:"output"`
}

type rawServer struct {
	Pos        pos
	DUID       *rawDUID    `toml:"duid"`
	StateDir   *string     `toml:"state_dir"`
	RelayGroup *bool       `toml:"relay_group"`
	RateLimit  *rawRate    `toml:"rate_limit"`
	Defaults   *rawLinkDHC `toml:"defaults"`
}

type rawRate struct {
	Pos            pos
	PerSource      *int64 `toml:"per_source"`
	PerSourceBurst *int64 `toml:"per_source_burst"`
	PerRelay       *int64 `toml:"per_relay"`
	PerRelayBurst  *int64 `toml:"per_relay_burst"`
	Global         *int64 `toml:"global"`
	GlobalBurst    *int64 `toml:"global_burst"`
}

type rawDUID struct {
	Pos        pos
	Type       *string `toml:"type"`
	Interface  *string `toml:"interface"`
	Enterprise *int64  `toml:"enterprise"`
	ID         *string `toml:"id"`
	UUID       *string `toml:"uuid"`
}

type rawIface struct {
	Pos             pos
	Name            *string     `toml:"name"`
	Transport       *string     `toml:"transport"`
	SourceLinkLocal *string     `toml:"source_link_local"`
	IgnoreIfMissing *bool       `toml:"ignore_if_missing"`
	RA              *rawRA      `toml:"ra"`
	DHCPv6          *rawLinkDHC `toml:"dhcpv6"`
}

type rawRA struct {
	Pos                 pos
	SendAdvert          *bool    `toml:"send_advert"`
	UnicastOnly         *bool    `toml:"unicast_only"`
	UnrestrictedUnicast *bool    `toml:"unrestricted_unicast"`
	SolicitedUnicast    *bool    `toml:"solicited_unicast"`
	MaxInterval         *seconds `toml:"max_interval"`
	MinInterval         *seconds `toml:"min_interval"`
	MinDelayBetweenRAs  *seconds `toml:"min_delay_between_ras"`
	Managed             *bool    `toml:"managed"`
	OtherConfig         *bool    `toml:"other_config"`
	HomeAgentFlag       *bool    `toml:"home_agent_flag"`
	MTU                 *int64   `toml:"mtu"`
	RAMTU               *int64   `toml:"ra_mtu"`
	ReachableTime       *int64   `toml:"reachable_time"`
	RetransTimer        *int64   `toml:"retrans_timer"`
	HopLimit            *int64   `toml:"hop_limit"`
	RouterLifetime      *int64   `toml:"router_lifetime"`
	RouterPreference    *string  `toml:"router_preference"`
	SourceLLA           *bool    `toml:"source_lla"`
	IntervalOption      *bool    `toml:"interval_option"`
	HomeAgentInfo       *bool    `toml:"home_agent_info"`
	HomeAgentLifetime   *int64   `toml:"home_agent_lifetime"`
	HomeAgentPreference *int64   `toml:"home_agent_preference"`
	MobileRouterSupport *bool    `toml:"mobile_router_support"`
	SNACRouter          *bool    `toml:"snac_router"`
	CaptivePortal       *string  `toml:"captive_portal"`
	RemoveAdvOnExit     *bool    `toml:"remove_adv_on_exit"`
	ForwardingCheck     *bool    `toml:"forwarding_check"`
	Clients             []string `toml:"clients"`
	Deny                []string `toml:"deny"`
	SourceAddresses     []string `toml:"source_addresses"`
	AutoIgnore          []string `toml:"auto_ignore"`

	Prefix []rawPrefix `toml:"prefix"`
	Route  []rawRoute  `toml:"route"`
	RDNSS  []rawRDNSS  `toml:"rdnss"`
	DNSSL  []rawDNSSL  `toml:"dnssl"`
	PREF64 []rawPREF64 `toml:"pref64"`
	DNR    []rawRADNR  `toml:"dnr"`

	LoWPANContext []rawLoWPANContext `toml:"lowpan_context"`
	ABRO          []rawABRO          `toml:"abro"`
}

type rawPrefix struct {
	Pos                pos
	Prefix             *string   `toml:"prefix"`
	OnLink             *bool     `toml:"on_link"`
	Autonomous         *bool     `toml:"autonomous"`
	RouterAddress      *bool     `toml:"router_address"`
	PDPreferred        *bool     `toml:"pd_preferred"`
	ValidLifetime      *lifetime `toml:"valid_lifetime"`
	PreferredLifetime  *lifetime `toml:"preferred_lifetime"`
	Deprecate          *bool     `toml:"deprecate"`
	DecrementLifetimes *bool     `toml:"decrement_lifetimes"`
	Base6Interface     *string   `toml:"base6_interface"`
	Base6to4Interface  *string   `toml:"base6to4_interface"`
}

type rawRoute struct {
	Pos          pos
	Prefix       *string   `toml:"prefix"`
	Preference   *string   `toml:"preference"`
	Lifetime     *lifetime `toml:"lifetime"`
	RemoveOnExit *bool     `toml:"remove_on_exit"`
}

type rawRDNSS struct {
	Pos      pos
	Servers  []string  `toml:"servers"`
	Lifetime *lifetime `toml:"lifetime"`
	Flush    *bool     `toml:"flush"`
}

type rawDNSSL struct {
	Pos      pos
	Domains  []string  `toml:"domains"`
	Lifetime *lifetime `toml:"lifetime"`
	Flush    *bool     `toml:"flush"`
}

type rawPREF64 struct {
	Pos      pos
	Prefix   *string `toml:"prefix"`
	Lifetime *int64  `toml:"lifetime"`
}

type rawLoWPANContext struct {
	Pos             pos
	Prefix          *string `toml:"prefix"`
	Compression     *bool   `toml:"compression"`
	ContextID       *int64  `toml:"context_id"`
	LifetimeMinutes *int64  `toml:"lifetime_minutes"`
}

type rawABRO struct {
	Pos             pos
	Address         *string `toml:"address"`
	VersionLow      *int64  `toml:"version_low"`
	VersionHigh     *int64  `toml:"version_high"`
	LifetimeMinutes *int64  `toml:"lifetime_minutes"`
}

type rawRADNR struct {
	Pos       pos
	Priority  *int64    `toml:"priority"`
	ADN       *string   `toml:"adn"`
	Addresses []string  `toml:"addresses"`
	Params    *string   `toml:"params"`
	Lifetime  *lifetime `toml:"lifetime"`
}

type rawDHCPDNR struct {
	Pos       pos
	Priority  *int64   `toml:"priority"`
	ADN       *string  `toml:"adn"`
	Addresses []string `toml:"addresses"`
	Params    *string  `toml:"params"`
}

// rawLinkDHC is [interface.dhcpv6] and [dhcpv6.defaults]. Lists are
// pointers so that an explicit empty list overrides the defaults. Keys
// tagged "link" are rejected in [dhcpv6.defaults].
type rawLinkDHC struct {
	Pos             pos
	DNSServers      *[]string     `toml:"dns_servers"`
	DomainSearch    *[]string     `toml:"domain_search"`
	SNTPServers     *[]string     `toml:"sntp_servers"`
	NTPServers      *[]string     `toml:"ntp_servers"`
	NTPMulticast    *[]string     `toml:"ntp_multicast"`
	NTPNames        *[]string     `toml:"ntp_names"`
	InfoRefreshTime *lifetime     `toml:"info_refresh_time"`
	SolMaxRT        *int64        `toml:"sol_max_rt"`
	InfMaxRT        *int64        `toml:"inf_max_rt"`
	Vendor          *[]rawVendor  `toml:"vendor"`
	DNR             *[]rawDHCPDNR `toml:"dnr"`
	AlwaysSend      *[]optionRef  `toml:"always_send"`
	SetOtherConfig  *bool         `toml:"set_other_config"`
	DNSInRA         *bool         `toml:"dns_in_ra"`
	InterfaceID     *string       `toml:"interface_id,link"`
	LinkAddresses   *[]string     `toml:"link_addresses,link"`
}

type rawVendor struct {
	Pos        pos
	Enterprise *int64         `toml:"enterprise"`
	Options    []rawVendorOpt `toml:"options"`
}

type rawVendorOpt struct {
	Pos  pos
	Code *int64  `toml:"code"`
	Hex  *string `toml:"hex"`
	Text *string `toml:"text"`
}

// scalar is implemented by raw value types that accept more than one TOML
// type; fromTOML returns a message for the wrong ones.
type scalar interface {
	fromTOML(v any) error
}

// seconds is an interval in seconds, integer or decimal.
type seconds float64

func (s *seconds) fromTOML(v any) error {
	switch v := v.(type) {
	case int64:
		*s = seconds(v)
		return nil
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%v is not a number of seconds", v)
		}
		*s = seconds(v)
		return nil
	}
	return fmt.Errorf("expected a number of seconds, got %s", describe(v))
}

// lifetime is a 32-bit number of seconds or "infinity" (0xffffffff).
type lifetime int64

func (l *lifetime) fromTOML(v any) error {
	switch v := v.(type) {
	case int64:
		if v < 0 || v > int64(Infinity) {
			return fmt.Errorf("%d is out of range 0..%d (or \"infinity\")", v, Infinity)
		}
		*l = lifetime(v)
		return nil
	case string:
		if strings.EqualFold(v, "infinity") {
			*l = lifetime(Infinity)
			return nil
		}
	}
	return fmt.Errorf("expected seconds or \"infinity\", got %s", describe(v))
}

// optionRef names a DHCPv6 option by name ("dns_servers") or code (23).
type optionRef struct {
	code uint16
	name string // as written, when written as a name
}

func (o *optionRef) fromTOML(v any) error {
	switch v := v.(type) {
	case int64:
		if v < 1 || v > math.MaxUint16 {
			return fmt.Errorf("option code %d is out of range 1..65535", v)
		}
		o.code = uint16(v)
		return nil
	case string:
		c, ok := optionCode(v)
		if !ok {
			return fmt.Errorf("unknown option name %q (known: %s)", v, strings.Join(optionNameList(), ", "))
		}
		o.code, o.name = c, v
		return nil
	}
	return fmt.Errorf("expected an option name or code, got %s", describe(v))
}

// describe names the TOML type (and value, when short) of a decoded value.
func describe(v any) string {
	switch v := v.(type) {
	case string:
		if len(v) > 40 {
			v = v[:40] + "..."
		}
		return fmt.Sprintf("string %q", v)
	case int64:
		return fmt.Sprintf("integer %d", v)
	case float64:
		return fmt.Sprintf("float %v", v)
	case bool:
		return fmt.Sprintf("boolean %v", v)
	case []any, []map[string]any:
		return "an array"
	case map[string]any:
		return "a table"
	default:
		return fmt.Sprintf("%T", v)
	}
}
