package config_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/radish-net/radish/config"
)

// FuzzParse checks that no input panics, that errors name the file, and
// that an accepted configuration survives Encode and re-validation.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("../examples/*.toml")
	files = append(files, "reference.toml")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		rich,
		"",
		iface("ra.max_interval = 2"),
		iface("[[interface.ra.prefix]]", `prefix = "2001:db8::1/64"`, `valid_lifetime = "infinity"`),
		iface("[interface.dhcpv6]", `vendor = [{enterprise = 1, options = [{code = 1, hex = "0a"}]}]`),
		doc("[dhcpv6.duid]", `type = "uuid"`, `uuid = "6f1a2c3e-9b4d-4e5f-8a7b-1c2d3e4f5a6b"`),
		doc("a = '''", "x'''", `b = """\`, `"""`, "c = [{d = 1,", "e = 2}]"),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := config.Parse("fuzz.toml", data)
		if err != nil {
			for l := range strings.SplitSeq(err.Error(), "\n") {
				if !strings.HasPrefix(l, "fuzz.toml") {
					t.Fatalf("error line %q does not name the file", l)
				}
			}
			return
		}
		var buf bytes.Buffer
		if err := config.Encode(&buf, c); err != nil {
			t.Fatal(err)
		}
		c2, err := config.Parse("fuzz.toml", buf.Bytes())
		if err != nil {
			t.Fatalf("accepted config does not re-validate: %v\n%s", err, buf.String())
		}
		if d := diff(noLines(c2), noLines(c)); d != "" {
			t.Fatalf("Parse(Encode(c)) != c: %s\n%s", d, buf.String())
		}
	})
}

// FuzzKeyLines checks the key-line scanner against the TOML parser: every
// key the parser reports is found by the scanner, on a line of the input.
func FuzzKeyLines(f *testing.F) {
	files, _ := filepath.Glob("../examples/*.toml")
	files = append(files, "reference.toml")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add(rich)
	f.Add(doc("a = '''", "x'''", `b = """\`, `"""`, "c = [{d = 1,", "e = 2}]", "[f]", `"g.h" = 1`, "[[i.j]]", "k.l = [[1], [2]]"))
	f.Fuzz(func(t *testing.T, src string) {
		var tree map[string]any
		md, err := toml.Decode(src, &tree)
		if err != nil {
			return
		}
		lines := config.KeyLines(src)
		found := map[string]bool{}
		nlines := strings.Count(src, "\n") + 1
		for path, l := range lines {
			if l < 1 || l > nlines {
				t.Fatalf("%s on line %d of %d", path, l, nlines)
			}
			found[stripIndexes(path)] = true
		}
		for _, k := range md.Keys() {
			if slices.ContainsFunc(k, func(s string) bool { return strings.ContainsAny(s, `.\`) || strings.Trim(s, "0123456789") == "" }) {
				continue // ambiguous once joined with dots
			}
			if !found[strings.Join(k, ".")] {
				t.Fatalf("key %q not found by the scanner; it found %v", k, lines)
			}
		}
	})
}
