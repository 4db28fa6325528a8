// Package radvdcli parses radvd's command line so that radish, installed
// as /usr/sbin/radvd, accepts every invocation real callers use (nova,
// neutron, pfSense/OPNsense, Debian's init script and unit, OpenWrt).
//
// Parse follows glibc getopt_long with radvd's option table: short
// options with attached or separate arguments (-d1, -d 1), clustered
// flags (-nc), long options with "=" or a separate argument, unambiguous
// long prefixes (--fac), "--" to end options, and non-options anywhere
// (they are ignored, as radvd ignores them). Errors, -v and -h produce an
// *ExitError carrying the exact text radvd prints on stderr and its exit
// status, in the order radvd would meet them.
//
// Deliberate differences from radvd 2.19, all more permissive: -s (radvd
// 1.x) is accepted and ignored, -f is accepted as --facility (radvd.8
// documents it, radvd's getopt string lacks it), and -d values above 5 are
// stored as 5 (radvd stores any integer; every value above 5 logs as 5 does).
//
// Installed as radvd, pass os.Args to Parse; in the "radish radvd ARGS"
// form pass os.Args[1:], so that args[0] is "radvd" in messages.
package radvdcli

import (
	"os"
	"strconv"
	"strings"

	"github.com/radish-net/radish/internal/daemon"
)

// radvd's compiled-in defaults.
const (
	DefaultConfig   = "/etc/radvd.conf"
	DefaultPidfile  = "/var/run/radvd.pid" // radvd's upstream default; /var/run is /run on current systems
	DefaultLogfile  = "/var/log/radvd.log"
	DefaultFacility = 3 << 3 // LOG_DAEMON, as radvd takes it: already shifted
	logUser         = 1 << 3 // LOG_USER, what glibc's openlog falls back to
	maxDebug        = 5
)

// Version is radish's version, printed by -v. Set it at build time with
// -ldflags "-X github.com/radish-net/radish/internal/radvdcli.Version=1.2.3";
// radish radvd sets it from radish's own version (internal/serve.Version).
var Version = "devel"

// CompatVersion is the radvd release whose command line and radvd.conf
// grammar radish accepts; -v reports it first so scripts that parse
// "Version: X.Y" keep working.
const CompatVersion = "2.21"

// Options is a parsed radvd command line with radvd's defaults filled in.
type Options struct {
	Config     string           // -C, --config
	Pidfile    string           // -p, --pidfile (written with -n too)
	LogMethod  daemon.LogMethod // -m, --logmethod
	Logfile    string           // -l, --logfile (used with -m logfile)
	Debug      int              // -d, --debug: 0..5; radvd 2.x keeps daemonizing with -d
	Facility   int              // -f, --facility: syslog facility code, already shifted (LOG_DAEMON = 24)
	NoDaemon   bool             // -n, --nodaemon
	ConfigTest bool             // -c, --configtest
	Username   string           // -u, --username: drop to this user after opening sockets
	Chroot     string           // -t, --chrootdir: only with Username
	Args       []string         // non-option arguments, ignored by radvd
}

// Daemonize reports whether the process should detach: unless -n or -c.
// A debug level does not keep radvd 2.x in the foreground.
func (o Options) Daemonize() bool { return !o.NoDaemon && !o.ConfigTest }

// EffectiveLog returns the log method and debug level radvd actually uses:
// a config test logs to stderr (keeping stderr_clean) at debug level 1 or more.
func (o Options) EffectiveLog() (daemon.LogMethod, int) {
	if !o.ConfigTest {
		return o.LogMethod, o.Debug
	}
	m := daemon.LogStderr
	if o.LogMethod == daemon.LogStderrClean {
		m = daemon.LogStderrClean
	}
	return m, max(o.Debug, 1)
}

// ExitError is a command line that ends the program before it starts:
// print Message to stderr unchanged and exit with Code. -v and -h are
// ExitErrors with code 1, as in radvd.
type ExitError struct {
	Code    int
	Message string
}

// Error returns Message without its trailing newline.
func (e *ExitError) Error() string { return strings.TrimRight(e.Message, "\n") }

// Parse parses os.Args-style args (args[0] is the program name, used in
// messages as radvd uses it). It returns an *ExitError for -v, -h and
// every invalid command line. The environment variable POSIXLY_CORRECT
// stops option parsing at the first non-option, as in glibc.
func Parse(args []string) (Options, error) {
	o := Options{
		Config:    DefaultConfig,
		Pidfile:   DefaultPidfile,
		LogMethod: daemon.LogStderrSyslog,
		Logfile:   DefaultLogfile,
		Facility:  DefaultFacility,
	}
	pname := "radvd"
	if len(args) > 0 {
		pname = args[0][strings.LastIndexByte(args[0], '/')+1:]
	}
	_, posixly := os.LookupEnv("POSIXLY_CORRECT")
	rest, err := getopt(args, posixly, func(c byte, arg string) *ExitError {
		switch c {
		case 'C':
			o.Config = arg
		case 'd':
			o.Debug = min(max(atoi(arg), 0), maxDebug)
		case 'f':
			o.Facility = facility(atoi(arg))
		case 'l':
			o.Logfile = arg
		case 'p':
			o.Pidfile = arg
		case 'm':
			m, err := daemon.ParseLogMethod(arg)
			if err != nil {
				return usageErr(pname + ": unknown log method: " + arg + "\n")
			}
			o.LogMethod = m
		case 't':
			o.Chroot = arg
		case 'u':
			o.Username = arg
		case 'c':
			o.ConfigTest = true
		case 'n':
			o.NoDaemon = true
		case 's':
			// radvd 1.x "single process": privilege separation is not optional any more.
		case 'v':
			return usageErr(VersionText())
		case 'h':
			return usageErr(UsageText(pname))
		}
		return nil
	})
	if err != nil {
		return Options{}, err
	}
	if o.Chroot != "" && o.Username == "" {
		return Options{}, usageErr("Chroot as root is not safe, exiting\n")
	}
	o.Args = rest
	return o, nil
}

// atoi converts like C's atoi: optional leading blanks and sign, then
// decimal digits up to the first non-digit; no digits give 0.
func atoi(s string) int {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	n := 0
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		if n < 1<<30 {
			n = n*10 + int(s[i]-'0')
		}
	}
	if neg {
		return -n
	}
	return n
}

// facility applies glibc openlog's rule: a value that is zero or has bits
// outside LOG_FACMASK is ignored and LOG_USER is used.
func facility(f int) int {
	const facMask = 0x03f8
	if f == 0 || f&^facMask != 0 {
		return logUser
	}
	return f
}

// VersionText is what -v prints: radvd's layout, with the radvd release
// radish is compatible with on the first line and radish's own version.
func VersionText() string {
	return "Version: " + CompatVersion + " (radish " + Version + ", a radvd-compatible daemon)\n\n" +
		"Compiled in settings:\n" +
		"  default config file\t\t\"" + DefaultConfig + "\"\n" +
		"  default pidfile\t\t\"" + DefaultPidfile + "\"\n" +
		"  default logfile\t\t\"" + DefaultLogfile + "\"\n" +
		"  default syslog facility\t" + strconv.Itoa(DefaultFacility) + "\n" +
		"Please report bugs to https://github.com/radish-net/radish/issues.\n"
}

// UsageText is what -h prints, in radvd's layout; pname is the basename
// of argv[0].
func UsageText(pname string) string {
	return "usage: " + pname + " \n" +
		"  -C, --config=PATH       Set the config file.  Default is " + DefaultConfig + ".\n" +
		"  -c, --configtest        Parse the config file and exit.\n" +
		"  -d, --debug=NUM         Set the debug level.  Values can be 1, 2, 3, 4 or 5.\n" +
		"  -f, --facility=NUM      Set the logging facility.\n" +
		"  -h, --help              Show this help screen.\n" +
		"  -l, --logfile=PATH      Set the log file.\n" +
		"  -m, --logmethod=X       Set method to: syslog, stderr, stderr_syslog, logfile,\n" +
		"                          stderr_clean, or none.\n" +
		"  -n, --nodaemon          Prevent the daemonizing.\n" +
		"  -p, --pidfile=PATH      Set the pid file.\n" +
		"  -t, --chrootdir=PATH    Chroot to the specified path.\n" +
		"  -u, --username=USER     Switch to the specified user.\n" +
		"  -v, --version           Print the version and quit.\n" +
		"\n"
}
