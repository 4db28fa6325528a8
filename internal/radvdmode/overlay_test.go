package radvdmode_test

import (
	"bytes"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/radish-net/radish/config"
	"github.com/radish-net/radish/config/radvdconf"
	"github.com/radish-net/radish/internal/radvdmode"
)

const overlayConf = `interface qr-1 {
	AdvSendAdvert on;
	MaxRtrAdvInterval 100;
	AdvManagedFlag on;
	prefix 2001:db8:1::/64 { };
	RDNSS 2001:db8::53 { };
};
interface br100 {
	AdvSendAdvert on;
	prefix 2001:db8:2::/64 { };
};
`

func parseConf(t *testing.T, src string) *config.Config {
	t.Helper()
	res, err := radvdconf.Parse("radvd.conf", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return res.Config
}

func TestOverlayApply(t *testing.T) {
	s, err := radvdmode.ParseSettings("o.toml", []byte(`[overlay]
interfaces = ["qr-*"]
managed = false
other_config = true
preference = "low"
rdnss = ["2001:db8::53", "2001:db8::54"]
dnssl = ["example.net"]
dnssl_lifetime = 77
`))
	if err != nil {
		t.Fatal(err)
	}
	orig := parseConf(t, overlayConf)
	before := encode(t, orig)
	got := s.Overlay.Apply(orig)
	if encode(t, orig) != before {
		t.Fatal("Apply modified its input")
	}
	qr, br := got.Interfaces[0].RA, got.Interfaces[1].RA
	if qr.Managed || !qr.OtherConfig || qr.DefaultPreference != config.PreferenceLow {
		t.Errorf("qr-1 flags M=%v O=%v pref=%v", qr.Managed, qr.OtherConfig, qr.DefaultPreference)
	}
	// The server the file already advertises is not repeated; the extra
	// option follows the file's own, with radvd's 3×Max lifetime.
	wantRDNSS := []config.RDNSS{
		{Servers: []netip.Addr{netip.MustParseAddr("2001:db8::53")}, Lifetime: 300, Flush: true},
		{Servers: []netip.Addr{netip.MustParseAddr("2001:db8::54")}, Lifetime: 300, Flush: true},
	}
	if len(qr.RDNSS) != 2 {
		t.Fatalf("qr-1 RDNSS %+v", qr.RDNSS)
	}
	for i, w := range wantRDNSS {
		g := qr.RDNSS[i]
		if !slices.Equal(g.Servers, w.Servers) || g.Lifetime != w.Lifetime || g.Flush != w.Flush {
			t.Errorf("RDNSS[%d] = %+v, want %+v", i, g, w)
		}
	}
	if len(qr.DNSSL) != 1 || qr.DNSSL[0].Domains[0] != "example.net" || qr.DNSSL[0].Lifetime != 77 {
		t.Errorf("qr-1 DNSSL %+v", qr.DNSSL)
	}
	// br100 is out of scope and untouched.
	if br.OtherConfig || br.DefaultPreference != config.PreferenceMedium || len(br.RDNSS) != 0 || len(br.DNSSL) != 0 {
		t.Errorf("br100 changed: %+v", br)
	}

	// The result is a valid radish configuration.
	out := encode(t, got)
	if _, err := config.Parse("overlaid.toml", []byte(out)); err != nil {
		t.Errorf("overlaid configuration does not load as TOML: %v\n%s", err, out)
	}
}

func TestOverlayEmptyAndScope(t *testing.T) {
	c := parseConf(t, overlayConf)
	var o radvdmode.Overlay
	if got := o.Apply(c); got != c {
		t.Error("an empty overlay must return its input")
	}
	for _, tc := range []struct {
		pats []string
		name string
		want bool
	}{
		{nil, "eth0", true},
		{[]string{"*"}, "eth0", true},
		{[]string{"qr-*"}, "qr-abc", true},
		{[]string{"qr-*"}, "br100", false},
		{[]string{"br100", "eth?"}, "eth1", true},
	} {
		o := radvdmode.Overlay{Interfaces: tc.pats}
		if got := o.Applies(tc.name); got != tc.want {
			t.Errorf("Applies(%q) with %q = %v, want %v", tc.name, tc.pats, got, tc.want)
		}
	}
}

func encode(t *testing.T, c *config.Config) string {
	t.Helper()
	var b bytes.Buffer
	if err := config.Encode(&b, c); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestCheckRadvd(t *testing.T) {
	for _, file := range []string{"testdata/neutron_stateless.conf", "testdata/pfsense_full.conf"} {
		t.Run(file, func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := radvdmode.CheckRadvd(file, &out, &errb); code != 0 {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			fromTOML, err := config.Parse("out.toml", out.Bytes())
			if err != nil {
				t.Fatalf("output does not load: %v\n%s", err, out.String())
			}
			res, err := radvdconf.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			// Encoding the TOML model again gives the same text: nothing
			// was lost between radvd.conf and TOML.
			if again := encode(t, fromTOML); again != out.String() {
				t.Errorf("TOML round trip differs:\n%s\nvs\n%s", out.String(), again)
			}
			if len(fromTOML.Interfaces) != len(res.Config.Interfaces) || fromTOML.Interfaces[0].Name != res.Config.Interfaces[0].Name {
				t.Errorf("interfaces differ: %+v", fromTOML.Interfaces)
			}
		})
	}
	var out, errb bytes.Buffer
	// Warnings keep radvd's FILE:LINE format, once.
	if code := radvdmode.CheckRadvd("testdata/lowpan_6lbr.conf", &out, &errb); code != 0 ||
		errb.String() != "testdata/lowpan_6lbr.conf:25 warning: only the first lowpanco block of an interface is sent (as in radvd); this one is ignored\n" {
		t.Errorf("lowpan_6lbr.conf: exit %d, stderr %q", code, errb.String())
	}
	if !strings.Contains(out.String(), "[[interface.ra.lowpan_context]]") || !strings.Contains(out.String(), "[[interface.ra.abro]]") {
		t.Errorf("lowpan_6lbr.conf: the 6LoWPAN options are missing from the TOML:\n%s", out.String())
	}
	out.Reset()
	errb.Reset()
	if code := radvdmode.CheckRadvd("testdata/reject_nova_typo.conf", &out, &errb); code != 1 || out.Len() != 0 {
		t.Errorf("broken file: exit %d, stdout %q", code, out.String())
	}
	if !strings.HasPrefix(errb.String(), "testdata/reject_nova_typo.conf:") || !strings.Contains(errb.String(), " error: ") {
		t.Errorf("stderr %q does not name FILE:LINE error:", errb.String())
	}
}
