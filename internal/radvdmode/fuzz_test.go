package radvdmode_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/radish-net/radish/internal/radvdmode"
)

// FuzzParseSettings: ParseSettings never panics, and what it accepts
// holds only valid values (unicast RDNSS servers, lower-case domains, a
// known mode), so that an overlay can never make a configuration invalid.
func FuzzParseSettings(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/settings/*.toml")
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("[overlay]\nrdnss = [\"::1\"]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := radvdmode.ParseSettings("fuzz.toml", data)
		if err != nil {
			return
		}
		if s.Mode != radvdmode.ModeServe && s.Mode != radvdmode.ModeDefer {
			t.Fatalf("mode %d", s.Mode)
		}
		for _, a := range s.Overlay.RDNSS {
			if !a.Is6() || a.Is4In6() || a.IsMulticast() || a.IsLoopback() || a.IsUnspecified() || a.Zone() != "" {
				t.Fatalf("accepted RDNSS server %v", a)
			}
		}
		for _, d := range s.Overlay.DNSSL {
			for _, c := range []byte(d) {
				if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
					t.Fatalf("accepted domain %q", d)
				}
			}
		}
	})
}

// TestSettingsExamples loads the example settings files.
func TestSettingsExamples(t *testing.T) {
	files, _ := filepath.Glob("testdata/settings/*.toml")
	if len(files) == 0 {
		t.Fatal("no examples")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := radvdmode.ParseSettings(f, b); err != nil {
				t.Fatal(err)
			}
		})
	}
}
