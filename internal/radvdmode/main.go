package radvdmode

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/radish-net/radish/config"
	"github.com/radish-net/radish/config/radvdconf"
	"github.com/radish-net/radish/iface"
	"github.com/radish-net/radish/internal/daemon"
	"github.com/radish-net/radish/internal/radvdcli"
	"github.com/radish-net/radish/internal/serve"
)

// stopTimeout bounds the wait for the final RAs on SIGTERM.
const stopTimeout = 5 * time.Second

// Main runs the radvd personality with radvd's argv (args[0] is the program
// name used in messages) and returns the process's exit status. Output goes
// to the process's own stderr: after daemonizing it is /dev/null and the
// log method decides.
func Main(args []string) int {
	// One version for both personalities: the one radish serve reports
	// (stamped by make build, else the module's build information).
	radvdcli.Version = serve.Version()
	return run(args, os.Stderr, os.Getenv)
}

func run(args []string, stderr io.Writer, getenv func(string) string) int {
	opts, err := radvdcli.Parse(args)
	if err != nil {
		var ee *radvdcli.ExitError
		if errors.As(err, &ee) {
			fmt.Fprint(stderr, ee.Message)
			return ee.Code
		}
		fmt.Fprintln(stderr, err)
		return 1
	}
	if opts.ConfigTest {
		return configTest(opts, stderr, getenv)
	}
	return daemonMain(opts, stderr, getenv)
}

// configTest is -c: parse, print radvd's messages, exit 0 or 1. The exit
// status depends on radvd.conf alone (callers test the file they wrote);
// a broken radvd.toml, which would stop the daemon from starting, is
// reported as a warning.
func configTest(opts radvdcli.Options, stderr io.Writer, getenv func(string) string) int {
	method, debug := opts.EffectiveLog()
	log, out, err := daemon.NewLogger(daemon.LogConfig{Method: method, Debug: debug, Stderr: stderr, Facility: opts.Facility})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	defer out.Close()
	if opts.Chroot != "" {
		// As radvd: the file checked is the one the daemon would read,
		// inside the chroot.
		if err := daemon.Chroot(opts.Chroot); err != nil {
			log.Error(err.Error())
			return 1
		}
	}
	res, err := radvdconf.ParseFile(opts.Config)
	if err != nil {
		printParseError(stderr, log, opts.Config, err)
		log.Error("exiting, failed to read config file")
		return 1
	}
	for _, w := range res.Warnings {
		log.Warn(w.String())
	}
	if _, err := LoadSettings(getenv); err != nil {
		for _, e := range unjoin(err) {
			log.Warn("radish settings: " + e.Error() + " (the daemon will not start)")
		}
	}
	log.Info(fmt.Sprintf("config file, %s, syntax ok", opts.Config))
	return 0
}

// printParseError writes radvd.conf errors as radvd does: each
// "FILE:LINE error: MESSAGE" line on stderr. A file that cannot be read
// is logged instead, as radvd logs it.
func printParseError(stderr io.Writer, log *slog.Logger, path string, err error) {
	var list radvdconf.ErrorList
	if errors.As(err, &list) {
		for _, e := range list {
			fmt.Fprintln(stderr, e.Error())
		}
		return
	}
	log.Error(fmt.Sprintf("can't open %s: %v", path, unwrapPathError(err)))
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// logParseError logs every radvd.conf error, for a daemon whose stderr may
// be gone.
func logParseError(log *slog.Logger, path string, err error) {
	var list radvdconf.ErrorList
	if errors.As(err, &list) {
		for _, e := range list {
			log.Error(e.Error())
		}
		return
	}
	log.Error(fmt.Sprintf("can't open %s: %v", path, unwrapPathError(err)))
}

// loadConfig reads radvd.conf and applies the overlay.
func loadConfig(log *slog.Logger, path string, s Settings) (*config.Config, error) {
	res, err := radvdconf.ParseFile(path)
	if err != nil {
		return nil, err
	}
	for _, w := range res.Warnings {
		log.Warn(w.String())
	}
	return s.Overlay.Apply(res.Config), nil
}

// instance is the running daemon's state, owned by the main loop.
type instance struct {
	log          *slog.Logger
	out          *daemon.Output
	reopenFailed bool // the last log reopen failed (logged once)
	opts         radvdcli.Options
	getenv       func(string) string
	settings     Settings
	cfg          *config.Config
	sysctl       sysctlWriter
	sysState     sysctlState // what watchLinks writes for links that appear later

	icmp     iface.Conn // opened before privileges are dropped; handed to the first engine
	daemon   *serve.Daemon
	cancel   context.CancelFunc
	done     chan error
	deferLog bool // the defer message was logged for the current settings
}

func daemonMain(opts radvdcli.Options, stderr io.Writer, getenv func(string) string) int {
	pidfile := opts.Pidfile
	if opts.Chroot != "" && filepath.IsAbs(pidfile) {
		pidfile = filepath.Join(opts.Chroot, pidfile)
	}
	if opts.Daemonize() {
		parent, err := daemon.Detach(daemon.DetachConfig{Pidfile: pidfile})
		if parent {
			if err != nil {
				fmt.Fprintf(stderr, "%s\n", err)
				return 1
			}
			return 0
		}
		if err != nil {
			fmt.Fprintln(stderr, err)
			return fail(stderr, err.Error())
		}
		if opts.Chroot == "" {
			// As radvd's daemon(3): leave the caller's directory, so
			// that its file system can be unmounted. Paths given
			// relative to it are made absolute first. (With -t the
			// chroot moves to its own root, and paths are inside it.)
			opts.Config, opts.Logfile, opts.Pidfile = absPath(opts.Config), absPath(opts.Logfile), absPath(opts.Pidfile)
			os.Chdir("/")
		}
	}
	if filepath.Base(args0()) != "radvd" {
		daemon.SetProcessName("radvd") // the "radish radvd ARGS" form
	}

	method, debug := opts.EffectiveLog()
	log, out, err := daemon.NewLogger(daemon.LogConfig{Method: method, Logfile: opts.Logfile, Facility: opts.Facility, Debug: debug, Stderr: stderr})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return fail(stderr, err.Error())
	}
	defer out.Close()
	log.Info("version " + radvdcli.CompatVersion + " (radish " + radvdcli.Version + ") started")

	settings, err := LoadSettings(getenv)
	if err != nil {
		for _, e := range unjoin(err) {
			log.Error(e.Error())
		}
		return fail(stderr, "radvd: "+err.Error())
	}
	var creds *daemon.Credentials
	if opts.Username != "" {
		c, err := daemon.LookupUser(opts.Username)
		if err != nil {
			log.Error(err.Error())
			return fail(stderr, err.Error())
		}
		creds = &c
	}
	icmp, err := iface.ListenICMP()
	if err != nil {
		log.Error("can't create socket", "err", err)
		return fail(stderr, "radvd: can't create socket: "+err.Error())
	}
	if opts.Chroot != "" {
		if err := daemon.Chroot(opts.Chroot); err != nil {
			icmp.Close()
			log.Error(err.Error())
			return fail(stderr, err.Error())
		}
		// The -l path names something else now: SIGHUP keeps the file.
		out.Pin()
	}
	cfg, err := loadConfig(log, opts.Config, settings)
	if err != nil {
		icmp.Close()
		if daemon.Detached() {
			// The caller's stderr is reached through fail below.
			logParseError(log, opts.Config, err)
		} else {
			// As radvd: the parser's FILE:LINE lines go to stderr bare,
			// whatever the log method.
			printParseError(stderr, log, opts.Config, err)
		}
		log.Error("exiting, failed to read config file")
		return fail(stderr, failText(opts.Config, err))
	}
	x := &instance{log: log, out: out, opts: opts, getenv: getenv, settings: settings, cfg: cfg, icmp: icmp,
		sysctl: sysctlWriter{root: "/proc/sys", log: log}}
	if settings.Mode == ModeServe && settings.WriteSysctls {
		x.sysctl.write(cfg)
	}
	x.publishSysctls()

	sigs := daemon.NotifySignals()
	defer sigs.Stop()
	if err := daemon.WritePidfile(opts.Pidfile); err != nil {
		icmp.Close()
		log.Error(err.Error())
		return fail(stderr, err.Error())
	}
	canWrite := true // sysctls, and sockets for links that appear later
	if creds != nil {
		kept, err := creds.DropKeeping(daemon.CapNetAdmin, daemon.CapNetRaw)
		if err != nil {
			log.Error("unable to drop root privileges", "err", err)
			daemon.RemovePidfileIfOurs(opts.Pidfile)
			return fail(stderr, "radvd: unable to drop root privileges: "+err.Error())
		}
		if kept {
			log.Info("dropped root privileges", "user", creds.Name, "kept", "CAP_NET_ADMIN,CAP_NET_RAW")
		} else {
			log.Info("dropped root privileges", "user", creds.Name, "kept", "none")
		}
		canWrite = kept
	}
	if canWrite { // without capabilities after -u the writes would fail
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go x.sysctl.watchLinks(ctx, &x.sysState)
	}
	if err := x.apply(); err != nil {
		log.Error(err.Error())
		daemon.RemovePidfileIfOurs(opts.Pidfile)
		return fail(stderr, err.Error())
	}
	daemon.Ready()

	code := x.loop(sigs)
	if removed, err := daemon.RemovePidfileIfOurs(opts.Pidfile); err != nil {
		log.Warn(err.Error())
	} else if !removed {
		log.Debug("pidfile taken over by another instance; left in place")
	}
	return code
}

// loop serves signals until a termination or a fatal engine error.
func (x *instance) loop(sigs *daemon.Signals) int {
	for {
		select {
		case e, ok := <-sigs.Events():
			if !ok {
				return 0
			}
			switch e {
			case daemon.Reload:
				x.reload()
			case daemon.ResetLifetimes:
				if x.daemon != nil {
					x.daemon.Engine().ResetDecrementingLifetimes()
				}
				x.log.Info("resetting decrementing lifetimes")
			case daemon.Terminate, daemon.Interrupt:
				// A newcomer may take the pidfile over from now on,
				// while the final RAs go out (nova's stop-then-start).
				daemon.ReleasePidfile()
				sig := "sigterm"
				if e == daemon.Interrupt {
					sig = "sigint"
				}
				x.log.Info("exiting, 1 " + sig + "(s) received") // radvd's words
				x.stop()
				if x.icmp != nil {
					x.icmp.Close()
				}
				return 0
			}
		case err := <-x.done:
			x.daemon, x.cancel, x.done = nil, nil, nil
			x.log.Error("router advertisements stopped", "err", err)
			return 1
		}
	}
}

// apply brings the running state in line with x.settings and x.cfg:
// starts or reloads the engine in serve mode, stops it in defer mode.
func (x *instance) apply() error {
	if x.settings.Mode == ModeDefer {
		if x.daemon != nil {
			x.log.Info("switching to defer mode: sending final router advertisements")
			x.stop()
		}
		if !x.deferLog {
			x.log.Info(fmt.Sprintf("defer mode: %s is valid (%d interfaces); an upstream router is responsible for router advertisements, none will be sent",
				x.opts.Config, len(x.cfg.Interfaces)), "settings", settingsSource(x.settings))
			x.deferLog = true
		}
		return nil
	}
	x.deferLog = false
	if x.daemon != nil {
		x.daemon.Engine().Reload(x.cfg)
		return nil
	}
	tr := serve.SystemTransports(x.log)
	pre := x.icmp
	x.icmp = nil
	tr.ICMP = func() (iface.Conn, error) {
		if pre != nil {
			c := pre
			pre = nil
			return c, nil
		}
		return iface.ListenICMP()
	}
	d, err := serve.New(serve.Options{Path: x.opts.Config, Config: x.cfg, Logger: x.log, Transports: tr, StatusInterval: -1})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx, nil) }()
	x.daemon, x.cancel, x.done = d, cancel, done
	return nil
}

// stop ends the engine (final RAs) and waits a bounded time for it.
func (x *instance) stop() {
	if x.daemon == nil {
		return
	}
	x.cancel()
	select {
	case err := <-x.done:
		if err != nil {
			x.log.Warn("stopping", "err", err)
		}
	case <-time.After(stopTimeout):
		x.log.Warn("final router advertisements timed out")
	}
	x.daemon, x.cancel, x.done = nil, nil, nil
}

// reload is SIGHUP: reread radvd.toml and radvd.conf; on any error the
// running configuration keeps serving.
func (x *instance) reload() {
	// -m logfile: a rotated log file is reopened (radvd 2.19 keeps
	// writing to the old one). After -u the user may not create files
	// where root put the log: then the open file stays in use (said once;
	// rotate with copytruncate).
	if err := x.out.Reopen(); err != nil {
		if !x.reopenFailed {
			x.log.Warn("cannot reopen the log file; writing on to the open one", "err", err)
		}
		x.reopenFailed = true
	} else {
		x.reopenFailed = false
	}
	x.log.Info("attempting to reread config file")
	settings, err := LoadSettings(x.getenv)
	if err != nil {
		for _, e := range unjoin(err) {
			x.log.Error(e.Error())
		}
		x.log.Error("reload failed, keeping the previous configuration")
		return
	}
	cfg, err := loadConfig(x.log, x.opts.Config, settings)
	if err != nil {
		logParseError(x.log, x.opts.Config, err)
		x.log.Error("reload failed, keeping the previous configuration", "file", x.opts.Config)
		return
	}
	if settings.Mode != x.settings.Mode {
		x.deferLog = false
	}
	x.settings, x.cfg = settings, cfg
	if settings.Mode == ModeServe && settings.WriteSysctls {
		x.sysctl.write(cfg)
	}
	x.publishSysctls()
	if err := x.apply(); err != nil {
		x.log.Error("reload: "+err.Error(), "mode", settings.Mode.String())
		return
	}
	x.log.Info("resuming normal operation", "mode", settings.Mode.String())
}

// publishSysctls tells watchLinks what to write from now on.
func (x *instance) publishSysctls() {
	if x.settings.Mode == ModeServe && x.settings.WriteSysctls {
		x.sysState.cfg.Store(x.cfg)
	} else {
		x.sysState.cfg.Store(nil)
	}
}

func settingsSource(s Settings) string {
	if s.Source == "" {
		return "built-in defaults"
	}
	return s.Source
}

// absPath makes a relative path absolute; "" stays "".
func absPath(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// fail reports a start-up failure, already logged, to the waiting original
// process when detached (its stderr is the caller's), and returns the exit
// status 1. In the foreground the log method has said it all, as in radvd.
func fail(_ io.Writer, msg string) int {
	daemon.Fail(msg) // a no-op unless detached
	return 1
}

// failText is what the caller of a detaching start sees on stderr when
// radvd.conf is broken.
func failText(path string, err error) string {
	var list radvdconf.ErrorList
	if errors.As(err, &list) {
		return list.Error() + "\nexiting, failed to read config file"
	}
	return fmt.Sprintf("can't open %s: %v\nexiting, failed to read config file", path, unwrapPathError(err))
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func args0() string {
	if len(os.Args) == 0 {
		return ""
	}
	return os.Args[0]
}
