package iface

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ErrSysctlName is returned (wrapped with the offending name) by
// ProcSysctl when an interface name or key could escape its directory
// under /proc/sys/net/ipv6/conf.
var ErrSysctlName = errors.New("iface: invalid sysctl name")

// ProcSysctl is the kernel's Sysctl: it reads and writes files under Root,
// normally "/proc/sys" (tests may point it at a directory tree of their
// own). The file for net.ipv6.conf.IFNAME.KEY is
// Root/net/ipv6/conf/IFNAME/KEY.
//
// Interface names are used verbatim as directory names: a VLAN link
// "eth0.100" is /proc/sys/net/ipv6/conf/eth0.100/. (Only sysctl(8)'s
// dotted notation needs the dot written as a slash,
// net.ipv6.conf.eth0/100.forwarding; paths never do.)
//
// /proc/sys/net shows the network namespace of the thread that opens the
// file, which for a Go program is the process's namespace unless the
// calling goroutine is locked to a thread that changed namespace.
type ProcSysctl struct {
	Root string
}

var _ Sysctl = ProcSysctl{}

// IPv6 returns the value of net.ipv6.conf.IFNAME.KEY with surrounding
// white space removed.
func (s ProcSysctl) IPv6(ifName, key string) (string, error) {
	p, err := s.path(ifName, key)
	if err != nil {
		return "", err
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return "", fmt.Errorf("iface: sysctl: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

// SetIPv6 writes value to net.ipv6.conf.IFNAME.KEY. The file must exist:
// sysctls are never created.
func (s ProcSysctl) SetIPv6(ifName, key, value string) error {
	p, err := s.path(ifName, key)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return fmt.Errorf("iface: sysctl: %w", err)
	}
	if _, err := f.WriteString(value); err != nil {
		f.Close()
		return fmt.Errorf("iface: sysctl: write %s: %w", p, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("iface: sysctl: %w", err)
	}
	return nil
}

// NeighbourLimit returns net.ipv6.neigh.default.gc_thresh3, the hard limit
// of the kernel's IPv6 neighbour table. The kernel shows it only in the
// initial network namespace; elsewhere (a container) it returns an error.
func (s ProcSysctl) NeighbourLimit() (int, error) {
	b, err := os.ReadFile(filepath.Join(s.Root, "net/ipv6/neigh/default/gc_thresh3"))
	if err != nil {
		return 0, fmt.Errorf("iface: sysctl: %w", err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0, fmt.Errorf("iface: sysctl: gc_thresh3: %w", err)
	}
	return n, nil
}

func (s ProcSysctl) path(ifName, key string) (string, error) {
	if err := CheckSysctlName(ifName, key); err != nil {
		return "", err
	}
	root := s.Root
	if root == "" {
		root = "/proc/sys"
	}
	return filepath.Join(root, "net", "ipv6", "conf", ifName, key), nil
}

// CheckSysctlName reports whether ifName and key name a file directly
// inside /proc/sys/net/ipv6/conf/IFNAME/: both non-empty, without "/" or
// NUL, and neither "." nor "..". The pseudo-interfaces "all" and "default"
// are valid names. Errors wrap ErrSysctlName.
func CheckSysctlName(ifName, key string) error {
	for _, n := range [2]string{ifName, key} {
		if n == "" || n == "." || n == ".." || strings.ContainsAny(n, "/\x00") {
			return fmt.Errorf("%w: %q", ErrSysctlName, n)
		}
	}
	return nil
}
