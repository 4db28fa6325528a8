package serve

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/radish-net/radish/config"
	"github.com/radish-net/radish/iface"
)

// Exit codes of the radish command.
const (
	ExitOK      = 0 // success
	ExitFailure = 1 // runtime failure; for check, an invalid file
	ExitUsage   = 2 // bad command line or configuration
)

// DefaultConfig is the configuration file used without -c.
const DefaultConfig = "/etc/radish/radish.toml"

// Usage is the text of radish help.
const Usage = `radish serves IPv6 Router Advertisements and stateless DHCPv6.

Usage:
  radish serve [-c FILE] [--log-format text|json] [--log-level LEVEL] [--log-output stderr|stdout]
        Serve in the foreground, logging to standard error. FILE defaults to
        ` + DefaultConfig + `. Without the flags, the file's [log] table sets the
        format and level (debug, info, warn, error).
        SIGHUP reloads FILE; if it does not load, its errors are logged and the
        previous configuration keeps serving. SIGTERM or SIGINT sends a final
        RA (Router Lifetime 0) on every served link and exits.
  radish check [-c FILE]
        Validate FILE: print warnings and errors (FILE:LINE: KEY: message).
  radish check --radvd FILE
        Read a radvd.conf and print it as radish TOML (errors as radvd
        prints them), to move from the radvd personality to radish serve.
  radish radvd [radvd options]
        Run as radvd(8), reading radvd.conf; the same as invoking the binary
        under the name radvd (e.g. installed as /usr/sbin/radvd).
  radish version
        Print the version.
  radish help
        Print this text.

Configuration keys, with their defaults: config/reference.toml in the source.

Exit status:
  0  success (serve: stopped by SIGTERM or SIGINT; check: the file is valid)
  1  runtime failure (a socket or netlink could not be opened); check: the
     file is invalid
  2  usage error, or serve could not load its configuration
`

// claimRetry is how often an instance that found another radish serve in
// its network namespace tries to take the marker over.
const claimRetry = 5 * time.Second

// buildVersion is set at link time by `make build`
// (-X github.com/radish-net/radish/internal/serve.buildVersion=...), from
// `git describe`.
var buildVersion string

// Version returns radish's version: the one `make build` stamped in, else
// the module version when built from a tagged module, else the VCS revision
// the binary was built from.
func Version() string {
	if buildVersion != "" {
		return buildVersion
	}
	v := "devel"
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v = bi.Main.Version
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "-dirty"
			}
		}
	}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		v += "+" + rev + modified
	}
	return v
}

// VersionCommand is radish version.
func VersionCommand(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintln(stderr, "radish version: takes no arguments")
		return ExitUsage
	}
	fmt.Fprintf(stdout, "radish %s %s %s/%s\n", Version(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return ExitOK
}

// HelpCommand is radish help.
func HelpCommand(_ []string, stdout, _ io.Writer) int {
	fmt.Fprint(stdout, Usage)
	return ExitOK
}

// CheckCommand is radish check: it loads the file, prints its warnings and
// errors to stderr, and a one-line verdict to stdout.
func CheckCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("radish check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("c", DefaultConfig, "configuration `file`")
	if err := fs.Parse(args); err != nil {
		return ExitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "radish check: unexpected argument %q\n", fs.Arg(0))
		return ExitUsage
	}
	cfg, err := config.Load(*path)
	if err != nil {
		for _, e := range unjoin(err) {
			fmt.Fprintln(stderr, e)
		}
		fmt.Fprintf(stdout, "%s: invalid\n", *path)
		return ExitFailure
	}
	for _, w := range cfg.Warnings {
		fmt.Fprintln(stderr, "warning:", w)
	}
	fmt.Fprintf(stdout, "%s: ok (%d interfaces, %d warnings)\n", *path, len(cfg.Interfaces), len(cfg.Warnings))
	return ExitOK
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// ServeCommand is radish serve. It returns when SIGTERM or SIGINT arrives
// (ExitOK) or on failure.
func ServeCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("radish serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("c", DefaultConfig, "configuration `file`")
	format := fs.String("log-format", "", "log `format`: text or json (default: the file's [log] format, else text)")
	level := fs.String("log-level", "", "minimum log `level`: debug, info, warn or error (default: the file's [log] level, else info)")
	output := fs.String("log-output", "", "log `destination`: stderr or stdout (default: the file's [log] output, else stderr)")
	if err := fs.Parse(args); err != nil {
		return ExitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "radish serve: unexpected argument %q\n", fs.Arg(0))
		return ExitUsage
	}
	lv := new(slog.LevelVar)
	if *level != "" {
		l, err := ParseLevel(*level)
		if err != nil {
			fmt.Fprintln(stderr, "radish serve: --log-level:", err)
			return ExitUsage
		}
		lv.Set(l)
	}
	switch *output {
	case "", "stderr", "stdout":
	default:
		fmt.Fprintf(stderr, "radish serve: --log-output: unknown destination %q (want stderr or stdout)\n", *output)
		return ExitUsage
	}
	if *format != "" {
		if _, err := NewLogger(io.Discard, *format, lv); err != nil {
			fmt.Fprintln(stderr, "radish serve: --log-format:", err)
			return ExitUsage
		}
	}

	cfg, err := config.Load(*path)
	if err != nil {
		log, _ := NewLogger(stderr, *format, lv)
		if log == nil {
			log, _ = NewLogger(stderr, "text", lv)
		}
		logConfigErrors(log, "cannot load the configuration", err)
		return ExitUsage
	}
	f := *format
	if f == "" {
		f = cfg.Log.Format
	}
	var follow *slog.LevelVar
	if *level == "" {
		l, err := ParseLevel(cfg.Log.Level)
		if err != nil {
			fmt.Fprintf(stderr, "radish serve: %s: [log] level: %v\n", *path, err)
			return ExitUsage
		}
		lv.Set(l)
		follow = lv
	}
	log, err := NewLogger(logOutput(*output, cfg.Log.Output, stdout, stderr), f, lv)
	if err != nil {
		fmt.Fprintf(stderr, "radish serve: %s: [log] format: %v\n", *path, err)
		return ExitUsage
	}

	// Signals are caught before anything is opened, so that a SIGTERM
	// during start-up still ends with final RAs rather than a kill.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	reload := make(chan struct{}, 1)
	go func() {
		for range hup {
			select {
			case reload <- struct{}{}:
			default: // a reload is already pending; it reads the newest file
			}
		}
	}()

	log.Info("starting radish", "version", Version(), "pid", os.Getpid(), "config", *path,
		"interfaces", interfaceNames(cfg), "dhcpv6", servesDHCPv6(cfg))
	logWarnings(log, cfg)
	// Two instances in one network namespace would both advertise and
	// answer on the links they share: say so (it may be a rolling
	// restart, so it is not refused), and take the marker over when the
	// other one goes, so that a third is warned about this one.
	claims := make(chan *iface.NamespaceClaim, 1)
	defer func() {
		select {
		case c := <-claims:
			c.Close()
		default:
		}
	}()
	if claim, err := iface.ClaimNamespace("serve"); err != nil {
		log.Debug("cannot tell whether another radish serve runs here", "err", err)
	} else if claim != nil {
		claims <- claim
	} else {
		log.Warn("another radish serve is running in this network namespace: both will send RAs and answer DHCPv6 on the links they share",
			"other_pid", iface.NamespaceHolder("serve"))
		go func() {
			t := time.NewTicker(claimRetry)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
				if c, err := iface.ClaimNamespace("serve"); err == nil && c != nil {
					if ctx.Err() != nil { // stopping meanwhile
						c.Close()
						return
					}
					claims <- c
					return
				}
			}
		}()
	}
	d, err := New(Options{Path: *path, Config: cfg, Logger: log, Level: follow})
	if err != nil {
		log.Error("cannot start", "err", err)
		return ExitFailure
	}
	if err := d.Run(ctx, reload); err != nil && !errors.Is(err, context.Canceled) {
		log.Error("failed", "err", err)
		return ExitFailure
	}
	return ExitOK
}

// logOutput picks where serve's log lines go: the --log-output flag wins,
// then the file's [log] output; standard error by default.
func logOutput(flagValue, fileValue string, stdout, stderr io.Writer) io.Writer {
	v := flagValue
	if v == "" {
		v = fileValue
	}
	if v == "stdout" {
		return stdout
	}
	return stderr
}
