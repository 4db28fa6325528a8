package serve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"slices"
	"syscall"
	"time"

	"github.com/radish-net/radish/config"
	"github.com/radish-net/radish/dhcpv6/server"
	"github.com/radish-net/radish/iface"
	"github.com/radish-net/radish/internal/demux"
	"github.com/radish-net/radish/ra/engine"
)

// DHCPv6Port is the port the DHCPv6 server listens on (RFC 9915 §7.2).
const DHCPv6Port = 547

// Transports are the daemon's connections to the operating system. Tests
// replace them with fakes; SystemTransports returns the kernel's.
type Transports struct {
	// ICMP opens the raw ICMPv6 socket shared by every link.
	ICMP func() (iface.Conn, error)
	// UDP opens the DHCPv6 server's socket on port 547. It is called only
	// when some link serves DHCPv6.
	UDP func() (iface.Conn, error)
	// Packet opens the per-link packet transport; nil leaves links that
	// need it waiting. The daemon wraps each conn it returns so that its
	// DHCPv6 packets reach the DHCPv6 server (see internal/demux).
	Packet func(iface.Link) (iface.Conn, error)
	// Watcher reports links and addresses; the RA engine and the DHCPv6
	// server each call Watch.
	Watcher iface.Watcher
	// Sysctl reads net.ipv6.conf.IF.forwarding.
	Sysctl iface.Sysctl
	// NeighbourLimit is net.ipv6.neigh.default.gc_thresh3, 0 if unknown
	// (see engine.Options.NeighbourLimit).
	NeighbourLimit int
	// IPv4Addr reads a link's primary IPv4 address, for Base6to4Interface
	// prefixes (see engine.Options.IPv4Addr).
	IPv4Addr func(ifName string) (netip.Addr, bool)
}

// SystemTransports returns the transports of the process's own network
// namespace: iface.ListenICMP, iface.ListenUDP on port 547,
// iface.ListenPacket, an rtnetlink watcher and /proc/sys. Watcher
// resynchronisations are logged at warn level.
func SystemTransports(log *slog.Logger) Transports {
	sysctl := iface.ProcSysctl{Root: "/proc/sys"}
	limit, _ := sysctl.NeighbourLimit() // hidden outside the initial namespace: no check
	return Transports{
		NeighbourLimit: limit,
		IPv4Addr: func(name string) (netip.Addr, bool) {
			a, err := iface.IPv4Addr(name)
			return a, err == nil
		},
		ICMP: func() (iface.Conn, error) { return iface.ListenICMP() },
		UDP:  func() (iface.Conn, error) { return iface.ListenUDP(DHCPv6Port, 0) },
		Packet: func(l iface.Link) (iface.Conn, error) {
			return iface.ListenPacket(l.Index)
		},
		Watcher: iface.NewWatcher(iface.WatcherConfig{
			Sysctl:  sysctl,
			OnError: func(err error) { log.Warn("netlink watcher resynchronising", "err", err) },
		}),
		Sysctl: sysctl,
	}
}

// logDHCPCounters logs the DHCPv6 server's non-zero counters under Kea's
// statistic names (pkt6-receive-drop and the drop reasons among them).
func (d *Daemon) logDHCPCounters() {
	snap := d.dhcp.Counters().Snapshot()
	names := make([]string, 0, len(snap))
	for k, v := range snap {
		if v != 0 {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	attrs := make([]any, 0, 2*len(names))
	for _, k := range names {
		attrs = append(attrs, k, snap[k])
	}
	d.log.Info("dhcpv6 counters", attrs...)
}

// Options configure a Daemon.
type Options struct {
	// Path is the configuration file, read again on each reload.
	Path string
	// Config is the configuration loaded from Path at start.
	Config *config.Config
	// Logger receives the daemon's, the engine's and the server's logs.
	Logger *slog.Logger
	// Level, if set, follows the [log] level of each reloaded file.
	// Leave it nil when the level was given on the command line.
	Level *slog.LevelVar
	// Transports default to SystemTransports when ICMP is nil.
	Transports Transports
	// StatusInterval is how often link state is polled to log links that
	// start or stop being served (default 1 s; negative disables).
	StatusInterval time.Duration
}

// Daemon runs the RA engine and the DHCPv6 server over shared transports
// and applies reloads. Create it with New, then call Run once.
type Daemon struct {
	opts Options
	log  *slog.Logger
	cfg  *config.Config
	ra   *engine.Engine
	dhcp *server.Server
	mux  *demux.Mux // joins the packet-transport links to the DHCPv6 server

	dhcpDone chan error
}

// New opens the ICMPv6 socket (and the DHCPv6 socket when the
// configuration serves DHCPv6) and prepares the engine and the server.
// Nothing is sent before Run.
func New(opts Options) (*Daemon, error) {
	if opts.Config == nil {
		return nil, errors.New("serve: no configuration")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Transports.ICMP == nil {
		opts.Transports = SystemTransports(opts.Logger)
	}
	if opts.StatusInterval == 0 {
		opts.StatusInterval = time.Second
	}
	d := &Daemon{opts: opts, log: opts.Logger, cfg: opts.Config}
	d.mux = demux.New(demux.Options{OnError: func(err error) {
		// A group moving back to the kernel socket for a link that was
		// just deleted fails with ENODEV: nothing is lost.
		lvl := slog.LevelWarn
		if errors.Is(err, syscall.ENODEV) {
			lvl = slog.LevelDebug
		}
		d.log.Log(context.Background(), lvl, "dhcpv6: cannot move a multicast group between transports", "err", err)
	}})
	conn, err := opts.Transports.ICMP()
	if err != nil {
		return nil, fmt.Errorf("open raw ICMPv6 socket: %w", err)
	}
	var packet func(iface.Link) (iface.Conn, error)
	if open := opts.Transports.Packet; open != nil {
		packet = func(l iface.Link) (iface.Conn, error) {
			c, err := open(l)
			if err != nil {
				return nil, err
			}
			return d.mux.Link(l.Index, c), nil
		}
	}
	d.ra, err = engine.New(engine.Options{
		Config:            opts.Config,
		Conn:              conn,
		PacketConnFactory: packet,
		Watcher:           opts.Transports.Watcher,
		Sysctl:            opts.Transports.Sysctl,
		Logger:            opts.Logger,
		NeighbourLimit:    opts.Transports.NeighbourLimit,
		IPv4Addr:          opts.Transports.IPv4Addr,
	})
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("ra engine: %w", err)
	}
	if servesDHCPv6(opts.Config) {
		if err := d.newDHCP(opts.Config); err != nil {
			conn.Close()
			return nil, err
		}
	}
	return d, nil
}

// newDHCP opens the UDP socket and creates the DHCPv6 server for cfg. The
// server's conn is the demultiplexer's: it reads the UDP socket and the
// packet-transport links, and answers through the conn each request came
// from.
func (d *Daemon) newDHCP(cfg *config.Config) error {
	udp, err := d.opts.Transports.UDP()
	if err != nil {
		return fmt.Errorf("open DHCPv6 socket (UDP port %d): %w", DHCPv6Port, err)
	}
	conn, err := d.mux.Serve(udp)
	if err != nil {
		udp.Close()
		return fmt.Errorf("dhcpv6 server: %w", err)
	}
	s, err := server.New(server.Options{
		Config:  cfg,
		Conn:    conn,
		Watcher: d.opts.Transports.Watcher,
		Logger:  d.log,
	})
	if err != nil {
		conn.Close()
		return fmt.Errorf("dhcpv6 server: %w", err)
	}
	d.dhcp = s
	return nil
}

// servesDHCPv6 reports whether some interface stanza has [interface.dhcpv6].
func servesDHCPv6(cfg *config.Config) bool {
	for i := range cfg.Interfaces {
		if cfg.Interfaces[i].DHCPv6 != nil {
			return true
		}
	}
	return false
}

// Engine returns the RA engine (for status and counters).
func (d *Daemon) Engine() *engine.Engine { return d.ra }

// DHCPv6 returns the DHCPv6 server, or nil while no link serves DHCPv6.
func (d *Daemon) DHCPv6() *server.Server { return d.dhcp }

// Run serves until ctx is done, reloading the configuration file each time
// a value arrives on reload. On return every link has had its final RA and
// every socket is closed. It returns nil after ctx is done, and an error
// when the engine or the server fail on their own (their netlink watcher
// could not start).
func (d *Daemon) Run(ctx context.Context, reload <-chan struct{}) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	raDone := make(chan error, 1)
	go func() { raDone <- d.ra.Run(ctx) }()
	if d.dhcp != nil {
		d.startDHCP(ctx)
	}
	go d.ready(ctx, d.dhcp)
	var tick <-chan time.Time
	if d.opts.StatusInterval > 0 {
		t := time.NewTicker(d.opts.StatusInterval)
		defer t.Stop()
		tick = t.C
	}
	served := map[string]string{}
	for {
		select {
		case <-ctx.Done():
			d.log.Info("shutting down: sending final router advertisements")
			var errs []error
			if err := <-raDone; err != nil {
				errs = append(errs, fmt.Errorf("ra engine: %w", err))
			}
			if err := d.waitDHCP(); err != nil {
				errs = append(errs, err)
			}
			c := d.ra.Counters()
			attrs := []any{"final_ras", c.RAFinal.Load(), "ras_sent", c.RAMulticast.Load() + c.RAUnicast.Load(), "rs_received", c.RSReceived.Load()}
			if d.dhcp != nil {
				dc := d.dhcp.Counters()
				mc := d.mux.Counters()
				attrs = append(attrs, "dhcpv6_received", dc.Received.Load(), "dhcpv6_sent", dc.Sent.Load(),
					"dhcpv6_packet_transport", mc.Forwarded.Load(),
					"dhcpv6_queue_drops", mc.QueueFull.Load()+mc.NoServer.Load()+mc.Oversize.Load(),
					"dhcpv6_kernel_duplicates", mc.KernelDuplicate.Load(),
					"dhcpv6_not_for_us", mc.NotForUs.Load())
			}
			d.log.Info("stopped", attrs...)
			if d.dhcp != nil {
				d.logDHCPCounters()
			}
			return errors.Join(errs...)
		case <-reload:
			d.Reload(ctx)
		case <-tick:
			d.logLinks(served)
		case err := <-raDone:
			// Run returns early only when its watcher cannot start.
			cancel()
			errs := []error{fmt.Errorf("ra engine: %w", err)}
			if err := d.waitDHCP(); err != nil {
				errs = append(errs, err)
			}
			return errors.Join(errs...)
		case err := <-d.dhcpDone:
			d.dhcpDone = nil
			if err == nil {
				err = errors.New("stopped unexpectedly")
			}
			cancel()
			return errors.Join(fmt.Errorf("dhcpv6 server: %w", err), <-raDone)
		}
	}
}

func (d *Daemon) startDHCP(ctx context.Context) {
	d.dhcpDone = make(chan error, 1)
	s, done := d.dhcp, d.dhcpDone
	go func() { done <- s.Run(ctx) }()
}

func (d *Daemon) waitDHCP() error {
	if d.dhcpDone == nil {
		return nil
	}
	if err := <-d.dhcpDone; err != nil {
		return fmt.Errorf("dhcpv6 server: %w", err)
	}
	return nil
}

// ready logs readiness once the engine's loop runs and, when DHCPv6 is
// served, the server has its DUID.
func (d *Daemon) ready(ctx context.Context, dhcp *server.Server) {
	for {
		if _, err := d.ra.Status(); err == nil {
			break
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
	if dhcp != nil {
		select {
		case <-ctx.Done():
			return
		case <-dhcp.Ready():
		}
	}
	d.log.Info("ready", "router_advertisements", true, "dhcpv6", dhcp != nil)
}

// logLinks logs links that started or stopped being served since the last
// call; served maps a served link's name to its transport.
func (d *Daemon) logLinks(served map[string]string) {
	st, err := d.ra.Status()
	if err != nil {
		return
	}
	now := make(map[string]bool, len(st))
	for _, l := range st {
		if !l.Served {
			continue
		}
		now[l.Name] = true
		if tr, ok := served[l.Name]; !ok || tr != l.Transport {
			served[l.Name] = l.Transport
			d.log.Info("link served", "link", l.Name, "index", l.Index, "transport", l.Transport, "source", l.Source, "prefixes", l.Prefixes)
		}
	}
	for name := range served {
		if !now[name] {
			delete(served, name)
			d.log.Info("link no longer served", "link", name)
		}
	}
}

// Reload reads the configuration file again and applies it. When the file
// does not load, its errors are logged and the running configuration stays.
// It must be called from the goroutine that runs Run (Run calls it for
// each value on its reload channel); ctx is Run's context.
func (d *Daemon) Reload(ctx context.Context) bool {
	cfg, err := config.Load(d.opts.Path)
	if err != nil {
		logConfigErrors(d.log, "reload failed, keeping the previous configuration", err)
		return false
	}
	return d.apply(ctx, cfg)
}

func (d *Daemon) apply(ctx context.Context, cfg *config.Config) bool {
	logWarnings(d.log, cfg)
	if d.dhcp != nil {
		if err := d.dhcp.Reload(cfg); err != nil {
			d.log.Error("reload failed, keeping the previous configuration", "file", d.opts.Path, "err", err)
			return false
		}
	} else if servesDHCPv6(cfg) {
		if err := d.newDHCP(cfg); err != nil {
			d.log.Error("reload failed, keeping the previous configuration", "file", d.opts.Path, "err", err)
			return false
		}
		d.startDHCP(ctx)
		go d.ready(ctx, d.dhcp)
	}
	d.ra.Reload(cfg)
	d.cfg = cfg
	if d.opts.Level != nil {
		if lv, err := ParseLevel(cfg.Log.Level); err == nil {
			d.opts.Level.Set(lv)
		}
	}
	d.log.Info("configuration reloaded", "file", d.opts.Path, "interfaces", interfaceNames(cfg), "dhcpv6", servesDHCPv6(cfg))
	return true
}

// logConfigErrors logs each error joined in err on its own line.
func logConfigErrors(log *slog.Logger, msg string, err error) {
	var list []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		list = j.Unwrap()
	} else {
		list = []error{err}
	}
	for _, e := range list {
		log.Error(msg, "err", e.Error())
	}
}

func logWarnings(log *slog.Logger, cfg *config.Config) {
	for _, w := range cfg.Warnings {
		log.Warn("configuration warning", "warning", w)
	}
}

func interfaceNames(cfg *config.Config) []string {
	names := make([]string, len(cfg.Interfaces))
	for i := range cfg.Interfaces {
		names[i] = cfg.Interfaces[i].Name
	}
	return names
}
