package config

import (
	"encoding/hex"
	"math"
	"slices"
	"strconv"
	"strings"
)

// DHCPv6 defaults and limits (RFC 9915 §7.6, §21.23, §21.24; RFC 8415).
const (
	defaultInfoRefreshTime = 3600
	minInfoRefreshTime     = 600
	defaultMaxRT           = 3600
	minMaxRT               = 60
	maxMaxRT               = 86400
	defaultDNRPriority     = 1
	maxDUIDLen             = 130 // 2-octet type + 128 octets
)

// DHCPv6 option codes radish knows by name, for always_send.
var optionNames = []struct {
	name string
	code uint16
}{
	{"vendor", 17},
	{"dns_servers", 23},
	{"domain_search", 24},
	{"sntp_servers", 31},
	{"info_refresh_time", 32},
	{"ntp_servers", 56},
	{"sol_max_rt", 82},
	{"inf_max_rt", 83},
	{"dnr", 144},
}

// DefaultAlwaysSend is the default always_send list: DNS servers, domain
// search list and Information Refresh Time, as dnsmasq and odhcpd do, so
// that clients that send no ORO or forget option 32 (dhclient) still learn
// them.
var DefaultAlwaysSend = []uint16{23, 24, 32}

func optionCode(name string) (uint16, bool) {
	for _, o := range optionNames {
		if o.name == name {
			return o.code, true
		}
	}
	return 0, false
}

// OptionName returns radish's name for a DHCPv6 option code, or "".
func OptionName(code uint16) string {
	for _, o := range optionNames {
		if o.code == code {
			return o.name
		}
	}
	return ""
}

func optionNameList() []string {
	s := make([]string, len(optionNames))
	for i, o := range optionNames {
		s[i] = o.name
	}
	return s
}

func defaultLinkDHCPv6() DHCPv6 {
	return DHCPv6{
		InfoRefreshTime: defaultInfoRefreshTime,
		SolMaxRT:        defaultMaxRT,
		InfMaxRT:        defaultMaxRT,
		AlwaysSend:      slices.Clone(DefaultAlwaysSend),
		SetOtherConfig:  true,
		DNSInRA:         true,
	}
}

// linkDHCPv6 validates [interface.dhcpv6] (or [dhcpv6.defaults] when
// defaults is set); keys left unset take their value from base.
func (v *validator) linkDHCPv6(r *rawLinkDHC, base DHCPv6, defaults bool) DHCPv6 {
	at := string(r.Pos)
	key := func(k string) string { return join(at, k) }
	d := base
	d.Line = v.lines.line(at)
	if r.DNSServers != nil {
		d.DNSServers = v.unicasts(key("dns_servers"), *r.DNSServers)
	}
	if r.DomainSearch != nil {
		d.DomainSearch = v.domains(key("domain_search"), *r.DomainSearch)
	}
	if r.SNTPServers != nil {
		d.SNTPServers = v.unicasts(key("sntp_servers"), *r.SNTPServers)
	}
	if r.NTPServers != nil {
		d.NTPServers = v.unicasts(key("ntp_servers"), *r.NTPServers)
	}
	if r.NTPMulticast != nil {
		d.NTPMulticast = nil
		for i, s := range *r.NTPMulticast {
			p := join(key("ntp_multicast"), strconv.Itoa(i))
			if a, ok := v.addr(p, s); ok && !a.IsMulticast() {
				v.errorf(p, "%s is not a multicast address", a)
			} else if ok {
				d.NTPMulticast = append(d.NTPMulticast, a)
			}
		}
	}
	if r.NTPNames != nil {
		d.NTPNames = v.domains(key("ntp_names"), *r.NTPNames)
	}
	if x := r.InfoRefreshTime; x != nil {
		if *x < minInfoRefreshTime {
			v.errorf(key("info_refresh_time"), "%d is below the minimum %d (RFC 9915 §21.23)", *x, minInfoRefreshTime)
		} else {
			d.InfoRefreshTime = uint32(*x)
		}
	}
	d.SolMaxRT = uint32(v.intIn(key("sol_max_rt"), r.SolMaxRT, minMaxRT, maxMaxRT, int64(d.SolMaxRT)))
	d.InfMaxRT = uint32(v.intIn(key("inf_max_rt"), r.InfMaxRT, minMaxRT, maxMaxRT, int64(d.InfMaxRT)))
	if r.Vendor != nil {
		d.Vendor = v.vendors(*r.Vendor)
	}
	if r.DNR != nil {
		d.DNR = nil
		for i := range *r.DNR {
			x := &(*r.DNR)[i]
			if o, ok := v.dnr(string(x.Pos), x.Priority, x.ADN, x.Addresses, x.Params, false); ok {
				d.DNR = append(d.DNR, o)
			}
		}
	}
	if r.AlwaysSend != nil {
		d.AlwaysSend = []uint16{}
		for _, o := range *r.AlwaysSend {
			if !slices.Contains(d.AlwaysSend, o.code) {
				d.AlwaysSend = append(d.AlwaysSend, o.code)
			}
		}
	}
	d.SetOtherConfig = boolOr(r.SetOtherConfig, d.SetOtherConfig)
	d.DNSInRA = boolOr(r.DNSInRA, d.DNSInRA)
	if defaults {
		const msg = "belongs in an [interface.dhcpv6] table, not in [dhcpv6.defaults]"
		if r.InterfaceID != nil {
			v.errorf(key("interface_id"), msg)
		}
		if r.LinkAddresses != nil {
			v.errorf(key("link_addresses"), msg)
		}
		return d
	}
	if r.InterfaceID != nil {
		if *r.InterfaceID == "" {
			v.errorf(key("interface_id"), "must not be empty")
		}
		d.InterfaceID = *r.InterfaceID
	}
	if r.LinkAddresses != nil {
		d.LinkAddresses = v.prefixes(key("link_addresses"), *r.LinkAddresses)
	}
	return d
}

func (v *validator) vendors(list []rawVendor) []VendorOpts {
	var out []VendorOpts
	seen := map[uint32]int{}
	for i := range list {
		r := &list[i]
		if r.Enterprise == nil {
			v.required(string(r.Pos), "enterprise")
			continue
		}
		e := v.intIn(join(string(r.Pos), "enterprise"), r.Enterprise, 0, math.MaxUint32, -1)
		if e < 0 {
			continue
		}
		if j, dup := seen[uint32(e)]; dup {
			v.errorf(join(string(r.Pos), "enterprise"), "%d is already used by vendor[%d]: one vendor option per enterprise number on a link (RFC 9915 §21.17)", e, j)
			continue
		}
		seen[uint32(e)] = i
		vo := VendorOpts{Enterprise: uint32(e)}
		size := 0
		for k := range r.Options {
			o := &r.Options[k]
			p := string(o.Pos)
			code := v.intIn(join(p, "code"), o.Code, 1, math.MaxUint16, 0)
			if o.Code == nil {
				v.required(p, "code")
			}
			var data []byte
			switch {
			case o.Hex != nil && o.Text != nil:
				v.errorf(p, "set hex or text, not both")
			case o.Hex != nil:
				b, err := parseHex(*o.Hex)
				if err != nil {
					v.errorf(join(p, "hex"), "%v", err)
				}
				data = b
			case o.Text != nil:
				data = []byte(*o.Text)
			default:
				data = []byte{}
			}
			size += 4 + len(data)
			if code != 0 {
				vo.Options = append(vo.Options, VendorOption{Code: uint16(code), Data: data})
			}
		}
		if size+4 > math.MaxUint16 {
			v.errorf(string(r.Pos), "the option is %d bytes long, above the 65535 a DHCPv6 option can hold", size+4)
		}
		out = append(out, vo)
	}
	return out
}

// dnr validates one DNR instance (RFC 9463). In an RA (ra set) at least
// one address is required: ADN-only mode exists only in DHCPv6 (§6.1).
func (v *validator) dnr(at string, prio *int64, adn *string, addrs []string, params *string, ra bool) (DNR, bool) {
	d := DNR{
		Priority: uint16(v.intIn(join(at, "priority"), prio, 1, math.MaxUint16, defaultDNRPriority)),
		Line:     v.lines.line(at),
	}
	ok := true
	if adn == nil {
		v.required(at, "adn")
		ok = false
	} else if n, good := normDomain(*adn); !good {
		v.errorf(join(at, "adn"), "%q is not a valid domain name", *adn)
		ok = false
	} else {
		d.ADN = n
	}
	d.Addresses = v.unicasts(join(at, "addresses"), addrs)
	ok = ok && len(d.Addresses) == len(addrs)
	if ra && len(addrs) == 0 {
		v.errorf(join(at, "addresses"), "at least one address is required in an RA (ADN-only mode is DHCPv6 only, RFC 9463 §6.1)")
		ok = false
	}
	if params != nil && *params != "" {
		if len(addrs) == 0 {
			v.errorf(join(at, "params"), "service parameters need addresses (ADN-only mode has none)")
			ok = false
		} else if msg := checkSvcParams(*params); msg != "" {
			v.errorf(join(at, "params"), "%s", msg)
			ok = false
		} else {
			d.Params = *params
		}
	}
	return d, ok
}

// checkSvcParams checks the presentation form "key=value key=value".
func checkSvcParams(s string) string {
	for f := range strings.FieldsSeq(s) {
		k, val, _ := strings.Cut(f, "=")
		if k == "" || strings.Trim(k, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
			return "\"" + f + "\" is not a key=value service parameter"
		}
		if k == "alpn" && val == "" {
			return "alpn needs a value, e.g. alpn=dot"
		}
	}
	return ""
}

func (v *validator) domains(path string, list []string) []string {
	var out []string
	for i, s := range list {
		if n, ok := normDomain(s); ok {
			out = append(out, n)
		} else {
			v.errorf(join(path, strconv.Itoa(i)), "%q is not a valid domain name", s)
		}
	}
	return out
}

// normDomain lower-cases a domain name, drops one trailing dot, and checks
// RFC 1035 limits: labels of 1..63 letters, digits, hyphens or underscores
// not starting or ending with a hyphen, 253 characters in all.
func normDomain(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSuffix(s, "."))
	if s == "" || len(s) > 253 {
		return "", false
	}
	for l := range strings.SplitSeq(s, ".") {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return "", false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return "", false
			}
		}
	}
	return s, true
}

// parseHex reads bytes written as hex digits, optionally separated by
// colons ("0a0b0c" or "0a:0b:0c").
func parseHex(s string) ([]byte, error) {
	b, err := hex.DecodeString(strings.ReplaceAll(s, ":", ""))
	if err != nil {
		return nil, errHex(s)
	}
	return b, nil
}

type errHex string

func (e errHex) Error() string {
	return strconv.Quote(string(e)) + " is not hex bytes (e.g. \"0a0b0c\" or \"0a:0b:0c\")"
}

func (v *validator) duid(r *rawDUID) DUID {
	at := string(r.Pos)
	key := func(k string) string { return join(at, k) }
	d := DUID{Kind: v.enum(key("type"), r.Type, defaultDUIDKind, "llt", "ll", "en", "uuid", "raw")}
	allowed := map[string][]string{"llt": {"interface"}, "ll": {"interface"}, "en": {"enterprise", "id"}, "uuid": {"uuid"}, "raw": {"id"}}[d.Kind]
	set := map[string]bool{"interface": r.Interface != nil, "enterprise": r.Enterprise != nil, "id": r.ID != nil, "uuid": r.UUID != nil}
	for _, k := range []string{"interface", "enterprise", "id", "uuid"} {
		if set[k] && !slices.Contains(allowed, k) {
			v.errorf(key(k), "does not apply to type = %q", d.Kind)
		}
	}
	switch d.Kind {
	case "llt", "ll":
		if r.Interface != nil {
			if msg := checkIfaceName(*r.Interface, false); msg != "" {
				v.errorf(key("interface"), "%s", msg)
			} else {
				d.Interface = *r.Interface
			}
		}
	case "en":
		if r.Enterprise == nil {
			v.required(at, "enterprise")
		} else {
			d.Enterprise = uint32(v.intIn(key("enterprise"), r.Enterprise, 0, math.MaxUint32, 0))
		}
		d.ID = v.duidBytes(key("id"), at, r.ID, 1, maxDUIDLen-6)
	case "uuid":
		if r.UUID == nil {
			v.required(at, "uuid")
		} else if b, err := parseHex(strings.ReplaceAll(*r.UUID, "-", "")); err != nil || len(b) != 16 {
			v.errorf(key("uuid"), "%q is not a UUID (8-4-4-4-12 hex digits)", *r.UUID)
		} else {
			d.ID = b
		}
	case "raw":
		d.ID = v.duidBytes(key("id"), at, r.ID, 3, maxDUIDLen)
	}
	return d
}

func (v *validator) duidBytes(path, table string, s *string, lo, hi int) []byte {
	if s == nil {
		v.required(table, "id")
		return nil
	}
	b, err := parseHex(*s)
	if err != nil {
		v.errorf(path, "%v", err)
		return nil
	}
	if len(b) < lo || len(b) > hi {
		v.errorf(path, "%d bytes is out of range %d..%d", len(b), lo, hi)
		return nil
	}
	return b
}
