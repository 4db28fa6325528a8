package iface

import (
	"fmt"
	"net/netip"

	"golang.org/x/sys/unix"
)

// IPv4Addr returns the primary IPv4 address of the link called name in
// the calling thread's network namespace, as the SIOCGIFADDR ioctl
// reports it: what radvd's Base6to4Interface builds its 6to4 prefix
// from. A link without an IPv4 address is an error (EADDRNOTAVAIL).
func IPv4Addr(name string) (netip.Addr, error) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("iface: IPv4 address of %s: %w", name, err)
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("iface: IPv4 address of %s: %w", name, err)
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFADDR, ifr); err != nil {
		return netip.Addr{}, fmt.Errorf("iface: IPv4 address of %s: %w", name, err)
	}
	b, err := ifr.Inet4Addr()
	if err != nil {
		return netip.Addr{}, fmt.Errorf("iface: IPv4 address of %s: %w", name, err)
	}
	a, _ := netip.AddrFromSlice(b)
	return a.Unmap(), nil
}
