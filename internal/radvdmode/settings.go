package radvdmode

import (
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/radish-net/radish/config"
)

// Where the radvd personality's own settings come from. They live outside
// radvd.conf because the programs that spawn radvd regenerate that file.
const (
	// DefaultSettingsPath is read when EnvSettings is unset. A missing
	// file there means the defaults (serve, sysctls written as radvd does,
	// no overlay).
	DefaultSettingsPath = "/etc/radish/radvd.toml"
	// EnvSettings names another settings file; it must exist.
	EnvSettings = "RADISH_RADVD_CONFIG"
	// EnvMode, when set, overrides the file's mode ("serve" or "defer").
	EnvMode = "RADISH_RADVD_MODE"
)

// Mode is what the radvd personality does with a valid radvd.conf.
type Mode uint8

// Modes.
const (
	// ModeServe advertises as radvd would from the same file.
	ModeServe Mode = iota
	// ModeDefer validates the file and keeps the whole daemon contract
	// (pidfile, identity, signals, reload) but sends nothing: an upstream
	// router is responsible for the link.
	ModeDefer
)

// String returns "serve" or "defer".
func (m Mode) String() string {
	if m == ModeDefer {
		return "defer"
	}
	return "serve"
}

// ParseMode maps "serve" or "defer" to its Mode.
func ParseMode(s string) (Mode, error) {
	switch s {
	case "serve":
		return ModeServe, nil
	case "defer":
		return ModeDefer, nil
	}
	return 0, fmt.Errorf("mode %q is neither \"serve\" nor \"defer\"", s)
}

// Settings are the operator's choices for the radvd personality, read from
// radvd.toml (see the README section "radish as /usr/sbin/radvd").
type Settings struct {
	Source string // file read, "" for the built-in defaults
	Mode   Mode
	// WriteSysctls: on setting a link up, write net.ipv6.conf.IF.hop_limit
	// (AdvCurHopLimit), .mtu (AdvLinkMTU, when set) and
	// net.ipv6.neigh.IF.base_reachable_time_ms / retrans_time_ms
	// (AdvReachableTime, AdvRetransTimer, when set), as radvd does.
	// Default true.
	WriteSysctls bool
	Overlay      Overlay
}

// Overlay is applied on top of whatever radvd.conf the caller wrote.
// Nil pointers and empty lists leave the file's values alone.
type Overlay struct {
	// Interfaces are glob patterns (path.Match) naming the radvd.conf
	// interfaces the overlay applies to; empty means every interface.
	Interfaces    []string
	Managed       *bool              // AdvManagedFlag
	OtherConfig   *bool              // AdvOtherConfigFlag
	Preference    *config.Preference // AdvDefaultPreference (RFC 4191 §2.2)
	RDNSS         []netip.Addr       // an extra RDNSS option (RFC 8106 §5.1)
	RDNSSLifetime *uint32            // its lifetime; default 3×MaxRtrAdvInterval
	DNSSL         []string           // an extra DNSSL option (RFC 8106 §5.2)
	DNSSLLifetime *uint32            // its lifetime; default 3×MaxRtrAdvInterval
}

// DefaultSettings are used when no settings file exists.
func DefaultSettings() Settings {
	return Settings{Mode: ModeServe, WriteSysctls: true}
}

// LoadSettings reads the settings selected by the environment (EnvSettings,
// else DefaultSettingsPath) and applies EnvMode. getenv is os.Getenv in
// production.
func LoadSettings(getenv func(string) string) (Settings, error) {
	p, must := getenv(EnvSettings), true
	if p == "" {
		p, must = DefaultSettingsPath, false
	}
	s := DefaultSettings()
	data, err := os.ReadFile(p)
	switch {
	case err == nil:
		if s, err = ParseSettings(p, data); err != nil {
			return Settings{}, err
		}
	case errors.Is(err, fs.ErrNotExist) && !must:
	default:
		return Settings{}, err
	}
	if m := getenv(EnvMode); m != "" {
		mode, err := ParseMode(m)
		if err != nil {
			return Settings{}, fmt.Errorf("%s: %w", EnvMode, err)
		}
		s.Mode = mode
	}
	return s, nil
}

// ParseSettings parses a radvd.toml document. Parsing is strict: unknown
// keys, wrong types and invalid values are errors, each naming
// FILE:LINE: KEY (a *config.Error; several are joined with errors.Join).
func ParseSettings(name string, data []byte) (Settings, error) {
	s := DefaultSettings()
	s.Source = name
	var tree map[string]any
	md, err := toml.Decode(string(data), &tree)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return Settings{}, &config.Error{File: name, Line: pe.Position.Line, Msg: oneLine(pe.Message)}
		}
		return Settings{}, &config.Error{File: name, Msg: oneLine(err.Error())}
	}
	p := &parser{file: name, lines: keyLines(string(data)), tree: tree}
	for _, k := range md.Keys() {
		key := k.String()
		if !slices.Contains(knownKeys, key) {
			msg := "unknown key"
			if len(k) == 1 && md.Type(key) == "Hash" {
				msg = "unknown table"
			}
			p.errorf(key, "%s", msg)
		}
	}
	if v, ok := p.str("mode"); ok {
		m, err := ParseMode(v)
		if err != nil {
			p.errorf("mode", "%v", err)
		}
		s.Mode = m
	}
	if v, ok := p.boolean("sysctl.write"); ok {
		s.WriteSysctls = v
	}
	o := &s.Overlay
	if v, ok := p.strings("overlay.interfaces"); ok {
		for _, pat := range v {
			if _, err := path.Match(pat, ""); err != nil || pat == "" {
				p.errorf("overlay.interfaces", "invalid pattern %q", pat)
			}
		}
		o.Interfaces = v
	}
	if v, ok := p.boolean("overlay.managed"); ok {
		o.Managed = &v
	}
	if v, ok := p.boolean("overlay.other_config"); ok {
		o.OtherConfig = &v
	}
	if v, ok := p.str("overlay.preference"); ok {
		var pref config.Preference
		switch v {
		case "low":
			pref = config.PreferenceLow
		case "medium":
			pref = config.PreferenceMedium
		case "high":
			pref = config.PreferenceHigh
		default:
			p.errorf("overlay.preference", "%q is not low, medium or high", v)
		}
		o.Preference = &pref
	}
	if v, ok := p.strings("overlay.rdnss"); ok {
		for _, a := range v {
			addr, err := netip.ParseAddr(a)
			switch {
			case err != nil || !addr.Is6() || addr.Zone() != "":
				p.errorf("overlay.rdnss", "%q is not an IPv6 address", a)
			case addr.Is4In6() || addr.IsUnspecified() || addr.IsMulticast() || addr.IsLoopback():
				p.errorf("overlay.rdnss", "%s is not a unicast address", a)
			default:
				o.RDNSS = append(o.RDNSS, addr)
			}
		}
		if len(v) > 127 {
			p.errorf("overlay.rdnss", "more than 127 servers")
		}
	}
	if v, ok := p.strings("overlay.dnssl"); ok {
		for _, d := range v {
			n, err := domainName(d)
			if err != nil {
				p.errorf("overlay.dnssl", "%q: %v", d, err)
				continue
			}
			o.DNSSL = append(o.DNSSL, n)
		}
	}
	if v, ok := p.lifetime("overlay.rdnss_lifetime"); ok {
		o.RDNSSLifetime = &v
	}
	if v, ok := p.lifetime("overlay.dnssl_lifetime"); ok {
		o.DNSSLLifetime = &v
	}
	if len(p.errs) > 0 {
		slices.SortStableFunc(p.errs, func(a, b error) int {
			return a.(*config.Error).Line - b.(*config.Error).Line
		})
		return Settings{}, errors.Join(p.errs...)
	}
	return s, nil
}

// knownKeys is the schema of radvd.toml.
var knownKeys = []string{
	"mode",
	"sysctl", "sysctl.write",
	"overlay", "overlay.interfaces", "overlay.managed", "overlay.other_config", "overlay.preference",
	"overlay.rdnss", "overlay.rdnss_lifetime", "overlay.dnssl", "overlay.dnssl_lifetime",
}

type parser struct {
	file  string
	lines map[string]int
	tree  map[string]any
	errs  []error
}

func (p *parser) errorf(key, format string, args ...any) {
	p.errs = append(p.errs, &config.Error{File: p.file, Line: p.lines[key], Key: key, Msg: oneLine(fmt.Sprintf(format, args...))})
}

// get returns the value at a dotted key and whether it is defined. The
// decoded tree, not MetaData, decides the Go type: the TOML decoder's
// MetaData can name a type the tree does not hold for odd documents.
func (p *parser) get(key string) (any, bool) {
	var v any = p.tree
	for part := range strings.SplitSeq(key, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[part]; !ok {
			return nil, false
		}
	}
	return v, true
}

func (p *parser) wrongType(key, want string, v any) {
	got := "another type"
	switch v.(type) {
	case string:
		got = "a string"
	case bool:
		got = "a boolean"
	case int64:
		got = "an integer"
	case float64:
		got = "a float"
	case []any, []map[string]any:
		got = "an array"
	case map[string]any:
		got = "a table"
	}
	p.errorf(key, "want %s, got %s", want, got)
}

func (p *parser) str(key string) (string, bool) {
	v, ok := p.get(key)
	if !ok {
		return "", false
	}
	s, ok := v.(string)
	if !ok {
		p.wrongType(key, "a string", v)
	}
	return s, ok
}

func (p *parser) boolean(key string) (bool, bool) {
	v, ok := p.get(key)
	if !ok {
		return false, false
	}
	b, ok := v.(bool)
	if !ok {
		p.wrongType(key, "a boolean", v)
	}
	return b, ok
}

func (p *parser) lifetime(key string) (uint32, bool) {
	v, ok := p.get(key)
	if !ok {
		return 0, false
	}
	switch n := v.(type) {
	case int64:
		if n < 0 || n > int64(config.Infinity) {
			p.errorf(key, "%d is out of range 0..4294967295", n)
			return 0, false
		}
		return uint32(n), true
	case string:
		if n == "infinity" {
			return config.Infinity, true
		}
	}
	p.errorf(key, "want seconds or \"infinity\"")
	return 0, false
}

func (p *parser) strings(key string) ([]string, bool) {
	v, ok := p.get(key)
	if !ok {
		return nil, false
	}
	arr, ok := v.([]any)
	if !ok {
		p.wrongType(key, "an array", v)
		return nil, false
	}
	out := make([]string, 0, len(arr))
	for i, v := range arr {
		s, ok := v.(string)
		if !ok {
			p.errorf(key, "element %d: want a string", i)
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

// keyLines maps the dotted keys of a small TOML document ([table] headers
// and key = value lines, no arrays of tables) to their lines.
func keyLines(src string) map[string]int {
	m := map[string]int{}
	table := ""
	depth := 0 // open brackets of a multi-line array
	for i, raw := range strings.Split(src, "\n") {
		line := strings.TrimSpace(stripComment(raw))
		if line == "" {
			continue
		}
		if depth > 0 {
			depth += strings.Count(line, "[") - strings.Count(line, "]")
			continue
		}
		if strings.HasPrefix(line, "[") {
			table = strings.Trim(strings.TrimSpace(strings.Trim(line, "[]")), `"`)
			if _, ok := m[table]; !ok {
				m[table] = i + 1
			}
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		k = strings.Trim(strings.TrimSpace(k), `"`)
		if table != "" {
			k = table + "." + k
		}
		if _, ok := m[k]; !ok {
			m[k] = i + 1
		}
		depth = strings.Count(v, "[") - strings.Count(v, "]")
	}
	return m
}

// stripComment removes a # comment that is not inside a quoted string.
func stripComment(s string) string {
	inStr := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			inStr = !inStr
		case '\\':
			if inStr {
				i++
			}
		case '#':
			if !inStr {
				return s[:i]
			}
		}
	}
	return s
}

// domainName checks a DNSSL search domain as radish's model requires and
// returns it lower-cased without a trailing dot.
func domainName(s string) (string, error) {
	n := strings.ToLower(strings.TrimSuffix(s, "."))
	if n == "" || len(n) > 253 {
		return "", errors.New("a domain name has 1 to 253 characters")
	}
	for label := range strings.SplitSeq(n, ".") {
		if label == "" || len(label) > 63 {
			return "", errors.New("every label has 1 to 63 characters")
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return "", errors.New("a label may not start or end with '-'")
		}
		for _, c := range []byte(label) {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return "", fmt.Errorf("character %q is not a letter, digit or '-'", c)
			}
		}
	}
	return n, nil
}

func oneLine(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r", `\r`), "\n", `\n`)
}
