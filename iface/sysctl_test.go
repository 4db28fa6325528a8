package iface_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/radish-net/radish/iface"
	"github.com/radish-net/radish/internal/netlab"
)

func TestProcSysctlTree(t *testing.T) {
	root := t.TempDir()
	for _, dir := range []string{"eth0", "eth0.100", "all"} {
		d := filepath.Join(root, "net", "ipv6", "conf", dir)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "forwarding"), []byte("0\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s := iface.ProcSysctl{Root: root}

	for _, ifName := range []string{"eth0", "eth0.100", "all"} {
		t.Run(ifName, func(t *testing.T) {
			if v, err := s.IPv6(ifName, "forwarding"); err != nil || v != "0" {
				t.Fatalf("IPv6 = %q, %v; want \"0\"", v, err)
			}
			if err := s.SetIPv6(ifName, "forwarding", "1"); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(filepath.Join(root, "net/ipv6/conf", ifName, "forwarding"))
			if err != nil || string(b) != "1" {
				t.Errorf("file holds %q (%v) after SetIPv6, want \"1\"", b, err)
			}
		})
	}

	t.Run("missing key is not created", func(t *testing.T) {
		if err := s.SetIPv6("eth0", "no_such_key", "1"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("SetIPv6 of a missing key: %v, want ErrNotExist", err)
		}
		if _, err := os.Stat(filepath.Join(root, "net/ipv6/conf/eth0/no_such_key")); err == nil {
			t.Error("SetIPv6 created a file")
		}
		if _, err := s.IPv6("eth1", "forwarding"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("IPv6 of a missing link: %v, want ErrNotExist", err)
		}
	})

	bad := []struct{ ifName, key string }{
		{"", "forwarding"}, {"eth0", ""}, {"..", "forwarding"}, {".", "forwarding"},
		{"eth0", ".."}, {"../../..", "passwd"}, {"eth0/../eth1", "forwarding"},
		{"eth0", "neigh/default"}, {"eth\x000", "forwarding"},
	}
	for _, b := range bad {
		t.Run("reject "+strings.ReplaceAll(b.ifName+"|"+b.key, "/", "∕"), func(t *testing.T) {
			if _, err := s.IPv6(b.ifName, b.key); !errors.Is(err, iface.ErrSysctlName) {
				t.Errorf("IPv6(%q, %q): %v, want ErrSysctlName", b.ifName, b.key, err)
			}
			if err := s.SetIPv6(b.ifName, b.key, "1"); !errors.Is(err, iface.ErrSysctlName) {
				t.Errorf("SetIPv6(%q, %q): %v, want ErrSysctlName", b.ifName, b.key, err)
			}
		})
	}
}

// TestProcSysctlKernel writes a real sysctl of a link whose name contains
// a dot, inside a namespace, and reads it back with sysctl(8), whose
// dotted notation writes that dot as a slash.
func TestProcSysctlKernel(t *testing.T) {
	l := netlab.New(t)
	ns := l.Namespace("s")
	l.Veth(ns, "sy.1", ns, "sy.2")
	s := iface.ProcSysctl{Root: "/proc/sys"}
	for _, v := range []string{"0", "1"} {
		if err := ns.Do(func() error { return s.SetIPv6("sy.1", "accept_ra", v) }); err != nil {
			t.Fatal(err)
		}
		out, _, err := ns.Run(context.Background(), "sysctl", "-n", "net.ipv6.conf.sy/1.accept_ra")
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.TrimSpace(out); got != v {
			t.Errorf("sysctl(8) reads %q after SetIPv6 %q", got, v)
		}
		var got string
		if err := ns.Do(func() (err error) { got, err = s.IPv6("sy.1", "accept_ra"); return err }); err != nil || got != v {
			t.Errorf("IPv6 = %q, %v; want %q", got, err, v)
		}
	}
}

func TestNeighbourLimit(t *testing.T) {
	root := t.TempDir()
	s := iface.ProcSysctl{Root: root}
	if _, err := s.NeighbourLimit(); err == nil {
		t.Error("no error without the file (as outside the initial namespace)")
	}
	d := filepath.Join(root, "net/ipv6/neigh/default")
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		file string
		want int
		ok   bool
	}{{"1024\n", 1024, true}, {"8192", 8192, true}, {"many\n", 0, false}} {
		if err := os.WriteFile(filepath.Join(d, "gc_thresh3"), []byte(c.file), 0o644); err != nil {
			t.Fatal(err)
		}
		n, err := s.NeighbourLimit()
		if (err == nil) != c.ok || n != c.want {
			t.Errorf("gc_thresh3 %q: %d, %v; want %d (ok %v)", c.file, n, err, c.want, c.ok)
		}
	}
}
