package radvdmode

import (
	"log/slog"
	"os"
	"path/filepath"
	"strconv"

	"github.com/radish-net/radish/config"
	"github.com/radish-net/radish/iface"
)

// sysctlWriter writes the per-link kernel settings radvd writes when it
// sets an interface up (radvd's device-linux.c): the host-side values of
// what the RA advertises, so the router itself uses them too.
//
//	AdvCurHopLimit (when not 0)  net/ipv6/conf/IF/hop_limit
//	AdvLinkMTU (when not 0)      net/ipv6/conf/IF/mtu
//	AdvReachableTime (when set)  net/ipv6/neigh/IF/base_reachable_time_ms
//	AdvRetransTimer (when set)   net/ipv6/neigh/IF/retrans_time_ms
//
// They are written at start and on each reload, for every interface of
// radvd.conf with AdvSendAdvert on that exists at that moment (patterns are
// skipped); a link that appears later gets them at the next reload.
// [sysctl] write = false in radvd.toml turns this off. Failures are logged
// and never stop the daemon (after -u they fail, as in radvd).
type sysctlWriter struct {
	root string // "/proc/sys"
	log  *slog.Logger
}

func (w sysctlWriter) write(c *config.Config) {
	for i := range c.Interfaces {
		ifc := &c.Interfaces[i]
		if ifc.Pattern || !ifc.RA.SendAdvert {
			continue
		}
		if _, err := os.Stat(filepath.Join(w.root, "net/ipv6/conf", ifc.Name)); err != nil {
			continue // missing link: radvd sets it up when it appears
		}
		ra := &ifc.RA
		if ra.CurHopLimit != 0 {
			w.set("conf", ifc.Name, "hop_limit", uint64(ra.CurHopLimit))
		}
		if ra.LinkMTU != 0 {
			w.set("conf", ifc.Name, "mtu", uint64(ra.LinkMTU))
		}
		if ra.ReachableTime != 0 {
			w.set("neigh", ifc.Name, "base_reachable_time_ms", uint64(ra.ReachableTime))
		}
		if ra.RetransTimer != 0 {
			w.set("neigh", ifc.Name, "retrans_time_ms", uint64(ra.RetransTimer))
		}
	}
}

func (w sysctlWriter) set(dir, ifName, key string, v uint64) {
	if err := iface.CheckSysctlName(ifName, key); err != nil {
		w.log.Warn("sysctl not written", "err", err)
		return
	}
	p := filepath.Join(w.root, "net/ipv6", dir, ifName, key)
	cur, err := os.ReadFile(p)
	val := strconv.FormatUint(v, 10)
	if err == nil && string(trimSpace(cur)) == val {
		return
	}
	if err := os.WriteFile(p, []byte(val), 0o644); err != nil {
		w.log.Warn("unable to set sysctl", "path", p, "value", val, "err", err)
		return
	}
	w.log.Debug("sysctl set", "path", p, "value", val)
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == ' ') {
		b = b[:len(b)-1]
	}
	return b
}
