package radvdmode_test

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/radish-net/radish/config"
	"github.com/radish-net/radish/internal/radvdmode"
)

func TestParseSettings(t *testing.T) {
	src := `# operator settings
mode = "defer"

[sysctl]
write = false

[overlay]
interfaces = ["qr-*", "br100"]
managed = false
other_config = true
preference = "high"
rdnss = [
  "2001:db8::53",
  "2001:db8::54",
]
rdnss_lifetime = "infinity"
dnssl = ["Example.COM."]
dnssl_lifetime = 1200
`
	s, err := radvdmode.ParseSettings("radvd.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	o := s.Overlay
	switch {
	case s.Mode != radvdmode.ModeDefer || s.WriteSysctls || s.Source != "radvd.toml":
		t.Errorf("mode %v, write %v, source %q", s.Mode, s.WriteSysctls, s.Source)
	case len(o.Interfaces) != 2 || o.Interfaces[0] != "qr-*":
		t.Errorf("interfaces %q", o.Interfaces)
	case o.Managed == nil || *o.Managed || o.OtherConfig == nil || !*o.OtherConfig:
		t.Errorf("flags %v %v", o.Managed, o.OtherConfig)
	case o.Preference == nil || *o.Preference != config.PreferenceHigh:
		t.Errorf("preference %v", o.Preference)
	case len(o.RDNSS) != 2 || o.RDNSS[1] != netip.MustParseAddr("2001:db8::54"):
		t.Errorf("rdnss %v", o.RDNSS)
	case o.RDNSSLifetime == nil || *o.RDNSSLifetime != config.Infinity:
		t.Errorf("rdnss lifetime %v", o.RDNSSLifetime)
	case len(o.DNSSL) != 1 || o.DNSSL[0] != "example.com" || o.DNSSLLifetime == nil || *o.DNSSLLifetime != 1200:
		t.Errorf("dnssl %q %v", o.DNSSL, o.DNSSLLifetime)
	}

	d, err := radvdmode.ParseSettings("empty.toml", nil)
	if err != nil || d.Mode != radvdmode.ModeServe || !d.WriteSysctls || !d.Overlay.Empty() {
		t.Errorf("empty file: %+v, %v; want the defaults", d, err)
	}
}

// TestParseSettingsErrors checks that every error names the file, the
// line and the key.
func TestParseSettingsErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string // each "FILE:LINE: KEY: fragment"
	}{
		{"unknown key", "mode = \"serve\"\nmodes = 1\n", []string{"s.toml:2: modes: unknown key"}},
		{"unknown table", "[overlays]\nmanaged = true\n", []string{"s.toml:1: overlays: unknown table"}},
		{"unknown overlay key", "[overlay]\n\nother = true\n", []string{"s.toml:3: overlay.other: unknown key"}},
		{"bad mode", "mode = \"off\"\n", []string{`s.toml:1: mode: mode "off" is neither`}},
		{"mode type", "mode = 1\n", []string{"s.toml:1: mode: want a string, got an integer"}},
		{"write type", "[sysctl]\nwrite = \"yes\"\n", []string{"s.toml:2: sysctl.write: want a boolean"}},
		{"preference", "[overlay]\npreference = \"highest\"\n", []string{`s.toml:2: overlay.preference: "highest" is not low`}},
		{"rdnss", "[overlay]\nrdnss = [\"ff02::1\", \"10.0.0.1\"]\n", []string{
			"s.toml:2: overlay.rdnss: ff02::1 is not a unicast address",
			`s.toml:2: overlay.rdnss: "10.0.0.1" is not an IPv6 address`}},
		{"rdnss element", "[overlay]\nrdnss = [1]\n", []string{"s.toml:2: overlay.rdnss: element 0: want a string"}},
		{"dnssl", "[overlay]\ndnssl = [\"a..b\", \"x_y.com\"]\n", []string{
			`s.toml:2: overlay.dnssl: "a..b": every label`, `s.toml:2: overlay.dnssl: "x_y.com": character '_'`}},
		{"lifetime", "[overlay]\nrdnss_lifetime = -1\ndnssl_lifetime = \"forever\"\n", []string{
			"s.toml:2: overlay.rdnss_lifetime: -1 is out of range", `s.toml:3: overlay.dnssl_lifetime: want seconds or "infinity"`}},
		{"pattern", "[overlay]\ninterfaces = [\"[\"]\n", []string{`s.toml:2: overlay.interfaces: invalid pattern "["`}},
		{"syntax", "mode = \n", []string{"s.toml:1: "}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := radvdmode.ParseSettings("s.toml", []byte(tc.src))
			if err == nil {
				t.Fatal("accepted")
			}
			var ce *config.Error
			if !errors.As(err, &ce) || ce.File != "s.toml" || ce.Line == 0 {
				t.Errorf("error %v does not name file and line", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%v\nlacks %q", err, w)
				}
			}
		})
	}
}

func TestLoadSettings(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "radvd.toml")
	if err := os.WriteFile(good, []byte("mode = \"defer\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	for _, tc := range []struct {
		name    string
		env     map[string]string
		want    radvdmode.Mode
		wantErr string
	}{
		{"file", map[string]string{radvdmode.EnvSettings: good}, radvdmode.ModeDefer, ""},
		{"env wins", map[string]string{radvdmode.EnvSettings: good, radvdmode.EnvMode: "serve"}, radvdmode.ModeServe, ""},
		{"env only", map[string]string{radvdmode.EnvSettings: filepath.Join(dir, "none"), radvdmode.EnvMode: "defer"}, 0, "no such file"},
		{"bad env mode", map[string]string{radvdmode.EnvSettings: good, radvdmode.EnvMode: "loud"}, 0, radvdmode.EnvMode},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := radvdmode.LoadSettings(env(tc.env))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || s.Mode != tc.want {
				t.Fatalf("mode %v, err %v; want %v", s.Mode, err, tc.want)
			}
		})
	}
}
