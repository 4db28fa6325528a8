package radvdmode

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"

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
// skipped), and when such a link appears or is recreated later
// (watchLinks). After -u the daemon keeps CAP_NET_ADMIN for exactly this
// (radvd keeps a privileged helper process); only a cgo build, which
// cannot keep capabilities, skips the later writes. [sysctl] write =
// false in radvd.toml turns this off. Failures are logged and never stop
// the daemon.
type sysctlWriter struct {
	root string // "/proc/sys"
	log  *slog.Logger
}

func (w sysctlWriter) write(c *config.Config) {
	for i := range c.Interfaces {
		w.writeLink(&c.Interfaces[i])
	}
}

// writeLink writes one interface's sysctls if its link exists.
func (w sysctlWriter) writeLink(ifc *config.Interface) {
	if ifc.Pattern || !ifc.RA.SendAdvert {
		return
	}
	if _, err := os.Stat(filepath.Join(w.root, "net/ipv6/conf", ifc.Name)); err != nil {
		return // missing link: written when it appears
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

// sysctlState is what watchLinks needs from the main loop: the current
// configuration when sysctls are to be written (serve mode, write = true),
// nil otherwise.
type sysctlState struct {
	cfg atomic.Pointer[config.Config]
}

// watchLinks writes the sysctls of each configured link when it appears
// (a new ifindex for its name), as radvd does when it sets an interface up.
// It returns when ctx is done or the watcher cannot start.
func (w sysctlWriter) watchLinks(ctx context.Context, st *sysctlState) {
	events, err := iface.NewWatcher(iface.WatcherConfig{}).Watch(ctx)
	if err != nil {
		w.log.Warn("sysctls will not be written for links that appear later", "err", err)
		return
	}
	seen := map[string]int{} // link name → ifindex already handled
	synced := false
	for ev := range events {
		switch ev.Kind {
		case iface.Synced:
			if !synced {
				// Links that appeared between the main loop's writes and
				// the subscription are in the dump: write again (set
				// skips values already in place).
				if cfg := st.cfg.Load(); cfg != nil {
					w.write(cfg)
				}
			}
			synced = true
		case iface.LinkDelete:
			delete(seen, ev.Link.Name)
		case iface.LinkUpdate:
			if seen[ev.Link.Name] == ev.Link.Index {
				continue
			}
			seen[ev.Link.Name] = ev.Link.Index
			cfg := st.cfg.Load()
			if !synced || cfg == nil {
				continue // links present at start were written by the main loop
			}
			if ifc, ok := cfg.Lookup(ev.Link.Name); ok && !ifc.Pattern {
				w.writeLink(ifc)
			}
		}
	}
}
