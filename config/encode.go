package config

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Encode writes c as radish TOML. Keys whose value equals the default are
// left out, so that a configuration translated from radvd.conf reads like
// one written by hand; Parse of the output yields c again (apart from Line
// fields, Source and Warnings). RDNSS and DNSSL options derived from
// [interface.dhcpv6] (dns_in_ra) are written out explicitly.
func Encode(w io.Writer, c *Config) error {
	e := &encoder{}
	e.log(c.Log)
	e.server(&c.DHCPv6)
	for i := range c.Interfaces {
		e.iface(&c.Interfaces[i], &c.DHCPv6.Defaults)
	}
	_, err := w.Write(e.b.Bytes())
	return err
}

type encoder struct {
	b       bytes.Buffer
	pending string // table header written before the next key
}

// table starts a table whose header is written only if a key follows.
func (e *encoder) table(h string) { e.pending = h }

// header writes a table header at once (the table's presence matters).
func (e *encoder) header(h string) {
	e.pending = ""
	if e.b.Len() > 0 {
		e.b.WriteByte('\n')
	}
	e.b.WriteString(h + "\n")
}

func (e *encoder) kv(k, v string) {
	if e.pending != "" {
		e.header(e.pending)
	}
	e.b.WriteString(k + " = " + v + "\n")
}

func (e *encoder) boolIf(k string, v, def bool) {
	if v != def {
		e.kv(k, strconv.FormatBool(v))
	}
}

func (e *encoder) intIf(k string, v, def int64) {
	if v != def {
		e.kv(k, strconv.FormatInt(v, 10))
	}
}

func (e *encoder) lifeIf(k string, v, def uint32) {
	if v != def {
		e.kv(k, lifeTOML(v))
	}
}

func (e *encoder) strIf(k, v, def string) {
	if v != def {
		e.kv(k, quote(v))
	}
}

func (e *encoder) log(l Log) {
	e.table("[log]")
	e.strIf("format", l.Format, defaultLogFormat)
	e.strIf("level", l.Level, defaultLogLevel)
	if l.Output != "" { // a model built without the loader leaves it unset
		e.strIf("output", l.Output, defaultLogOutput)
	}
}

func (e *encoder) server(s *DHCPv6Server) {
	e.table("[dhcpv6]")
	e.strIf("state_dir", s.StateDir, defaultStateDir)
	e.boolIf("relay_group", s.RelayGroup, false)
	e.table("[dhcpv6.duid]")
	e.strIf("type", s.DUID.Kind, defaultDUIDKind)
	switch s.DUID.Kind {
	case "llt", "ll":
		e.strIf("interface", s.DUID.Interface, "")
	case "en":
		e.kv("enterprise", strconv.FormatUint(uint64(s.DUID.Enterprise), 10))
		e.kv("id", quote(hex.EncodeToString(s.DUID.ID)))
	case "uuid":
		if len(s.DUID.ID) == 16 {
			h := hex.EncodeToString(s.DUID.ID)
			e.kv("uuid", quote(h[:8]+"-"+h[8:12]+"-"+h[12:16]+"-"+h[16:20]+"-"+h[20:]))
		}
	case "raw":
		e.kv("id", quote(hex.EncodeToString(s.DUID.ID)))
	}
	e.table("[dhcpv6.rate_limit]")
	e.intIf("per_source", int64(s.PerSourceRate), defaultPerSourceRate)
	e.intIf("per_source_burst", int64(s.PerSourceBurst), int64(s.PerSourceRate*defaultBurstPerRate))
	e.intIf("per_relay", int64(s.PerRelayRate), defaultPerRelayRate)
	e.intIf("per_relay_burst", int64(s.PerRelayBurst), int64(s.PerRelayRate*defaultBurstPerRate))
	e.intIf("global", int64(s.GlobalRate), defaultGlobalRate)
	e.intIf("global_burst", int64(s.GlobalBurst), int64(s.GlobalRate*defaultBurstPerRate))
	e.table("[dhcpv6.defaults]")
	e.dhcpv6(&s.Defaults, defaultLinkDHCPv6())
	e.pending = ""
}

func (e *encoder) iface(ifc *Interface, defaults *DHCPv6) {
	e.header("[[interface]]")
	e.kv("name", quote(ifc.Name))
	e.strIf("transport", [...]string{"auto", "kernel", "packet", "auto"}[min(int(ifc.Transport), 3)], "auto")
	if ifc.SourceLinkLocal.IsValid() {
		e.kv("source_link_local", quote(ifc.SourceLinkLocal.String()))
	}
	e.boolIf("ignore_if_missing", ifc.IgnoreIfMissing, true)

	ra := &ifc.RA
	e.table("[interface.ra]")
	if ra.HomeAgentFlag {
		e.kv("home_agent_flag", "true")
	}
	if ra.MaxInterval != defaultMaxInterval {
		e.kv("max_interval", secTOML(ra.MaxInterval))
	}
	d := defaultRA(ra.MaxInterval, ra.HomeAgentFlag)
	e.boolIf("send_advert", ra.SendAdvert, d.SendAdvert)
	e.boolIf("unicast_only", ra.UnicastOnly, d.UnicastOnly)
	e.boolIf("unrestricted_unicast", ra.UnrestrictedUnicast, d.UnrestrictedUnicast)
	e.boolIf("solicited_unicast", ra.SolicitedUnicast, d.SolicitedUnicast)
	if ra.MinInterval != d.MinInterval {
		e.kv("min_interval", secTOML(ra.MinInterval))
	}
	if ra.MinDelayBetweenRAs != d.MinDelayBetweenRAs {
		e.kv("min_delay_between_ras", secTOML(ra.MinDelayBetweenRAs))
	}
	e.boolIf("managed", ra.Managed, false)
	derivedO := ifc.DHCPv6 != nil && ifc.DHCPv6.SetOtherConfig
	e.boolIf("other_config", ra.OtherConfig, derivedO)
	e.intIf("mtu", int64(ra.LinkMTU), int64(d.LinkMTU))
	e.intIf("ra_mtu", int64(ra.RAMTU), int64(d.RAMTU))
	e.intIf("reachable_time", int64(ra.ReachableTime), int64(d.ReachableTime))
	e.intIf("retrans_timer", int64(ra.RetransTimer), int64(d.RetransTimer))
	e.intIf("hop_limit", int64(ra.CurHopLimit), int64(d.CurHopLimit))
	e.intIf("router_lifetime", int64(ra.DefaultLifetime/time.Second), int64(d.DefaultLifetime/time.Second))
	e.strIf("router_preference", ra.DefaultPreference.String(), "medium")
	e.boolIf("source_lla", ra.SourceLLAddress, d.SourceLLAddress)
	e.boolIf("interval_option", ra.IntervalOpt, d.IntervalOpt)
	e.boolIf("home_agent_info", ra.HomeAgentInfo, d.HomeAgentInfo)
	haDef := uint16(ra.DefaultLifetime / time.Second)
	if ra.HomeAgentInfo && ra.DefaultLifetime/time.Second > maxHomeAgentLifetime {
		haDef = maxHomeAgentLifetime
	}
	e.intIf("home_agent_lifetime", int64(ra.HomeAgentLifetime), int64(haDef))
	e.intIf("home_agent_preference", int64(ra.HomeAgentPreference), 0)
	e.boolIf("mobile_router_support", ra.MobRtrSupportFlag, false)
	e.boolIf("snac_router", ra.SNACRouterFlag, false)
	e.strIf("captive_portal", ra.CaptivePortalAPI, "")
	e.boolIf("remove_adv_on_exit", ra.RemoveAdvOnExit, d.RemoveAdvOnExit)
	e.boolIf("forwarding_check", ra.ForwardingCheck, d.ForwardingCheck)
	e.listIf("clients", addrsTOML(ra.Clients))
	e.listIf("deny", addrsTOML(ra.Deny))
	e.listIf("source_addresses", addrsTOML(ra.SourceAddresses))
	e.listIf("auto_ignore", prefixesTOML(ra.AutoIgnore))

	life := lifetimeDefault(ra.MaxInterval)
	for _, p := range ra.Prefixes {
		e.header("[[interface.ra.prefix]]")
		e.kv("prefix", quote(p.Prefix.String()))
		e.boolIf("on_link", p.OnLink, true)
		e.boolIf("autonomous", p.Autonomous, true)
		e.boolIf("router_address", p.RouterAddr, false)
		e.boolIf("pd_preferred", p.PDPreferred, false)
		e.lifeIf("valid_lifetime", p.ValidLifetime, defaultValidLifetime)
		e.lifeIf("preferred_lifetime", p.PreferredLifetime, defaultPreferredLife)
		e.boolIf("deprecate", p.DeprecatePrefix, false)
		e.boolIf("decrement_lifetimes", p.DecrementLifetime, false)
		e.strIf("base6_interface", p.Base6Interface, "")
		e.strIf("base6to4_interface", p.Base6to4Interface, "")
	}
	for _, r := range ra.Routes {
		e.header("[[interface.ra.route]]")
		e.kv("prefix", quote(r.Prefix.String()))
		e.strIf("preference", r.Preference.String(), "medium")
		e.lifeIf("lifetime", r.Lifetime, life)
		e.boolIf("remove_on_exit", r.RemoveOnExit, true)
	}
	for _, r := range ra.RDNSS {
		e.header("[[interface.ra.rdnss]]")
		e.kv("servers", addrsTOML(r.Servers))
		e.lifeIf("lifetime", r.Lifetime, life)
		e.boolIf("flush", r.Flush, true)
	}
	for _, r := range ra.DNSSL {
		e.header("[[interface.ra.dnssl]]")
		e.kv("domains", strsTOML(r.Domains))
		e.lifeIf("lifetime", r.Lifetime, life)
		e.boolIf("flush", r.Flush, true)
	}
	for _, r := range ra.PREF64 {
		e.header("[[interface.ra.pref64]]")
		e.kv("prefix", quote(r.Prefix.String()))
		e.intIf("lifetime", int64(r.Lifetime), int64(min(life, maxPREF64Lifetime)))
	}
	for _, c := range ra.LoWPANContexts {
		e.header("[[interface.ra.lowpan_context]]")
		e.kv("prefix", quote(c.Prefix.String()))
		e.boolIf("compression", c.Compression, false)
		e.intIf("context_id", int64(c.ID), 0)
		e.intIf("lifetime_minutes", int64(c.Lifetime), 0)
	}
	for _, a := range ra.ABROs {
		e.header("[[interface.ra.abro]]")
		e.kv("address", quote(a.Address.String()))
		e.intIf("version_low", int64(a.VersionLow), 0)
		e.intIf("version_high", int64(a.VersionHigh), 0)
		e.intIf("lifetime_minutes", int64(a.Lifetime), 0)
	}
	for _, r := range ra.DNR {
		e.header("[[interface.ra.dnr]]")
		e.intIf("priority", int64(r.Priority), defaultDNRPriority)
		e.kv("adn", quote(r.ADN))
		e.kv("addresses", addrsTOML(r.Addresses))
		e.strIf("params", r.Params, "")
		e.lifeIf("lifetime", r.Lifetime, life)
	}
	if ifc.DHCPv6 != nil {
		e.header("[interface.dhcpv6]")
		e.dhcpv6(ifc.DHCPv6, *defaults)
	}
}

// defaultRA is the RA an [interface.ra] table with only these keys yields.
func defaultRA(maxInterval time.Duration, homeAgent bool) RA {
	s := seconds(maxInterval.Seconds())
	v := &validator{p: &problems{}, lines: keyLines{}}
	return v.ra(&rawRA{MaxInterval: &s, HomeAgentFlag: &homeAgent})
}

func (e *encoder) dhcpv6(d *DHCPv6, base DHCPv6) {
	lists := []struct {
		key    string
		v, def []string
	}{
		{"dns_servers", addrStrings(d.DNSServers), addrStrings(base.DNSServers)},
		{"domain_search", d.DomainSearch, base.DomainSearch},
		{"sntp_servers", addrStrings(d.SNTPServers), addrStrings(base.SNTPServers)},
		{"ntp_servers", addrStrings(d.NTPServers), addrStrings(base.NTPServers)},
		{"ntp_multicast", addrStrings(d.NTPMulticast), addrStrings(base.NTPMulticast)},
		{"ntp_names", d.NTPNames, base.NTPNames},
	}
	for _, l := range lists {
		if !slices.Equal(l.v, l.def) {
			e.kv(l.key, strsTOML(l.v))
		}
	}
	e.lifeIf("info_refresh_time", d.InfoRefreshTime, base.InfoRefreshTime)
	e.intIf("sol_max_rt", int64(d.SolMaxRT), int64(base.SolMaxRT))
	e.intIf("inf_max_rt", int64(d.InfMaxRT), int64(base.InfMaxRT))
	if v := vendorTOML(d.Vendor); v != vendorTOML(base.Vendor) {
		e.kv("vendor", v)
	}
	if v := dnrTOML(d.DNR); v != dnrTOML(base.DNR) {
		e.kv("dnr", v)
	}
	if !slices.Equal(d.AlwaysSend, base.AlwaysSend) {
		names := make([]string, len(d.AlwaysSend))
		for i, c := range d.AlwaysSend {
			if n := OptionName(c); n != "" {
				names[i] = quote(n)
			} else {
				names[i] = strconv.Itoa(int(c))
			}
		}
		e.kv("always_send", "["+strings.Join(names, ", ")+"]")
	}
	e.boolIf("set_other_config", d.SetOtherConfig, base.SetOtherConfig)
	e.boolIf("dns_in_ra", d.DNSInRA, base.DNSInRA)
	e.strIf("interface_id", d.InterfaceID, "")
	e.listIf("link_addresses", prefixesTOML(d.LinkAddresses))
}

func (e *encoder) listIf(k, v string) {
	if v != "[]" {
		e.kv(k, v)
	}
}

func vendorTOML(vs []VendorOpts) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		opts := make([]string, len(v.Options))
		for j, o := range v.Options {
			opts[j] = fmt.Sprintf("{code = %d, hex = %s}", o.Code, quote(hex.EncodeToString(o.Data)))
		}
		parts[i] = fmt.Sprintf("{enterprise = %d, options = [%s]}", v.Enterprise, strings.Join(opts, ", "))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func dnrTOML(ds []DNR) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		s := fmt.Sprintf("{priority = %d, adn = %s", d.Priority, quote(d.ADN))
		if len(d.Addresses) > 0 {
			s += ", addresses = " + addrsTOML(d.Addresses)
		}
		if d.Params != "" {
			s += ", params = " + quote(d.Params)
		}
		parts[i] = s + "}"
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func secTOML(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64)
}

func lifeTOML(l uint32) string {
	if l == Infinity {
		return `"infinity"`
	}
	return strconv.FormatUint(uint64(l), 10)
}

func addrStrings(as []netip.Addr) []string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = a.String()
	}
	return s
}

func addrsTOML(as []netip.Addr) string { return strsTOML(addrStrings(as)) }

func prefixesTOML(ps []netip.Prefix) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strsTOML(s)
}

func strsTOML(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = quote(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// quote writes s as a TOML basic string.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04x`, r)
		case r == utf8.RuneError:
			b.WriteString(`\ufffd`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
