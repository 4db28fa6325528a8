package ifacetest_test

import (
	"errors"
	"io/fs"
	"sync"
	"testing"

	"github.com/radish-net/radish/iface"
	"github.com/radish-net/radish/iface/ifacetest"
)

func TestFakeSysctl(t *testing.T) {
	var s ifacetest.FakeSysctl
	s.Set("eth0.100", "forwarding", "0")
	tests := []struct {
		name          string
		ifName, key   string
		set           string
		wantErr       error
		wantAfterRead string
	}{
		{"existing key", "eth0.100", "forwarding", "1", nil, "1"},
		{"missing key", "eth0.100", "accept_ra", "2", fs.ErrNotExist, ""},
		{"missing link", "eth1", "forwarding", "1", fs.ErrNotExist, ""},
		{"bad name", "..", "forwarding", "1", iface.ErrSysctlName, ""},
		{"bad key", "eth0.100", "a/b", "1", iface.ErrSysctlName, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.SetIPv6(tt.ifName, tt.key, tt.set)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("SetIPv6: %v, want %v", err, tt.wantErr)
			}
			v, err := s.IPv6(tt.ifName, tt.key)
			if !errors.Is(err, tt.wantErr) || v != tt.wantAfterRead {
				t.Errorf("IPv6 = %q, %v; want %q, %v", v, err, tt.wantAfterRead, tt.wantErr)
			}
		})
	}
	if w := s.Writes(); len(w) != 1 || w[0] != (ifacetest.SysctlWrite{IfName: "eth0.100", Key: "forwarding", Value: "1"}) {
		t.Errorf("Writes = %+v", w)
	}
	if v := s.Values(); len(v) != 1 || v["eth0.100/forwarding"] != "1" {
		t.Errorf("Values = %v", v)
	}
	s.Delete("eth0.100", "forwarding")
	if _, err := s.IPv6("eth0.100", "forwarding"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("after Delete: %v", err)
	}
}

func TestFakeSysctlConcurrent(t *testing.T) {
	var s ifacetest.FakeSysctl
	s.Set("eth0", "hop_limit", "64")
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				s.SetIPv6("eth0", "hop_limit", "64")
				s.IPv6("eth0", "hop_limit")
			}
		})
	}
	wg.Wait()
	if n := len(s.Writes()); n != 800 {
		t.Errorf("%d writes recorded, want 800", n)
	}
}
