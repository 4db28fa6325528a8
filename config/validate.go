package config

import (
	"fmt"
	"math"
	"net/netip"
	"path"
	"strconv"
	"strings"
	"time"
)

// Server-wide defaults (documented in reference.toml).
const (
	defaultStateDir       = "/var/lib/radish"
	defaultPerSourceRate  = 10
	defaultPerRelayRate   = 100
	defaultGlobalRate     = 1000
	defaultBurstPerRate   = 2 // burst defaults to twice the rate
	maxRate               = 1_000_000
	defaultDUIDKind       = "llt"
	defaultLogFormat      = "text"
	defaultLogLevel       = "info"
	defaultLogOutput      = "stderr"
	maxInterfaceNameBytes = 15 // IFNAMSIZ - 1
)

// validator turns raw structs into the model, reporting problems under
// their key paths.
type validator struct {
	p     *problems
	lines keyLines
}

func (v *validator) errorf(path, format string, args ...any) { v.p.errorf(path, format, args...) }

// required reports a missing key of table at, unless the key was written
// with a bad value (already reported).
func (v *validator) required(at, key string) {
	if !v.p.bad[join(at, key)] {
		v.errorf(at, "%s is required", key)
	}
}
func (v *validator) warnf(path, format string, args ...any) { v.p.warnf(path, format, args...) }

// build validates raw into a Config; problems are left in p.
func build(source string, raw *rawConfig, p *problems, lines keyLines) *Config {
	v := &validator{p: p, lines: lines}
	c := &Config{Source: source}
	c.Log = v.log(raw.Log)
	c.DHCPv6 = v.server(raw.DHCPv6)
	seen := map[string]int{}
	for i := range raw.Interface {
		r := &raw.Interface[i]
		ifc := v.iface(r, &c.DHCPv6)
		if ifc.Name != "" {
			if j, dup := seen[ifc.Name]; dup {
				v.errorf(join(string(r.Pos), "name"), "%q is already configured by interface #%d (line %d)", ifc.Name, j+1, lines.line("interface."+strconv.Itoa(j)))
			}
			seen[ifc.Name] = i
		}
		c.Interfaces = append(c.Interfaces, ifc)
	}
	if len(raw.Interface) == 0 {
		v.warnf("", "no [[interface]] stanza: there is nothing to serve")
	}
	return c
}

func (v *validator) log(r *rawLog) Log {
	l := Log{Format: defaultLogFormat, Level: defaultLogLevel, Output: defaultLogOutput}
	if r == nil {
		return l
	}
	l.Format = v.enum(join(string(r.Pos), "format"), r.Format, l.Format, "text", "json")
	l.Level = v.enum(join(string(r.Pos), "level"), r.Level, l.Level, "debug", "info", "warn", "error")
	l.Output = v.enum(join(string(r.Pos), "output"), r.Output, l.Output, "stderr", "stdout")
	return l
}

func (v *validator) server(r *rawServer) DHCPv6Server {
	s := DHCPv6Server{
		DUID:           DUID{Kind: defaultDUIDKind},
		StateDir:       defaultStateDir,
		PerSourceRate:  defaultPerSourceRate,
		PerSourceBurst: defaultPerSourceRate * defaultBurstPerRate,
		PerRelayRate:   defaultPerRelayRate,
		PerRelayBurst:  defaultPerRelayRate * defaultBurstPerRate,
		GlobalRate:     defaultGlobalRate,
		GlobalBurst:    defaultGlobalRate * defaultBurstPerRate,
		Defaults:       defaultLinkDHCPv6(),
	}
	if r == nil {
		return s
	}
	at := string(r.Pos)
	if r.DUID != nil {
		s.DUID = v.duid(r.DUID)
	}
	if r.StateDir != nil {
		if !strings.HasPrefix(*r.StateDir, "/") {
			v.errorf(join(at, "state_dir"), "%q is not an absolute path", *r.StateDir)
		} else {
			s.StateDir = path.Clean(*r.StateDir)
		}
	}
	s.RelayGroup = boolOr(r.RelayGroup, false)
	if rl := r.RateLimit; rl != nil {
		at := string(rl.Pos)
		s.PerSourceRate = int(v.intIn(join(at, "per_source"), rl.PerSource, 0, maxRate, defaultPerSourceRate))
		s.PerSourceBurst = int(v.intIn(join(at, "per_source_burst"), rl.PerSourceBurst, 0, maxRate*defaultBurstPerRate, int64(s.PerSourceRate*defaultBurstPerRate)))
		s.PerRelayRate = int(v.intIn(join(at, "per_relay"), rl.PerRelay, 0, maxRate, defaultPerRelayRate))
		s.PerRelayBurst = int(v.intIn(join(at, "per_relay_burst"), rl.PerRelayBurst, 0, maxRate*defaultBurstPerRate, int64(s.PerRelayRate*defaultBurstPerRate)))
		s.GlobalRate = int(v.intIn(join(at, "global"), rl.Global, 0, maxRate, defaultGlobalRate))
		s.GlobalBurst = int(v.intIn(join(at, "global_burst"), rl.GlobalBurst, 0, maxRate*defaultBurstPerRate, int64(s.GlobalRate*defaultBurstPerRate)))
		if s.PerSourceRate > 0 && s.PerSourceBurst == 0 {
			v.errorf(join(at, "per_source_burst"), "must be at least 1 while per_source is %d", s.PerSourceRate)
		}
		if s.PerRelayRate > 0 && s.PerRelayBurst == 0 {
			v.errorf(join(at, "per_relay_burst"), "must be at least 1 while per_relay is %d", s.PerRelayRate)
		}
		if s.GlobalRate > 0 && s.GlobalBurst == 0 {
			v.errorf(join(at, "global_burst"), "must be at least 1 while global is %d", s.GlobalRate)
		}
	}
	if r.Defaults != nil {
		s.Defaults = v.linkDHCPv6(r.Defaults, defaultLinkDHCPv6(), true)
	}
	return s
}

func (v *validator) iface(r *rawIface, srv *DHCPv6Server) Interface {
	at := string(r.Pos)
	ifc := Interface{
		IgnoreIfMissing: boolOr(r.IgnoreIfMissing, true),
		Line:            v.lines.line(at),
	}
	if r.Name == nil {
		v.required(at, "name")
	} else {
		ifc.Name = *r.Name
		ifc.Pattern = IsPattern(ifc.Name)
		if msg := checkIfaceName(ifc.Name, true); msg != "" {
			v.errorf(join(at, "name"), "%s", msg)
		}
	}
	switch t := v.enum(join(at, "transport"), r.Transport, "auto", "auto", "kernel", "packet"); t {
	case "kernel":
		ifc.Transport = TransportKernel
	case "packet":
		ifc.Transport = TransportPacket
	default:
		ifc.Transport = TransportAuto
	}
	if r.SourceLinkLocal != nil {
		a, ok := v.addr(join(at, "source_link_local"), *r.SourceLinkLocal)
		if ok && !a.IsLinkLocalUnicast() {
			v.errorf(join(at, "source_link_local"), "%s is not a link-local address (fe80::/10)", a)
		} else if ok {
			ifc.SourceLinkLocal = a
		}
	}
	ra := r.RA
	if ra == nil {
		ra = &rawRA{Pos: pos(join(at, "ra"))}
	}
	ifc.RA = v.ra(ra)
	if r.DHCPv6 != nil {
		d := v.linkDHCPv6(r.DHCPv6, srv.Defaults, false)
		ifc.DHCPv6 = &d
	}
	v.cohere(&ifc, ra, r.DHCPv6)
	return ifc
}

// cohere applies the rules that tie the RA to the link's DHCPv6 server,
// and warns about contradictions between them.
func (v *validator) cohere(ifc *Interface, ra *rawRA, rd *rawLinkDHC) {
	at := string(ra.Pos)
	d := ifc.DHCPv6
	if d == nil {
		if ifc.RA.Managed {
			v.warnf(join(at, "managed"), "managed = true but radish serves no DHCPv6 on this link ([interface.dhcpv6] is absent): hosts will wait for another DHCPv6 server")
		}
		if !ifc.RA.SendAdvert {
			v.warnf(at, "send_advert = false and no [interface.dhcpv6]: this stanza serves nothing")
		}
		return
	}
	if ifc.RA.Managed {
		v.warnf(join(at, "managed"), "managed = true asks hosts for stateful DHCPv6 addresses, which radish (stateless) does not assign")
	}
	if ra.OtherConfig == nil && d.SetOtherConfig {
		ifc.RA.OtherConfig = true
	} else if ra.OtherConfig != nil && !*ra.OtherConfig && !ifc.RA.Managed && ifc.RA.SendAdvert {
		v.warnf(join(at, "other_config"), "DHCPv6 is served on this link but other_config = false: hosts will not ask for it")
	}
	if !d.DNSInRA {
		return
	}
	life := lifetimeDefault(ifc.RA.MaxInterval)
	dline := v.lines.line(string(rd.Pos))
	if len(ifc.RA.RDNSS) == 0 && len(d.DNSServers) > 0 {
		ifc.RA.RDNSS = []RDNSS{{Servers: d.DNSServers, Lifetime: life, Flush: true, Line: dline}}
	}
	if len(ifc.RA.DNSSL) == 0 && len(d.DomainSearch) > 0 {
		ifc.RA.DNSSL = []DNSSL{{Domains: d.DomainSearch, Lifetime: life, Flush: true, Line: dline}}
	}
}

// lifetimeDefault is radvd's 3 × MaxRtrAdvInterval default, at least 1 s.
func lifetimeDefault(max time.Duration) uint32 {
	s := int64(3 * max / time.Second)
	return uint32(min(max64(s, 1), int64(Infinity-1)))
}

func max64(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}

// checkIfaceName returns a problem with a link name or pattern, or "".
func checkIfaceName(name string, allowPattern bool) string {
	switch {
	case name == "":
		return "must not be empty"
	case strings.ContainsAny(name, "/ \t\n:") || name == "." || name == "..":
		return fmt.Sprintf("%q is not a valid link name", name)
	case allowPattern && IsPattern(name):
		if _, err := path.Match(name, ""); err != nil {
			return fmt.Sprintf("%q is not a valid pattern: %v", name, err)
		}
	case len(name) > maxInterfaceNameBytes:
		return fmt.Sprintf("%q is longer than %d bytes", name, maxInterfaceNameBytes)
	case !allowPattern && IsPattern(name):
		return fmt.Sprintf("%q must be a link name, not a pattern", name)
	}
	return ""
}

// Scalar helpers. Each reports under path and returns def on problems.

func boolOr(b *bool, def bool) bool {
	if b == nil {
		return def
	}
	return *b
}

func (v *validator) enum(path string, s *string, def string, allowed ...string) string {
	if s == nil {
		return def
	}
	for _, a := range allowed {
		if *s == a {
			return a
		}
	}
	v.errorf(path, "%q is not one of %s", *s, strings.Join(allowed, ", "))
	return def
}

func (v *validator) intIn(path string, x *int64, lo, hi, def int64) int64 {
	if x == nil {
		return def
	}
	if *x < lo || *x > hi {
		v.errorf(path, "%d is out of range %d..%d", *x, lo, hi)
		return def
	}
	return *x
}

// lifetimeIn checks a lifetime ("infinity" allowed when hi is Infinity).
func (v *validator) lifetimeIn(path string, x *lifetime, hi uint32, def uint32) uint32 {
	if x == nil {
		return def
	}
	if uint64(*x) > uint64(hi) {
		v.errorf(path, "%s is above the maximum %d", fmtLifetime(uint32(*x)), hi)
		return def
	}
	return uint32(*x)
}

func fmtLifetime(l uint32) string {
	if l == Infinity {
		return `"infinity"`
	}
	return strconv.FormatUint(uint64(l), 10)
}

// duration converts seconds, rounding to the nanosecond.
func duration(s seconds) time.Duration {
	f := float64(s) * float64(time.Second)
	if f >= math.MaxInt64 || f <= math.MinInt64 {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(math.Round(f))
}

// fmtSeconds prints a duration as seconds ("4s", "0.07s").
func fmtSeconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + "s"
}

func (v *validator) addr(path, s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is6() || a.Zone() != "" || a.Is4In6() {
		v.errorf(path, "%q is not an IPv6 address", s)
		return netip.Addr{}, false
	}
	return a, true
}

// unicast parses an IPv6 unicast address (not ::, not multicast).
func (v *validator) unicast(path, s string) (netip.Addr, bool) {
	a, ok := v.addr(path, s)
	if ok && (a.IsUnspecified() || a.IsMulticast() || a.IsLoopback()) {
		v.errorf(path, "%s is not a unicast address", a)
		return a, false
	}
	return a, ok
}

func (v *validator) unicasts(path string, list []string) []netip.Addr {
	var out []netip.Addr
	for i, s := range list {
		if a, ok := v.unicast(join(path, strconv.Itoa(i)), s); ok {
			out = append(out, a)
		}
	}
	return out
}

// prefix parses an IPv6 prefix; host bits are masked off with a warning.
func (v *validator) prefix(path, s string) (netip.Prefix, bool) {
	p, err := netip.ParsePrefix(s)
	if err != nil || !p.Addr().Is6() || p.Addr().Is4In6() {
		v.errorf(path, "%q is not an IPv6 prefix (ADDRESS/LENGTH)", s)
		return netip.Prefix{}, false
	}
	if m := p.Masked(); m != p {
		v.warnf(path, "%s has host bits set; using %s", p, m)
		p = m
	}
	return p, true
}

func (v *validator) prefixes(path string, list []string) []netip.Prefix {
	var out []netip.Prefix
	for i, s := range list {
		if p, ok := v.prefix(join(path, strconv.Itoa(i)), s); ok {
			out = append(out, p)
		}
	}
	return out
}
