package netlab

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/netip"
	"os/exec"
	"slices"
	"sort"
	"strings"
)

// Addr is one IPv6 address as "ip -6 -j addr" reports it.
type Addr struct {
	Prefix    netip.Prefix // address and prefix length; zone-less
	Scope     string       // "link", "global", "host", ...
	Flags     []string     // flags ip reports as true, sorted: "dadfailed", "dynamic", "mngtmpaddr", "tentative", ...
	Valid     uint32       // valid lifetime in seconds, 0xffffffff for forever
	Preferred uint32       // preferred lifetime in seconds, 0xffffffff for forever
}

// Has reports whether the address carries flag, e.g. "tentative".
func (a Addr) Has(flag string) bool { return slices.Contains(a.Flags, flag) }

// Route is one IPv6 route as "ip -6 -j route" reports it.
type Route struct {
	Dst      netip.Prefix // ::/0 for the default route
	Gateway  netip.Addr   // zero for on-link routes
	Dev      string
	Protocol string // "kernel", "ra", "static", "boot" (ip's default, which ip -j omits), ...
	Metric   int
	Pref     string // router preference: "low", "medium", "high"
	Expires  int    // seconds until the route expires, 0 when it does not
	Flags    []string
}

// Link is a link as "ip -j link" reports it.
type Link struct {
	Index        int
	Name         string
	HardwareAddr net.HardwareAddr
	MTU          int
	Flags        []string // "UP", "LOWER_UP", "MULTICAST", ...
	OperState    string   // "UP", "DOWN", "UNKNOWN", ...
	Master       string   // bridge this link is a port of, "" if none
}

func (ns *NS) ipJSON(ctx context.Context, v any, args ...string) error {
	argv := append([]string{"-n", ns.name, "-j"}, args...)
	cmd := exec.CommandContext(ctx, "ip", argv...)
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = strings.TrimSpace(string(ee.Stderr))
		}
		return fmt.Errorf("netlab: ip %s: %w: %s", strings.Join(argv, " "), err, stderr)
	}
	if err := json.Unmarshal(out, v); err != nil {
		return fmt.Errorf("netlab: ip %s: decoding JSON: %w", strings.Join(argv, " "), err)
	}
	return nil
}

// Addrs returns the IPv6 addresses of link ifName.
func (ns *NS) Addrs(ifName string) ([]Addr, error) {
	var links []struct {
		AddrInfo []map[string]json.RawMessage `json:"addr_info"`
	}
	if err := ns.ipJSON(context.Background(), &links, "-6", "addr", "show", "dev", ifName); err != nil {
		return nil, err
	}
	var addrs []Addr
	for _, l := range links {
		for _, ai := range l.AddrInfo {
			a, err := parseAddrInfo(ai)
			if err != nil {
				return nil, fmt.Errorf("netlab: %s: ip addr of %s: %w", ns.name, ifName, err)
			}
			addrs = append(addrs, a)
		}
	}
	return addrs, nil
}

func parseAddrInfo(ai map[string]json.RawMessage) (Addr, error) {
	var (
		a      Addr
		local  string
		plen   int
		family string
	)
	for k, raw := range ai {
		var err error
		switch k {
		case "family":
			err = json.Unmarshal(raw, &family)
		case "local":
			err = json.Unmarshal(raw, &local)
		case "prefixlen":
			err = json.Unmarshal(raw, &plen)
		case "scope":
			err = json.Unmarshal(raw, &a.Scope)
		case "valid_life_time":
			err = json.Unmarshal(raw, &a.Valid)
		case "preferred_life_time":
			err = json.Unmarshal(raw, &a.Preferred)
		default:
			var b bool
			if json.Unmarshal(raw, &b) == nil && b {
				a.Flags = append(a.Flags, k)
			}
		}
		if err != nil {
			return Addr{}, fmt.Errorf("field %s: %w", k, err)
		}
	}
	sort.Strings(a.Flags)
	ip, err := netip.ParseAddr(local)
	if err != nil {
		return Addr{}, err
	}
	a.Prefix = netip.PrefixFrom(ip, plen)
	if !a.Prefix.IsValid() {
		return Addr{}, fmt.Errorf("bad prefix length %d for %s", plen, local)
	}
	return a, nil
}

// Routes returns the IPv6 routes of the namespace's main table.
func (ns *NS) Routes() ([]Route, error) {
	var raw []struct {
		Dst      string   `json:"dst"`
		Gateway  string   `json:"gateway"`
		Dev      string   `json:"dev"`
		Protocol string   `json:"protocol"`
		Metric   int      `json:"metric"`
		Pref     string   `json:"pref"`
		Expires  int      `json:"expires"`
		Flags    []string `json:"flags"`
	}
	if err := ns.ipJSON(context.Background(), &raw, "-6", "route", "show"); err != nil {
		return nil, err
	}
	routes := make([]Route, 0, len(raw))
	for _, r := range raw {
		rt := Route{Dev: r.Dev, Protocol: r.Protocol, Metric: r.Metric, Pref: r.Pref, Expires: r.Expires, Flags: r.Flags}
		if rt.Protocol == "" {
			rt.Protocol = "boot"
		}
		switch dst := r.Dst; {
		case dst == "default":
			rt.Dst = netip.PrefixFrom(netip.IPv6Unspecified(), 0)
		case strings.Contains(dst, "/"):
			p, err := netip.ParsePrefix(dst)
			if err != nil {
				return nil, fmt.Errorf("netlab: %s: route dst %q: %w", ns.name, dst, err)
			}
			rt.Dst = p
		default:
			a, err := netip.ParseAddr(dst)
			if err != nil {
				return nil, fmt.Errorf("netlab: %s: route dst %q: %w", ns.name, dst, err)
			}
			rt.Dst = netip.PrefixFrom(a, 128)
		}
		if r.Gateway != "" {
			gw, err := netip.ParseAddr(r.Gateway)
			if err != nil {
				return nil, fmt.Errorf("netlab: %s: route gateway %q: %w", ns.name, r.Gateway, err)
			}
			rt.Gateway = gw
		}
		routes = append(routes, rt)
	}
	return routes, nil
}

// Link returns link ifName's index, MAC address, flags and master.
func (ns *NS) Link(ifName string) (Link, error) {
	var raw []struct {
		Index     int      `json:"ifindex"`
		Name      string   `json:"ifname"`
		Address   string   `json:"address"`
		MTU       int      `json:"mtu"`
		Flags     []string `json:"flags"`
		OperState string   `json:"operstate"`
		Master    string   `json:"master"`
	}
	if err := ns.ipJSON(context.Background(), &raw, "link", "show", "dev", ifName); err != nil {
		return Link{}, err
	}
	if len(raw) != 1 {
		return Link{}, fmt.Errorf("netlab: %s: ip link show %s: %d links", ns.name, ifName, len(raw))
	}
	r := raw[0]
	l := Link{Index: r.Index, Name: r.Name, MTU: r.MTU, Flags: r.Flags, OperState: r.OperState, Master: r.Master}
	if r.Address != "" {
		mac, err := net.ParseMAC(r.Address)
		if err != nil {
			return Link{}, fmt.Errorf("netlab: %s: link %s address %q: %w", ns.name, ifName, r.Address, err)
		}
		l.HardwareAddr = mac
	}
	return l, nil
}

// LinkLocal waits until link ifName has a usable (not tentative, not
// failed DAD) link-local address and returns it, without zone. It returns
// an error when ctx is done first.
func (ns *NS) LinkLocal(ctx context.Context, ifName string) (netip.Addr, error) {
	var ll netip.Addr
	var last error
	err := ns.WaitFor(ctx, func() bool {
		addrs, err := ns.Addrs(ifName)
		if err != nil {
			last = err
			return false
		}
		for _, a := range addrs {
			if a.Prefix.Addr().IsLinkLocalUnicast() && !a.Has("tentative") && !a.Has("dadfailed") {
				ll = a.Prefix.Addr()
				return true
			}
		}
		return false
	})
	if err != nil && last != nil {
		err = fmt.Errorf("%w (last error: %v)", err, last)
	}
	return ll, err
}
