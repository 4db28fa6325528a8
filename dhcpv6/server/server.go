package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"sync"
	"sync/atomic"

	"github.com/radish-net/radish/config"
	"github.com/radish-net/radish/dhcpv6"
	"github.com/radish-net/radish/iface"
)

// Multicast groups (RFC 9915 §7.1).
var (
	// AllRelayAgentsAndServers is ff02::1:2, joined on every served link.
	AllRelayAgentsAndServers = netip.MustParseAddr("ff02::1:2")
	// AllServers is ff05::1:3, joined on every served link when
	// DHCPv6Server.RelayGroup is set.
	AllServers = netip.MustParseAddr("ff05::1:3")
)

// ErrRunning is returned by Run when the server is already running or
// has run.
var ErrRunning = errors.New("dhcpv6 server: Run called twice")

// Options configure a Server. Config, Conn and Watcher are required.
type Options struct {
	// Config is the validated configuration. Links whose Interface has
	// DHCPv6 != nil are served; Config.DHCPv6 holds the DUID, state
	// directory, relay group and rate limits.
	Config *config.Config
	// Conn is the UDP socket on port 547 shared by every link
	// (iface.ListenUDP). It must report Meta.Dst and Meta.IfIndex on
	// read. When it is an iface.BatchConn the loop reads and writes in
	// batches. Run closes it.
	Conn iface.Conn
	// Watcher reports the kernel's links: their names (to find their
	// configuration) and MACs (for a DUID-LL or DUID-LLT). The server
	// serves nothing until the Watcher's first Synced event.
	Watcher iface.Watcher
	// Logger receives control-plane messages; nothing is logged per
	// packet above debug level. Nil discards.
	Logger *slog.Logger
	// Batch is the number of datagrams per ReadBatch (DefaultBatch when
	// zero). It is ignored for a Conn that is not an iface.BatchConn.
	Batch int
}

// Server is a stateless DHCPv6 server. Create it with New, start it with
// Run; Reload, Counters, DUID and Ready are safe for concurrent use.
type Server struct {
	conn    iface.Conn
	watcher iface.Watcher
	log     *slog.Logger
	batch   int

	counters Counters
	lim      atomic.Pointer[limiter] // owned by the loop; replaced on Reload
	tab      atomic.Pointer[table]
	running  atomic.Bool
	ready    chan struct{} // closed when the first table is published

	mu        sync.Mutex // control plane: everything below
	comp      *compiled
	limits    rateLimits // the settings lim was made from
	links     map[int]iface.Link
	synced    bool
	duid      dhcpv6.DUID
	noMACOnce bool
	joined    map[int]joinState
}

type joinState struct {
	link, relay bool // ff02::1:2 and ff05::1:3 joined
}

// New checks and compiles the configuration. It opens nothing: the
// server starts with Run.
func New(opts Options) (*Server, error) {
	if opts.Config == nil || opts.Conn == nil || opts.Watcher == nil {
		return nil, errors.New("dhcpv6 server: Config, Conn and Watcher are required")
	}
	comp, err := compile(opts.Config)
	if err != nil {
		return nil, err
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	batch := opts.Batch
	if batch <= 0 {
		batch = DefaultBatch
	}
	s := &Server{
		conn:    opts.Conn,
		watcher: opts.Watcher,
		log:     log,
		batch:   batch,
		ready:   make(chan struct{}),
		comp:    comp,
		limits:  limitsOf(opts.Config),
		links:   make(map[int]iface.Link),
		joined:  make(map[int]joinState),
	}
	s.lim.Store(s.limits.limiter())
	return s, nil
}

// rateLimits are the configured rate limits (config.DHCPv6Server).
type rateLimits struct {
	perRate, perBurst, relayRate, relayBurst, globalRate, globalBurst int
}

func limitsOf(cfg *config.Config) rateLimits {
	d := &cfg.DHCPv6
	return rateLimits{d.PerSourceRate, d.PerSourceBurst, d.PerRelayRate, d.PerRelayBurst, d.GlobalRate, d.GlobalBurst}
}

func (r rateLimits) limiter() *limiter {
	return newLimiter(r.perRate, r.perBurst, r.relayRate, r.relayBurst, r.globalRate, r.globalBurst)
}

// Counters returns the server's live counters.
func (s *Server) Counters() *Counters { return &s.counters }

// DUID returns a copy of the server DUID, or nil before it is known (the
// first Synced event for "ll" and "llt").
func (s *Server) DUID() dhcpv6.DUID {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append(dhcpv6.DUID(nil), s.duid...)
}

// Ready returns a channel closed once the server answers requests: the
// links are known and the DUID is set.
func (s *Server) Ready() <-chan struct{} { return s.ready }

// Run serves until ctx is done, then closes the conn and returns nil, or
// returns early with the error of the Watcher. One goroutine reads the
// conn; Run itself applies link events.
func (s *Server) Run(ctx context.Context) error {
	if !s.running.CompareAndSwap(false, true) {
		return ErrRunning
	}
	defer s.conn.Close()
	events, err := s.watcher.Watch(ctx)
	if err != nil {
		return fmt.Errorf("dhcpv6 server: watch links: %w", err)
	}
	l := newLoop(s, s.batch)
	done := make(chan error, 1)
	go func() { done <- l.run() }()
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			s.event(ev)
		case err := <-done:
			if ctx.Err() == nil && err == nil {
				err = errors.New("dhcpv6 server: conn closed")
			}
			return err
		case <-ctx.Done():
			s.conn.Close()
			<-done
			return nil
		}
	}
}

// Reload compiles cfg and swaps the per-link option sets atomically;
// requests in flight finish with the old ones. When the rate limits
// changed, a new limiter with full buckets replaces the old one, also
// atomically; unchanged limits keep the current buckets. The DUID and the
// conn stay as they were (they change on restart). On error the old
// configuration stays in force.
func (s *Server) Reload(cfg *config.Config) error {
	comp, err := compile(cfg)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.comp = comp
	if r := limitsOf(cfg); r != s.limits {
		s.limits = r
		s.lim.Store(r.limiter())
		s.log.Info("dhcpv6: rate limits changed; buckets start full",
			"per_source", r.perRate, "per_source_burst", r.perBurst, "global", r.globalRate, "global_burst", r.globalBurst)
	}
	s.rebuild()
	return nil
}

// event applies one Watcher event.
func (s *Server) event(ev iface.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch ev.Kind {
	case iface.LinkUpdate:
		s.links[ev.Link.Index] = ev.Link
	case iface.LinkDelete:
		// The kernel keeps a socket's memberships after their link is
		// deleted, and each counts against the socket's option memory
		// (net.core.optmem_max): without leaving, link churn exhausts it
		// and every send with IPV6_PKTINFO fails with ENOBUFS.
		if st, ok := s.joined[ev.Link.Index]; ok {
			if st.link {
				s.leave(ev.Link.Index, AllRelayAgentsAndServers)
			}
			if st.relay {
				s.leave(ev.Link.Index, AllServers)
			}
			delete(s.joined, ev.Link.Index)
		}
		delete(s.links, ev.Link.Index)
	case iface.Synced:
		s.synced = true
	default:
		return
	}
	if s.synced {
		s.rebuild()
	}
}

// rebuild publishes a new table for the current configuration and links
// and joins or leaves multicast groups to match. s.mu is held.
func (s *Server) rebuild() {
	if !s.synced {
		return
	}
	if s.duid == nil {
		cfg := s.comp.cfg
		mac := pickMAC(cfg.DHCPv6.DUID.Interface, s.links, func(name string) bool {
			ifc, ok := cfg.Lookup(name)
			return ok && ifc.DHCPv6 != nil
		})
		d, err := makeDUID(cfg.DHCPv6.DUID, cfg.DHCPv6.StateDir, mac, s.log)
		if err != nil {
			if errors.Is(err, errNoMAC) && !s.noMACOnce {
				s.noMACOnce = true
				s.log.Warn("dhcpv6: waiting for a link with a MAC address to make the server DUID",
					"duid", cfg.DHCPv6.DUID.Kind, "interface", cfg.DHCPv6.DUID.Interface)
			} else if !errors.Is(err, errNoMAC) {
				s.log.Error("dhcpv6: cannot make the server DUID", "err", err)
			}
			return
		}
		s.duid = d
		s.log.Info("dhcpv6: server DUID", "duid", fmt.Sprintf("%x", []byte(d)), "type", d.Type().String())
	}
	t := s.comp.build(s.duid, s.links)
	s.tab.Store(t)
	s.syncGroups(t)
	select {
	case <-s.ready:
	default:
		close(s.ready)
	}
}

// syncGroups joins ff02::1:2 (and ff05::1:3 if configured) on every
// served link and leaves them on links no longer served.
func (s *Server) syncGroups(t *table) {
	for idx, st := range s.joined {
		_, served := t.byIndex[idx]
		if !served || (st.relay && !t.relay) {
			if st.relay {
				s.leave(idx, AllServers)
				st.relay = false
			}
			if !served && st.link {
				s.leave(idx, AllRelayAgentsAndServers)
				st.link = false
			}
			if st == (joinState{}) {
				delete(s.joined, idx)
			} else {
				s.joined[idx] = st
			}
		}
	}
	for idx := range t.byIndex {
		st := s.joined[idx]
		if !st.link {
			st.link = s.join(idx, AllRelayAgentsAndServers)
		}
		if t.relay && !st.relay {
			st.relay = s.join(idx, AllServers)
		}
		if st != (joinState{}) {
			s.joined[idx] = st
		}
	}
}

func (s *Server) join(idx int, g netip.Addr) bool {
	if err := s.conn.JoinGroup(idx, g); err != nil {
		lvl := slog.LevelDebug
		if s.links[idx].Up {
			lvl = slog.LevelWarn
		}
		s.log.Log(context.Background(), lvl, "dhcpv6: cannot join multicast group; retrying on the next link change",
			"link", s.links[idx].Name, "group", g, "err", err)
		return false
	}
	s.log.Debug("dhcpv6: serving link", "link", s.links[idx].Name, "group", g)
	return true
}

func (s *Server) leave(idx int, g netip.Addr) {
	if err := s.conn.LeaveGroup(idx, g); err != nil {
		s.log.Debug("dhcpv6: leave multicast group", "link", s.links[idx].Name, "group", g, "err", err)
	}
}
