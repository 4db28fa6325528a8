package radvdconf_test

import (
	"bytes"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/radish-net/radish/config"
	"github.com/radish-net/radish/config/radvdconf"
)

// checkModel asserts the invariants every accepted configuration holds.
func checkModel(t *testing.T, res *radvdconf.Result) {
	t.Helper()
	seen := map[string]bool{}
	for _, ifc := range res.Config.Interfaces {
		ra := ifc.RA
		// Patterns may be longer than a link name, as in the TOML format.
		if ifc.Name == "" || len(ifc.Name) > 15 && !ifc.Pattern || seen[ifc.Name] {
			t.Errorf("bad or duplicate interface name %q", ifc.Name)
		}
		seen[ifc.Name] = true
		// radvd sends one 6LoWPAN option of each kind, with its values
		// inside the fields.
		if len(ra.LoWPANContexts) > 1 || len(ra.ABROs) > 1 {
			t.Errorf("%s: %d lowpanco and %d abro options, want at most one each", ifc.Name, len(ra.LoWPANContexts), len(ra.ABROs))
		}
		for _, c := range ra.LoWPANContexts {
			if c.ID > 15 || !c.Prefix.IsValid() || c.Prefix.Addr() != netip.IPv6Unspecified() {
				t.Errorf("%s: lowpanco %+v", ifc.Name, c)
			}
		}
		if ifc.Pattern != config.IsPattern(ifc.Name) {
			t.Errorf("%s: Pattern = %v", ifc.Name, ifc.Pattern)
		}
		mipv6 := ra.HomeAgentFlag || ra.HomeAgentInfo || ra.IntervalOpt
		for _, p := range ra.Prefixes {
			mipv6 = mipv6 || p.RouterAddr
		}
		floor := 3 * time.Second
		if mipv6 {
			floor = 30 * time.Millisecond
		}
		if ra.MaxInterval > 65535*time.Second || ra.MinInterval < floor || ra.MinInterval > ra.MaxInterval*3/4 {
			t.Errorf("%s: intervals min %v max %v", ifc.Name, ra.MinInterval, ra.MaxInterval)
		}
		if ra.MinDelayBetweenRAs < floor {
			t.Errorf("%s: MinDelayBetweenRAs %v", ifc.Name, ra.MinDelayBetweenRAs)
		}
		if ra.DefaultLifetime != 0 && (ra.DefaultLifetime < ra.MaxInterval.Truncate(time.Second) || ra.DefaultLifetime > 65535*time.Second) {
			t.Errorf("%s: DefaultLifetime %v with max %v", ifc.Name, ra.DefaultLifetime, ra.MaxInterval)
		}
		if ra.LinkMTU != 0 && ra.LinkMTU < 1280 || ra.RAMTU < 1280 || ra.RAMTU > 131072 || ra.ReachableTime > 3600000 {
			t.Errorf("%s: MTU %d / RA MTU %d / reachable %d", ifc.Name, ra.LinkMTU, ra.RAMTU, ra.ReachableTime)
		}
		if ra.HomeAgentInfo && (!ra.HomeAgentFlag || ra.HomeAgentLifetime < 1 || ra.HomeAgentLifetime > 65520) {
			t.Errorf("%s: home agent settings %+v", ifc.Name, ra)
		}
		if ra.MobRtrSupportFlag && !ra.HomeAgentInfo {
			t.Errorf("%s: AdvMobRtrSupportFlag without AdvHomeAgentInfo", ifc.Name)
		}
		for _, p := range ra.Prefixes {
			if p.Prefix != p.Prefix.Masked() || p.PreferredLifetime > p.ValidLifetime {
				t.Errorf("%s: prefix %+v", ifc.Name, p)
			}
			// Auto follows the address as written (0:1::/0 is not
			// automatic although it masks to ::/0), as in radvd.
			if p.Auto && !p.Prefix.Addr().IsUnspecified() {
				t.Errorf("%s: prefix %v Auto = %v", ifc.Name, p.Prefix, p.Auto)
			}
		}
		for _, r := range ra.Routes {
			if r.Prefix != r.Prefix.Masked() {
				t.Errorf("%s: route %v not masked", ifc.Name, r.Prefix)
			}
		}
		for _, r := range ra.RDNSS {
			if len(r.Servers) == 0 || len(r.Servers) > 127 {
				t.Errorf("%s: RDNSS with %d servers", ifc.Name, len(r.Servers))
			}
		}
		for _, d := range ra.DNSSL {
			for _, name := range d.Domains {
				if name == "" || name != strings.ToLower(name) || strings.HasSuffix(name, ".") || strings.Contains(name, "..") {
					t.Errorf("%s: DNSSL name %q", ifc.Name, name)
				}
			}
		}
		for _, n := range ra.PREF64 {
			switch n.Prefix.Bits() {
			case 32, 40, 48, 56, 64, 96:
			default:
				t.Errorf("%s: PREF64 length %d", ifc.Name, n.Prefix.Bits())
			}
			if n.Lifetime > 65528 {
				t.Errorf("%s: PREF64 lifetime %d", ifc.Name, n.Lifetime)
			}
		}
		if ra.CaptivePortalAPI != "" && strings.HasPrefix(ra.CaptivePortalAPI, `"`) {
			t.Errorf("%s: captive portal URI keeps its quotes: %q", ifc.Name, ra.CaptivePortalAPI)
		}
	}
}

// FuzzParse: no input panics; an accepted input yields a model that holds
// every invariant and that radish's TOML loader accepts; a rejected one yields a non-empty ErrorList whose
// messages all name the file and a line.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.conf")
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		res, err := radvdconf.Parse("fuzz.conf", src)
		if err != nil {
			var list radvdconf.ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("error %T %v is not a non-empty ErrorList", err, err)
			}
			for _, e := range list {
				if !strings.HasPrefix(e.Error(), "fuzz.conf:") || e.Line < 1 {
					t.Fatalf("message %q does not name file and line", e.Error())
				}
			}
			return
		}
		checkModel(t, res)
		if slices.ContainsFunc(res.Config.Interfaces, radvdOnlyMIPv6) {
			return
		}
		// The model is the TOML format's too: its loader must accept the
		// same configuration written as TOML.
		var buf bytes.Buffer
		if err := config.Encode(&buf, res.Config); err != nil {
			t.Fatalf("Encode: %v", err)
		}
		if _, err := config.Parse("fuzz.toml", buf.Bytes()); err != nil {
			t.Fatalf("the TOML loader rejects the model of an accepted file: %v\n%s", err, buf.Bytes())
		}
	})
}
