package config_test

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/radish-net/radish/config"
)

// mustParse parses src as radish.toml and fails the test on an error.
func mustParse(t *testing.T, src string) *config.Config {
	t.Helper()
	c, err := config.Parse("radish.toml", []byte(src))
	if err != nil {
		t.Fatalf("Parse: %v\n--- input:\n%s", err, src)
	}
	return c
}

// noLines returns a copy of c with every Line field, Source and Warnings
// cleared, for comparing configurations written differently.
func noLines(c *config.Config) *config.Config {
	cp := *c
	cp.Source = ""
	cp.Warnings = nil
	cp.DHCPv6.Defaults.Line = 0
	cp.DHCPv6.Defaults.DNR = cloneZero(c.DHCPv6.Defaults.DNR, func(p *config.DNR) { p.Line = 0 })
	cp.Interfaces = make([]config.Interface, len(c.Interfaces))
	for i, ifc := range c.Interfaces {
		cp.Interfaces[i] = stripIface(ifc)
	}
	return &cp
}

func stripIface(ifc config.Interface) config.Interface {
	ifc.Line = 0
	ra := &ifc.RA
	ra.Prefixes = cloneZero(ra.Prefixes, func(p *config.Prefix) { p.Line = 0 })
	ra.Routes = cloneZero(ra.Routes, func(p *config.Route) { p.Line = 0 })
	ra.RDNSS = cloneZero(ra.RDNSS, func(p *config.RDNSS) { p.Line = 0 })
	ra.DNSSL = cloneZero(ra.DNSSL, func(p *config.DNSSL) { p.Line = 0 })
	ra.PREF64 = cloneZero(ra.PREF64, func(p *config.PREF64) { p.Line = 0 })
	ra.DNR = cloneZero(ra.DNR, func(p *config.DNR) { p.Line = 0 })
	ra.LoWPANContexts = cloneZero(ra.LoWPANContexts, func(p *config.LoWPANContext) { p.Line = 0 })
	ra.ABROs = cloneZero(ra.ABROs, func(p *config.ABRO) { p.Line = 0 })
	if ifc.DHCPv6 != nil {
		d := *ifc.DHCPv6
		d.Line = 0
		d.DNR = cloneZero(d.DNR, func(p *config.DNR) { p.Line = 0 })
		ifc.DHCPv6 = &d
	}
	return ifc
}

func cloneZero[T any](s []T, zero func(*T)) []T {
	if s == nil {
		return nil
	}
	out := make([]T, len(s))
	copy(out, s)
	for i := range out {
		zero(&out[i])
	}
	return out
}

// diff reports the first differing field path between a and b, or "".
func diff(a, b any) string {
	return diffValue("", reflect.ValueOf(a), reflect.ValueOf(b))
}

func diffValue(path string, a, b reflect.Value) string {
	if a.Kind() != b.Kind() {
		return path + ": kinds differ"
	}
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			if a.IsNil() != b.IsNil() {
				return path + ": one is nil"
			}
			return ""
		}
		return diffValue(path, a.Elem(), b.Elem())
	case reflect.Struct:
		if a.Type().PkgPath() != "github.com/radish-net/radish/config" {
			break // netip types and the like: compare as values
		}
		for i := range a.NumField() {
			if d := diffValue(path+"."+a.Type().Field(i).Name, a.Field(i), b.Field(i)); d != "" {
				return d
			}
		}
		return ""
	case reflect.Slice:
		if a.Len() != b.Len() {
			return path + ": lengths differ: " + fmtValue(a) + " vs " + fmtValue(b)
		}
		for i := range a.Len() {
			if d := diffValue(path+"["+strconv.Itoa(i)+"]", a.Index(i), b.Index(i)); d != "" {
				return d
			}
		}
		return ""
	}
	if !reflect.DeepEqual(a.Interface(), b.Interface()) {
		return path + ": " + fmtValue(a) + " vs " + fmtValue(b)
	}
	return ""
}

func fmtValue(v reflect.Value) string {
	return strings.ReplaceAll(fmt.Sprintf("%v", v.Interface()), "\n", " ")
}

func fmtAny(v any) string { return fmt.Sprint(v) }
